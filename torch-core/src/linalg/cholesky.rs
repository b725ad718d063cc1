//! `cholesky`: `A = L L^H` of symmetric positive-definite matrices (faer's LLT, as LAPACK's
//! `potrf`), with PyTorch's error for matrices that are not positive-definite.

use faer::Side;

use super::batch::{Batch, linalg_error, push_mat, tensor_from_vec};
use super::{Real, check_square, mt, tril, with_real};
use crate::autograd::{BackwardCtx, GradFn, SavedTensor, record};
use crate::{Result, Tensor};

fn cholesky_kernel<T: Real>(a: &Tensor, upper: bool) -> Result<Tensor> {
    let b = Batch::<T>::new(a)?;
    let mut out = Vec::with_capacity(b.count() * b.n * b.n);
    let side = if upper { Side::Upper } else { Side::Lower };
    for i in 0..b.count() {
        let llt = b.mat(i).llt(side).map_err(|e| {
            let faer::linalg::solvers::LltError::NonPositivePivot { index } = e;
            linalg_error(
                "linalg.cholesky",
                b.is_batched(),
                i,
                format!(
                    "The factorization could not be completed because the input is not positive-definite (the leading minor of order {} is not positive-definite).",
                    index + 1
                ),
            )
        })?;
        let l = llt.L();
        if upper {
            push_mat(&mut out, l.transpose());
        } else {
            push_mat(&mut out, l);
        }
    }
    tensor_from_vec(out, a.shape())
}

struct CholeskyBackward {
    out: SavedTensor,
    upper: bool,
}
impl GradFn for CholeskyBackward {
    fn name(&self) -> &'static str {
        "LinalgCholeskyBackward"
    }
    fn backward(&self, ctx: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        // PyTorch's cholesky_backward (Murray 2016, arXiv 1602.07527), symmetric result:
        // phi = tril(L^H gL) with its diagonal halved, symmetrized; gA = L^-H phi L^-1.
        let l = self.out.unpack(ctx)?;
        let (l, gl) = if self.upper {
            (mt(&l)?, mt(g)?)
        } else {
            (l, g.clone())
        };
        let p = tril(&mt(&l)?.matmul(&gl)?, 0)?;
        let phi = p.add(&mt(&tril(&p, -1)?)?)?.mul_scalar(0.5)?;
        let linv = super::inv(&l)?;
        Ok(vec![Some(mt(&linv)?.matmul(&phi)?.matmul(&linv)?)])
    }
}

/// Cholesky factor of symmetric positive-definite matrices (`torch.linalg.cholesky`):
/// lower `L` with `A = L L^T`, or `U = L^T` when `upper`. Only the lower (upper) triangle of
/// `A` is read. Derivative (PyTorch's): `L^-T Φ(L^T gL) L^-1`, symmetrized.
pub fn cholesky(a: &Tensor, upper: bool) -> Result<Tensor> {
    check_square("linalg.cholesky", a)?;
    let out = crate::cpu::install(|| {
        with_real!("linalg.cholesky", a.dtype(), T, {
            cholesky_kernel::<T>(a, upper)
        })
    })?;
    Ok(record(out, &[a], |out| {
        Box::new(CholeskyBackward {
            out: SavedTensor::output(out),
            upper,
        })
    }))
}
