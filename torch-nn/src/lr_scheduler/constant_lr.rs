//! `ConstantLR`: scales the lr by a constant factor until `total_iters` epochs have passed.

use serde_json::{Map, Value};
use torch_core::{Error, Result};

use super::core::{SchedulerCore, read};
use super::{LRScheduler, finish};
use crate::optim::Optimizer;
use crate::optim::options::json_f64;

/// Options of [`ConstantLR`]; `Default` holds PyTorch's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConstantLROptions {
    /// The factor applied until `total_iters` (`factor=1/3`), in `[0, 1]`.
    pub factor: f64,
    /// Number of epochs the factor applies (`total_iters=5`).
    pub total_iters: i64,
    /// Last epoch of a resumed run (`last_epoch=-1`).
    pub last_epoch: i64,
}

impl Default for ConstantLROptions {
    fn default() -> Self {
        ConstantLROptions {
            factor: 1.0 / 3.0,
            total_iters: 5,
            last_epoch: -1,
        }
    }
}

/// torch.optim.lr_scheduler.ConstantLR: `lr = base_lr · factor` for epochs
/// `< total_iters`, then `base_lr`.
pub struct ConstantLR {
    core: SchedulerCore,
    factor: f64,
    total_iters: i64,
}

impl ConstantLR {
    /// Errors with PyTorch's message when `factor` is outside `[0, 1]`.
    pub fn new(opt: &mut dyn Optimizer, options: ConstantLROptions) -> Result<Self> {
        if options.factor > 1.0 || options.factor < 0.0 {
            return Err(Error::invalid(
                "ConstantLR",
                "Constant multiplicative factor expected to be between 0 and 1.",
            ));
        }
        let core = SchedulerCore::new("ConstantLR", opt, options.last_epoch)?;
        finish(
            ConstantLR {
                core,
                factor: options.factor,
                total_iters: options.total_iters,
            },
            opt,
        )
    }
}

impl LRScheduler for ConstantLR {
    fn name(&self) -> &'static str {
        "ConstantLR"
    }
    fn core(&self) -> &SchedulerCore {
        &self.core
    }
    fn core_mut(&mut self) -> &mut SchedulerCore {
        &mut self.core
    }
    fn get_lr(&mut self, opt: &mut dyn Optimizer) -> Result<Vec<f64>> {
        let e = self.core.last_epoch;
        let lrs = opt.lrs();
        if e == 0 {
            return Ok(lrs.iter().map(|lr| lr * self.factor).collect());
        }
        if e != self.total_iters {
            return Ok(lrs);
        }
        Ok(lrs.iter().map(|lr| lr * (1.0 / self.factor)).collect())
    }
    fn closed_form_lr(&self) -> Option<Vec<f64>> {
        let done = if self.core.last_epoch >= self.total_iters {
            1.0
        } else {
            0.0
        };
        let f = self.factor + done * (1.0 - self.factor);
        Some(self.core.base_lrs.iter().map(|b| b * f).collect())
    }
    fn extra_state(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("factor".into(), json_f64(self.factor));
        m.insert("total_iters".into(), Value::from(self.total_iters));
        m
    }
    fn load_extra_state(&mut self, m: &Map<String, Value>) -> Result<()> {
        read("ConstantLR", m, "factor", &mut self.factor)?;
        read("ConstantLR", m, "total_iters", &mut self.total_iters)
    }
}
