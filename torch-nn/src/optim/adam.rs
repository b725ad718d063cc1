//! `Adam` (torch.optim.Adam): adaptive moments with bias correction, AMSGrad, maximize, and
//! L2 or decoupled (AdamW) weight decay. `AdamW` shares the update rule.

use torch_core::{Result, Tensor};

use super::core::{Algorithm, ParamState, check};
use super::inplace::{addcdiv_, addcmul_, lerp_};
use super::options::hyper_options;

hyper_options! {
    /// Options of [`Adam`]; `Default` holds PyTorch's defaults.
    pub struct AdamOptions {
        /// Learning rate (`lr=1e-3`).
        lr: f64 = 1e-3,
        /// Decay rates of the first and second moment (`betas=(0.9, 0.999)`).
        betas: (f64, f64) = (0.9, 0.999),
        /// Added to the denominator (`eps=1e-8`).
        eps: f64 = 1e-8,
        /// Weight decay (`weight_decay=0`): L2 penalty, or decoupled with
        /// `decoupled_weight_decay`.
        weight_decay: f64 = 0.0,
        /// AMSGrad: normalise by the running maximum of the second moment (`amsgrad=False`).
        amsgrad: bool = false,
        /// Maximize the objective (`maximize=False`).
        maximize: bool = false,
        /// Decay the weights directly, `p *= 1 - lr weight_decay`, as AdamW
        /// (`decoupled_weight_decay=False`).
        decoupled_weight_decay: bool = false,
    }
}

/// PyTorch's Adam/AdamW constructor checks, in its order.
pub(crate) fn validate_adam(
    name: &'static str,
    lr: f64,
    betas: (f64, f64),
    eps: f64,
    weight_decay: f64,
) -> Result<()> {
    check(0.0 <= lr, name, "learning rate", lr)?;
    check(0.0 <= eps, name, "epsilon value", eps)?;
    check(
        (0.0..1.0).contains(&betas.0),
        name,
        "beta parameter at index 0",
        betas.0,
    )?;
    check(
        (0.0..1.0).contains(&betas.1),
        name,
        "beta parameter at index 1",
        betas.1,
    )?;
    check(
        0.0 <= weight_decay,
        name,
        "weight_decay value",
        weight_decay,
    )
}

/// The state of a parameter before its first Adam update.
pub(crate) fn adam_state(param: &Tensor, amsgrad: bool) -> Result<ParamState> {
    let mut s = ParamState::default();
    s.set_scalar("step", 0.0);
    s.insert("exp_avg", param.zeros_like()?);
    s.insert("exp_avg_sq", param.zeros_like()?);
    if amsgrad {
        s.insert("max_exp_avg_sq", param.zeros_like()?);
    }
    Ok(s)
}

impl Algorithm for AdamOptions {
    const NAME: &'static str = "Adam";
    const STATE_KEYS: &'static [&'static str] =
        &["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"];

    fn validate(&self) -> Result<()> {
        validate_adam(Self::NAME, self.lr, self.betas, self.eps, self.weight_decay)
    }

    fn init_state(&self, param: &Tensor) -> Result<ParamState> {
        adam_state(param, self.amsgrad)
    }

    fn update(&self, param: &Tensor, grad: &Tensor, state: &mut ParamState) -> Result<()> {
        let (beta1, beta2) = self.betas;
        let exp_avg = state.buffer("exp_avg", param)?;
        let exp_avg_sq = state.buffer("exp_avg_sq", param)?;
        let step = state.increment_step()?;
        let bias_correction1 = 1.0 - beta1.powf(step);
        let bias_correction2 = 1.0 - beta2.powf(step);
        let step_size = self.lr / bias_correction1;
        let bias_correction2_sqrt = bias_correction2.powf(0.5);
        if !self.amsgrad
            && self.fused_step(
                (step_size, bias_correction2_sqrt),
                param,
                grad,
                &exp_avg,
                &exp_avg_sq,
            )?
        {
            return Ok(());
        }
        let mut grad = if self.maximize {
            grad.neg()?
        } else {
            grad.clone()
        };

        if self.weight_decay != 0.0 {
            if self.decoupled_weight_decay {
                param.mul_scalar_(1.0 - self.lr * self.weight_decay)?;
            } else {
                grad = grad.add_alpha(param, self.weight_decay)?;
            }
        }

        lerp_(&exp_avg, &grad, 1.0 - beta1)?;
        exp_avg_sq.mul_scalar_(beta2)?;
        addcmul_(&exp_avg_sq, &grad, &grad, 1.0 - beta2)?;

        let second = if self.amsgrad {
            let max_sq = state.buffer("max_exp_avg_sq", param)?;
            max_sq.copy_(&max_sq.maximum(&exp_avg_sq)?)?;
            max_sq
        } else {
            exp_avg_sq
        };
        let denom = second
            .sqrt()?
            .div_scalar(bias_correction2_sqrt)?
            .add_scalar(self.eps)?;
        addcdiv_(param, &exp_avg, &denom, -step_size)
    }
}

super::optimizer! {
    /// torch.optim.Adam. With `g = ±grad (+ weight_decay p)`:
    /// `m = β1 m + (1 - β1) g`, `v = β2 v + (1 - β2) g²`,
    /// `p -= lr / (1 - β1^t) · m / (sqrt(v) / sqrt(1 - β2^t) + eps)` (`v` replaced by its
    /// running maximum with `amsgrad`). Without `amsgrad`, contiguous f32/f64 parameters take
    /// the whole step in one pass over `p`, `m`, `v` and the gradient, as PyTorch's
    /// `fused=True` does, with the same results as the op-by-op form.
    ///
    /// ```
    /// # use torch_nn::{Linear, Module};
    /// use torch_nn::optim::{Adam, AdamOptions};
    /// # let model = Linear::new(4, 2)?;
    /// let opt = Adam::new(model.parameters(), AdamOptions { lr: 1e-3, ..Default::default() })?;
    /// # Ok::<(), torch_core::Error>(())
    /// ```
    Adam, AdamOptions
}
