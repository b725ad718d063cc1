//! The in-place composites the update rules share (`addcmul_`, `addcdiv_`, `lerp_`), written
//! from torch-core ops in the order PyTorch's CPU kernels evaluate them, so results agree to
//! the last bits as far as possible. Callers run under `no_grad`.

use torch_core::{Result, Tensor};

/// `t += value * a * b` (`t.addcmul_(a, b, value=value)`), evaluated as `t + (value * a) * b`.
pub(crate) fn addcmul_(t: &Tensor, a: &Tensor, b: &Tensor, value: f64) -> Result<()> {
    t.add_(&a.mul_scalar(value)?.mul(b)?)
}

/// `t + value * a * b` as a new tensor (`t.addcmul(a, b, value=value)`).
pub(crate) fn addcmul(t: &Tensor, a: &Tensor, b: &Tensor, value: f64) -> Result<Tensor> {
    t.add(&a.mul_scalar(value)?.mul(b)?)
}

/// `t += value * a / b` (`t.addcdiv_(a, b, value=value)`), evaluated as `t + (value * a) / b`.
pub(crate) fn addcdiv_(t: &Tensor, a: &Tensor, b: &Tensor, value: f64) -> Result<()> {
    t.add_(&a.mul_scalar(value)?.div(b)?)
}

/// `t += w (end - t)` (`t.lerp_(end, w)`), with PyTorch's two formulas: `t + w (end - t)` for
/// `|w| < 0.5`, else `end - (end - t)(1 - w)`.
pub(crate) fn lerp_(t: &Tensor, end: &Tensor, w: f64) -> Result<()> {
    let diff = end.sub(t)?;
    if w.abs() < 0.5 {
        t.add_(&diff.mul_scalar(w)?)
    } else {
        // PyTorch computes `1 - w` in the op-math type: f32 for f32 (and half) tensors.
        let one_minus_w = if t.dtype() == torch_core::DType::F64 {
            1.0 - w
        } else {
            (1.0f32 - w as f32) as f64
        };
        t.copy_(&end.sub(&diff.mul_scalar(one_minus_w)?)?)
    }
}

/// `grad` or `-grad` (`maximize`), then `+ weight_decay * param` when it is non-zero: the
/// gradient most rules start from.
pub(crate) fn effective_grad(
    param: &Tensor,
    grad: &Tensor,
    maximize: bool,
    weight_decay: f64,
) -> Result<Tensor> {
    let g = if maximize { grad.neg()? } else { grad.clone() };
    if weight_decay != 0.0 {
        g.add_alpha(param, weight_decay)
    } else {
        Ok(g)
    }
}
