//! `Storage`: one buffer shared by every view of it, its device, and the version counter
//! (DESIGN R7). A buffer is 16-byte aligned heap bytes (from `cpu::alloc`, which caches
//! freed large buffers), or a read-only memory map whose first write copies it (DESIGN R8).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::cpu::AlignedBuf;
use crate::{DType, Device, Element};

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

/// `s` as f32 when `T` is f32 (for kernels with an f32 fast path), else `None`.
pub(crate) fn as_f32<T: Element>(s: &[T]) -> Option<&[f32]> {
    // SAFETY: `T` is f32 when its dtype is F32, so this reinterprets the slice as itself.
    (T::DTYPE == DType::F32)
        .then(|| unsafe { std::slice::from_raw_parts(s.as_ptr().cast::<f32>(), s.len()) })
}

/// Mutable form of [`as_f32`].
pub(crate) fn as_f32_mut<T: Element>(s: &mut [T]) -> Option<&mut [f32]> {
    // SAFETY: as in `as_f32`.
    (T::DTYPE == DType::F32)
        .then(|| unsafe { std::slice::from_raw_parts_mut(s.as_mut_ptr().cast::<f32>(), s.len()) })
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
