//! `Adamax` (torch.optim.Adamax): Adam with the infinity norm in place of the second moment.

use torch_core::{Result, Tensor};

use super::adam::validate_adam;
use super::core::{Algorithm, ParamState};
use super::inplace::{addcdiv_, effective_grad, lerp_};
use super::options::hyper_options;

hyper_options! {
    /// Options of [`Adamax`]; `Default` holds PyTorch's defaults.
    pub struct AdamaxOptions {
        /// Learning rate (`lr=2e-3`).
        lr: f64 = 2e-3,
        /// Decay rates of the first moment and the infinity norm (`betas=(0.9, 0.999)`).
        betas: (f64, f64) = (0.9, 0.999),
        /// Added to `|g|` (`eps=1e-8`).
        eps: f64 = 1e-8,
        /// L2 penalty (`weight_decay=0`).
        weight_decay: f64 = 0.0,
        /// Maximize the objective (`maximize=False`).
        maximize: bool = false,
    }
}

impl Algorithm for AdamaxOptions {
    const NAME: &'static str = "Adamax";
    const STATE_KEYS: &'static [&'static str] = &["step", "exp_avg", "exp_inf"];

    fn validate(&self) -> Result<()> {
        validate_adam(Self::NAME, self.lr, self.betas, self.eps, self.weight_decay)
    }

    fn init_state(&self, param: &Tensor) -> Result<ParamState> {
        let mut s = ParamState::default();
        s.set_scalar("step", 0.0);
        s.insert("exp_avg", param.zeros_like()?);
        s.insert("exp_inf", param.zeros_like()?);
        Ok(s)
    }

    fn update(&self, param: &Tensor, grad: &Tensor, state: &mut ParamState) -> Result<()> {
        let (beta1, beta2) = self.betas;
        let grad = effective_grad(param, grad, self.maximize, self.weight_decay)?;
        let exp_avg = state.buffer("exp_avg", param)?;
        let exp_inf = state.buffer("exp_inf", param)?;
        let step = state.increment_step()?;
        lerp_(&exp_avg, &grad, 1.0 - beta1)?;
        exp_inf.mul_scalar_(beta2)?;
        exp_inf.copy_(&exp_inf.maximum(&grad.abs()?.add_scalar(self.eps)?)?)?;
        let clr = self.lr / (1.0 - beta1.powf(step));
        addcdiv_(param, &exp_avg, &exp_inf, -clr)
    }
}

super::optimizer! {
    /// torch.optim.Adamax. With `g = ±grad (+ weight_decay p)`:
    /// `m = β1 m + (1 - β1) g`, `u = max(β2 u, |g| + eps)`, `p -= lr / (1 - β1^t) · m / u`.
    ///
    /// ```
    /// # use torch_nn::{Linear, Module};
    /// use torch_nn::optim::{Adamax, AdamaxOptions};
    /// # let model = Linear::new(4, 2)?;
    /// let opt = Adamax::new(model.parameters(), AdamaxOptions::default())?;
    /// # Ok::<(), torch_core::Error>(())
    /// ```
    Adamax, AdamaxOptions
}
