//! `AddrMap`: the backward engine's map from node or tensor addresses to per-backward state.
//! Eager graphs are small (a handful of nodes), where a linear scan beats hashing and
//! allocates once; past `SCAN` entries an index makes lookups O(1).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// An address used as a key.
pub(super) type Key = usize;

/// Entries scanned linearly before the hash index is built.
const SCAN: usize = 16;

/// Keys are addresses: a multiplicative hash is enough and much cheaper than SipHash.
#[derive(Default)]
struct AddrHasher(u64);
impl Hasher for AddrHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x100000001b3);
        }
    }
    fn write_usize(&mut self, v: usize) {
        self.0 = ((v as u64) >> 4).wrapping_mul(0x9e3779b97f4a7c15);
    }
}

/// Insertion-ordered entries with lookup by key.
pub(super) struct AddrMap<V> {
    entries: Vec<(Key, V)>,
    index: HashMap<Key, usize, BuildHasherDefault<AddrHasher>>,
}

impl<V> Default for AddrMap<V> {
    fn default() -> Self {
        AddrMap {
            entries: Vec::new(),
            index: HashMap::default(),
        }
    }
}

impl<V> AddrMap<V> {
    /// Position of `k`'s entry.
    pub fn find(&self, k: Key) -> Option<usize> {
        if self.entries.len() <= SCAN {
            self.entries.iter().position(|e| e.0 == k)
        } else {
            self.index.get(&k).copied()
        }
    }

    /// Position of `k`'s entry, inserting `make()` first when absent; the flag says whether
    /// it was inserted.
    pub fn find_or_insert(&mut self, k: Key, make: impl FnOnce() -> V) -> (usize, bool) {
        if let Some(i) = self.find(k) {
            return (i, false);
        }
        let i = self.entries.len();
        self.entries.push((k, make()));
        if self.entries.len() == SCAN + 1 {
            self.index = self
                .entries
                .iter()
                .enumerate()
                .map(|(i, e)| (e.0, i))
                .collect();
        } else if self.entries.len() > SCAN + 1 {
            self.index.insert(k, i);
        }
        (i, true)
    }

    /// The value at position `i`.
    pub fn at(&mut self, i: usize) -> &mut V {
        &mut self.entries[i].1
    }

    /// The value for `k`, if present.
    pub fn get_mut(&mut self, k: Key) -> Option<&mut V> {
        self.find(k).map(|i| &mut self.entries[i].1)
    }

    /// The entries in insertion order.
    pub fn into_values(self) -> impl Iterator<Item = V> {
        self.entries.into_iter().map(|e| e.1)
    }
}
