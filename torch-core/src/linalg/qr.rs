//! `qr`: `A = Q R` by Householder reflections (faer), modes "reduced", "complete" and "r",
//! with PyTorch's backward for reduced (and square complete) factorizations.

use faer::Mat;

use super::batch::{Batch, MultiGradFn, push_mat, record_multi, tensor_from_vec};
use super::{Real, check_matrix, mt, triu, with_real};
use crate::autograd::BackwardCtx;
use crate::{Error, Result, Tensor};

fn qr_kernel<T: Real>(a: &Tensor, complete: bool, want_q: bool) -> Result<(Tensor, Tensor)> {
    let b = Batch::<T>::new(a)?;
    let (m, n) = (b.m, b.n);
    let k = m.min(n);
    // Rows of R and columns of Q.
    let kq = if complete { m } else { k };
    let (mut q, mut r) = (Vec::new(), Vec::new());
    for i in 0..b.count() {
        let f = b.mat(i).qr();
        if want_q {
            let qm = if complete {
                f.compute_Q()
            } else {
                f.compute_thin_Q()
            };
            push_mat(&mut q, qm.as_ref());
        }
        // faer's R is the upper-trapezoidal k x n block; complete mode pads it with zero rows.
        let thin = f.thin_R();
        let rm = Mat::<T>::from_fn(kq, n, |i, j| {
            if i < k && j >= i {
                thin[(i, j)]
            } else {
                T::from_f64(0.0)
            }
        });
        push_mat(&mut r, rm.as_ref());
    }
    let q = if want_q {
        tensor_from_vec(q, &b.shape_with(&[m, kq]))?
    } else {
        tensor_from_vec(Vec::<T>::new(), &[0])?
    };
    Ok((q, tensor_from_vec(r, &b.shape_with(&[kq, n]))?))
}

struct QrBackward {
    mode: &'static str,
}

/// PyTorch's `linalg_qr_backward` for `m >= n`:
/// `gA = (Q copyltu(M) + gQ) R^-H` with `M = gR R^H - Q^H gQ` and `copyltu(M)` the upper
/// triangle of `M` mirrored below the diagonal.
fn qr_backward_tall(
    q: &Tensor,
    r: &Tensor,
    gq: Option<&Tensor>,
    gr: Option<&Tensor>,
) -> Result<Tensor> {
    let m = match (gq, gr) {
        (Some(gq), Some(gr)) => gr.matmul(&mt(r)?)?.sub(&mt(q)?.matmul(gq)?)?,
        (Some(gq), None) => mt(q)?.matmul(gq)?.neg()?,
        (None, Some(gr)) => gr.matmul(&mt(r)?)?,
        (None, None) => return q.matmul(r)?.zeros_like(),
    };
    let s = triu(&m, 0)?.add(&mt(&triu(&m, 1)?)?)?;
    let mut b = q.matmul(&s)?;
    if let Some(gq) = gq {
        b = b.add(gq)?;
    }
    b.matmul(&mt(&super::inv(r)?)?)
}

impl MultiGradFn for QrBackward {
    fn name(&self) -> &'static str {
        "LinalgQrBackward"
    }
    fn backward(
        &self,
        _: &BackwardCtx,
        grads: &[Option<Tensor>],
        outputs: &[Tensor],
    ) -> Result<Vec<Option<Tensor>>> {
        let (q, r) = (&outputs[0], &outputs[1]);
        let (gq, gr) = (grads[0].as_ref(), grads[1].as_ref());
        if self.mode == "r" {
            return Err(Error::Autograd(
                "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.".into(),
            ));
        }
        let (m, n) = (q.shape()[q.dim() - 2], r.shape()[r.dim() - 1]);
        if self.mode == "complete" && m > n {
            return Err(Error::Autograd(
                "The QR decomposition is not differentiable when mode='complete' and nrows > ncols.".into(),
            ));
        }
        if m >= n {
            return Ok(vec![Some(qr_backward_tall(q, r, gq, gr)?)]);
        }
        // Wide: A = [X | Y] with X = Q U square and Y = Q V, so V = Q^H Y feeds back into Q's
        // gradient; X follows the square rule.
        let (u, v) = (r.narrow(-1, 0, m)?, r.narrow(-1, m as i64, n - m)?);
        let y = q.matmul(&v)?;
        let (gu, gv) = match gr {
            Some(gr) => (
                Some(gr.narrow(-1, 0, m)?),
                Some(gr.narrow(-1, m as i64, n - m)?),
            ),
            None => (None, None),
        };
        let gq2 = match (gq, &gv) {
            (Some(gq), Some(gv)) => Some(gq.add(&y.matmul(&mt(gv)?)?)?),
            (None, Some(gv)) => Some(y.matmul(&mt(gv)?)?),
            (gq, None) => gq.cloned(),
        };
        let gx = qr_backward_tall(q, &u, gq2.as_ref(), gu.as_ref())?;
        let gy = match &gv {
            Some(gv) => q.matmul(gv)?,
            None => y.zeros_like()?,
        };
        Ok(vec![Some(Tensor::cat(&[&gx, &gy], -1)?)])
    }
}

/// QR decomposition (`torch.linalg.qr`), `mode` one of "reduced" (Q `(*, m, k)`, R
/// `(*, k, n)`, `k = min(m, n)`), "complete" (Q `(*, m, m)`, R `(*, m, n)`) or "r" (an empty
/// Q and the reduced R). Signs follow faer's Householder convention, which may differ from
/// LAPACK's by the sign of each column of Q (and row of R). Derivative: PyTorch's
/// `linalg_qr_backward` (full-rank input; not for "r" or complete with `m > n`).
pub fn qr(a: &Tensor, mode: &str) -> Result<(Tensor, Tensor)> {
    let mode: &'static str = match mode {
        "reduced" => "reduced",
        "complete" => "complete",
        "r" => "r",
        other => {
            return Err(Error::invalid(
                "linalg.qr",
                format!(
                    "qr received unrecognized mode '{other}' but expected one of 'reduced' (default), 'r', or 'complete'"
                ),
            ));
        }
    };
    check_matrix("linalg.qr", a)?;
    let (q, r) = crate::cpu::install(|| {
        with_real!("linalg.qr", a.dtype(), T, {
            qr_kernel::<T>(a, mode == "complete", mode != "r")
        })
    })?;
    let mut outs = record_multi(vec![q, r], &[a], || Box::new(QrBackward { mode }))?;
    let r = outs.pop();
    let q = outs.pop();
    match (q, r) {
        (Some(q), Some(r)) => Ok((q, r)),
        _ => Err(Error::invalid("linalg.qr", "internal: missing outputs")),
    }
}
