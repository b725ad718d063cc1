//! `NAdam` (torch.optim.NAdam): Adam with Nesterov momentum and a momentum schedule
//! (`momentum_decay`), optionally with decoupled weight decay.

use torch_core::{Result, Tensor};

use super::adam::validate_adam;
use super::core::{Algorithm, ParamState, check};
use super::inplace::{addcdiv_, addcmul_, lerp_};
use super::options::hyper_options;

hyper_options! {
    /// Options of [`NAdam`]; `Default` holds PyTorch's defaults.
    pub struct NAdamOptions {
        /// Learning rate (`lr=2e-3`).
        lr: f64 = 2e-3,
        /// Decay rates of the first and second moment (`betas=(0.9, 0.999)`).
        betas: (f64, f64) = (0.9, 0.999),
        /// Added to the denominator (`eps=1e-8`).
        eps: f64 = 1e-8,
        /// Weight decay (`weight_decay=0`).
        weight_decay: f64 = 0.0,
        /// Momentum schedule: `μ_t = β1 (1 - 0.5 · 0.96^(t momentum_decay))`
        /// (`momentum_decay=4e-3`).
        momentum_decay: f64 = 4e-3,
        /// Decay the weights directly as AdamW (`decoupled_weight_decay=False`).
        decoupled_weight_decay: bool = false,
        /// Maximize the objective (`maximize=False`).
        maximize: bool = false,
    }
}

impl Algorithm for NAdamOptions {
    const NAME: &'static str = "NAdam";
    const STATE_KEYS: &'static [&'static str] = &["step", "mu_product", "exp_avg", "exp_avg_sq"];

    fn validate(&self) -> Result<()> {
        validate_adam(Self::NAME, self.lr, self.betas, self.eps, self.weight_decay)?;
        check(
            0.0 <= self.momentum_decay,
            Self::NAME,
            "momentum_decay value",
            self.momentum_decay,
        )
    }

    fn init_state(&self, param: &Tensor) -> Result<ParamState> {
        let mut s = ParamState::default();
        s.set_scalar("step", 0.0);
        s.set_scalar("mu_product", 1.0);
        s.insert("exp_avg", param.zeros_like()?);
        s.insert("exp_avg_sq", param.zeros_like()?);
        Ok(s)
    }

    fn update(&self, param: &Tensor, grad: &Tensor, state: &mut ParamState) -> Result<()> {
        let (beta1, beta2) = self.betas;
        let mut grad = if self.maximize {
            grad.neg()?
        } else {
            grad.clone()
        };
        let exp_avg = state.buffer("exp_avg", param)?;
        let exp_avg_sq = state.buffer("exp_avg_sq", param)?;
        let step = state.increment_step()?;
        let bias_correction2 = 1.0 - beta2.powf(step);

        if self.weight_decay != 0.0 {
            if self.decoupled_weight_decay {
                param.mul_scalar_(1.0 - self.lr * self.weight_decay)?;
            } else {
                grad = grad.add_alpha(param, self.weight_decay)?;
            }
        }

        let mu = beta1 * (1.0 - 0.5 * 0.96f64.powf(step * self.momentum_decay));
        let mu_next = beta1 * (1.0 - 0.5 * 0.96f64.powf((step + 1.0) * self.momentum_decay));
        // `mu_product` is a float32 tensor in PyTorch: the product is rounded to f32.
        let mu_product = state.scalar("mu_product", 1.0)? as f32 * mu as f32;
        let mu_product = state.set_scalar("mu_product", mu_product as f64);

        lerp_(&exp_avg, &grad, 1.0 - beta1)?;
        exp_avg_sq.mul_scalar_(beta2)?;
        addcmul_(&exp_avg_sq, &grad, &grad, 1.0 - beta2)?;
        let denom = exp_avg_sq
            .div_scalar(bias_correction2)?
            .sqrt()?
            .add_scalar(self.eps)?;

        let mu_product_next = mu_product * mu_next;
        addcdiv_(
            param,
            &grad,
            &denom,
            -self.lr * (1.0 - mu) / (1.0 - mu_product),
        )?;
        addcdiv_(
            param,
            &exp_avg,
            &denom,
            (-self.lr * mu_next) / (1.0 - mu_product_next),
        )
    }
}

super::optimizer! {
    /// torch.optim.NAdam. With `g = ±grad (+ weight_decay p)` and `μ_t` from
    /// `momentum_decay`: `m`, `v` as Adam, `d = sqrt(v / (1 - β2^t)) + eps`,
    /// `p -= lr (1 - μ_t) / (1 - Πμ) · g / d + lr μ_{t+1} / (1 - Πμ · μ_{t+1}) · m / d`.
    ///
    /// ```
    /// # use torch_nn::{Linear, Module};
    /// use torch_nn::optim::{NAdam, NAdamOptions};
    /// # let model = Linear::new(4, 2)?;
    /// let opt = NAdam::new(model.parameters(), NAdamOptions::default())?;
    /// # Ok::<(), torch_core::Error>(())
    /// ```
    NAdam, NAdamOptions
}
