//! `RAdam` (torch.optim.RAdam): Adam with a rectified adaptive learning rate (plain momentum
//! SGD while the variance estimate is unreliable), optionally with decoupled weight decay.

use torch_core::{Result, Tensor};

use super::adam::validate_adam;
use super::core::{Algorithm, ParamState};
use super::inplace::{addcmul_, lerp_};
use super::options::hyper_options;

hyper_options! {
    /// Options of [`RAdam`]; `Default` holds PyTorch's defaults.
    pub struct RAdamOptions {
        /// Learning rate (`lr=1e-3`).
        lr: f64 = 1e-3,
        /// Decay rates of the first and second moment (`betas=(0.9, 0.999)`).
        betas: (f64, f64) = (0.9, 0.999),
        /// Added to the denominator (`eps=1e-8`).
        eps: f64 = 1e-8,
        /// Weight decay (`weight_decay=0`).
        weight_decay: f64 = 0.0,
        /// Decay the weights directly as AdamW (`decoupled_weight_decay=False`).
        decoupled_weight_decay: bool = false,
        /// Maximize the objective (`maximize=False`).
        maximize: bool = false,
    }
}

impl Algorithm for RAdamOptions {
    const NAME: &'static str = "RAdam";
    const STATE_KEYS: &'static [&'static str] = &["step", "exp_avg", "exp_avg_sq"];

    fn validate(&self) -> Result<()> {
        validate_adam(Self::NAME, self.lr, self.betas, self.eps, self.weight_decay)
    }

    fn init_state(&self, param: &Tensor) -> Result<ParamState> {
        let mut s = ParamState::default();
        s.set_scalar("step", 0.0);
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

        let bias_correction1 = 1.0 - beta1.powf(step);
        let bias_correction2 = 1.0 - beta2.powf(step);
        let bias_corrected_exp_avg = exp_avg.div_scalar(bias_correction1)?;
        let rho_inf = 2.0 / (1.0 - beta2) - 1.0;
        let rho_t = rho_inf - 2.0 * step * beta2.powf(step) / bias_correction2;

        let update = if rho_t > 5.0 {
            let rect = ((rho_t - 4.0) * (rho_t - 2.0) * rho_inf
                / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t))
                .powf(0.5);
            let adaptive_lr = exp_avg_sq
                .sqrt()?
                .add_scalar(self.eps)?
                .reciprocal()?
                .mul_scalar(bias_correction2.powf(0.5))?;
            bias_corrected_exp_avg
                .mul_scalar(self.lr)?
                .mul(&adaptive_lr)?
                .mul_scalar(rect)?
        } else {
            bias_corrected_exp_avg.mul_scalar(self.lr)?
        };
        param.add_alpha_(&update, -1.0)
    }
}

super::optimizer! {
    /// torch.optim.RAdam. With `g = ±grad (+ weight_decay p)`: `m`, `v` as Adam,
    /// `ρ_t = ρ∞ - 2 t β2^t / (1 - β2^t)`; when `ρ_t > 5`,
    /// `p -= lr m̂ · r_t sqrt(1 - β2^t) / (sqrt(v) + eps)` with the rectification `r_t`,
    /// else `p -= lr m̂`.
    ///
    /// ```
    /// # use torch_nn::{Linear, Module};
    /// use torch_nn::optim::{RAdam, RAdamOptions};
    /// # let model = Linear::new(4, 2)?;
    /// let opt = RAdam::new(model.parameters(), RAdamOptions::default())?;
    /// # Ok::<(), torch_core::Error>(())
    /// ```
    RAdam, RAdamOptions
}
