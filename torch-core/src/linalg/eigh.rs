//! `eigh` and `eigvalsh`: eigenvalues (ascending) and orthonormal eigenvectors of symmetric
//! matrices (faer's self-adjoint EVD), reading one triangle as LAPACK's `syevd`, with
//! PyTorch's backward for distinct eigenvalues.

use faer::Side;

use super::batch::{Batch, MultiGradFn, linalg_error, push_mat, record_multi, tensor_from_vec};
use super::{Real, check_square, diag_embed, mt, with_real};
use crate::autograd::BackwardCtx;
use crate::{Error, Result, Tensor, TensorOptions};

fn eigh_kernel<T: Real>(a: &Tensor, side: Side, vectors: bool) -> Result<(Tensor, Tensor)> {
    let b = Batch::<T>::new(a)?;
    let n = b.n;
    let (mut l, mut v) = (Vec::new(), Vec::new());
    for i in 0..b.count() {
        let failed = || {
            linalg_error(
                "linalg.eigh",
                b.is_batched(),
                i,
                "The algorithm failed to converge because the input matrix is ill-conditioned or has too many repeated eigenvalues.".into(),
            )
        };
        if !vectors {
            l.extend(
                b.mat(i)
                    .self_adjoint_eigenvalues(side)
                    .map_err(|_| failed())?,
            );
            continue;
        }
        let e = b.mat(i).self_adjoint_eigen(side).map_err(|_| failed())?;
        let s = e.S().column_vector();
        l.extend((0..n).map(|j| s[j]));
        push_mat(&mut v, e.U());
    }
    let v = if vectors {
        tensor_from_vec(v, a.shape())?
    } else {
        tensor_from_vec(Vec::<T>::new(), &[0])?
    };
    Ok((tensor_from_vec(l, &b.shape_with(&[n]))?, v))
}

struct EighBackward;
impl MultiGradFn for EighBackward {
    fn name(&self) -> &'static str {
        "LinalgEighBackward"
    }
    fn backward(
        &self,
        _: &BackwardCtx,
        grads: &[Option<Tensor>],
        outputs: &[Tensor],
    ) -> Result<Vec<Option<Tensor>>> {
        // PyTorch's linalg_eig_backward (hermitian):
        // gA = V (diag(gL) + skew(V^H gV) / E) V^H, E_ij = L_j - L_i (1 on the diagonal).
        let (l, v) = (&outputs[0], &outputs[1]);
        let inner = match &grads[1] {
            Some(gv) => {
                let vhgv = mt(v)?.matmul(gv)?;
                let skew = vhgv.sub(&mt(&vhgv)?)?.mul_scalar(0.5)?;
                let n = l.shape()[l.dim() - 1];
                let eye = Tensor::eye(n, None, TensorOptions::default().dtype(l.dtype()))?;
                let e = l.unsqueeze(-2)?.sub(&l.unsqueeze(-1)?)?.add(&eye)?;
                let t = skew.div(&e)?;
                match &grads[0] {
                    Some(gl) => t.add(&diag_embed(gl)?)?,
                    None => t,
                }
            }
            None => match &grads[0] {
                Some(gl) => diag_embed(gl)?,
                None => return Ok(vec![None]),
            },
        };
        Ok(vec![Some(v.matmul(&inner)?.matmul(&mt(v)?)?)])
    }
}

fn side_of(uplo: &str) -> Result<Side> {
    match uplo {
        "L" => Ok(Side::Lower),
        "U" => Ok(Side::Upper),
        other => Err(Error::invalid(
            "linalg.eigh",
            format!("Expected UPLO argument to be 'L' or 'U', but got {other}"),
        )),
    }
}

/// Eigenvalues (ascending, `(*, n)`) and eigenvectors (columns of `(*, n, n)`) of symmetric
/// matrices (`torch.linalg.eigh`); only the triangle named by `uplo` ("L" or "U") is read.
/// Eigenvectors are unique only up to sign. Derivative: PyTorch's, for distinct eigenvalues
/// and gauge-invariant losses: `V (diag(gL) + skew(V^T gV) / E) V^T`.
pub fn eigh(a: &Tensor, uplo: &str) -> Result<(Tensor, Tensor)> {
    let side = side_of(uplo)?;
    check_square("linalg.eigh", a)?;
    let (l, v) = crate::cpu::install(|| {
        with_real!("linalg.eigh", a.dtype(), T, {
            eigh_kernel::<T>(a, side, true)
        })
    })?;
    let outs = record_multi(vec![l, v], &[a], || Box::new(EighBackward))?;
    match <[Tensor; 2]>::try_from(outs) {
        Ok([l, v]) => Ok((l, v)),
        Err(_) => Err(Error::invalid("linalg.eigh", "internal: missing outputs")),
    }
}

/// Eigenvalues of symmetric matrices in ascending order (`torch.linalg.eigvalsh`).
/// Derivative: `V diag(g) V^T` (computed through `eigh` when a gradient is needed).
pub fn eigvalsh(a: &Tensor, uplo: &str) -> Result<Tensor> {
    let side = side_of(uplo)?;
    check_square("linalg.eigvalsh", a)?;
    if crate::autograd::is_grad_enabled() && a.requires_grad() {
        return Ok(eigh(a, uplo)?.0);
    }
    let (l, _) = crate::cpu::install(|| {
        with_real!("linalg.eigvalsh", a.dtype(), T, {
            eigh_kernel::<T>(a, side, false)
        })
    })?;
    Ok(l)
}
