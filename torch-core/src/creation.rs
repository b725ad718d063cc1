//! Tensor creation: `TensorOptions`, `zeros`, `ones`, `full`, `arange`, `linspace`, `eye`,
//! `empty`, the `*_like` forms, and `Tensor::new` from scalars and nested arrays.

use crate::storage::{Storage, cast_slice_mut};
use crate::{DType, Device, Element, Error, Result, Tensor, with_dtype};

/// PyTorch's factory keyword arguments (`dtype=`, `device=`, `requires_grad=`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TensorOptions {
    /// `None` means the default float dtype (or the inferred one for `arange`/`full`).
    pub dtype: Option<DType>,
    pub device: Device,
    pub requires_grad: bool,
}

impl Default for TensorOptions {
    fn default() -> Self {
        TensorOptions {
            dtype: None,
            device: Device::Cpu,
            requires_grad: false,
        }
    }
}

impl TensorOptions {
    /// Sets the dtype.
    pub fn dtype(mut self, dtype: DType) -> Self {
        self.dtype = Some(dtype);
        self
    }
    /// Sets the device.
    pub fn device(mut self, device: Device) -> Self {
        self.device = device;
        self
    }
    /// Sets requires_grad.
    pub fn requires_grad(mut self, requires_grad: bool) -> Self {
        self.requires_grad = requires_grad;
        self
    }
    pub(crate) fn dtype_or(&self, default: DType) -> DType {
        self.dtype.unwrap_or(default)
    }
    /// Applies device and requires_grad to a freshly built tensor.
    pub(crate) fn finish(&self, t: Tensor) -> Result<Tensor> {
        self.device.check_available("tensor creation")?;
        if self.requires_grad {
            t.requires_grad_(true)
        } else {
            Ok(t)
        }
    }
}

/// Builds a contiguous tensor of `dtype` by writing element `i` as `f(i)`.
pub(crate) fn from_fn<T: Element>(shape: &[usize], f: impl Fn(usize) -> T + Sync) -> Tensor {
    let n = crate::shape::numel(shape);
    let storage = Storage::zeros(n, T::DTYPE);
    {
        let mut g = storage.write();
        let s = cast_slice_mut::<T>(g.as_bytes_mut());
        crate::cpu::par_chunks(s, |start, chunk| {
            for (i, o) in chunk.iter_mut().enumerate() {
                *o = f(start + i);
            }
        });
    }
    Tensor::from_storage(storage, shape, T::DTYPE)
}

impl Tensor {
    /// A tensor filled with `value` (`torch.full`); dtype defaults to the default float.
    pub fn full(shape: &[usize], value: f64, opts: TensorOptions) -> Result<Tensor> {
        let dtype = opts.dtype_or(crate::DEFAULT_FLOAT);
        let t = with_dtype!(dtype, T, { from_fn::<T>(shape, |_| T::from_f64(value)) });
        opts.finish(t)
    }

    /// Zeros (`torch.zeros`).
    pub fn zeros(shape: &[usize], opts: TensorOptions) -> Result<Tensor> {
        let dtype = opts.dtype_or(crate::DEFAULT_FLOAT);
        opts.finish(Tensor::from_storage(
            Storage::zeros(crate::shape::numel(shape), dtype),
            shape,
            dtype,
        ))
    }

    /// Ones (`torch.ones`).
    pub fn ones(shape: &[usize], opts: TensorOptions) -> Result<Tensor> {
        Self::full(shape, 1.0, opts)
    }

    /// Uninitialised in PyTorch; zeros here, since safe Rust reads no garbage (`torch.empty`).
    pub fn empty(shape: &[usize], opts: TensorOptions) -> Result<Tensor> {
        Self::zeros(shape, opts)
    }

    /// A 0-d tensor holding `value` as `T`.
    pub fn scalar<T: Element>(value: T) -> Tensor {
        from_fn::<T>(&[], |_| value)
    }

    /// `[start, end)` in steps of `step` (`torch.arange`). The dtype is i64 when all three
    /// are whole numbers and no dtype is given, else the default float.
    pub fn arange(start: f64, end: f64, step: f64, opts: TensorOptions) -> Result<Tensor> {
        if step == 0.0 {
            return Err(Error::invalid("arange", "step must be nonzero"));
        }
        if (end - start) * step < 0.0 {
            return Err(Error::invalid(
                "arange",
                format!(
                    "upper bound and larger bound inconsistent with step sign (start={start}, end={end}, step={step})"
                ),
            ));
        }
        let whole = [start, end, step].iter().all(|v| v.fract() == 0.0);
        let dtype = opts.dtype_or(if whole {
            DType::I64
        } else {
            crate::DEFAULT_FLOAT
        });
        let n = ((end - start) / step).ceil().max(0.0) as usize;
        let t = with_dtype!(dtype, T, {
            from_fn::<T>(&[n], |i| T::from_f64(start + i as f64 * step))
        });
        opts.finish(t)
    }

    /// `steps` evenly spaced values from `start` to `end` inclusive (`torch.linspace`).
    pub fn linspace(start: f64, end: f64, steps: usize, opts: TensorOptions) -> Result<Tensor> {
        let dtype = opts.dtype_or(crate::DEFAULT_FLOAT);
        let step = if steps > 1 {
            (end - start) / (steps - 1) as f64
        } else {
            0.0
        };
        // Like PyTorch, the second half counts back from `end` for symmetric rounding.
        let half = steps / 2;
        let t = with_dtype!(dtype, T, {
            from_fn::<T>(&[steps], |i| {
                T::from_f64(if i < half {
                    start + step * i as f64
                } else {
                    end - step * (steps - 1 - i) as f64
                })
            })
        });
        opts.finish(t)
    }

    /// The `n x m` identity (`torch.eye(n, m)`).
    pub fn eye(n: usize, m: Option<usize>, opts: TensorOptions) -> Result<Tensor> {
        let m = m.unwrap_or(n);
        let dtype = opts.dtype_or(crate::DEFAULT_FLOAT);
        let t = with_dtype!(dtype, T, {
            from_fn::<T>(&[n, m], |i| T::from_f64(((i / m) == (i % m)) as u8 as f64))
        });
        opts.finish(t)
    }

    /// Zeros with this tensor's shape and dtype.
    pub fn zeros_like(&self) -> Result<Tensor> {
        Self::zeros(self.shape(), TensorOptions::default().dtype(self.dtype()))
    }

    /// Ones with this tensor's shape and dtype.
    pub fn ones_like(&self) -> Result<Tensor> {
        Self::ones(self.shape(), TensorOptions::default().dtype(self.dtype()))
    }

    /// `value` with this tensor's shape and dtype.
    pub fn full_like(&self, value: f64) -> Result<Tensor> {
        Self::full(
            self.shape(),
            value,
            TensorOptions::default().dtype(self.dtype()),
        )
    }

    /// Same as `zeros_like` (see `empty`).
    pub fn empty_like(&self) -> Result<Tensor> {
        self.zeros_like()
    }
}

/// Data `Tensor::new` accepts: scalars, slices, `Vec`s and nested arrays of an `Element`.
pub trait TensorData {
    /// Builds the tensor.
    fn into_tensor(self) -> Tensor;
}

macro_rules! scalar_data {
    ($($t:ty),*) => {$(
        impl TensorData for $t {
            fn into_tensor(self) -> Tensor {
                Tensor::scalar(self)
            }
        }
    )*};
}
scalar_data!(
    f32,
    f64,
    half::f16,
    half::bf16,
    i64,
    i32,
    i16,
    i8,
    u8,
    bool,
    num_complex::Complex32
);

impl<T: Element, const N: usize> TensorData for [T; N] {
    fn into_tensor(self) -> Tensor {
        Tensor::from_slice(&self, &[N]).expect("shape matches")
    }
}

impl<T: Element, const N: usize, const M: usize> TensorData for [[T; M]; N] {
    fn into_tensor(self) -> Tensor {
        let flat: Vec<T> = self.iter().flatten().copied().collect();
        Tensor::from_slice(&flat, &[N, M]).expect("shape matches")
    }
}

impl<T: Element, const N: usize, const M: usize, const K: usize> TensorData for [[[T; K]; M]; N] {
    fn into_tensor(self) -> Tensor {
        let flat: Vec<T> = self.iter().flatten().flatten().copied().collect();
        Tensor::from_slice(&flat, &[N, M, K]).expect("shape matches")
    }
}

impl<T: Element> TensorData for Vec<T> {
    fn into_tensor(self) -> Tensor {
        let n = self.len();
        Tensor::from_slice(&self, &[n]).expect("shape matches")
    }
}

impl<T: Element> TensorData for &[T] {
    fn into_tensor(self) -> Tensor {
        Tensor::from_slice(self, &[self.len()]).expect("shape matches")
    }
}
