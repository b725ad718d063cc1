//! Shared by the `linalg` test files: the golden file, comparison with per-dtype tolerances,
//! and gauge fixing of QR, SVD and eigh factors (unique only up to sign), mirroring
//! `scripts/golden/linalg.py`.
#![allow(dead_code)]
// Tests fail by panicking: unwrap is the assertion.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use torch_core::testing::{assert_close_tol, load_golden};
use torch_core::{DType, Result, Tensor};

/// f32 against PyTorch's f32 LAPACK: both round differently in each factorization step, so
/// results agree to a few ulps times the condition number, not to the elementwise f32 default.
pub const F32_RTOL: f64 = 1e-4;
pub const F32_ATOL: f64 = 1e-5;
/// Reconstructions (`Q R`, `U S Vh`, `V L V^T`) in f64 accumulate O(n eps) per entry.
pub const RECON_TOL: f64 = 1e-12;

/// The tensors of `tests/golden/linalg.safetensors`.
pub fn golden() -> HashMap<String, Tensor> {
    load_golden(env!("CARGO_MANIFEST_DIR"), "linalg").expect("golden file")
}

/// Compares `actual` with golden `key` (f64 defaults; f32 with `F32_RTOL`/`F32_ATOL`).
pub fn check(g: &HashMap<String, Tensor>, key: &str, actual: Result<Tensor>) {
    let expected = g.get(key).unwrap_or_else(|| panic!("missing golden {key}"));
    let actual = actual.unwrap_or_else(|e| panic!("{key}: {e}"));
    assert_eq!(actual.dtype(), expected.dtype(), "{key}: dtype");
    let (rtol, atol) = if actual.dtype() == DType::F32 {
        (F32_RTOL, F32_ATOL)
    } else {
        torch_core::testing::tolerances(DType::F64)
    };
    std::panic::catch_unwind(|| assert_close_tol(&actual, expected, rtol, atol))
        .unwrap_or_else(|_| panic!("{key}: values differ"));
}

/// The last two dims swapped.
pub fn mt(x: &Tensor) -> Tensor {
    x.transpose(-2, -1).unwrap()
}

/// Flips the first `k = min(m, n)` columns of Q and rows of R so that diag(R) >= 0 (the
/// unique QR of a full-rank matrix), as the golden script does.
pub fn fix_qr(q: &Tensor, r: &Tensor) -> Result<(Tensor, Tensor)> {
    let (m, n) = (q.shape()[q.dim() - 2], r.shape()[r.dim() - 1]);
    let k = m.min(n);
    let s = r.diagonal(0, -2, -1)?.narrow(-1, 0, k)?.sign()?;
    let mut q2 = q.narrow(-1, 0, k)?.mul(&s.unsqueeze(-2)?)?;
    let kq = q.shape()[q.dim() - 1];
    if kq > k {
        q2 = Tensor::cat(&[&q2, &q.narrow(-1, k as i64, kq - k)?], -1)?;
    }
    let mut r2 = r.narrow(-2, 0, k)?.mul(&s.unsqueeze(-1)?)?;
    let kr = r.shape()[r.dim() - 2];
    if kr > k {
        r2 = Tensor::cat(&[&r2, &r.narrow(-2, k as i64, kr - k)?], -2)?;
    }
    Ok((q2, r2))
}

/// Gauge-fixed reduced SVD: the first row of U made non-negative (U and Vh flip together).
pub fn fix_svd(u: &Tensor, s: &Tensor, vh: &Tensor) -> Result<(Tensor, Tensor, Tensor)> {
    let k = s.shape()[s.dim() - 1];
    let (u, vh) = (u.narrow(-1, 0, k)?, vh.narrow(-2, 0, k)?);
    let sg = u.select(-2, 0)?.sign()?;
    Ok((
        u.mul(&sg.unsqueeze(-2)?)?,
        s.clone(),
        vh.mul(&sg.unsqueeze(-1)?)?,
    ))
}

/// Gauge-fixed eigenvectors: the first row made non-negative.
pub fn fix_eigh(v: &Tensor) -> Result<Tensor> {
    v.mul(&v.select(-2, 0)?.sign()?.unsqueeze(-2)?)
}
