//! Normalisation: `batch_norm` (a torch-core primitive), and as composites (R2) `layer_norm`, `group_norm`,
//! `instance_norm`, `rms_norm`, `normalize`. Gradients (and double backward) come from the
//! primitives.

use torch_core::autograd::no_grad;
use torch_core::{Error, Result, Tensor};

/// Shape `[1, C, 1, ...]` that broadcasts a per-channel vector against `x` (channels in dim 1).
fn channel_shape(x: &Tensor) -> Vec<i64> {
    let mut s = vec![1i64; x.dim()];
    if x.dim() > 1 {
        s[1] = x.shape()[1] as i64;
    }
    s
}

fn affine(
    y: Tensor,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    shape: &[i64],
) -> Result<Tensor> {
    let y = match weight {
        Some(w) => y.mul(&w.reshape(shape)?)?,
        None => y,
    };
    match bias {
        Some(b) => y.add(&b.reshape(shape)?),
        None => Ok(y),
    }
}

pub use torch_core::ops::batch_norm::RunningStats;

/// Batch normalisation over all dims but 1, as `F.batch_norm(x, running_mean, running_var,
/// weight, bias, training, momentum, eps)`. In training mode it normalises with the batch
/// statistics (biased variance) and, given running statistics, updates them in place:
/// `running = (1 - momentum) * running + momentum * batch` (unbiased variance). In eval mode it
/// uses the running statistics. One fused primitive of torch-core ([`Tensor::batch_norm`]).
pub fn batch_norm(
    x: &Tensor,
    running: Option<RunningStats<'_>>,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    training: bool,
    momentum: f64,
    eps: f64,
) -> Result<Tensor> {
    x.batch_norm(weight, bias, running, training, momentum, eps)
}

fn check_trailing(op: &'static str, x: &Tensor, normalized_shape: &[usize]) -> Result<Vec<i64>> {
    let n = normalized_shape.len();
    if x.dim() < n || x.shape()[x.dim() - n..] != *normalized_shape {
        return Err(Error::ShapeMismatch {
            op,
            lhs: x.shape().to_vec(),
            rhs: normalized_shape.to_vec(),
            detail: "normalized_shape must match the input's trailing dims".into(),
        });
    }
    Ok((x.dim() - n..x.dim()).map(|d| d as i64).collect())
}

/// Normalises over the trailing `normalized_shape` dims, as `F.layer_norm(x, normalized_shape,
/// weight, bias, eps)`: `(x - mean) / sqrt(var + eps) * weight + bias`, biased variance.
pub fn layer_norm(
    x: &Tensor,
    normalized_shape: &[usize],
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    eps: f64,
) -> Result<Tensor> {
    let dims = check_trailing("layer_norm", x, normalized_shape)?;
    let mean = x.mean_dim(&dims, true)?;
    let centered = x.sub(&mean)?;
    let var = centered.mul(&centered)?.mean_dim(&dims, true)?;
    let y = centered.mul(&var.add_scalar(eps)?.rsqrt()?)?;
    let y = match weight {
        Some(w) => y.mul(w)?,
        None => y,
    };
    match bias {
        Some(b) => y.add(b),
        None => Ok(y),
    }
}

/// Root-mean-square normalisation over the trailing dims, as `F.rms_norm(x, normalized_shape,
/// weight, eps)`: `x / sqrt(mean(x²) + eps) * weight`; `eps = None` uses the dtype's machine
/// epsilon, as PyTorch.
pub fn rms_norm(
    x: &Tensor,
    normalized_shape: &[usize],
    weight: Option<&Tensor>,
    eps: Option<f64>,
) -> Result<Tensor> {
    let dims = check_trailing("rms_norm", x, normalized_shape)?;
    let eps = eps.unwrap_or(match x.dtype() {
        torch_core::DType::F64 => f64::EPSILON,
        torch_core::DType::F16 => 0.000_976_562_5,
        torch_core::DType::BF16 => 0.007_812_5,
        _ => f32::EPSILON as f64,
    });
    let y = x.mul(&x.mul(x)?.mean_dim(&dims, true)?.add_scalar(eps)?.rsqrt()?)?;
    match weight {
        Some(w) => y.mul(w),
        None => Ok(y),
    }
}

/// Group normalisation, as `F.group_norm(x, num_groups, weight, bias, eps)`: channels (dim 1)
/// split into `num_groups` groups, each normalised over its channels and spatial dims.
pub fn group_norm(
    x: &Tensor,
    num_groups: usize,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    eps: f64,
) -> Result<Tensor> {
    if x.dim() < 2 || num_groups == 0 || !x.shape()[1].is_multiple_of(num_groups) {
        return Err(Error::invalid(
            "group_norm",
            format!(
                "Expected number of channels in input to be divisible by num_groups, but got \
                 input of shape {:?} and num_groups={num_groups}",
                x.shape()
            ),
        ));
    }
    let n = x.shape()[0] as i64;
    let g = x.reshape(&[n, num_groups as i64, -1])?;
    let mean = g.mean_dim(&[2], true)?;
    let centered = g.sub(&mean)?;
    let var = centered.mul(&centered)?.mean_dim(&[2], true)?;
    let shape: Vec<i64> = x.shape().iter().map(|&d| d as i64).collect();
    let y = centered
        .mul(&var.add_scalar(eps)?.rsqrt()?)?
        .reshape(&shape)?;
    affine(y, weight, bias, &channel_shape(x))
}

/// Instance normalisation, as `F.instance_norm(x, running_mean, running_var, weight, bias,
/// use_input_stats, momentum, eps)`: each (sample, channel) normalised over its spatial dims.
/// With `use_input_stats` the running statistics (if any) are updated with the mean over the
/// batch of the per-instance statistics, as PyTorch.
pub fn instance_norm(
    x: &Tensor,
    running: Option<RunningStats<'_>>,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    use_input_stats: bool,
    momentum: f64,
    eps: f64,
) -> Result<Tensor> {
    if x.dim() < 3 {
        return Err(Error::invalid(
            "instance_norm",
            format!("expected 3D or more input (got {}D input)", x.dim()),
        ));
    }
    // PyTorch's trick: fold the batch into channels and run batch_norm.
    let (n, c) = (x.shape()[0], x.shape()[1]);
    let mut folded_shape = vec![1i64, (n * c) as i64];
    folded_shape.extend(x.shape()[2..].iter().map(|&d| d as i64));
    let folded = x.reshape(&folded_shape)?;
    let repeat = |t: &Tensor| t.repeat(&[n]);
    let (rm, rv) = match &running {
        Some(r) => (Some(repeat(r.mean)?), Some(repeat(r.var)?)),
        None => (None, None),
    };
    let stats = match (&rm, &rv) {
        (Some(m), Some(v)) => Some(RunningStats { mean: m, var: v }),
        _ => None,
    };
    let y = batch_norm(&folded, stats, None, None, use_input_stats, momentum, eps)?;
    if let (Some(r), Some(m), Some(v), true) = (&running, &rm, &rv, use_input_stats) {
        let _g = no_grad();
        r.mean
            .copy_(&m.reshape(&[n as i64, c as i64])?.mean_dim(&[0], false)?)?;
        r.var
            .copy_(&v.reshape(&[n as i64, c as i64])?.mean_dim(&[0], false)?)?;
    }
    let shape: Vec<i64> = x.shape().iter().map(|&d| d as i64).collect();
    affine(y.reshape(&shape)?, weight, bias, &channel_shape(x))
}

/// `x / max(||x||_p, eps)` along `dim`, as `F.normalize(x, p=2.0, dim=1, eps=1e-12)`.
pub fn normalize(x: &Tensor, p: f64, dim: i64, eps: f64) -> Result<Tensor> {
    let n = x.norm(p, &[dim], true)?.clamp(Some(eps), None)?;
    x.div(&n)
}
