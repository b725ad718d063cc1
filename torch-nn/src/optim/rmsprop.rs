//! `RMSprop` (torch.optim.RMSprop): running average of squared gradients, optional momentum
//! and centering.

use torch_core::{Result, Tensor};

use super::core::{Algorithm, ParamState, check};
use super::inplace::{addcdiv_, addcmul, addcmul_, effective_grad, lerp_};
use super::options::hyper_options;

hyper_options! {
    /// Options of [`RMSprop`]; `Default` holds PyTorch's defaults.
    pub struct RMSpropOptions {
        /// Learning rate (`lr=1e-2`).
        lr: f64 = 1e-2,
        /// Smoothing constant (`alpha=0.99`).
        alpha: f64 = 0.99,
        /// Added to the denominator (`eps=1e-8`).
        eps: f64 = 1e-8,
        /// L2 penalty (`weight_decay=0`).
        weight_decay: f64 = 0.0,
        /// Momentum factor (`momentum=0`).
        momentum: f64 = 0.0,
        /// Normalise by the estimated variance instead of the second moment (`centered=False`).
        centered: bool = false,
        /// Maximize the objective (`maximize=False`).
        maximize: bool = false,
    }
}

impl Algorithm for RMSpropOptions {
    const NAME: &'static str = "RMSprop";
    const STATE_KEYS: &'static [&'static str] =
        &["step", "square_avg", "momentum_buffer", "grad_avg"];

    fn validate(&self) -> Result<()> {
        let n = Self::NAME;
        check(0.0 <= self.lr, n, "learning rate", self.lr)?;
        check(0.0 <= self.eps, n, "epsilon value", self.eps)?;
        check(0.0 <= self.momentum, n, "momentum value", self.momentum)?;
        check(
            0.0 <= self.weight_decay,
            n,
            "weight_decay value",
            self.weight_decay,
        )?;
        check(0.0 <= self.alpha, n, "alpha value", self.alpha)
    }

    fn init_state(&self, param: &Tensor) -> Result<ParamState> {
        let mut s = ParamState::default();
        s.set_scalar("step", 0.0);
        s.insert("square_avg", param.zeros_like()?);
        if self.momentum > 0.0 {
            s.insert("momentum_buffer", param.zeros_like()?);
        }
        if self.centered {
            s.insert("grad_avg", param.zeros_like()?);
        }
        Ok(s)
    }

    fn update(&self, param: &Tensor, grad: &Tensor, state: &mut ParamState) -> Result<()> {
        let grad = effective_grad(param, grad, self.maximize, self.weight_decay)?;
        let square_avg = state.buffer("square_avg", param)?;
        state.increment_step()?;

        square_avg.mul_scalar_(self.alpha)?;
        addcmul_(&square_avg, &grad, &grad, 1.0 - self.alpha)?;

        let avg = if self.centered {
            let grad_avg = state.buffer("grad_avg", param)?;
            lerp_(&grad_avg, &grad, 1.0 - self.alpha)?;
            addcmul(&square_avg, &grad_avg, &grad_avg, -1.0)?.sqrt()?
        } else {
            square_avg.sqrt()?
        };
        let avg = avg.add_scalar(self.eps)?;

        if self.momentum > 0.0 {
            let buf = state.buffer("momentum_buffer", param)?;
            buf.mul_scalar_(self.momentum)?;
            addcdiv_(&buf, &grad, &avg, 1.0)?;
            param.add_alpha_(&buf, -self.lr)
        } else {
            addcdiv_(param, &grad, &avg, -self.lr)
        }
    }
}

super::optimizer! {
    /// torch.optim.RMSprop. With `g = ±grad (+ weight_decay p)`:
    /// `v = α v + (1 - α) g²`; centered: `ḡ = α ḡ + (1 - α) g`, `v' = v - ḡ²`;
    /// `d = sqrt(v') + eps`; momentum: `b = momentum b + g / d`, `p -= lr b`; else
    /// `p -= lr g / d`.
    ///
    /// ```
    /// # use torch_nn::{Linear, Module};
    /// use torch_nn::optim::{RMSprop, RMSpropOptions};
    /// # let model = Linear::new(4, 2)?;
    /// let opt = RMSprop::new(model.parameters(), RMSpropOptions { lr: 1e-3, ..Default::default() })?;
    /// # Ok::<(), torch_core::Error>(())
    /// ```
    RMSprop, RMSpropOptions
}
