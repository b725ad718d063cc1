//! Heap buffers for CPU storages, and a cache of freed large ones.
//!
//! A training step frees and allocates the same buffer sizes every iteration. Through the
//! system allocator, multi-megabyte blocks go back to the kernel (heap trim, munmap) and come
//! back as fresh pages that fault in on first write: ~15% of an MLP step was spent in the
//! kernel that way. Freed buffers of at least [`MIN_CACHED`] bytes are kept here instead and
//! handed out again for the same size, as PyTorch's caching allocators do on GPUs. The cache
//! holds at most [`CACHE_LIMIT`] bytes; a buffer that would pass it empties the cache first.
//! [`empty_cache`] returns everything to the system.
//!
//! On Linux, buffers of at least [`huge::MIN_LEN`] bytes are mapped directly, 2 MiB aligned, and
//! marked for transparent huge pages (`madvise(MADV_HUGEPAGE)`, what PyTorch does under
//! `THP_MEM_ALLOC_ENABLE=1`). A row-wise pass over a 16 MiB tensor touches a new 4 KiB page
//! every 1024 floats and misses the TLB on each; with 2 MiB pages `sum` over the rows of a
//! `[4096, 1024]` tensor took 200 us instead of 238 us.

use std::alloc::{self, Layout as AllocLayout};
use std::collections::HashMap;
use std::ptr::NonNull;
use std::sync::{LazyLock, Mutex};

// 16 bytes covers every element type and lets the system allocator serve zeroed buffers with
// calloc (fresh pages, zeroed lazily by the OS and faulted in by the threads that write them)
// instead of posix_memalign + memset on the calling thread.
const ALIGN: usize = 16;

/// Smallest buffer the cache keeps: below it the system allocator reuses memory itself.
pub const MIN_CACHED: usize = 64 << 10;

/// Most bytes the cache holds.
pub const CACHE_LIMIT: usize = 256 << 20;

/// Freed buffers by exact byte length (addresses as integers), and their total size.
#[derive(Default)]
struct Cache {
    free: HashMap<usize, Vec<usize>>,
    bytes: usize,
}

static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(Mutex::default);

fn layout(len: usize) -> AllocLayout {
    AllocLayout::from_size_align(len, ALIGN).expect("allocation size overflow")
}

/// Allocates `len > 0` bytes, zeroed if asked; null when the system is out of memory.
fn alloc_raw(len: usize, zeroed: bool) -> *mut u8 {
    #[cfg(target_os = "linux")]
    if len >= huge::MIN_LEN {
        // A fresh mapping is zero-filled (and costs nothing until touched) either way.
        return huge::map(len);
    }
    // SAFETY: layout has non-zero size.
    unsafe {
        if zeroed {
            alloc::alloc_zeroed(layout(len))
        } else {
            alloc::alloc(layout(len))
        }
    }
}

/// Frees a buffer `alloc_raw(len, _)` returned.
///
/// # Safety
/// `p` came from `alloc_raw` with this `len` and nothing uses it any more.
unsafe fn free_raw(p: *mut u8, len: usize) {
    #[cfg(target_os = "linux")]
    if len >= huge::MIN_LEN {
        // SAFETY: forwarded from the caller.
        return unsafe { huge::unmap(p, len) };
    }
    // SAFETY: allocated by `alloc_raw` with this layout (caller).
    unsafe { alloc::dealloc(p, layout(len)) }
}

impl Cache {
    fn release_all(&mut self) {
        for (len, ptrs) in self.free.drain() {
            for p in ptrs {
                // SAFETY: each address was allocated by `alloc_raw` with this length and is
                // owned by the cache alone.
                unsafe { free_raw(p as *mut u8, len) }
            }
        }
        self.bytes = 0;
    }
}

fn cache() -> std::sync::MutexGuard<'static, Cache> {
    // A panic while holding the lock leaves the map consistent (no partial updates).
    CACHE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Returns every cached buffer to the system allocator (as `torch.cuda.empty_cache()` does
/// for PyTorch's GPU cache): for a long-running process that wants its resident memory back
/// after a phase of large tensors.
pub fn empty_cache() {
    cache().release_all();
}

/// Bytes currently held by the cache.
pub fn cached_bytes() -> usize {
    cache().bytes
}

/// Heap bytes with 16-byte alignment, so any element type can be viewed in place.
pub(crate) struct AlignedBuf {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: AlignedBuf owns its allocation exclusively, like a Vec<u8>.
unsafe impl Send for AlignedBuf {}
unsafe impl Sync for AlignedBuf {}

impl AlignedBuf {
    /// Zero-filled bytes (calloc: fresh pages cost nothing until touched).
    pub fn zeroed(len: usize) -> Self {
        Self::alloc(len, true)
    }

    /// Bytes left as the allocator returns them, for an output the caller overwrites in full
    /// before anything reads it: saves calloc's memset of reused heap memory, which was ~9% of
    /// a training step.
    pub fn uninit(len: usize) -> Self {
        Self::alloc(len, false)
    }

    fn alloc(len: usize, zeroed: bool) -> Self {
        if len == 0 {
            return AlignedBuf {
                // A dangling pointer with the buffer's alignment, so empty slices of any type cast.
                ptr: NonNull::new(ALIGN as *mut u8).expect("non-zero"),
                len: 0,
            };
        }
        if len >= MIN_CACHED {
            let cached = {
                let mut c = cache();
                let p = c.free.get_mut(&len).and_then(Vec::pop);
                if p.is_some() {
                    c.bytes -= len;
                }
                p
            };
            if let Some(p) = cached.and_then(|p| NonNull::new(p as *mut u8)) {
                if zeroed {
                    // SAFETY: the buffer is `len` bytes we own.
                    unsafe { p.as_ptr().write_bytes(0, len) };
                }
                return AlignedBuf { ptr: p, len };
            }
        }
        let Some(ptr) = NonNull::new(alloc_raw(len, zeroed)) else {
            alloc::handle_alloc_error(layout(len))
        };
        AlignedBuf { ptr, len }
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        // SAFETY: ptr is valid for len bytes (or dangling with len 0).
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: as above, and we hold &mut self.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for AlignedBuf {
    fn drop(&mut self) {
        let len = self.len;
        if len == 0 {
            return;
        }
        if (MIN_CACHED..=CACHE_LIMIT).contains(&len) {
            let mut c = cache();
            if c.bytes + len > CACHE_LIMIT {
                c.release_all();
            }
            c.free
                .entry(len)
                .or_default()
                .push(self.ptr.as_ptr() as usize);
            c.bytes += len;
            return;
        }
        // SAFETY: allocated in `alloc` by `alloc_raw` with this length, and owned by us.
        unsafe { free_raw(self.ptr.as_ptr(), len) }
    }
}

/// Large buffers as their own 2 MiB-aligned anonymous mappings with transparent huge pages.
#[cfg(target_os = "linux")]
mod huge {
    /// Size and alignment of a huge page on x86-64 and aarch64 (4 KiB base pages).
    const PAGE_2M: usize = 2 << 20;

    /// Smallest buffer mapped this way: one whole huge page.
    pub(super) const MIN_LEN: usize = PAGE_2M;

    /// Maps `len` zeroed bytes starting on a 2 MiB boundary; null on failure.
    pub(super) fn map(len: usize) -> *mut u8 {
        let Some(total) = len.checked_add(PAGE_2M) else {
            return std::ptr::null_mut();
        };
        // SAFETY: an anonymous private mapping of fresh memory; no existing memory is touched.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                total,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return std::ptr::null_mut();
        }
        let start = base as usize;
        let aligned = start.next_multiple_of(PAGE_2M);
        // mmap returns page-aligned addresses, so `aligned + len` rounded up to a base page is
        // where the unused tail starts.
        // SAFETY: sysconf has no preconditions.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096);
        let tail = (aligned + len).next_multiple_of(page);
        // SAFETY: both ranges lie inside the mapping just made and outside the part returned.
        unsafe {
            if aligned > start {
                libc::munmap(base, aligned - start);
            }
            if start + total > tail {
                libc::munmap(tail as *mut libc::c_void, start + total - tail);
            }
            // Advice only: without THP support the buffer keeps base pages.
            libc::madvise(
                aligned as *mut libc::c_void,
                len / PAGE_2M * PAGE_2M,
                libc::MADV_HUGEPAGE,
            );
        }
        aligned as *mut u8
    }

    /// Unmaps a buffer [`map`] returned.
    ///
    /// # Safety
    /// `p` came from `map(len)` and nothing uses it any more.
    pub(super) unsafe fn unmap(p: *mut u8, len: usize) {
        // SAFETY: the range is exactly what `map` kept (munmap rounds `len` up to pages).
        unsafe { libc::munmap(p.cast(), len) };
    }
}
