//! Reading the legacy checkpoint format (`torch.save(..., _use_new_zipfile_serialization=False)`
//! and every file saved before PyTorch 1.6): five pickles one after another (the magic number,
//! the protocol version 1001, a `sys_info` dict, the object, the list of storage keys), then
//! each listed storage as an 8-byte little-endian element count and its raw bytes.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;

use super::storage::{PtStorage, StorageClass, parse_storage_id};
use super::unpickle::{NoPersistentIds, PersistentLoad, Val, unpickle};
use super::value::PtValue;
use crate::io::raw;
use crate::storage::Storage;
use crate::{DType, Error, Result};

/// `pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2)`: the file's first bytes.
pub(super) const MAGIC: [u8; 15] = [
    0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e,
];

const PROTOCOL_VERSION: i64 = 1001;

/// Loads a legacy checkpoint from its bytes (which start with `MAGIC`).
pub(super) fn load_legacy(path: &Path, data: &[u8]) -> Result<PtValue> {
    let fail = |msg: String| Error::format(path, format!("pt (legacy format): {msg}"));
    let mut pos = MAGIC.len();

    let (version, n) = unpickle(
        &data[pos..],
        path,
        "protocol version pickle",
        &mut NoPersistentIds,
    )?;
    pos += n;
    if version.as_int() != Some(PROTOCOL_VERSION) {
        return Err(fail(format!(
            "protocol version is {version:?}, expected {PROTOCOL_VERSION}"
        )));
    }

    let (sys_info, n) = unpickle(&data[pos..], path, "sys_info pickle", &mut NoPersistentIds)?;
    pos += n;
    match sys_info.get("little_endian") {
        Some(PtValue::Bool(true)) => {}
        Some(PtValue::Bool(false)) => {
            return Err(fail("big-endian legacy files are not supported".into()));
        }
        _ => return Err(fail("sys_info lacks `little_endian`".into())),
    }

    let mut source = LegacyStorages {
        budget: data.len(),
        roots: HashMap::new(),
        views: HashMap::new(),
    };
    let (value, n) = unpickle(&data[pos..], path, "main pickle", &mut source)?;
    pos += n;

    let (keys, n) = unpickle(
        &data[pos..],
        path,
        "storage key pickle",
        &mut NoPersistentIds,
    )?;
    pos += n;
    let keys = keys.as_seq().ok_or_else(|| {
        fail(format!(
            "the storage keys are a {}, not a list",
            keys.kind()
        ))
    })?;

    let mut filled = HashSet::with_capacity(keys.len());
    for key in keys {
        let key = key
            .as_str()
            .ok_or_else(|| fail(format!("a storage key is a {}, not a str", key.kind())))?;
        let root = source
            .roots
            .get(key)
            .ok_or_else(|| fail(format!("storage `{key}` is listed but never used")))?;
        if !filled.insert(key) {
            return Err(fail(format!("storage `{key}` is listed twice")));
        }
        pos = fill(root, data, pos).map_err(fail)?;
    }
    if let Some(key) = source.roots.keys().find(|k| !filled.contains(k.as_str())) {
        return Err(fail(format!(
            "storage `{key}` is used but its data is missing"
        )));
    }
    Ok(value)
}

/// Reads one storage's count and bytes at `pos` into `root`; returns the position after them.
fn fill(root: &PtStorage, data: &[u8], pos: usize) -> Result<usize, String> {
    let key = &root.key;
    let truncated = || format!("storage `{key}`: the file ends early (truncated?)");
    let count = data.get(pos..pos + 8).ok_or_else(truncated)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(count);
    let count = u64::from_le_bytes(a);
    let dtype = root.dtype.unwrap_or(DType::U8);
    let expected = (root.nbytes / dtype.size_in_bytes()) as u64;
    if count != expected {
        return Err(format!(
            "storage `{key}` holds {count} elements but the pickle says {expected}"
        ));
    }
    let start = pos + 8;
    let bytes = data.get(start..start + root.nbytes).ok_or_else(truncated)?;
    if dtype == DType::Bool
        && let Some((i, b)) = raw::invalid_bool(bytes)
    {
        return Err(format!(
            "bool storage `{key}`: byte {i} holds {b}, not 0 or 1"
        ));
    }
    root.storage.write().as_bytes_mut().copy_from_slice(bytes);
    Ok(start + root.nbytes)
}

/// Storages named by the main pickle: allocated when first named, filled after it.
struct LegacyStorages {
    /// Bytes the file can still hold: storages together cannot exceed the file's size, so a
    /// hostile size never allocates more than the file is long.
    budget: usize,
    roots: HashMap<String, Rc<PtStorage>>,
    views: HashMap<String, Rc<PtStorage>>,
}

impl PersistentLoad for LegacyStorages {
    fn load(&mut self, pid: &Val) -> Result<Val, String> {
        let id = parse_storage_id(pid)?;
        let StorageClass::Typed(dtype) = id.class else {
            return Err("untyped storages do not exist in the legacy format".into());
        };
        let nbytes = id
            .class
            .nbytes(id.numel)
            .ok_or_else(|| format!("storage `{}`: size {} overflows", id.key, id.numel))?;
        let root = match self.roots.get(&id.key) {
            Some(r) => {
                if r.dtype != Some(dtype) || r.nbytes != nbytes {
                    return Err(format!(
                        "storage `{}` is named with two different types or sizes",
                        id.key
                    ));
                }
                r.clone()
            }
            None => {
                if nbytes > self.budget {
                    return Err(format!(
                        "storage `{}` claims {nbytes} bytes, more than the file holds",
                        id.key
                    ));
                }
                self.budget -= nbytes;
                let r = Rc::new(PtStorage {
                    key: id.key.clone(),
                    dtype: Some(dtype),
                    storage: Storage::zeros(nbytes, DType::U8),
                    byte_offset: 0,
                    nbytes,
                });
                self.roots.insert(id.key, r.clone());
                r
            }
        };
        let Some((view_key, offset, len)) = id.view else {
            return Ok(Val::Storage(root));
        };
        if let Some(v) = self.views.get(&view_key) {
            return Ok(Val::Storage(v.clone()));
        }
        let elem = dtype.size_in_bytes();
        let fits = offset
            .checked_add(len)
            .and_then(|end| end.checked_mul(elem))
            .is_some_and(|end| end <= nbytes);
        if !fits {
            return Err(format!(
                "storage view `{view_key}` ({offset}..+{len}) lies outside storage `{}`",
                root.key
            ));
        }
        let v = Rc::new(PtStorage {
            key: view_key.clone(),
            dtype: Some(dtype),
            storage: Arc::clone(&root.storage),
            byte_offset: offset * elem,
            nbytes: len * elem,
        });
        self.views.insert(view_key, v.clone());
        Ok(Val::Storage(v))
    }
}
