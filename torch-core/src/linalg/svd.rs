//! `svd` and `svdvals`: `A = U diag(S) V^H` (faer's SVD), singular values in descending
//! order, with PyTorch's `svd_backward` (distinct singular values; full rank when U or V^H
//! of a rectangular matrix is used).

use super::batch::{Batch, MultiGradFn, push_mat, record_multi, tensor_from_vec};
use super::{Real, check_matrix, diag_embed, mt, with_real};
use crate::autograd::BackwardCtx;
use crate::{Error, Result, Tensor};

/// Per matrix: `(U, S, V^H)` buffers, or only `S` when `!vectors`.
fn svd_kernel<T: Real>(a: &Tensor, full: bool, vectors: bool) -> Result<(Tensor, Tensor, Tensor)> {
    let b = Batch::<T>::new(a)?;
    let (m, n) = (b.m, b.n);
    let k = m.min(n);
    let (mut u, mut s, mut vh) = (Vec::new(), Vec::new(), Vec::new());
    let failed = |i| {
        super::batch::linalg_error(
            "linalg.svd",
            b.is_batched(),
            i,
            "The algorithm failed to converge because the input matrix is ill-conditioned or has too many repeated singular values.".into(),
        )
    };
    for i in 0..b.count() {
        if !vectors {
            s.extend(b.mat(i).singular_values().map_err(|_| failed(i))?);
            continue;
        }
        let f = if full {
            b.mat(i).svd()
        } else {
            b.mat(i).thin_svd()
        }
        .map_err(|_| failed(i))?;
        push_mat(&mut u, f.U());
        let sv = f.S().column_vector();
        s.extend((0..k).map(|j| sv[j]));
        push_mat(&mut vh, f.V().transpose());
    }
    let (ku, kv) = if full { (m, n) } else { (k, k) };
    let empty = || tensor_from_vec(Vec::<T>::new(), &[0]);
    Ok((
        if vectors {
            tensor_from_vec(u, &b.shape_with(&[m, ku]))?
        } else {
            empty()?
        },
        tensor_from_vec(s, &b.shape_with(&[k]))?,
        if vectors {
            tensor_from_vec(vh, &b.shape_with(&[kv, n]))?
        } else {
            empty()?
        },
    ))
}

struct SvdBackward {
    full: bool,
}

/// PyTorch's `svd_backward` on the reduced factors `U (m, k)`, `S (k)`, `Vh (k, n)`.
fn svd_backward(
    gu: Option<&Tensor>,
    gs: Option<&Tensor>,
    gvh: Option<&Tensor>,
    u: &Tensor,
    s: &Tensor,
    vh: &Tensor,
) -> Result<Tensor> {
    let (m, n) = (u.shape()[u.dim() - 2], vh.shape()[vh.dim() - 1]);
    if gu.is_none() && gvh.is_none() {
        let gs = match gs {
            Some(gs) => gs.clone(),
            None => s.zeros_like()?,
        };
        // svdvals: U diag(gS) V^H.
        return if m >= n {
            u.matmul(&gs.unsqueeze(-1)?.mul(vh)?)
        } else {
            u.mul(&gs.unsqueeze(-2)?)?.matmul(vh)
        };
    }
    let skew = |x: &Tensor| x.sub(&mt(x)?);
    let s2 = s.mul(s)?;
    // E_ij = S_j^2 - S_i^2, with ones on the diagonal (where the numerators are zero).
    let k = s.shape()[s.dim() - 1];
    let eye = Tensor::eye(k, None, crate::TensorOptions::default().dtype(s.dtype()))?;
    let e = s2.unsqueeze(-2)?.sub(&s2.unsqueeze(-1)?)?.add(&eye)?;
    let uhgu = gu.map(|gu| skew(&mt(u)?.matmul(gu)?)).transpose()?;
    let vhgv = gvh.map(|gvh| skew(&vh.matmul(&mt(gvh)?)?)).transpose()?;
    // (U^H gU - gU^H U) S + S (V^H gV - gV^H V), off the diagonal, over E.
    let us = uhgu.map(|a| a.mul(&s.unsqueeze(-2)?)).transpose()?;
    let sv = vhgv.map(|b| s.unsqueeze(-1)?.mul(&b)).transpose()?;
    let num = match (us, sv) {
        (Some(a), Some(b)) => a.add(&b)?,
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => return Err(Error::Autograd("svd_backward: no gradient".into())),
    };
    let mut ga = num.div(&e)?;
    if let Some(gs) = gs {
        ga = ga.add(&diag_embed(gs)?)?;
    }
    match (gu, gvh) {
        (Some(gu), _) if m > n => {
            // [U gA + (I - U U^H) gU S^-1] V^H
            let gus = gu.div(&s.unsqueeze(-2)?)?;
            let t = u
                .matmul(&ga)?
                .add(&gus)?
                .sub(&u.matmul(&mt(u)?.matmul(&gus)?)?)?;
            t.matmul(vh)
        }
        (_, Some(gvh)) if m < n => {
            // U [gA V^H + S^-1 gV^H (I - V V^H)]
            let sgv = gvh.div(&s.unsqueeze(-1)?)?;
            let t = ga
                .matmul(vh)?
                .add(&sgv)?
                .sub(&sgv.matmul(&mt(vh)?)?.matmul(vh)?)?;
            u.matmul(&t)
        }
        _ => u.matmul(&ga)?.matmul(vh),
    }
}

impl MultiGradFn for SvdBackward {
    fn name(&self) -> &'static str {
        "LinalgSvdBackward"
    }
    fn backward(
        &self,
        _: &BackwardCtx,
        grads: &[Option<Tensor>],
        outputs: &[Tensor],
    ) -> Result<Vec<Option<Tensor>>> {
        let (u, s, vh) = (&outputs[0], &outputs[1], &outputs[2]);
        let k = s.shape()[s.dim() - 1];
        // Full matrices: only the first k columns of U (rows of V^H) enter A.
        let narrow_u = |t: &Tensor| {
            if self.full {
                t.narrow(-1, 0, k)
            } else {
                Ok(t.clone())
            }
        };
        let narrow_vh = |t: &Tensor| {
            if self.full {
                t.narrow(-2, 0, k)
            } else {
                Ok(t.clone())
            }
        };
        let gu = grads[0].as_ref().map(narrow_u).transpose()?;
        let gvh = grads[2].as_ref().map(narrow_vh).transpose()?;
        let ga = svd_backward(
            gu.as_ref(),
            grads[1].as_ref(),
            gvh.as_ref(),
            &narrow_u(u)?,
            s,
            &narrow_vh(vh)?,
        )?;
        Ok(vec![Some(ga)])
    }
}

/// Singular value decomposition (`torch.linalg.svd`): `(U, S, Vh)` with `A = U diag(S) Vh`,
/// `S` descending; `U (*, m, m)`, `Vh (*, n, n)` when `full_matrices`, else `(*, m, k)` and
/// `(*, k, n)`, `k = min(m, n)`. Singular vectors are unique only up to sign (faer's signs
/// may differ from LAPACK's). Derivative: PyTorch's `svd_backward`, for gauge-invariant
/// losses and distinct singular values.
pub fn svd(a: &Tensor, full_matrices: bool) -> Result<(Tensor, Tensor, Tensor)> {
    check_matrix("linalg.svd", a)?;
    let (u, s, vh) = crate::cpu::install(|| {
        with_real!("linalg.svd", a.dtype(), T, {
            svd_kernel::<T>(a, full_matrices, true)
        })
    })?;
    let outs = record_multi(vec![u, s, vh], &[a], || {
        Box::new(SvdBackward {
            full: full_matrices,
        })
    })?;
    match <[Tensor; 3]>::try_from(outs) {
        Ok([u, s, vh]) => Ok((u, s, vh)),
        Err(_) => Err(Error::invalid("linalg.svd", "internal: missing outputs")),
    }
}

/// Singular values in descending order, shape `(*, min(m, n))` (`torch.linalg.svdvals`).
/// Derivative: `U diag(g) V^H` (computed through `svd` when a gradient is needed).
pub fn svdvals(a: &Tensor) -> Result<Tensor> {
    check_matrix("linalg.svdvals", a)?;
    if crate::autograd::is_grad_enabled() && a.requires_grad() {
        return Ok(svd(a, false)?.1);
    }
    let (_, s, _) = crate::cpu::install(|| {
        with_real!("linalg.svdvals", a.dtype(), T, {
            svd_kernel::<T>(a, false, false)
        })
    })?;
    Ok(s)
}
