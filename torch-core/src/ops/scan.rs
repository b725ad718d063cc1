//! Scans along one dim: `cumsum`, `cumprod` (a structural primitive: each output depends on
//! a prefix), with backward rules written with tensor ops.

use crate::autograd::{BackwardCtx, GradFn, SavedTensor, record};
use crate::layout::StridedIter;
use crate::ops::arith::Arith;
use crate::shape::normalize_dim;
use crate::storage::{cast_slice, cast_slice_mut};
use crate::{DType, Result, Tensor, TensorOptions, with_dtype};

fn scan(x: &Tensor, dim: usize, prod: bool) -> Result<Tensor> {
    let dtype = if x.dtype().is_integral() {
        DType::I64
    } else {
        x.dtype()
    };
    let x = x.detach().to_dtype(dtype)?;
    let out = Tensor::zeros(x.shape(), TensorOptions::default().dtype(dtype))?;
    if x.numel() == 0 {
        return Ok(out);
    }
    let n = x.shape()[dim];
    let ox = x.layout().select(dim, 0);
    let oo = out.layout().select(dim, 0);
    let (sx, so) = (x.stride()[dim], out.stride()[dim]);
    with_dtype!(dtype, T, {
        let gx = x.storage().read();
        let src = cast_slice::<T>(gx.as_bytes());
        let mut go = out.storage().write();
        let dst = cast_slice_mut::<T>(go.as_bytes_mut());
        let lines = ox.numel();
        StridedIter::new(
            ox.shape(),
            &[ox.strides(), oo.strides()],
            &[ox.offset(), oo.offset()],
            0,
        )
        .run(lines, |[bx, bo]| {
            let mut acc = <T as crate::Element>::from_f64(if prod { 1.0 } else { 0.0 });
            for i in 0..n {
                let v = src[bx + i * sx];
                acc = if prod {
                    <T as Arith>::mul(acc, v)
                } else {
                    <T as Arith>::add(acc, v)
                };
                dst[bo + i * so] = acc;
            }
        });
    });
    Ok(out)
}

struct CumsumBackward(i64);
impl GradFn for CumsumBackward {
    fn name(&self) -> &'static str {
        "CumsumBackward"
    }
    fn backward(&self, _: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        // d/dx_i sum_j y_j g_j = sum_{j >= i} g_j: a reversed cumsum.
        Ok(vec![Some(
            g.flip(&[self.0])?.cumsum(self.0)?.flip(&[self.0])?,
        )])
    }
}

struct CumprodBackward {
    x: SavedTensor,
    y: SavedTensor,
    dim: i64,
}
impl GradFn for CumprodBackward {
    fn name(&self) -> &'static str {
        "CumprodBackward"
    }
    fn backward(&self, ctx: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let (x, y) = (self.x.unpack(ctx)?, self.y.unpack(ctx)?);
        let d = self.dim;
        let rev_cumsum = |t: &Tensor| -> Result<Tensor> { t.flip(&[d])?.cumsum(d)?.flip(&[d]) };
        if x.eq_scalar(0.0)?.any()?.item()? == 0.0 {
            // No zeros: sum_{j >= i} g_j y_j / x_i.
            return Ok(vec![Some(rev_cumsum(&g.mul(&y)?)?.div(&x)?)]);
        }
        // With zeros: grad_i = sum_{j >= i} g_j prod_{k <= j, k != i} x_k, built as an
        // [.., n, n] product table with x_i replaced by 1 in row i (O(n^2), only here).
        let xm = x.movedim(d, -1)?;
        let gm = g.movedim(d, -1)?;
        let n = xm.shape()[xm.dim() - 1];
        let eye = Tensor::eye(n, None, TensorOptions::default().dtype(DType::Bool))?;
        let mut shape = crate::shape::to_i64(xm.shape());
        shape.insert(shape.len() - 1, n as i64);
        let table = xm
            .unsqueeze(-2)?
            .expand(&shape)?
            .masked_fill(&eye, 1.0)?
            .cumprod(-1)?;
        let upper = eye.logical_not()?.tril(0)?.logical_not()?; // j >= i
        let gi = table
            .mul(&gm.unsqueeze(-2)?)?
            .masked_fill(&upper.logical_not()?, 0.0)?
            .sum_dim(&[-1], false)?;
        Ok(vec![Some(gi.movedim(-1, d)?)])
    }
}

impl Tensor {
    /// Running sum along `dim` (`torch.cumsum`); integers accumulate in i64.
    /// Derivative: reversed cumsum of `g`.
    pub fn cumsum(&self, dim: i64) -> Result<Tensor> {
        let d = normalize_dim("cumsum", dim, self.dim())?;
        if self.dim() == 0 {
            return self.to_dtype(if self.dtype().is_integral() {
                DType::I64
            } else {
                self.dtype()
            });
        }
        let out = scan(self, d, false)?;
        Ok(record(out, &[self], |_| Box::new(CumsumBackward(d as i64))))
    }

    /// Running product along `dim` (`torch.cumprod`). Derivative handles zeros exactly.
    pub fn cumprod(&self, dim: i64) -> Result<Tensor> {
        let d = normalize_dim("cumprod", dim, self.dim())?;
        if self.dim() == 0 {
            return self.to_dtype(if self.dtype().is_integral() {
                DType::I64
            } else {
                self.dtype()
            });
        }
        let out = scan(self, d, true)?;
        Ok(record(out, &[self], |y| {
            Box::new(CumprodBackward {
                x: SavedTensor::input(self),
                y: SavedTensor::output(y),
                dim: d as i64,
            })
        }))
    }
}
