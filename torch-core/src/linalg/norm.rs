//! Norms: `vector_norm`, `matrix_norm` (Frobenius, nuclear, max row/column sums, largest and
//! smallest singular value) and `norm`, which picks between them as `torch.linalg.norm` does.
//! All composites of reductions and `svdvals`, so autograd comes for free.

use crate::shape::normalize_dim;
use crate::{DType, Error, Result, Tensor};

/// The `ord` of a norm: a number (`p`-norm, `inf`, `-inf`, ...) or "fro" / "nuc".
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NormOrd {
    /// A numeric order.
    P(f64),
    /// Frobenius norm, `"fro"`.
    Fro,
    /// Nuclear norm (sum of singular values), `"nuc"`.
    Nuc,
}

impl From<f64> for NormOrd {
    fn from(p: f64) -> Self {
        NormOrd::P(p)
    }
}

impl From<i32> for NormOrd {
    fn from(p: i32) -> Self {
        NormOrd::P(p as f64)
    }
}

impl std::fmt::Display for NormOrd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NormOrd::P(p) => write!(f, "{p}"),
            NormOrd::Fro => f.write_str("fro"),
            NormOrd::Nuc => f.write_str("nuc"),
        }
    }
}

/// What `matrix_norm` accepts as `ord`: a `NormOrd`, a number, or the strings "fro"/"nuc"
/// (any other string is PyTorch's "Order ... not supported" error).
pub trait IntoNormOrd {
    /// The order, or an error naming `op`.
    fn into_norm_ord(self, op: &'static str) -> Result<NormOrd>;
}

impl IntoNormOrd for NormOrd {
    fn into_norm_ord(self, _: &'static str) -> Result<NormOrd> {
        Ok(self)
    }
}

impl IntoNormOrd for f64 {
    fn into_norm_ord(self, _: &'static str) -> Result<NormOrd> {
        Ok(NormOrd::P(self))
    }
}

impl IntoNormOrd for i32 {
    fn into_norm_ord(self, _: &'static str) -> Result<NormOrd> {
        Ok(NormOrd::P(self as f64))
    }
}

impl IntoNormOrd for &str {
    fn into_norm_ord(self, op: &'static str) -> Result<NormOrd> {
        match self {
            "fro" => Ok(NormOrd::Fro),
            "nuc" => Ok(NormOrd::Nuc),
            other => Err(Error::invalid(op, format!("Order {other} not supported."))),
        }
    }
}

fn check_float(op: &'static str, x: &Tensor) -> Result<()> {
    if matches!(x.dtype(), DType::F32 | DType::F64) {
        Ok(())
    } else {
        Err(Error::UnsupportedDType {
            op,
            dtype: x.dtype(),
        })
    }
}

/// The `ord`-norm of `x` as a vector over `dim` (`None`: all elements)
/// (`torch.linalg.vector_norm`): `(sum |x|^ord)^(1/ord)`, max/min of `|x|` for `±inf`, the
/// count of non-zeros for 0. Composite (derivative from its parts).
pub fn vector_norm(x: &Tensor, ord: f64, dim: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
    check_float("linalg.vector_norm", x)?;
    x.norm(ord, dim.unwrap_or(&[]), keepdim)
}

/// The `ord`-norm of the matrices in dims `dim` (`torch.linalg.matrix_norm`): "fro"
/// (default in PyTorch), "nuc", `inf`/`-inf` (max/min absolute row sum), `1`/`-1` (max/min
/// absolute column sum), `2`/`-2` (largest/smallest singular value). Composite.
pub fn matrix_norm(
    a: &Tensor,
    ord: impl IntoNormOrd,
    dim: [i64; 2],
    keepdim: bool,
) -> Result<Tensor> {
    const OP: &str = "linalg.matrix_norm";
    let ord = ord.into_norm_ord(OP)?;
    check_float(OP, a)?;
    if a.dim() < 2 {
        return Err(Error::invalid(
            OP,
            "The input tensor A must have at least 2 dimensions.",
        ));
    }
    let (d0, d1) = (
        normalize_dim(OP, dim[0], a.dim())?,
        normalize_dim(OP, dim[1], a.dim())?,
    );
    if d0 == d1 {
        return Err(Error::invalid(
            OP,
            format!("dims must be different. Got ({}, {})", dim[0], dim[1]),
        ));
    }
    let (i0, i1) = (d0 as i64, d1 as i64);
    match ord {
        NormOrd::Fro => a.norm(2.0, &[i0, i1], keepdim),
        NormOrd::P(p) if p.abs() == 1.0 || p.is_infinite() => {
            // inf: max over rows of the row sums; 1: max over columns of the column sums.
            let (sum_dim, max_dim) = if p.abs() == 1.0 { (i0, i1) } else { (i1, i0) };
            let sums = a.abs()?.sum_dim(&[sum_dim], true)?;
            let r = if p > 0.0 {
                sums.amax(&[max_dim], true)?
            } else {
                sums.amin(&[max_dim], true)?
            };
            if keepdim {
                Ok(r)
            } else {
                r.squeeze_dim(i0.max(i1))?.squeeze_dim(i0.min(i1))
            }
        }
        NormOrd::Nuc | NormOrd::P(2.0) | NormOrd::P(-2.0) => {
            // Move the matrix dims last, reduce the singular values, put size-1 dims back.
            let mut perm: Vec<i64> = (0..a.dim() as i64)
                .filter(|&d| d != i0 && d != i1)
                .collect();
            perm.extend([i0, i1]);
            let s = super::svdvals(&a.permute(&perm)?)?;
            let r = match ord {
                NormOrd::Nuc => s.sum_dim(&[-1], false)?,
                NormOrd::P(p) if p > 0.0 => s.amax(&[-1], false)?,
                _ => s.amin(&[-1], false)?,
            };
            if keepdim {
                r.unsqueeze(i0.min(i1))?.unsqueeze(i0.max(i1))
            } else {
                Ok(r)
            }
        }
        NormOrd::P(_) => Err(Error::invalid(OP, format!("Order {ord} not supported."))),
    }
}

/// `torch.linalg.norm`: with `dim` of length 2, or no `dim` and a 2-D input with an `ord`
/// (or a string `ord`), the matrix norm; otherwise the vector norm (`ord` default 2, all
/// elements when `dim` is `None`). Composite.
pub fn norm(
    a: &Tensor,
    ord: Option<NormOrd>,
    dim: Option<&[i64]>,
    keepdim: bool,
) -> Result<Tensor> {
    const OP: &str = "linalg.norm";
    match dim {
        Some(d) if d.len() != 1 && d.len() != 2 => {
            return Err(Error::invalid(
                OP,
                format!("If dim is specified, it must be of length 1 or 2. Got {d:?}"),
            ));
        }
        None if ord.is_some() && a.dim() != 1 && a.dim() != 2 => {
            return Err(Error::invalid(
                OP,
                format!(
                    "If dim is not specified but ord is, the input must be 1D or 2D. Got {}D.",
                    a.dim()
                ),
            ));
        }
        _ => {}
    }
    let is_str = matches!(ord, Some(NormOrd::Fro | NormOrd::Nuc));
    let matrix = match dim {
        Some(d) => d.len() == 2,
        None => a.dim() == 2,
    };
    match ord {
        Some(o) if matrix || is_str => {
            let d = match dim {
                Some(&[d0, d1]) => [d0, d1],
                Some(d) => {
                    return Err(Error::invalid(
                        "linalg.matrix_norm",
                        format!("dim must be a 2-tuple. Got {d:?}"),
                    ));
                }
                None => [0, 1],
            };
            matrix_norm(a, o, d, keepdim)
        }
        Some(NormOrd::P(p)) => vector_norm(a, p, dim, keepdim),
        _ => vector_norm(a, 2.0, dim, keepdim),
    }
}
