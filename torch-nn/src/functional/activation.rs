//! Activations that torch-core does not have as tensor methods, written as composites (R2).
//! The rest (`relu`, `sigmoid`, `tanh`, `silu`, `mish`, `gelu`, `elu`, `leaky_relu`,
//! `softplus`, `softmax`, `log_softmax`) are `Tensor` methods.

use torch_core::{Error, Result, Tensor};

/// `min(max(x, 0), 6)`, as `F.relu6`; derivative 1 on (0, 6), else 0.
pub fn relu6(x: &Tensor) -> Result<Tensor> {
    hardtanh(x, 0.0, 6.0)
}

/// `clamp(x, min_val, max_val)`, as `F.hardtanh`.
pub fn hardtanh(x: &Tensor, min_val: f64, max_val: f64) -> Result<Tensor> {
    x.clamp(Some(min_val), Some(max_val))
}

/// `relu6(x + 3) / 6`, as `F.hardsigmoid`.
pub fn hardsigmoid(x: &Tensor) -> Result<Tensor> {
    relu6(&x.add_scalar(3.0)?)?.div_scalar(6.0)
}

/// `x * relu6(x + 3) / 6`, as `F.hardswish`.
pub fn hardswish(x: &Tensor) -> Result<Tensor> {
    x.mul(&hardsigmoid(x)?)
}

/// SELU's scale (PyTorch's constant).
pub const SELU_SCALE: f64 = 1.050_700_987_355_480_5;
/// SELU's alpha (PyTorch's constant).
pub const SELU_ALPHA: f64 = 1.673_263_242_354_377_3;

/// `scale * elu(x, alpha)` with PyTorch's constants, as `F.selu`.
pub fn selu(x: &Tensor) -> Result<Tensor> {
    x.elu(SELU_ALPHA)?.mul_scalar(SELU_SCALE)
}

/// `max(0, x) + weight * min(0, x)`, with `weight` of one element or one per channel (dim 1),
/// as `F.prelu`.
pub fn prelu(x: &Tensor, weight: &Tensor) -> Result<Tensor> {
    let w = if weight.numel() == 1 || x.dim() < 2 {
        weight.reshape(&[])?
    } else {
        let c = x.shape()[1];
        if weight.numel() != c {
            return Err(Error::ShapeMismatch {
                op: "prelu",
                lhs: x.shape().to_vec(),
                rhs: weight.shape().to_vec(),
                detail: format!("weight must have 1 or {c} elements, one per channel of dim 1"),
            });
        }
        let mut shape = vec![1i64; x.dim()];
        shape[1] = c as i64;
        weight.reshape(&shape)?
    };
    let pos = x.gt_scalar(0.0)?;
    x.where_cond(&pos, &x.mul(&w)?)
}
