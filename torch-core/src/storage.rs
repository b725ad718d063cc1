//! `Storage`: one buffer shared by every view of it, its device, and the version counter
//! (DESIGN R7). A buffer is raw, 64-byte aligned bytes, or a read-only memory map whose first
//! write copies it (DESIGN R8).

use std::alloc::{self, Layout as AllocLayout};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::{DType, Device, Element};

// 16 bytes covers every element type and lets the system allocator serve zeroed buffers with
// calloc (fresh pages, zeroed lazily by the OS and faulted in by the threads that write them)
// instead of posix_memalign + memset on the calling thread.
const ALIGN: usize = 16;

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
        let layout = AllocLayout::from_size_align(len, ALIGN).expect("allocation size overflow");
        // SAFETY: layout has non-zero size.
        let ptr = unsafe {
            if zeroed {
                alloc::alloc_zeroed(layout)
            } else {
                alloc::alloc(layout)
            }
        };
        let Some(ptr) = NonNull::new(ptr) else {
            alloc::handle_alloc_error(layout)
        };
        AlignedBuf { ptr, len }
    }

    fn as_slice(&self) -> &[u8] {
        // SAFETY: ptr is valid for len bytes (or dangling with len 0).
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }

    fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: as above, and we hold &mut self.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for AlignedBuf {
    fn drop(&mut self) {
        if self.len > 0 {
            let layout = AllocLayout::from_size_align(self.len, ALIGN).expect("valid layout");
            // SAFETY: allocated in `zeroed` with this layout.
            unsafe { alloc::dealloc(self.ptr.as_ptr(), layout) }
        }
    }
}

/// The bytes behind a storage.
pub(crate) enum Bytes {
    Heap(AlignedBuf),
    /// A read-only file map; `start` is aligned for the dtype (checked on load).
    Mapped {
        map: Arc<memmap2::Mmap>,
        start: usize,
        len: usize,
    },
}

impl Bytes {
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Bytes::Heap(b) => b.as_slice(),
            Bytes::Mapped { map, start, len } => &map[*start..*start + *len],
        }
    }

    /// Mutable bytes; a memory map is copied to the heap first.
    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        if let Bytes::Mapped { .. } = self {
            let src = self.as_bytes();
            let mut heap = AlignedBuf::zeroed(src.len());
            heap.as_mut_slice().copy_from_slice(src);
            *self = Bytes::Heap(heap);
        }
        match self {
            Bytes::Heap(b) => b.as_mut_slice(),
            Bytes::Mapped { .. } => unreachable!("copied above"),
        }
    }
}

/// Views bytes as elements of `T`.
///
/// Panics (an internal bug) when the byte length or alignment does not fit `T`.
pub(crate) fn cast_slice<T: Element>(bytes: &[u8]) -> &[T] {
    let size = std::mem::size_of::<T>();
    assert!(
        bytes.len().is_multiple_of(size)
            && (bytes.as_ptr() as usize).is_multiple_of(std::mem::align_of::<T>()),
        "internal: misaligned storage for {:?}",
        T::DTYPE
    );
    // SAFETY: alignment and length checked; Element guarantees every stored pattern is valid.
    unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast(), bytes.len() / size) }
}

/// Mutable form of `cast_slice`.
pub(crate) fn cast_slice_mut<T: Element>(bytes: &mut [u8]) -> &mut [T] {
    let size = std::mem::size_of::<T>();
    assert!(
        bytes.len().is_multiple_of(size)
            && (bytes.as_ptr() as usize).is_multiple_of(std::mem::align_of::<T>()),
        "internal: misaligned storage for {:?}",
        T::DTYPE
    );
    // SAFETY: as in cast_slice; we hold the only mutable borrow.
    unsafe { std::slice::from_raw_parts_mut(bytes.as_mut_ptr().cast(), bytes.len() / size) }
}

/// A buffer shared by every view of it.
pub struct Storage {
    data: RwLock<Bytes>,
    device: Device,
    version: AtomicU64,
}

impl Storage {
    pub(crate) fn new(bytes: Bytes, device: Device) -> Arc<Self> {
        Arc::new(Storage {
            data: RwLock::new(bytes),
            device,
            version: AtomicU64::new(0),
        })
    }

    /// A zeroed CPU buffer for `numel` elements of `dtype`.
    pub(crate) fn zeros(numel: usize, dtype: DType) -> Arc<Self> {
        Self::new(
            Bytes::Heap(AlignedBuf::zeroed(numel * dtype.size_in_bytes())),
            Device::Cpu,
        )
    }

    /// A CPU buffer for `numel` elements of `dtype` whose bytes are unspecified: only for an
    /// output that its kernel writes in full before the tensor is visible to anyone.
    pub(crate) fn uninit(numel: usize, dtype: DType) -> Arc<Self> {
        Self::new(
            Bytes::Heap(AlignedBuf::uninit(numel * dtype.size_in_bytes())),
            Device::Cpu,
        )
    }

    /// A CPU buffer holding a copy of `data`.
    pub(crate) fn from_slice<T: Element>(data: &[T]) -> Arc<Self> {
        let mut buf = AlignedBuf::uninit(std::mem::size_of_val(data));
        cast_slice_mut::<T>(buf.as_mut_slice()).copy_from_slice(data);
        Self::new(Bytes::Heap(buf), Device::Cpu)
    }

    /// The device the bytes live on.
    pub fn device(&self) -> Device {
        self.device
    }

    /// Bumped by every in-place write through any view.
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }

    pub(crate) fn bump_version(&self) {
        self.version.fetch_add(1, Ordering::AcqRel);
    }

    /// Size in bytes.
    pub fn nbytes(&self) -> usize {
        self.read().as_bytes().len()
    }

    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Bytes> {
        self.data.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, Bytes> {
        self.data.write().unwrap_or_else(|e| e.into_inner())
    }
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Storage(device={}, version={})",
            self.device,
            self.version()
        )
    }
}
