//! `Adadelta` (torch.optim.Adadelta): step sizes from running averages of squared gradients
//! and squared updates.

use torch_core::{Result, Tensor};

use super::core::{Algorithm, ParamState, check};
use super::inplace::{addcmul_, effective_grad};
use super::options::hyper_options;

hyper_options! {
    /// Options of [`Adadelta`]; `Default` holds PyTorch's defaults.
    pub struct AdadeltaOptions {
        /// Scales the update (`lr=1.0`).
        lr: f64 = 1.0,
        /// Running-average coefficient (`rho=0.9`).
        rho: f64 = 0.9,
        /// Added inside the square roots (`eps=1e-6`).
        eps: f64 = 1e-6,
        /// L2 penalty (`weight_decay=0`).
        weight_decay: f64 = 0.0,
        /// Maximize the objective (`maximize=False`).
        maximize: bool = false,
    }
}

impl Algorithm for AdadeltaOptions {
    const NAME: &'static str = "Adadelta";
    const STATE_KEYS: &'static [&'static str] = &["step", "square_avg", "acc_delta"];

    fn validate(&self) -> Result<()> {
        let n = Self::NAME;
        check(0.0 <= self.lr, n, "learning rate", self.lr)?;
        check((0.0..=1.0).contains(&self.rho), n, "rho value", self.rho)?;
        check(0.0 <= self.eps, n, "epsilon value", self.eps)?;
        check(
            0.0 <= self.weight_decay,
            n,
            "weight_decay value",
            self.weight_decay,
        )
    }

    fn init_state(&self, param: &Tensor) -> Result<ParamState> {
        let mut s = ParamState::default();
        s.set_scalar("step", 0.0);
        s.insert("square_avg", param.zeros_like()?);
        s.insert("acc_delta", param.zeros_like()?);
        Ok(s)
    }

    fn update(&self, param: &Tensor, grad: &Tensor, state: &mut ParamState) -> Result<()> {
        state.increment_step()?;
        let grad = effective_grad(param, grad, self.maximize, self.weight_decay)?;
        let square_avg = state.buffer("square_avg", param)?;
        let acc_delta = state.buffer("acc_delta", param)?;
        square_avg.mul_scalar_(self.rho)?;
        addcmul_(&square_avg, &grad, &grad, 1.0 - self.rho)?;
        let std = square_avg.add_scalar(self.eps)?.sqrt()?;
        let delta = acc_delta
            .add_scalar(self.eps)?
            .sqrt()?
            .div(&std)?
            .mul(&grad)?;
        acc_delta.mul_scalar_(self.rho)?;
        addcmul_(&acc_delta, &delta, &delta, 1.0 - self.rho)?;
        param.add_alpha_(&delta, -self.lr)
    }
}

super::optimizer! {
    /// torch.optim.Adadelta. With `g = ±grad (+ weight_decay p)`:
    /// `v = ρ v + (1 - ρ) g²`, `Δ = sqrt(u + eps) / sqrt(v + eps) · g`,
    /// `u = ρ u + (1 - ρ) Δ²`, `p -= lr Δ`.
    ///
    /// ```
    /// # use torch_nn::{Linear, Module};
    /// use torch_nn::optim::{Adadelta, AdadeltaOptions};
    /// # let model = Linear::new(4, 2)?;
    /// let opt = Adadelta::new(model.parameters(), AdadeltaOptions::default())?;
    /// # Ok::<(), torch_core::Error>(())
    /// ```
    Adadelta, AdadeltaOptions
}
