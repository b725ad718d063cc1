//! `SGD` (torch.optim.SGD): stochastic gradient descent with momentum, dampening, Nesterov
//! momentum, weight decay and maximize.

use torch_core::{Result, Tensor};

use super::core::{Algorithm, ParamState, check, invalid};
use super::inplace::effective_grad;
use super::options::hyper_options;

hyper_options! {
    /// Options of [`SGD`]; `Default` holds PyTorch's defaults.
    pub struct SGDOptions {
        /// Learning rate (`lr=1e-3`).
        lr: f64 = 1e-3,
        /// Momentum factor (`momentum=0`).
        momentum: f64 = 0.0,
        /// Dampening for momentum (`dampening=0`).
        dampening: f64 = 0.0,
        /// L2 penalty added to the gradient (`weight_decay=0`).
        weight_decay: f64 = 0.0,
        /// Nesterov momentum (`nesterov=False`).
        nesterov: bool = false,
        /// Maximize the objective (`maximize=False`).
        maximize: bool = false,
    }
}

impl Algorithm for SGDOptions {
    const NAME: &'static str = "SGD";
    const STATE_KEYS: &'static [&'static str] = &["momentum_buffer"];

    fn validate(&self) -> Result<()> {
        let n = Self::NAME;
        // `lr < 0.0` as PyTorch's SGD tests it (NaN passes).
        check(
            self.lr >= 0.0 || self.lr.is_nan(),
            n,
            "learning rate",
            self.lr,
        )?;
        check(
            self.momentum >= 0.0 || self.momentum.is_nan(),
            n,
            "momentum value",
            self.momentum,
        )?;
        check(
            self.weight_decay >= 0.0 || self.weight_decay.is_nan(),
            n,
            "weight_decay value",
            self.weight_decay,
        )?;
        if self.nesterov && (self.momentum <= 0.0 || self.dampening != 0.0) {
            return Err(invalid(
                n,
                "Nesterov momentum requires a momentum and zero dampening",
            ));
        }
        Ok(())
    }

    fn update(&self, param: &Tensor, grad: &Tensor, state: &mut ParamState) -> Result<()> {
        if self.momentum != 0.0
            && let Some(buf) = state.get("momentum_buffer")
            && self.fused_step(param, grad, buf)?
        {
            return Ok(());
        }
        let mut grad = effective_grad(param, grad, self.maximize, self.weight_decay)?;
        if self.momentum != 0.0 {
            let buf = match state.get("momentum_buffer") {
                None => {
                    let buf = grad.detach().deep_clone()?;
                    state.insert("momentum_buffer", buf.clone());
                    buf
                }
                Some(buf) => {
                    buf.mul_scalar_(self.momentum)?;
                    buf.add_alpha_(&grad, 1.0 - self.dampening)?;
                    buf.clone()
                }
            };
            grad = if self.nesterov {
                grad.add_alpha(&buf, self.momentum)?
            } else {
                buf
            };
        }
        param.add_alpha_(&grad, -self.lr)
    }
}

super::optimizer! {
    /// torch.optim.SGD. For each parameter with a gradient `g`:
    /// `g = ±g + weight_decay p`; with momentum `b = momentum b + (1 - dampening) g` (the
    /// first step copies `g`), `g = nesterov ? g + momentum b : b`; then `p -= lr g`. With
    /// a momentum buffer, contiguous f32/f64 tensors take all of it in one pass, as
    /// PyTorch's `fused=True` does, with the same results as the op-by-op form.
    ///
    /// ```
    /// # use torch_nn::{Linear, Module};
    /// use torch_nn::optim::{SGD, SGDOptions};
    /// # let model = Linear::new(4, 2)?;
    /// let opt = SGD::new(model.parameters(), SGDOptions { lr: 0.1, momentum: 0.9, ..Default::default() })?;
    /// # Ok::<(), torch_core::Error>(())
    /// ```
    SGD, SGDOptions
}
