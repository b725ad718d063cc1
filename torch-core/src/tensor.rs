//! `Tensor`: one plain type (DESIGN R1). A refcounted handle to a storage, a layout, a dtype and
//! the autograd slot; `Clone` shares everything (PyTorch's `clone` is `deep_clone`).

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::autograd::{AutogradMeta, Node};
use crate::layout::Layout;
use crate::storage::{Storage, cast_slice};
use crate::{DType, Device, Element, Error, Result};

static NEXT_ID: AtomicU64 = AtomicU64::new(1);
static LIVE: AtomicUsize = AtomicUsize::new(0);

/// Number of tensor handles alive in the process (for leak tests of the autograd graph).
pub fn live_tensors() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// An n-dimensional array with PyTorch's semantics. Cheap to clone (an `Arc` bump).
///
/// ```
/// use torch_core::Tensor;
/// let x = Tensor::new([[1.0f32, 2.0], [3.0, 4.0]]);
/// let y = (&x * 2.0 + 1.0).sum().unwrap();
/// assert_eq!(y.item().unwrap(), 24.0);
/// ```
#[derive(Clone)]
pub struct Tensor(pub(crate) Arc<Inner>);

pub(crate) struct Inner {
    pub(crate) id: u64,
    pub(crate) storage: Arc<Storage>,
    pub(crate) layout: Layout,
    pub(crate) dtype: DType,
    /// Fast check for recording without taking the lock.
    pub(crate) requires_grad: AtomicBool,
    pub(crate) autograd: Mutex<AutogradMeta>,
    /// For a view: the tensor it views (never itself a view; PyTorch's `_base`).
    pub(crate) view_of: Option<Tensor>,
    /// For a view: the storage version its history was last derived at; a write through
    /// another handle since makes it regenerate its history from `view_of`.
    pub(crate) view_version: AtomicU64,
}

impl Drop for Inner {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Tensor {
    /// Builds a tensor over `storage`; `node` is its autograd history.
    pub(crate) fn from_parts(
        storage: Arc<Storage>,
        layout: Layout,
        dtype: DType,
        node: Option<Arc<Node>>,
    ) -> Tensor {
        Self::build(storage, layout, dtype, node, None)
    }

    fn build(
        storage: Arc<Storage>,
        layout: Layout,
        dtype: DType,
        node: Option<Arc<Node>>,
        view_of: Option<Tensor>,
    ) -> Tensor {
        LIVE.fetch_add(1, Ordering::Relaxed);
        let rg = node.is_some();
        let view_version = AtomicU64::new(storage.version());
        Tensor(Arc::new(Inner {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            storage,
            layout,
            dtype,
            requires_grad: AtomicBool::new(rg),
            autograd: Mutex::new(AutogradMeta {
                grad_fn: node,
                ..Default::default()
            }),
            view_of,
            view_version,
        }))
    }

    /// A contiguous tensor over a fresh storage.
    pub(crate) fn from_storage(storage: Arc<Storage>, shape: &[usize], dtype: DType) -> Tensor {
        Self::from_parts(storage, Layout::contiguous(shape), dtype, None)
    }

    /// A new handle sharing storage with a different layout and no history, not tracked as a
    /// view (`detach`, saved tensors, kernel temporaries).
    pub(crate) fn alias_with_layout(&self, layout: Layout) -> Tensor {
        Self::from_parts(self.0.storage.clone(), layout, self.0.dtype, None)
    }

    /// A view of `self` with `layout` and no history yet: it remembers its base, so an
    /// in-place write through it updates the base's history (DESIGN R9, PyTorch's view
    /// tracking).
    pub(crate) fn make_view(&self, layout: Layout) -> Tensor {
        let base = self.0.view_of.clone().unwrap_or_else(|| self.clone());
        Self::build(
            self.0.storage.clone(),
            layout,
            self.0.dtype,
            None,
            Some(base),
        )
    }

    /// The tensor this one views (`x._base`); `None` when it is not a view.
    pub fn view_base(&self) -> Option<&Tensor> {
        self.0.view_of.as_ref()
    }

    /// True for a view of another tensor (`x._is_view()`).
    pub fn is_view(&self) -> bool {
        self.0.view_of.is_some()
    }

    /// Copies `data` into a new tensor of `shape`.
    pub fn from_slice<T: Element>(data: &[T], shape: &[usize]) -> Result<Tensor> {
        let n = crate::shape::numel(shape);
        if n != data.len() {
            return Err(Error::invalid(
                "from_slice",
                format!(
                    "shape {shape:?} needs {n} elements but {} were given",
                    data.len()
                ),
            ));
        }
        Ok(Self::from_storage(
            Storage::from_slice(data),
            shape,
            T::DTYPE,
        ))
    }

    /// Takes `data` as a tensor of `shape`.
    pub fn from_vec<T: Element>(data: Vec<T>, shape: &[usize]) -> Result<Tensor> {
        Self::from_slice(&data, shape)
    }

    /// A tensor from a scalar or (nested) array, like `torch.tensor`.
    /// ```
    /// let t = torch_core::Tensor::new([[1i64, 2], [3, 4]]);
    /// assert_eq!(t.shape(), &[2, 2]);
    /// ```
    pub fn new<A: crate::creation::TensorData>(data: A) -> Tensor {
        data.into_tensor()
    }

    /// Sizes (`x.shape` / `x.size()`).
    pub fn shape(&self) -> &[usize] {
        &self.0.layout.shape
    }

    /// Alias of `shape`, as `x.size()` in PyTorch.
    pub fn size(&self) -> &[usize] {
        self.shape()
    }

    /// Size of one dim (negative counts from the end).
    pub fn size_of(&self, dim: i64) -> Result<usize> {
        let d = crate::shape::normalize_dim("size", dim, self.dim())?;
        Ok(if self.dim() == 0 { 1 } else { self.shape()[d] })
    }

    /// Strides in elements (`x.stride()`).
    pub fn stride(&self) -> &[usize] {
        &self.0.layout.strides
    }

    /// Offset into the storage in elements (`x.storage_offset()`).
    pub fn storage_offset(&self) -> usize {
        self.0.layout.offset
    }

    /// Number of dims (`x.dim()` / `x.ndim`).
    pub fn dim(&self) -> usize {
        self.0.layout.shape.len()
    }

    /// Number of elements (`x.numel()`).
    pub fn numel(&self) -> usize {
        self.0.layout.numel()
    }

    /// Element type.
    pub fn dtype(&self) -> DType {
        self.0.dtype
    }

    /// Device of the storage.
    pub fn device(&self) -> Device {
        self.0.storage.device()
    }

    /// Row-major contiguous (`x.is_contiguous()`).
    pub fn is_contiguous(&self) -> bool {
        self.0.layout.is_contiguous()
    }

    /// The layout (shape, strides, offset).
    pub fn layout(&self) -> &Layout {
        &self.0.layout
    }

    /// The shared storage.
    pub fn storage(&self) -> &Arc<Storage> {
        &self.0.storage
    }

    /// Version of the storage, bumped by every in-place write (`x._version`).
    pub fn version(&self) -> u64 {
        self.0.storage.version()
    }

    /// Unique id of this handle (used in graph dumps).
    pub fn id(&self) -> u64 {
        self.0.id
    }

    /// True when both handles view the same storage.
    pub fn shares_storage(&self, other: &Tensor) -> bool {
        Arc::ptr_eq(&self.0.storage, &other.0.storage)
    }

    pub(crate) fn meta(&self) -> MutexGuard<'_, AutogradMeta> {
        self.0.autograd.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Calls `f` with this tensor's elements in row-major order as a contiguous slice
    /// (copying only if the layout is not contiguous). `T` must match the dtype.
    pub fn with_slice<T: Element, R>(&self, f: impl FnOnce(&[T]) -> R) -> Result<R> {
        self.device().check_available("with_slice")?;
        if T::DTYPE != self.dtype() {
            return Err(Error::DTypeMismatch {
                op: "with_slice",
                expected: T::DTYPE,
                got: self.dtype(),
            });
        }
        if self.is_contiguous() {
            let guard = self.0.storage.read();
            let all = cast_slice::<T>(guard.as_bytes());
            let off = self.storage_offset();
            Ok(f(&all[off..off + self.numel()]))
        } else {
            let c = self.contiguous()?;
            c.with_slice(f)
        }
    }

    /// The elements in row-major order (`x.flatten().tolist()`); `T` must match the dtype.
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        self.with_slice(|s: &[T]| s.to_vec())
    }

    /// The elements converted to f64 in row-major order (complex: real parts).
    pub fn to_vec_f64(&self) -> Result<Vec<f64>> {
        crate::with_dtype!(self.dtype(), T, {
            self.with_slice(|s: &[T]| s.iter().map(|v| v.to_f64()).collect())
        })
    }

    /// The value of a one-element tensor as f64 (`x.item()`).
    pub fn item(&self) -> Result<f64> {
        if self.numel() != 1 {
            return Err(Error::invalid(
                "item",
                format!(
                    "a Tensor with {} elements cannot be converted to Scalar",
                    self.numel()
                ),
            ));
        }
        Ok(self.to_vec_f64()?[0])
    }
}

impl std::fmt::Debug for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}
