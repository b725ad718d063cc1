//! Gradient clipping (torch.nn.utils.clip_grad): the total norm of several gradients,
//! scaling them to a maximum norm, and clamping them to a value range. All run under
//! `no_grad` and modify `.grad` in place.

use torch_core::{Error, Result, Tensor};

use crate::optim::options::py_float;

/// Optional arguments of [`clip_grad_norm_`] and [`get_total_norm`]; `Default` holds
/// PyTorch's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClipGradNormOptions {
    /// Order of the norm (`norm_type=2.0`); `f64::INFINITY` for the max norm.
    pub norm_type: f64,
    /// Error when the total norm is NaN or infinite (`error_if_nonfinite=False`).
    pub error_if_nonfinite: bool,
}

impl Default for ClipGradNormOptions {
    fn default() -> Self {
        ClipGradNormOptions {
            norm_type: 2.0,
            error_if_nonfinite: false,
        }
    }
}

/// The gradients that are set.
fn grads(params: &[Tensor]) -> Vec<Tensor> {
    params.iter().filter_map(|p| p.grad()).collect()
}

/// The norm of `tensors` viewed as one vector (`torch.nn.utils.get_total_norm`): the
/// `norm_type`-norm of the per-tensor norms. A 0-d tensor; `0.0` (f32) for an empty list.
/// Errors, with `error_if_nonfinite`, when the norm is NaN or infinite.
pub fn get_total_norm(tensors: &[Tensor], options: ClipGradNormOptions) -> Result<Tensor> {
    let _guard = torch_core::autograd::no_grad();
    let p = options.norm_type;
    if tensors.is_empty() {
        return Ok(Tensor::scalar(0.0f32));
    }
    let norms = tensors
        .iter()
        .map(|t| t.norm(p, &[], false))
        .collect::<Result<Vec<_>>>()?;
    let refs: Vec<&Tensor> = norms.iter().collect();
    let total = Tensor::stack(&refs, 0)?.norm(p, &[], false)?;
    if options.error_if_nonfinite && !total.item()?.is_finite() {
        return Err(Error::invalid(
            "clip_grad_norm_",
            format!(
                "The total norm of order {} for gradients from `parameters` is non-finite, so \
                 it cannot be clipped. To disable this error and scale the gradients by the \
                 non-finite norm anyway, set `error_if_nonfinite=False`",
                py_float(p)
            ),
        ));
    }
    Ok(total)
}

/// Scales the gradients of `params` by `min(max_norm / (total_norm + 1e-6), 1)`
/// (`torch.nn.utils.clip_grads_with_norm_`).
pub fn clip_grads_with_norm_(params: &[Tensor], max_norm: f64, total_norm: &Tensor) -> Result<()> {
    let _guard = torch_core::autograd::no_grad();
    let grads = grads(params);
    if grads.is_empty() {
        return Ok(());
    }
    let clip_coef = total_norm
        .add_scalar(1e-6)?
        .reciprocal()?
        .mul_scalar(max_norm)?;
    let clip_coef = clip_coef.clamp(None, Some(1.0))?;
    for g in &grads {
        g.mul_(&clip_coef.to_dtype(g.dtype())?)?;
    }
    Ok(())
}

/// Rescales the gradients of `params` so that their total norm is at most `max_norm`
/// (`torch.nn.utils.clip_grad_norm_`); returns the total norm before clipping, a 0-d tensor.
///
/// ```
/// use torch_core::Tensor;
/// use torch_nn::utils::{ClipGradNormOptions, clip_grad_norm_};
/// let p = Tensor::zeros(&[2], Default::default())?.requires_grad_(true)?;
/// p.set_grad(Some(Tensor::new([3.0f32, 4.0])));
/// let norm = clip_grad_norm_(&[p.clone()], 1.0, ClipGradNormOptions::default())?;
/// assert_eq!(norm.item()?, 5.0);
/// # Ok::<(), torch_core::Error>(())
/// ```
pub fn clip_grad_norm_(
    params: &[Tensor],
    max_norm: f64,
    options: ClipGradNormOptions,
) -> Result<Tensor> {
    let total = get_total_norm(&grads(params), options)?;
    clip_grads_with_norm_(params, max_norm, &total)?;
    Ok(total)
}

/// Clamps every gradient of `params` to `[-clip_value, clip_value]`
/// (`torch.nn.utils.clip_grad_value_`).
pub fn clip_grad_value_(params: &[Tensor], clip_value: f64) -> Result<()> {
    let _guard = torch_core::autograd::no_grad();
    for g in grads(params) {
        g.clamp_(Some(-clip_value), Some(clip_value))?;
    }
    Ok(())
}
