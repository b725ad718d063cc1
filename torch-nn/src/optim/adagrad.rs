//! `Adagrad` (torch.optim.Adagrad): per-element learning rates from the sum of squared
//! gradients, with learning-rate decay. Its state exists for every parameter from
//! construction, as in PyTorch.

use torch_core::{Result, Tensor};

use super::core::{Algorithm, ParamState, check};
use super::inplace::{addcdiv_, addcmul_, effective_grad};
use super::options::hyper_options;

hyper_options! {
    /// Options of [`Adagrad`]; `Default` holds PyTorch's defaults.
    pub struct AdagradOptions {
        /// Learning rate (`lr=1e-2`).
        lr: f64 = 1e-2,
        /// Learning-rate decay (`lr_decay=0`): step `t` uses `lr / (1 + (t - 1) lr_decay)`.
        lr_decay: f64 = 0.0,
        /// L2 penalty (`weight_decay=0`).
        weight_decay: f64 = 0.0,
        /// Starting value of the sum of squares (`initial_accumulator_value=0`).
        initial_accumulator_value: f64 = 0.0,
        /// Added to the denominator (`eps=1e-10`).
        eps: f64 = 1e-10,
        /// Maximize the objective (`maximize=False`).
        maximize: bool = false,
    }
}

impl Algorithm for AdagradOptions {
    const NAME: &'static str = "Adagrad";
    const STATE_KEYS: &'static [&'static str] = &["step", "sum"];
    const EAGER_STATE: bool = true;

    fn validate(&self) -> Result<()> {
        let n = Self::NAME;
        check(0.0 <= self.lr, n, "learning rate", self.lr)?;
        check(0.0 <= self.lr_decay, n, "lr_decay value", self.lr_decay)?;
        check(
            0.0 <= self.weight_decay,
            n,
            "weight_decay value",
            self.weight_decay,
        )?;
        check(
            0.0 <= self.initial_accumulator_value,
            n,
            "initial_accumulator_value value",
            self.initial_accumulator_value,
        )?;
        check(0.0 <= self.eps, n, "epsilon value", self.eps)
    }

    fn init_state(&self, param: &Tensor) -> Result<ParamState> {
        let mut s = ParamState::default();
        s.set_scalar("step", 0.0);
        s.insert("sum", param.full_like(self.initial_accumulator_value)?);
        Ok(s)
    }

    fn update(&self, param: &Tensor, grad: &Tensor, state: &mut ParamState) -> Result<()> {
        let step = state.increment_step()?;
        let grad = effective_grad(param, grad, self.maximize, self.weight_decay)?;
        let clr = self.lr / (1.0 + (step - 1.0) * self.lr_decay);
        let sum = match state.get("sum") {
            Some(s) => s.clone(),
            None => {
                let s = param.full_like(self.initial_accumulator_value)?;
                state.insert("sum", s.clone());
                s
            }
        };
        addcmul_(&sum, &grad, &grad, 1.0)?;
        let std = sum.sqrt()?.add_scalar(self.eps)?;
        addcdiv_(param, &grad, &std, -clr)
    }
}

super::optimizer! {
    /// torch.optim.Adagrad. With `g = ±grad (+ weight_decay p)` at step `t`:
    /// `s += g²`, `p -= lr / (1 + (t - 1) lr_decay) · g / (sqrt(s) + eps)`.
    ///
    /// ```
    /// # use torch_nn::{Linear, Module};
    /// use torch_nn::optim::{Adagrad, AdagradOptions};
    /// # let model = Linear::new(4, 2)?;
    /// let opt = Adagrad::new(model.parameters(), AdagradOptions::default())?;
    /// # Ok::<(), torch_core::Error>(())
    /// ```
    Adagrad, AdagradOptions
}
