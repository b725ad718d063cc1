//! torch.optim.lr_scheduler: learning-rate schedules with PyTorch's semantics, including the
//! step at construction that writes the epoch-0 lr, `last_epoch`, `get_last_lr()`, the
//! chainable forms (each step scales the optimizer's current lr, so schedulers compose) and
//! the closed forms used by `step_epoch`.
//!
//! Schedulers do not hold the optimizer (Rust borrowing): the constructor and every `step`
//! take it, `sched.step(&mut opt)`.
//!
//! ```
//! use torch_nn::lr_scheduler::{LRScheduler, StepLR, StepLROptions};
//! use torch_nn::optim::{Optimizer, SGD, SGDOptions};
//! use torch_nn::{Linear, Module};
//!
//! let model = Linear::new(4, 2)?;
//! let mut opt = SGD::new(model.parameters(), SGDOptions { lr: 0.1, ..Default::default() })?;
//! let mut sched = StepLR::new(&mut opt, 2, StepLROptions { gamma: 0.5, ..Default::default() })?;
//! for _epoch in 0..4 {
//!     // ... train: opt.zero_grad(); loss.backward()?; opt.step()?;
//!     sched.step(&mut opt)?;
//! }
//! assert_eq!(sched.get_last_lr(), &[0.025]);
//! # Ok::<(), torch_core::Error>(())
//! ```

mod constant_lr;
mod core;
mod cosine_annealing_lr;
mod cosine_annealing_warm_restarts;
mod exponential_lr;
mod lambda_lr;
mod linear_lr;
mod multi_step_lr;
mod one_cycle_lr;
mod reduce_lr_on_plateau;
mod sequential_lr;
mod step_lr;

use serde_json::{Map, Value};
use torch_core::{Error, Result};

use crate::optim::Optimizer;

pub use self::constant_lr::{ConstantLR, ConstantLROptions};
pub use self::core::{PerGroup, SchedulerCore};
pub use self::cosine_annealing_lr::{CosineAnnealingLR, CosineAnnealingLROptions};
pub use self::cosine_annealing_warm_restarts::{
    CosineAnnealingWarmRestarts, CosineAnnealingWarmRestartsOptions,
};
pub use self::exponential_lr::{ExponentialLR, ExponentialLROptions};
pub use self::lambda_lr::{LambdaLR, LambdaLROptions, LrLambda};
pub use self::linear_lr::{LinearLR, LinearLROptions};
pub use self::multi_step_lr::{MultiStepLR, MultiStepLROptions};
pub use self::one_cycle_lr::{OneCycleLR, OneCycleLROptions};
pub use self::reduce_lr_on_plateau::{ReduceLROnPlateau, ReduceLROnPlateauOptions};
pub use self::sequential_lr::{SequentialLR, SequentialLROptions};
pub use self::step_lr::{StepLR, StepLROptions};

/// torch.optim.lr_scheduler.LRScheduler: an epoch-driven schedule. Implementations provide
/// `get_lr` (the chainable form) and optionally `closed_form_lr`; `step`, the state dict and
/// the rest come from here, as in PyTorch's base class. Object safe (`Box<dyn LRScheduler>`
/// is what [`SequentialLR`] holds).
pub trait LRScheduler: Send {
    /// The class name (`"StepLR"`).
    fn name(&self) -> &'static str;

    /// The shared fields.
    fn core(&self) -> &SchedulerCore;

    /// The shared fields, mutably.
    fn core_mut(&mut self) -> &mut SchedulerCore;

    /// The lrs for epoch `core().last_epoch` (`get_lr()`), usually from the optimizer's
    /// current lrs (chainable). May update other hyper-parameters (OneCycleLR's momentum).
    fn get_lr(&mut self, opt: &mut dyn Optimizer) -> Result<Vec<f64>>;

    /// The lrs for `core().last_epoch` from `base_lrs` alone (`_get_closed_form_lr`), for
    /// schedules that have one.
    fn closed_form_lr(&self) -> Option<Vec<f64>> {
        None
    }

    /// Scheduler-specific state-dict entries (`step_size`, `gamma`, ...).
    fn extra_state(&self) -> Map<String, Value> {
        Map::new()
    }

    /// Restores the entries of [`extra_state`](Self::extra_state) present in `state`.
    fn load_extra_state(&mut self, _state: &Map<String, Value>) -> Result<()> {
        Ok(())
    }

    /// Advances one epoch and writes the new lrs into `opt` (`scheduler.step()`); call it
    /// after `opt.step()`.
    fn step(&mut self, opt: &mut dyn Optimizer) -> Result<()> {
        self.core_mut().step_count += 1;
        self.update_lr(opt, None)
    }

    /// Jumps to `epoch`, using the closed form where there is one (`scheduler.step(epoch)`,
    /// deprecated in PyTorch).
    fn step_epoch(&mut self, opt: &mut dyn Optimizer, epoch: i64) -> Result<()> {
        self.core_mut().step_count += 1;
        self.update_lr(opt, Some(epoch))
    }

    /// `_update_lr(epoch)`: advances `last_epoch` (or sets it), computes and writes the lrs.
    fn update_lr(&mut self, opt: &mut dyn Optimizer, epoch: Option<i64>) -> Result<()> {
        let values = match epoch {
            None => {
                self.core_mut().last_epoch += 1;
                self.get_lr(opt)?
            }
            Some(e) => {
                self.core_mut().last_epoch = e;
                match self.closed_form_lr() {
                    Some(v) => v,
                    None => self.get_lr(opt)?,
                }
            }
        };
        write_lrs(self.name(), opt, &values)?;
        self.core_mut().last_lr = opt.lrs();
        Ok(())
    }

    /// The construction-time step (`_initial_step`): resets the step count and steps once
    /// with `is_initial` set.
    fn initial_step(&mut self, opt: &mut dyn Optimizer) -> Result<()> {
        self.core_mut().step_count = 0;
        self.core_mut().is_initial = true;
        let r = self.step(opt);
        self.core_mut().is_initial = false;
        r
    }

    /// The lrs the last step wrote, one per group (`get_last_lr()`).
    fn get_last_lr(&self) -> &[f64] {
        &self.core().last_lr
    }

    /// `last_epoch`.
    fn last_epoch(&self) -> i64 {
        self.core().last_epoch
    }

    /// Steps `last_epoch` back by one ([`SequentialLR`]'s `recursive_undo`).
    fn undo_epoch(&mut self) {
        self.core_mut().last_epoch -= 1;
    }

    /// The state as a JSON object with PyTorch's keys (`scheduler.state_dict()`; closures of
    /// `LambdaLR` are written as `null`).
    fn state_dict(&self) -> Value {
        let mut m = self.core().to_json();
        m.extend(self.extra_state());
        Value::Object(m)
    }

    /// Restores a state written by [`state_dict`](Self::state_dict)
    /// (`scheduler.load_state_dict(sd)`): the keys present overwrite the fields.
    fn load_state_dict(&mut self, state: &Value) -> Result<()> {
        let name = self.name();
        let m = self::core::as_object(name, state)?;
        self.core_mut().load_json(name, m)?;
        self.load_extra_state(m)
    }
}

/// Writes one lr per group, erroring when the counts differ (a group added later).
pub(crate) fn write_lrs(op: &'static str, opt: &mut dyn Optimizer, values: &[f64]) -> Result<()> {
    let n = opt.num_param_groups();
    if values.len() != n {
        return Err(Error::invalid(
            op,
            format!(
                "the optimizer has {n} param groups but the scheduler computed {} learning \
                 rates (was a group added after the scheduler was created?)",
                values.len()
            ),
        ));
    }
    for (g, lr) in values.iter().enumerate() {
        opt.set_hyper(g, "lr", *lr)?;
    }
    Ok(())
}

/// Builds a scheduler struct and runs its construction-time step.
pub(crate) fn finish<S: LRScheduler>(mut s: S, opt: &mut dyn Optimizer) -> Result<S> {
    s.initial_step(opt)?;
    Ok(s)
}
