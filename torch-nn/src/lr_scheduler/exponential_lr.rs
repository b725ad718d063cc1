//! `ExponentialLR`: multiplies the lr by `gamma` every epoch.

use serde_json::{Map, Value};
use torch_core::Result;

use super::core::{SchedulerCore, read};
use super::{LRScheduler, finish};
use crate::optim::Optimizer;
use crate::optim::options::json_f64;

/// Options of [`ExponentialLR`]; `Default` holds PyTorch's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExponentialLROptions {
    /// Last epoch of a resumed run (`last_epoch=-1`).
    pub last_epoch: i64,
}

impl Default for ExponentialLROptions {
    fn default() -> Self {
        ExponentialLROptions { last_epoch: -1 }
    }
}

/// torch.optim.lr_scheduler.ExponentialLR: `lr = base_lr · gamma^epoch` (chainable:
/// `lr *= gamma` each step).
pub struct ExponentialLR {
    core: SchedulerCore,
    gamma: f64,
}

impl ExponentialLR {
    /// Decays by `gamma` every epoch; writes the epoch-0 lr into `opt`.
    pub fn new(opt: &mut dyn Optimizer, gamma: f64, options: ExponentialLROptions) -> Result<Self> {
        let core = SchedulerCore::new("ExponentialLR", opt, options.last_epoch)?;
        finish(ExponentialLR { core, gamma }, opt)
    }
}

impl LRScheduler for ExponentialLR {
    fn name(&self) -> &'static str {
        "ExponentialLR"
    }
    fn core(&self) -> &SchedulerCore {
        &self.core
    }
    fn core_mut(&mut self) -> &mut SchedulerCore {
        &mut self.core
    }
    fn get_lr(&mut self, opt: &mut dyn Optimizer) -> Result<Vec<f64>> {
        let lrs = opt.lrs();
        if self.core.is_initial {
            return Ok(lrs);
        }
        Ok(lrs.iter().map(|lr| lr * self.gamma).collect())
    }
    fn closed_form_lr(&self) -> Option<Vec<f64>> {
        let f = self.gamma.powf(self.core.last_epoch as f64);
        Some(self.core.base_lrs.iter().map(|b| b * f).collect())
    }
    fn extra_state(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("gamma".into(), json_f64(self.gamma));
        m
    }
    fn load_extra_state(&mut self, m: &Map<String, Value>) -> Result<()> {
        read("ExponentialLR", m, "gamma", &mut self.gamma)
    }
}
