//! `AdamW` (torch.optim.AdamW): Adam with decoupled weight decay, default `weight_decay=1e-2`.

use torch_core::{Result, Tensor};

use super::adam::{AdamOptions, adam_state, validate_adam};
use super::core::{Algorithm, ParamState};
use super::options::hyper_options;

hyper_options! {
    /// Options of [`AdamW`]; `Default` holds PyTorch's defaults.
    pub struct AdamWOptions {
        /// Learning rate (`lr=1e-3`).
        lr: f64 = 1e-3,
        /// Decay rates of the first and second moment (`betas=(0.9, 0.999)`).
        betas: (f64, f64) = (0.9, 0.999),
        /// Added to the denominator (`eps=1e-8`).
        eps: f64 = 1e-8,
        /// Decoupled weight decay, `p *= 1 - lr weight_decay` (`weight_decay=1e-2`).
        weight_decay: f64 = 1e-2,
        /// AMSGrad (`amsgrad=False`).
        amsgrad: bool = false,
        /// Maximize the objective (`maximize=False`).
        maximize: bool = false,
    }
}

impl AdamWOptions {
    fn as_adam(&self) -> AdamOptions {
        AdamOptions {
            lr: self.lr,
            betas: self.betas,
            eps: self.eps,
            weight_decay: self.weight_decay,
            amsgrad: self.amsgrad,
            maximize: self.maximize,
            decoupled_weight_decay: true,
        }
    }
}

impl Algorithm for AdamWOptions {
    const NAME: &'static str = "AdamW";
    const STATE_KEYS: &'static [&'static str] = AdamOptions::STATE_KEYS;

    fn validate(&self) -> Result<()> {
        validate_adam(Self::NAME, self.lr, self.betas, self.eps, self.weight_decay)
    }

    fn init_state(&self, param: &Tensor) -> Result<ParamState> {
        adam_state(param, self.amsgrad)
    }

    fn update(&self, param: &Tensor, grad: &Tensor, state: &mut ParamState) -> Result<()> {
        self.as_adam().update(param, grad, state)
    }
}

super::optimizer! {
    /// torch.optim.AdamW: [`Adam`](super::Adam)'s rule with `p *= 1 - lr weight_decay` before
    /// the moment update instead of an L2 term in the gradient.
    ///
    /// ```
    /// # use torch_nn::{Linear, Module};
    /// use torch_nn::optim::{AdamW, AdamWOptions};
    /// # let model = Linear::new(4, 2)?;
    /// let opt = AdamW::new(model.parameters(), AdamWOptions { lr: 3e-4, ..Default::default() })?;
    /// # Ok::<(), torch_core::Error>(())
    /// ```
    AdamW, AdamWOptions
}
