//! `batch_norm` as one primitive, like ATen's `native_batch_norm`: the training forward reads
//! the input twice (statistics) and writes it once (the affine transform), the backward reads
//! it twice, where the composite of means, subtractions and products took a dozen passes and
//! as many temporaries. The backward rule runs the fused kernels when no graph is being built;
//! under `create_graph` it is written with differentiable tensor ops (R12), so a gradient
//! penalty through a BatchNorm network differentiates twice.

mod cpu;

use cpu::{Ncs, Real, grad_sums, stats, transform};

use crate::autograd::{BackwardCtx, GradFn, SavedTensor, no_grad, record};
use crate::{DType, Error, Result, Tensor};

/// Running statistics a training-mode `batch_norm` updates in place.
#[derive(Clone, Copy)]
pub struct RunningStats<'a> {
    /// Per-channel running mean.
    pub mean: &'a Tensor,
    /// Per-channel running (unbiased) variance.
    pub var: &'a Tensor,
}

impl Tensor {
    /// Batch normalisation over every dim but 1, as `torch.batch_norm(input, weight, bias,
    /// running_mean, running_var, training, momentum, eps)`. Training mode normalises with the
    /// batch statistics (biased variance) and, given running statistics, updates them in
    /// place: `running = (1 - momentum) * running + momentum * batch` (unbiased variance).
    /// Eval mode normalises with the running statistics. f16/bf16 compute in f32.
    ///
    /// ```
    /// # use torch_core::{Tensor, TensorOptions};
    /// let x = Tensor::randn(&[4, 3, 5, 5], TensorOptions::default())?;
    /// let y = x.batch_norm(None, None, None, true, 0.1, 1e-5)?;
    /// assert!(y.mean()?.item()?.abs() < 1e-5);
    /// # Ok::<(), torch_core::Error>(())
    /// ```
    pub fn batch_norm(
        &self,
        weight: Option<&Tensor>,
        bias: Option<&Tensor>,
        running: Option<RunningStats<'_>>,
        training: bool,
        momentum: f64,
        eps: f64,
    ) -> Result<Tensor> {
        check(self, weight, bias, running, training)?;
        let (y, batch) = match self.dtype() {
            DType::F32 | DType::F64 => forward(self, weight, bias, running, training, eps)?,
            DType::F16 | DType::BF16 => {
                let f = |t: &Tensor| t.to_dtype(DType::F32);
                let (w, b) = (weight.map(f).transpose()?, bias.map(f).transpose()?);
                let r = running.map(|r| Ok::<_, Error>((f(r.mean)?, f(r.var)?)));
                let r = r.transpose()?;
                let r = r.as_ref().map(|(mean, var)| RunningStats { mean, var });
                let (y, batch) = forward(&f(self)?, w.as_ref(), b.as_ref(), r, training, eps)?;
                (y.to_dtype(self.dtype())?, batch)
            }
            dtype => {
                return Err(Error::UnsupportedDType {
                    op: "batch_norm",
                    dtype,
                });
            }
        };
        if let (Some(r), Some((mean, var))) = (running, batch) {
            let _g = no_grad();
            let n = (self.numel() / self.shape()[1]) as f64;
            let unbiased = var.mul_scalar(n / (n - 1.0))?;
            r.mean.copy_(
                &r.mean
                    .mul_scalar(1.0 - momentum)?
                    .add(&mean.mul_scalar(momentum)?)?,
            )?;
            r.var.copy_(
                &r.var
                    .mul_scalar(1.0 - momentum)?
                    .add(&unbiased.mul_scalar(momentum)?)?,
            )?;
        }
        Ok(y)
    }
}

fn check(
    x: &Tensor,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    running: Option<RunningStats<'_>>,
    training: bool,
) -> Result<()> {
    if x.dim() < 2 {
        return Err(Error::invalid(
            "batch_norm",
            format!("expected 2D or more input (got {}D input)", x.dim()),
        ));
    }
    let c = x.shape()[1];
    let r = running.map(|r| [("running_mean", r.mean), ("running_var", r.var)]);
    let params = [("weight", weight), ("bias", bias)];
    let named = params
        .into_iter()
        .filter_map(|(n, t)| t.map(|t| (n, t)))
        .chain(r.into_iter().flatten());
    for (name, t) in named {
        if t.shape() != [c] {
            return Err(Error::ShapeMismatch {
                op: "batch_norm",
                lhs: x.shape().to_vec(),
                rhs: t.shape().to_vec(),
                detail: format!("{name} must have one entry per channel ({c})"),
            });
        }
    }
    if training && x.numel() / c.max(1) <= 1 {
        return Err(Error::invalid(
            "batch_norm",
            format!(
                "Expected more than 1 value per channel when training, got input size {:?}",
                x.shape()
            ),
        ));
    }
    if !training && running.is_none() {
        return Err(Error::invalid(
            "batch_norm",
            "running_mean and running_var must be defined in evaluation mode",
        ));
    }
    Ok(())
}

/// The f32/f64 forward: the output (recorded) and, in training, the batch mean and biased
/// variance for the running update.
fn forward(
    x: &Tensor,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    running: Option<RunningStats<'_>>,
    training: bool,
    eps: f64,
) -> Result<(Tensor, Option<(Tensor, Tensor)>)> {
    let (y, [mean, var, invstd]) = match x.dtype() {
        DType::F64 => forward_t::<f64>(x, weight, bias, running, training, eps)?,
        _ => forward_t::<f32>(x, weight, bias, running, training, eps)?,
    };
    let mut inputs = vec![x];
    inputs.extend(weight);
    inputs.extend(bias);
    let y = record(y, &inputs, |_| {
        Box::new(BatchNormBackward {
            x: SavedTensor::input(x),
            weight: weight.map(SavedTensor::input),
            has_bias: bias.is_some(),
            mean: mean.clone(),
            invstd,
            training,
            eps,
        })
    });
    Ok((y, training.then_some((mean, var))))
}

/// Per-channel values of an optional `[C]` parameter (or `fill`) as `T`.
fn channel_values<T: Real>(t: Option<&Tensor>, c: usize, fill: f64) -> Result<Vec<T>> {
    match t {
        Some(t) => t.detach().to_dtype(T::DTYPE)?.to_vec::<T>(),
        None => Ok(vec![T::from_f64(fill); c]),
    }
}

/// Output, and the mean, variance and `1 / sqrt(var + eps)` used (batch or running), as
/// detached `[C]` tensors.
fn forward_t<T: Real>(
    x: &Tensor,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    running: Option<RunningStats<'_>>,
    training: bool,
    eps: f64,
) -> Result<(Tensor, [Tensor; 3])> {
    let g = Ncs::of(x.shape());
    let x = x.detach().contiguous()?;
    let (w, b) = (
        channel_values::<T>(weight, g.c, 1.0)?,
        channel_values::<T>(bias, g.c, 0.0)?,
    );
    let (mean, var): (Vec<T>, Vec<T>) = match running {
        Some(r) if !training => (
            channel_values::<T>(Some(r.mean), g.c, 0.0)?,
            channel_values::<T>(Some(r.var), g.c, 1.0)?,
        ),
        _ => x.with_slice(|xs: &[T]| stats(xs, g))?.into_iter().unzip(),
    };
    let e = T::from_f64(eps);
    let invstd: Vec<T> = var.iter().map(|&v| T::one() / (v + e).sqrt()).collect();
    let coef: Vec<[T; 3]> = (0..g.c)
        .map(|c| {
            let scale = w[c] * invstd[c];
            [scale, T::zero(), b[c] - mean[c] * scale]
        })
        .collect();
    let y = x.with_slice(|xs: &[T]| transform(xs, xs, &coef, g, x.shape()))?;
    let vector = |v: Vec<T>| Tensor::from_vec(v, &[g.c]);
    Ok((y, [vector(mean)?, vector(var)?, vector(invstd)?]))
}

/// `y = (x - mean) * invstd * w + b` with batch (training) or running (eval) statistics.
struct BatchNormBackward {
    x: SavedTensor,
    weight: Option<SavedTensor>,
    has_bias: bool,
    /// The statistics the forward used, detached `[C]`.
    mean: Tensor,
    invstd: Tensor,
    training: bool,
    eps: f64,
}

impl GradFn for BatchNormBackward {
    fn name(&self) -> &'static str {
        "NativeBatchNormBackward"
    }

    fn backward(&self, ctx: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let x = self.x.unpack(ctx)?;
        let w = self.weight.as_ref().map(|w| w.unpack(ctx)).transpose()?;
        let (gx, gw, gb) = if ctx.create_graph() {
            self.composite(&x, w.as_ref(), g)?
        } else {
            match x.dtype() {
                DType::F64 => self.fused::<f64>(&x, w.as_ref(), g)?,
                _ => self.fused::<f32>(&x, w.as_ref(), g)?,
            }
        };
        let mut v = vec![Some(gx)];
        if w.is_some() {
            v.push(Some(gw));
        }
        if self.has_bias {
            v.push(Some(gb));
        }
        Ok(v)
    }
}

impl BatchNormBackward {
    /// The fused rule (PyTorch's `batch_norm_backward_cpu`): with `d = sum g (x - mean)`,
    /// `gb = sum g`, `gw = d invstd`, and in training
    /// `gx = (g - gb / M - (x - mean) d invstd^2 / M) invstd w`; in eval `gx = g invstd w`.
    fn fused<T: Real>(
        &self,
        x: &Tensor,
        w: Option<&Tensor>,
        g: &Tensor,
    ) -> Result<(Tensor, Tensor, Tensor)> {
        let geo = Ncs::of(x.shape());
        let (x, g) = (x.contiguous()?, g.to_dtype(T::DTYPE)?.contiguous()?);
        let mean = self.mean.to_vec::<T>()?;
        let invstd = self.invstd.to_vec::<T>()?;
        let w = channel_values::<T>(w, geo.c, 1.0)?;
        let sums =
            g.with_slice(|gs: &[T]| x.with_slice(|xs: &[T]| grad_sums(gs, xs, &mean, geo)))??;
        let m = T::from_f64(geo.count() as f64);
        let coef: Vec<[T; 3]> = (0..geo.c)
            .map(|c| {
                let (sg, dot) = sums[c];
                let a = invstd[c] * w[c];
                if !self.training {
                    return [a, T::zero(), T::zero()];
                }
                // gx = a g - k x + (k mean - a sg / M), k = a dot invstd^2 / M.
                let k = a * dot * invstd[c] * invstd[c] / m;
                [a, -k, k * mean[c] - a * sg / m]
            })
            .collect();
        let gx = g.with_slice(|gs: &[T]| {
            x.with_slice(|xs: &[T]| transform(gs, xs, &coef, geo, x.shape()))
        })??;
        let (gb, gw): (Vec<T>, Vec<T>) = sums
            .iter()
            .zip(&invstd)
            .map(|(&(sg, dot), &i)| (sg, dot * i))
            .unzip();
        Ok((
            gx,
            Tensor::from_vec(gw, &[geo.c])?,
            Tensor::from_vec(gb, &[geo.c])?,
        ))
    }

    /// The same rule with differentiable tensor ops; in training the statistics are
    /// recomputed from `x` so their dependence on `x` is part of the new graph.
    fn composite(
        &self,
        x: &Tensor,
        w: Option<&Tensor>,
        g: &Tensor,
    ) -> Result<(Tensor, Tensor, Tensor)> {
        let mut shape = vec![1i64; x.dim()];
        shape[1] = x.shape()[1] as i64;
        let dims: Vec<i64> = (0..x.dim() as i64).filter(|&d| d != 1).collect();
        let (xhat, invstd) = if self.training {
            let mean = x.mean_dim(&dims, true)?;
            let xc = x.sub(&mean)?;
            let invstd = xc
                .mul(&xc)?
                .mean_dim(&dims, true)?
                .add_scalar(self.eps)?
                .rsqrt()?;
            (xc.mul(&invstd)?, invstd)
        } else {
            let invstd = self.invstd.reshape(&shape)?;
            (x.sub(&self.mean.reshape(&shape)?)?.mul(&invstd)?, invstd)
        };
        let gxhat = match w {
            Some(w) => g.mul(&w.reshape(&shape)?)?,
            None => g.clone(),
        };
        let gx = if self.training {
            let proj = xhat.mul(&gxhat.mul(&xhat)?.mean_dim(&dims, true)?)?;
            gxhat
                .sub(&gxhat.mean_dim(&dims, true)?)?
                .sub(&proj)?
                .mul(&invstd)?
        } else {
            gxhat.mul(&invstd)?
        };
        let gw = g.mul(&xhat)?.sum_dim(&dims, false)?;
        Ok((gx, gw, g.sum_dim(&dims, false)?))
    }
}
