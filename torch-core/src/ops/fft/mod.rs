//! `torch.fft` and `torch.stft`/`torch.istft`: discrete Fourier transforms as `Tensor` methods
//! (`x.fft(n, dim, norm)` is `torch.fft.fft(x, n, dim, norm)`), the free functions `fftfreq`
//! and `rfftfreq` (re-exported at the crate root), and the short-time transforms in `stft.rs`.
//!
//! Three primitives carry their own backward rules, as in PyTorch: complex-to-complex (`c2c`),
//! real-to-complex one-sided (`r2c`) and complex-to-real (`c2r`) transforms along one dim.
//! Everything else (n-dimensional transforms, padding/trimming to `n`, shifts via `roll`,
//! stft) is a composite of them. The kernels live in `cpu.rs`.
//!
//! Differences from PyTorch: only complex64 exists, so float64 inputs compute in
//! complex64/float32 (PyTorch would give complex128/float64); `s` entries of the n-dimensional
//! transforms cannot be -1 (omit `s` to keep sizes).

mod cpu;
mod stft;

pub use stft::{IstftOptions, StftOptions};

use num_complex::Complex32;

use crate::autograd::{BackwardCtx, GradFn, record};
use crate::shape::normalize_dim;
use crate::{DType, Element, Error, Result, Tensor, TensorOptions};

/// The scaling one transform applies (PyTorch's `fft_norm_mode`): none, `1/sqrt(n)` or `1/n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scale {
    None,
    SqrtN,
    N,
}

impl Scale {
    /// The scaling of a forward or inverse transform under `norm`.
    fn of(op: &'static str, norm: Option<&str>, forward: bool) -> Result<Scale> {
        Ok(match (norm.unwrap_or("backward"), forward) {
            ("backward", true) | ("forward", false) => Scale::None,
            ("backward", false) | ("forward", true) => Scale::N,
            ("ortho", _) => Scale::SqrtN,
            (other, _) => {
                return Err(Error::invalid(
                    op,
                    format!("Invalid normalization mode: \"{other}\""),
                ));
            }
        })
    }

    fn factor(self, n: usize) -> f32 {
        match self {
            Scale::None => 1.0,
            Scale::SqrtN => (1.0 / (n as f64).sqrt()) as f32,
            Scale::N => (1.0 / n as f64) as f32,
        }
    }
}

/// The values of `x` with `dim` moved last, in row-major order, and that shape.
fn rows_of<T: Element>(x: &Tensor, d: usize) -> Result<(Vec<T>, Vec<usize>)> {
    let xm = x.detach().movedim(d as i64, -1)?;
    Ok((xm.to_vec::<T>()?, xm.shape().to_vec()))
}

/// The inverse of `rows_of`: a contiguous tensor with the last dim moved back to `d`.
fn from_rows<T: Element>(data: Vec<T>, shape: &[usize], d: usize) -> Result<Tensor> {
    let t = Tensor::from_vec(data, shape)?;
    if d + 1 == shape.len() {
        Ok(t)
    } else {
        t.movedim(-1, d as i64)?.contiguous()
    }
}

/// Complex transform along dim `d` (the whole length). Derivative: the transform in the
/// other direction with the same scaling.
fn c2c(x: &Tensor, d: usize, forward: bool, scale: Scale) -> Result<Tensor> {
    let n = x.shape()[d];
    let (mut data, shape) = rows_of::<Complex32>(x, d)?;
    if !data.is_empty() {
        cpu::c2c(&mut data, n, forward, scale.factor(n))?;
    }
    let out = from_rows(data, &shape, d)?;
    Ok(record(out, &[x], |_| {
        Box::new(C2CBackward {
            dim: d,
            forward,
            scale,
        })
    }))
}

/// One-sided transform of a float32 `x` along `d` (`n / 2 + 1` bins). Derivative: the real
/// part of the inverse complex transform of the gradient zero-padded to `n` bins.
fn r2c(x: &Tensor, d: usize, scale: Scale) -> Result<Tensor> {
    let n = x.shape()[d];
    let (mut data, mut shape) = rows_of::<f32>(x, d)?;
    let out = if data.is_empty() {
        Vec::new()
    } else {
        cpu::r2c(&mut data, n, scale.factor(n))?
    };
    if let Some(last) = shape.last_mut() {
        *last = n / 2 + 1;
    }
    let out = from_rows(out, &shape, d)?;
    Ok(record(out, &[x], |_| {
        Box::new(R2CBackward { dim: d, n, scale })
    }))
}

/// Inverse one-sided transform of a complex64 `x` holding `n / 2 + 1` bins along `d` into `n`
/// real values. Derivative: the one-sided transform of the gradient with the bins that stand
/// for two (all but the zero and Nyquist bins) doubled, as PyTorch does.
fn c2r(x: &Tensor, d: usize, n: usize, scale: Scale) -> Result<Tensor> {
    let (mut data, mut shape) = rows_of::<Complex32>(x, d)?;
    let out = if data.is_empty() {
        Vec::new()
    } else {
        cpu::c2r(&mut data, n, scale.factor(n))?
    };
    if let Some(last) = shape.last_mut() {
        *last = n;
    }
    let out = from_rows(out, &shape, d)?;
    Ok(record(out, &[x], |_| {
        Box::new(C2RBackward { dim: d, n, scale })
    }))
}

struct C2CBackward {
    dim: usize,
    forward: bool,
    scale: Scale,
}
impl GradFn for C2CBackward {
    fn name(&self) -> &'static str {
        "FftC2CBackward"
    }
    fn backward(&self, _: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some(c2c(g, self.dim, !self.forward, self.scale)?)])
    }
}

struct R2CBackward {
    dim: usize,
    n: usize,
    scale: Scale,
}
impl GradFn for R2CBackward {
    fn name(&self) -> &'static str {
        "FftR2CBackward"
    }
    fn backward(&self, _: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let full = resize(g, self.dim, self.n)?;
        Ok(vec![Some(
            c2c(&full, self.dim, false, self.scale)?
                .real()?
                .contiguous()?,
        )])
    }
}

struct C2RBackward {
    dim: usize,
    n: usize,
    scale: Scale,
}
impl GradFn for C2RBackward {
    fn name(&self) -> &'static str {
        "FftC2RBackward"
    }
    fn backward(&self, _: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let gi = r2c(&g.to_dtype(DType::F32)?, self.dim, self.scale)?;
        let m = gi.shape()[self.dim];
        let doubled = self.n - m;
        if doubled == 0 {
            return Ok(vec![Some(gi)]);
        }
        let w: Vec<Complex32> = (0..m)
            .map(|k| Complex32::new(if (1..=doubled).contains(&k) { 2.0 } else { 1.0 }, 0.0))
            .collect();
        let mut shape = vec![1usize; g.dim()];
        shape[self.dim] = m;
        Ok(vec![Some(gi.mul(&Tensor::from_vec(w, &shape)?)?)])
    }
}

/// Zero-pads or trims `x` along `d` to `n` (composite: `narrow` or `cat` with zeros).
fn resize(x: &Tensor, d: usize, n: usize) -> Result<Tensor> {
    let size = x.shape()[d];
    if n == size {
        Ok(x.clone())
    } else if n < size {
        x.narrow(d as i64, 0, n)
    } else {
        let mut shape = x.shape().to_vec();
        shape[d] = n - size;
        let z = Tensor::zeros(&shape, TensorOptions::default().dtype(x.dtype()))?;
        Tensor::cat(&[x, &z], d as i64)
    }
}

/// `x` as complex64 (real and integer inputs are promoted, recorded).
fn as_complex(x: &Tensor) -> Result<Tensor> {
    x.to_dtype(DType::C64)
}

/// `x` as float32 for the real-input transforms; complex input is an error.
fn as_real(op: &'static str, x: &Tensor) -> Result<Tensor> {
    if x.dtype().is_complex() {
        return Err(Error::invalid(
            op,
            format!("{op} expects a real input tensor, but got ComplexFloat"),
        ));
    }
    x.to_dtype(DType::F32)
}

/// The number of points `n` (default: the input size), which must be positive.
fn points(op: &'static str, n: Option<usize>, default: i64) -> Result<usize> {
    let n = n.map_or(default, |n| n as i64);
    if n < 1 {
        return Err(Error::invalid(
            op,
            format!("Invalid number of data points ({n}) specified"),
        ));
    }
    Ok(n as usize)
}

fn fft_dim(op: &'static str, dim: i64, x: &Tensor) -> Result<usize> {
    if x.dim() == 0 {
        return Err(Error::invalid(
            op,
            "expected a tensor with at least one dimension",
        ));
    }
    normalize_dim(op, dim, x.dim())
}

/// PyTorch's `canonicalize_fft_shape_and_dim_args`: the dims to transform and their sizes.
fn shape_and_dims(
    op: &'static str,
    x: &Tensor,
    s: Option<&[usize]>,
    dim: Option<&[i64]>,
) -> Result<(Vec<usize>, Vec<Option<usize>>)> {
    let nd = x.dim();
    let dims: Vec<usize> = match (dim, s) {
        (Some(dim), _) => {
            let mut out = Vec::with_capacity(dim.len());
            for &d in dim {
                let d = fft_dim(op, d, x)?;
                if out.contains(&d) {
                    return Err(Error::invalid(op, "FFT dims must be unique"));
                }
                out.push(d);
            }
            out
        }
        (None, Some(s)) => {
            if s.len() > nd {
                return Err(Error::invalid(
                    op,
                    format!(
                        "Got shape with {} values but input tensor only has {nd} dimensions.",
                        s.len()
                    ),
                ));
            }
            (nd - s.len()..nd).collect()
        }
        (None, None) => (0..nd).collect(),
    };
    let sizes = match s {
        Some(s) if s.len() != dims.len() => {
            return Err(Error::invalid(
                op,
                "When given, dim and shape arguments must have the same length",
            ));
        }
        Some(s) => s.iter().map(|&v| Some(v)).collect(),
        None => vec![None; dims.len()],
    };
    if dims.is_empty() && (op == "rfftn" || op == "irfftn") {
        return Err(Error::invalid(op, "must transform at least one axis"));
    }
    Ok((dims, sizes))
}

impl Tensor {
    fn c2c_op(
        &self,
        op: &'static str,
        n: Option<usize>,
        dim: i64,
        norm: Option<&str>,
        forward: bool,
    ) -> Result<Tensor> {
        let scale = Scale::of(op, norm, forward)?;
        let d = fft_dim(op, dim, self)?;
        let n = points(op, n, self.shape()[d] as i64)?;
        c2c(&resize(&as_complex(self)?, d, n)?, d, forward, scale)
    }

    /// 1-D discrete Fourier transform along `dim`, zero-padded or trimmed to `n` points
    /// (`torch.fft.fft(x, n, dim, norm)`; `norm` is `"backward"` (default, no scaling),
    /// `"ortho"` (`1/sqrt(n)`) or `"forward"` (`1/n`)). Real input is promoted to complex64.
    /// Derivative: the inverse transform of the gradient with the same scaling.
    pub fn fft(&self, n: Option<usize>, dim: i64, norm: Option<&str>) -> Result<Tensor> {
        self.c2c_op("fft", n, dim, norm, true)
    }

    /// 1-D inverse discrete Fourier transform (`torch.fft.ifft`); `"backward"` scales by
    /// `1/n`. Derivative: the forward transform of the gradient with the same scaling.
    pub fn ifft(&self, n: Option<usize>, dim: i64, norm: Option<&str>) -> Result<Tensor> {
        self.c2c_op("ifft", n, dim, norm, false)
    }

    /// 1-D transform of a real signal, keeping the `n / 2 + 1` non-negative frequencies
    /// (`torch.fft.rfft`). Derivative: the real part of the inverse transform of the
    /// zero-padded gradient.
    pub fn rfft(&self, n: Option<usize>, dim: i64, norm: Option<&str>) -> Result<Tensor> {
        let scale = Scale::of("rfft", norm, true)?;
        let x = as_real("rfft", self)?;
        let d = fft_dim("rfft", dim, &x)?;
        let n = points("rfft", n, x.shape()[d] as i64)?;
        r2c(&resize(&x, d, n)?, d, scale)
    }

    /// Inverse of `rfft`: `n` real values (default `2 * (size - 1)`) from a one-sided
    /// spectrum, trimmed or zero-padded to `n / 2 + 1` bins (`torch.fft.irfft`). The imaginary
    /// parts of the zero and Nyquist bins are ignored. Derivative: `rfft` of the gradient with
    /// the non-edge bins doubled.
    pub fn irfft(&self, n: Option<usize>, dim: i64, norm: Option<&str>) -> Result<Tensor> {
        let scale = Scale::of("irfft", norm, false)?;
        let d = fft_dim("irfft", dim, self)?;
        let n = points("irfft", n, 2 * (self.shape()[d] as i64 - 1))?;
        c2r(&resize(&as_complex(self)?, d, n / 2 + 1)?, d, n, scale)
    }

    fn c2c_nd(
        &self,
        op: &'static str,
        s: Option<&[usize]>,
        dim: Option<&[i64]>,
        norm: Option<&str>,
        forward: bool,
    ) -> Result<Tensor> {
        let scale = Scale::of(op, norm, forward)?;
        let (dims, sizes) = shape_and_dims(op, self, s, dim)?;
        let mut x = as_complex(self)?;
        for (&d, &n) in dims.iter().zip(&sizes) {
            let n = points(op, n, x.shape()[d] as i64)?;
            x = c2c(&resize(&x, d, n)?, d, forward, scale)?;
        }
        Ok(x)
    }

    /// N-dimensional transform over `dim` (default: all dims, or the last `s.len()`) with
    /// sizes `s` (`torch.fft.fftn`). Composite of 1-D transforms.
    pub fn fftn(
        &self,
        s: Option<&[usize]>,
        dim: Option<&[i64]>,
        norm: Option<&str>,
    ) -> Result<Tensor> {
        self.c2c_nd("fftn", s, dim, norm, true)
    }

    /// N-dimensional inverse transform (`torch.fft.ifftn`). Composite.
    pub fn ifftn(
        &self,
        s: Option<&[usize]>,
        dim: Option<&[i64]>,
        norm: Option<&str>,
    ) -> Result<Tensor> {
        self.c2c_nd("ifftn", s, dim, norm, false)
    }

    /// 2-D transform over `dim` (default the last two) (`torch.fft.fft2`). Composite.
    pub fn fft2(
        &self,
        s: Option<&[usize]>,
        dim: Option<&[i64]>,
        norm: Option<&str>,
    ) -> Result<Tensor> {
        self.c2c_nd("fft2", s, Some(dim.unwrap_or(&[-2, -1])), norm, true)
    }

    /// 2-D inverse transform over `dim` (default the last two) (`torch.fft.ifft2`). Composite.
    pub fn ifft2(
        &self,
        s: Option<&[usize]>,
        dim: Option<&[i64]>,
        norm: Option<&str>,
    ) -> Result<Tensor> {
        self.c2c_nd("ifft2", s, Some(dim.unwrap_or(&[-2, -1])), norm, false)
    }

    /// N-dimensional transform of a real signal, one-sided along the last of `dim`
    /// (`torch.fft.rfftn`). Composite.
    pub fn rfftn(
        &self,
        s: Option<&[usize]>,
        dim: Option<&[i64]>,
        norm: Option<&str>,
    ) -> Result<Tensor> {
        let (dims, sizes) = shape_and_dims("rfftn", self, s, dim)?;
        let scale = Scale::of("rfftn", norm, true)?;
        let x = as_real("rfftn", self)?;
        let last = dims.len() - 1;
        let n = points("rfftn", sizes[last], x.shape()[dims[last]] as i64)?;
        let mut x = r2c(&resize(&x, dims[last], n)?, dims[last], scale)?;
        for (&d, &n) in dims[..last].iter().zip(&sizes) {
            let n = points("rfftn", n, x.shape()[d] as i64)?;
            x = c2c(&resize(&x, d, n)?, d, true, scale)?;
        }
        Ok(x)
    }

    /// Inverse of `rfftn`: real output, the last of `dim` of size `s.last()` (default
    /// `2 * (size - 1)`) (`torch.fft.irfftn`). Composite.
    pub fn irfftn(
        &self,
        s: Option<&[usize]>,
        dim: Option<&[i64]>,
        norm: Option<&str>,
    ) -> Result<Tensor> {
        let (dims, sizes) = shape_and_dims("irfftn", self, s, dim)?;
        let scale = Scale::of("irfftn", norm, false)?;
        let mut x = as_complex(self)?;
        let last = dims.len() - 1;
        for (&d, &n) in dims[..last].iter().zip(&sizes) {
            let n = points("irfftn", n, x.shape()[d] as i64)?;
            x = c2c(&resize(&x, d, n)?, d, false, scale)?;
        }
        let d = dims[last];
        let n = points("irfftn", sizes[last], 2 * (x.shape()[d] as i64 - 1))?;
        c2r(&resize(&x, d, n / 2 + 1)?, d, n, scale)
    }

    /// `rfftn` over `dim` (default the last two) (`torch.fft.rfft2`). Composite.
    pub fn rfft2(
        &self,
        s: Option<&[usize]>,
        dim: Option<&[i64]>,
        norm: Option<&str>,
    ) -> Result<Tensor> {
        self.rfftn(s, Some(dim.unwrap_or(&[-2, -1])), norm)
    }

    /// `irfftn` over `dim` (default the last two) (`torch.fft.irfft2`). Composite.
    pub fn irfft2(
        &self,
        s: Option<&[usize]>,
        dim: Option<&[i64]>,
        norm: Option<&str>,
    ) -> Result<Tensor> {
        self.irfftn(s, Some(dim.unwrap_or(&[-2, -1])), norm)
    }

    fn shift(&self, op: &'static str, dim: Option<&[i64]>, inverse: bool) -> Result<Tensor> {
        if self.dim() == 0 {
            return Ok(self.clone());
        }
        let dims: Vec<usize> = match dim {
            Some(ds) => ds
                .iter()
                .map(|&d| normalize_dim(op, d, self.dim()))
                .collect::<Result<_>>()?,
            None => (0..self.dim()).collect(),
        };
        if dims.is_empty() {
            return Ok(self.clone());
        }
        let shifts: Vec<i64> = dims
            .iter()
            .map(|&d| {
                let n = self.shape()[d] as i64;
                if inverse { -(n / 2) } else { n / 2 }
            })
            .collect();
        let dims: Vec<i64> = dims.iter().map(|&d| d as i64).collect();
        self.roll(&shifts, &dims)
    }

    /// Moves the zero frequency to the centre: rolls each of `dim` (default all) by
    /// `size / 2` (`torch.fft.fftshift`). Composite.
    pub fn fftshift(&self, dim: Option<&[i64]>) -> Result<Tensor> {
        self.shift("fftshift", dim, false)
    }

    /// Inverse of `fftshift`: rolls by `-(size / 2)` (`torch.fft.ifftshift`). Composite.
    pub fn ifftshift(&self, dim: Option<&[i64]>) -> Result<Tensor> {
        self.shift("ifftshift", dim, true)
    }
}

fn freq_tensor(
    op: &'static str,
    vals: Vec<i64>,
    n: usize,
    d: f64,
    opts: TensorOptions,
) -> Result<Tensor> {
    let dtype = opts.dtype_or(crate::DEFAULT_FLOAT);
    if !(dtype.is_float() || dtype.is_complex()) {
        return Err(Error::invalid(
            op,
            format!(
                "{op} requires a floating point or complex dtype, got {}",
                dtype.torch_name()
            ),
        ));
    }
    let len = vals.len();
    let t = Tensor::from_vec(vals, &[len])?
        .to_dtype(dtype)?
        .mul_scalar(1.0 / (n as f64 * d))?;
    opts.finish(t)
}

/// The sample frequencies of an `n`-point transform with sample spacing `d`:
/// `[0, 1, ..., (n - 1) / 2, -(n / 2), ..., -1] / (d n)` (`torch.fft.fftfreq(n, d)`).
pub fn fftfreq(n: usize, d: f64, opts: TensorOptions) -> Result<Tensor> {
    let vals = (0..n as i64)
        .map(|i| {
            if i < (n as i64 + 1) / 2 {
                i
            } else {
                i - n as i64
            }
        })
        .collect();
    freq_tensor("fftfreq", vals, n, d, opts)
}

/// The sample frequencies of `rfft`: `[0, 1, ..., n / 2] / (d n)`
/// (`torch.fft.rfftfreq(n, d)`).
pub fn rfftfreq(n: usize, d: f64, opts: TensorOptions) -> Result<Tensor> {
    freq_tensor("rfftfreq", (0..=(n / 2) as i64).collect(), n, d, opts)
}
