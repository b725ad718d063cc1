//! `torch.linalg`: matrix inverse, determinants, linear solves, Cholesky, QR, SVD, symmetric
//! eigendecomposition and norms, for f32 and f64, batched over leading dims. Factorizations
//! run through the `faer` crate; every backward rule is written with `Tensor` ops, so it runs
//! on every device and can itself be differentiated (DESIGN R11, R12).
//!
//! ```
//! use torch_core::{Tensor, linalg};
//! let a = Tensor::new([[4.0f64, 1.0], [1.0, 3.0]]);
//! let x = linalg::solve(&a, &Tensor::new([1.0f64, 2.0])).unwrap();
//! assert!((linalg::det(&a).unwrap().item().unwrap() - 11.0).abs() < 1e-12);
//! assert_eq!(x.shape(), &[2]);
//! ```
//!
//! Layout: `lu.rs` (inv, det, slogdet, solve), `cholesky.rs`, `qr.rs`, `svd.rs` (svd,
//! svdvals), `eigh.rs` (eigh, eigvalsh), `norm.rs` (norm, matrix_norm, vector_norm), and
//! `batch.rs` (batched matrices over faer, the multi-output autograd node).

mod batch;
mod cholesky;
mod eigh;
mod lu;
mod norm;
mod qr;
mod svd;

pub use cholesky::cholesky;
pub use eigh::{eigh, eigvalsh};
pub use lu::{det, inv, slogdet, solve};
pub use norm::{IntoNormOrd, NormOrd, matrix_norm, norm, vector_norm};
pub use qr::qr;
pub use svd::{svd, svdvals};

use crate::{DType, Error, Result, Tensor, TensorOptions};

/// The element types the factorizations run on (f32, f64).
pub(crate) trait Real: crate::Element + faer::traits::RealField {}
impl Real for f32 {}
impl Real for f64 {}

/// Runs `$body` with `$T` bound to the real element type of `$dtype`, or returns PyTorch's
/// refusal of integer, bool, half and complex inputs as `Error::UnsupportedDType`.
macro_rules! with_real {
    ($op:expr, $dtype:expr, $T:ident, $body:block) => {
        match $dtype {
            $crate::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::DType::F64 => {
                type $T = f64;
                $body
            }
            d => Err($crate::Error::UnsupportedDType { op: $op, dtype: d }),
        }
    };
}
pub(crate) use with_real;

/// Checks device, dtype (f32/f64) and `dim >= 2`; returns `(m, n)` of the matrices.
fn check_matrix(op: &'static str, a: &Tensor) -> Result<(usize, usize)> {
    a.device().check_available(op)?;
    if !matches!(a.dtype(), DType::F32 | DType::F64) {
        return Err(Error::UnsupportedDType {
            op,
            dtype: a.dtype(),
        });
    }
    let d = a.dim();
    if d < 2 {
        return Err(Error::invalid(
            op,
            "The input tensor A must have at least 2 dimensions.",
        ));
    }
    Ok((a.shape()[d - 2], a.shape()[d - 1]))
}

/// `check_matrix` plus squareness; returns `n`.
fn check_square(op: &'static str, a: &Tensor) -> Result<usize> {
    let (m, n) = check_matrix(op, a)?;
    if m != n {
        return Err(Error::invalid(
            op,
            format!("A must be batches of square matrices, but they are {m} by {n} matrices"),
        ));
    }
    Ok(n)
}

/// The last two dims swapped (`A.mT`).
fn mt(a: &Tensor) -> Result<Tensor> {
    a.transpose(-2, -1)
}

/// A constant `(rows, cols)` mask of `dtype` keeping `j - i >= k` (`upper`) or `j - i <= k`.
fn tri_mask(rows: usize, cols: usize, k: i64, upper: bool, dtype: DType) -> Result<Tensor> {
    let v: Vec<f64> = (0..rows * cols)
        .map(|idx| {
            let d = (idx % cols) as i64 - (idx / cols) as i64;
            f64::from(u8::from(if upper { d >= k } else { d <= k }))
        })
        .collect();
    batch::tensor_from_vec(v, &[rows, cols])?.to_dtype(dtype)
}

/// Lower triangle from diagonal `k` (`torch.tril`), as a product with a constant mask so
/// that it is differentiable.
fn tril(a: &Tensor, k: i64) -> Result<Tensor> {
    let d = a.dim();
    a.mul(&tri_mask(
        a.shape()[d - 2],
        a.shape()[d - 1],
        k,
        false,
        a.dtype(),
    )?)
}

/// Upper triangle from diagonal `k` (`torch.triu`), differentiable.
fn triu(a: &Tensor, k: i64) -> Result<Tensor> {
    let d = a.dim();
    a.mul(&tri_mask(
        a.shape()[d - 2],
        a.shape()[d - 1],
        k,
        true,
        a.dtype(),
    )?)
}

/// `(*, n)` to `(*, n, n)` diagonal matrices (`torch.diag_embed`), differentiable.
fn diag_embed(v: &Tensor) -> Result<Tensor> {
    let n = v.shape()[v.dim() - 1];
    let eye = Tensor::eye(n, None, TensorOptions::default().dtype(v.dtype()))?;
    v.unsqueeze(-1)?.mul(&eye)
}
