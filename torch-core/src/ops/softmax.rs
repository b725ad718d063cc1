//! Fused `softmax` / `log_softmax` over a contiguous last dim (one read, one write per row);
//! other layouts use the composite `x - logsumexp(x)`. Tested against the composite and
//! PyTorch goldens.

use num_traits::Float;

use crate::autograd::{BackwardCtx, GradFn, SavedTensor, record};
use crate::storage::{Storage, as_f32, as_f32_mut, cast_slice, cast_slice_mut};
use crate::{DType, Element, Result, Tensor};

fn rows<T: Float + Element>(x: &Tensor, log: bool) -> Result<Tensor> {
    let n = *x.shape().last().unwrap_or(&1);
    // Every element is written below.
    let out = Storage::uninit(x.numel(), T::DTYPE);
    {
        let g = x.storage().read();
        let src =
            &cast_slice::<T>(g.as_bytes())[x.storage_offset()..x.storage_offset() + x.numel()];
        let mut og = out.write();
        let dst = cast_slice_mut::<T>(og.as_bytes_mut());
        let row = |s: &[T], d: &mut [T]| {
            if let (Some(s), Some(d)) = (as_f32(s), as_f32_mut(d)) {
                return crate::cpu::fastmath::softmax_row(s, d, log);
            }
            let m = s.iter().fold(
                T::neg_infinity(),
                |a, &v| if v > a || v.is_nan() { v } else { a },
            );
            let m = if m == T::neg_infinity() { T::zero() } else { m };
            let mut sum = T::zero();
            for (o, &v) in d.iter_mut().zip(s) {
                let e = (v - m).exp();
                *o = e;
                sum = sum + e;
            }
            if log {
                let ls = sum.ln();
                for (o, &v) in d.iter_mut().zip(s) {
                    *o = (v - m) - ls;
                }
            } else {
                let inv = sum.recip();
                for o in d.iter_mut() {
                    *o = *o * inv;
                }
            }
        };
        if x.numel() < 2 * crate::cpu::GRAIN || crate::cpu::get_num_threads() == 1 {
            for (s, d) in src.chunks(n).zip(dst.chunks_mut(n)) {
                row(s, d);
            }
        } else {
            // Whole rows, one block per thread.
            let rows = x.numel() / n.max(1);
            let per = rows.div_ceil(crate::cpu::get_num_threads()) * n;
            crate::cpu::parallel_chunks_mut(dst, per, |c, d| {
                let s = &src[c * per..c * per + d.len()];
                for (s, d) in s.chunks(n).zip(d.chunks_mut(n)) {
                    row(s, d);
                }
            });
        }
    }
    Ok(Tensor::from_storage(out, x.shape(), T::DTYPE))
}

struct SoftmaxBackward {
    y: SavedTensor,
    dim: i64,
    log: bool,
}
impl GradFn for SoftmaxBackward {
    fn name(&self) -> &'static str {
        if self.log {
            "LogSoftmaxBackward"
        } else {
            "SoftmaxBackward"
        }
    }
    fn backward(&self, ctx: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let y = self.y.unpack(ctx)?;
        let gx = if self.log {
            g.sub(&y.exp()?.mul(&g.sum_dim(&[self.dim], true)?)?)?
        } else {
            y.mul(&g.sub(&g.mul(&y)?.sum_dim(&[self.dim], true)?)?)?
        };
        Ok(vec![Some(gx)])
    }
}

fn fused(x: &Tensor, dim: i64, log: bool) -> Result<Option<Tensor>> {
    let d = crate::shape::normalize_dim("softmax", dim, x.dim())?;
    if x.dim() == 0 || d + 1 != x.dim() || !x.is_contiguous() || x.numel() == 0 {
        return Ok(None);
    }
    let y = match x.dtype() {
        DType::F32 => rows::<f32>(x, log)?,
        DType::F64 => rows::<f64>(x, log)?,
        _ => return Ok(None),
    };
    Ok(Some(record(y, &[x], |y| {
        Box::new(SoftmaxBackward {
            y: SavedTensor::output(y),
            dim: d as i64,
            log,
        })
    })))
}

impl Tensor {
    /// `exp(x) / sum(exp(x))` along `dim` (`torch.softmax`). Derivative: `y (g - sum(g y))`.
    pub fn softmax(&self, dim: i64) -> Result<Tensor> {
        match fused(self, dim, false)? {
            Some(y) => Ok(y),
            None => self.log_softmax(dim)?.exp(),
        }
    }

    /// `x - logsumexp(x)` along `dim` (`torch.log_softmax`). Derivative: `g - e^y sum(g)`.
    pub fn log_softmax(&self, dim: i64) -> Result<Tensor> {
        match fused(self, dim, true)? {
            Some(y) => Ok(y),
            None => self.sub(&self.logsumexp(&[dim], true)?),
        }
    }
}
