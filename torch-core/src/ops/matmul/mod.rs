//! Matrix products with PyTorch's rules: `matmul` (1-D, 2-D, batched with broadcasting),
//! `mm`, `bmm`, `mv`, `dot`, `outer`, `addmm`. Two primitives with their own backward: `bmm`,
//! and `addmm` for f32/f64 matrices (gemm accumulating onto the bias); the rest are views
//! around `bmm`.

mod cpu;
mod gemv;

use crate::autograd::{BackwardCtx, GradFn, SavedTensor, record};
use crate::ops::binary::result_type;
use crate::shape::{Dims, broadcast_shapes};
use crate::{DType, Error, Result, Tensor};

/// Whether the last two dims of `t` are a transposed contiguous matrix (column-major), as
/// `weight.t()` in `Linear` is.
fn column_major(t: &Tensor) -> bool {
    let (sh, st, d) = (t.shape(), t.stride(), t.dim());
    d >= 2 && sh[d - 2] > 1 && sh[d - 1] > 1 && st[d - 2] == 1 && st[d - 1] == sh[d - 2]
}

/// `a @ b` (2-D) laid out like `like`: for a column-major `like`, computed as `(b^T a^T)^T`
/// so the gradient of a transposed weight comes out contiguous for the weight itself (what
/// PyTorch's mm backward does), and the optimiser then streams it instead of striding.
fn mm_like(a: &Tensor, b: &Tensor, like: &Tensor) -> Result<Tensor> {
    if column_major(like) {
        b.t()?.mm(&a.t()?)?.t()
    } else {
        a.mm(b)
    }
}

/// `bmm` laid out like `like`, as [`mm_like`].
fn bmm_like(a: &Tensor, b: &Tensor, like: &Tensor) -> Result<Tensor> {
    if column_major(like) {
        b.transpose(1, 2)?.bmm(&a.transpose(1, 2)?)?.transpose(1, 2)
    } else {
        a.bmm(b)
    }
}

struct BmmBackward(SavedTensor, SavedTensor);
impl GradFn for BmmBackward {
    fn name(&self) -> &'static str {
        "BmmBackward"
    }
    fn backward(&self, ctx: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let (a, b) = (self.0.unpack(ctx)?, self.1.unpack(ctx)?);
        let ga = ctx
            .needs_input_grad(0)
            .then(|| bmm_like(g, &b.transpose(1, 2)?.conj()?, &a))
            .transpose()?;
        let gb = ctx
            .needs_input_grad(1)
            .then(|| bmm_like(&a.transpose(1, 2)?.conj()?, g, &b))
            .transpose()?;
        Ok(vec![ga, gb])
    }
}

struct AddmmBackward {
    self_shape: Dims,
    beta: f64,
    alpha: f64,
    mat1: SavedTensor,
    mat2: SavedTensor,
}
impl GradFn for AddmmBackward {
    fn name(&self) -> &'static str {
        "AddmmBackward"
    }
    fn backward(&self, ctx: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let scaled = |t: Tensor, s: f64| if s == 1.0 { Ok(t) } else { t.mul_scalar(s) };
        let gs = ctx
            .needs_input_grad(0)
            .then(|| scaled(g.sum_to(&self.self_shape)?, self.beta))
            .transpose()?;
        let (mat1, mat2) = (self.mat1.unpack(ctx)?, self.mat2.unpack(ctx)?);
        let g1 = ctx
            .needs_input_grad(1)
            .then(|| scaled(mm_like(g, &mat2.t()?, &mat1)?, self.alpha))
            .transpose()?;
        let g2 = ctx
            .needs_input_grad(2)
            .then(|| scaled(mm_like(&mat1.t()?, g, &mat2)?, self.alpha))
            .transpose()?;
        Ok(vec![gs, g1, g2])
    }
}

impl Tensor {
    /// Batched product of `[B, M, K]` and `[B, K, N]` (`torch.bmm`).
    /// Derivative: `g @ b^H`, `a^H @ g`.
    pub fn bmm(&self, other: &Tensor) -> Result<Tensor> {
        if self.dim() != 3 || other.dim() != 3 {
            return Err(Error::invalid(
                "bmm",
                format!(
                    "batch1 and batch2 must be 3D tensors, got {:?} and {:?}",
                    self.shape(),
                    other.shape()
                ),
            ));
        }
        if self.shape()[0] != other.shape()[0] || self.shape()[2] != other.shape()[1] {
            return Err(Error::ShapeMismatch {
                op: "bmm",
                lhs: self.shape().to_vec(),
                rhs: other.shape().to_vec(),
                detail: "batch sizes must match and self.size(2) must equal other.size(1)".into(),
            });
        }
        let dtype = result_type(self, other);
        if self.dtype() != other.dtype() {
            return Err(Error::DTypeMismatch {
                op: "bmm",
                expected: self.dtype(),
                got: other.dtype(),
            });
        }
        let out = cpu::bmm(&self.detach(), &other.detach())?;
        debug_assert_eq!(out.dtype(), dtype);
        Ok(record(out, &[self, other], |_| {
            Box::new(BmmBackward(
                SavedTensor::input(self),
                SavedTensor::input(other),
            ))
        }))
    }

    /// Product of two matrices (`torch.mm`).
    pub fn mm(&self, other: &Tensor) -> Result<Tensor> {
        if self.dim() != 2 || other.dim() != 2 {
            return Err(Error::invalid(
                "mm",
                format!(
                    "both arguments must be 2D, got {:?} and {:?}",
                    self.shape(),
                    other.shape()
                ),
            ));
        }
        if self.shape()[1] != other.shape()[0] {
            return Err(Error::ShapeMismatch {
                op: "mm",
                lhs: self.shape().to_vec(),
                rhs: other.shape().to_vec(),
                detail: format!(
                    "mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})",
                    self.shape()[0],
                    self.shape()[1],
                    other.shape()[0],
                    other.shape()[1]
                ),
            });
        }
        self.unsqueeze(0)?.bmm(&other.unsqueeze(0)?)?.squeeze_dim(0)
    }

    /// Matrix-vector product (`torch.mv`).
    pub fn mv(&self, vec: &Tensor) -> Result<Tensor> {
        if self.dim() != 2 || vec.dim() != 1 {
            return Err(Error::invalid(
                "mv",
                format!(
                    "expected a matrix and a vector, got {:?} and {:?}",
                    self.shape(),
                    vec.shape()
                ),
            ));
        }
        self.mm(&vec.unsqueeze(1)?)
            .map_err(|_| Error::shape("mv", self.shape(), vec.shape()))?
            .squeeze_dim(1)
    }

    /// Inner product of two 1-D tensors (`torch.dot`).
    pub fn dot(&self, other: &Tensor) -> Result<Tensor> {
        if self.dim() != 1 || other.dim() != 1 || self.shape() != other.shape() {
            return Err(Error::ShapeMismatch {
                op: "dot",
                lhs: self.shape().to_vec(),
                rhs: other.shape().to_vec(),
                detail: "1D tensors expected with the same number of elements".into(),
            });
        }
        self.unsqueeze(0)?.mm(&other.unsqueeze(1)?)?.reshape(&[])
    }

    /// Outer product of two 1-D tensors (`torch.outer`).
    pub fn outer(&self, other: &Tensor) -> Result<Tensor> {
        if self.dim() != 1 || other.dim() != 1 {
            return Err(Error::shape("outer", self.shape(), other.shape()));
        }
        self.unsqueeze(1)?.mul(&other.unsqueeze(0)?)
    }

    /// `beta * self + alpha * (mat1 @ mat2)` (`torch.addmm`); `self` broadcasts to the
    /// product's shape. f32/f64 run as one gemm that accumulates onto the broadcast `self`
    /// (the `Linear` forward). Derivative: `beta * g` summed to `self`'s shape,
    /// `alpha * g @ mat2^T`, `alpha * mat1^T @ g`.
    pub fn addmm(&self, mat1: &Tensor, mat2: &Tensor, beta: f64, alpha: f64) -> Result<Tensor> {
        let dtype = self.dtype();
        let fused = matches!(dtype, DType::F32 | DType::F64)
            && beta != 0.0
            && mat1.dtype() == dtype
            && mat2.dtype() == dtype
            && mat1.dim() == 2
            && mat2.dim() == 2
            && mat1.shape()[1] == mat2.shape()[0]
            && broadcast_shapes("addmm", self.shape(), &[mat1.shape()[0], mat2.shape()[1]])
                .is_ok_and(|s| s.as_slice() == [mat1.shape()[0], mat2.shape()[1]]);
        if !fused {
            let p = mat1.mm(mat2)?;
            let p = if alpha == 1.0 {
                p
            } else {
                p.mul_scalar(alpha)?
            };
            return match beta {
                // As PyTorch: `self` is ignored (NaN and all) when beta is zero.
                0.0 => {
                    broadcast_shapes("addmm", self.shape(), p.shape())?;
                    Ok(p)
                }
                1.0 => self.add(&p),
                _ => self.mul_scalar(beta)?.add(&p),
            };
        }
        let out = cpu::addmm(&self.detach(), &mat1.detach(), &mat2.detach(), beta, alpha)?;
        Ok(record(out, &[self, mat1, mat2], |_| {
            Box::new(AddmmBackward {
                self_shape: self.shape().into(),
                beta,
                alpha,
                mat1: SavedTensor::input(mat1),
                mat2: SavedTensor::input(mat2),
            })
        }))
    }

    /// Matrix product with PyTorch's rules (`torch.matmul`, `@`): dot for 1-D x 1-D, mm for
    /// 2-D, batched with broadcast batch dims otherwise; 1-D operands get a dim added and
    /// removed.
    pub fn matmul(&self, other: &Tensor) -> Result<Tensor> {
        let (da, db) = (self.dim(), other.dim());
        if da == 0 || db == 0 {
            return Err(Error::invalid(
                "matmul",
                format!(
                    "both arguments to matmul need to be at least 1D, but they are {da}D and {db}D"
                ),
            ));
        }
        let mismatch = || Error::ShapeMismatch {
            op: "matmul",
            lhs: self.shape().to_vec(),
            rhs: other.shape().to_vec(),
            detail: "mat1 and mat2 shapes cannot be multiplied".into(),
        };
        let k_a = self.shape()[da - 1];
        let k_b = if db == 1 {
            other.shape()[0]
        } else {
            other.shape()[db - 2]
        };
        if k_a != k_b {
            return Err(mismatch());
        }
        match (da, db) {
            (1, 1) => return self.dot(other),
            (2, 1) => return self.mv(other),
            (1, 2) => return self.unsqueeze(0)?.mm(other)?.squeeze_dim(0),
            (2, 2) => return self.mm(other),
            _ => {}
        }
        let a = if da == 1 {
            self.unsqueeze(0)?
        } else {
            self.clone()
        };
        let b = if db == 1 {
            other.unsqueeze(1)?
        } else {
            other.clone()
        };
        let (ad, bd) = (a.dim(), b.dim());
        let (m, k, n) = (a.shape()[ad - 2], a.shape()[ad - 1], b.shape()[bd - 1]);
        let batch = broadcast_shapes("matmul", &a.shape()[..ad - 2], &b.shape()[..bd - 2])
            .map_err(|_| mismatch())?;
        let nb: usize = batch.iter().product();
        let mut sa: Vec<i64> = batch.iter().map(|&v| v as i64).collect();
        let mut sb = sa.clone();
        sa.extend([m as i64, k as i64]);
        sb.extend([k as i64, n as i64]);
        // Fold batch dims into M when `b` has none (a common case: x @ W): one big gemm.
        let out = if bd == 2 && a.layout().view(&[nb * m, k]).is_some() {
            a.reshape(&[(nb * m) as i64, k as i64])?.mm(&b)?
        } else {
            let a3 = a.expand(&sa)?.reshape(&[nb as i64, m as i64, k as i64])?;
            let b3 = b.expand(&sb)?.reshape(&[nb as i64, k as i64, n as i64])?;
            a3.bmm(&b3)?
        };
        let mut shape: Vec<i64> = batch.iter().map(|&v| v as i64).collect();
        if da > 1 {
            shape.push(m as i64);
        }
        if db > 1 {
            shape.push(n as i64);
        }
        out.reshape(&shape)
    }
}
