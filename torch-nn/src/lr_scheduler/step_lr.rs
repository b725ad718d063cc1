//! `StepLR`: multiplies the lr by `gamma` every `step_size` epochs.

use serde_json::{Map, Value};
use torch_core::{Error, Result};

use super::core::{SchedulerCore, read};
use super::{LRScheduler, finish};
use crate::optim::Optimizer;
use crate::optim::options::json_f64;

/// Options of [`StepLR`]; `Default` holds PyTorch's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepLROptions {
    /// Multiplicative decay (`gamma=0.1`).
    pub gamma: f64,
    /// Last epoch of a resumed run (`last_epoch=-1`).
    pub last_epoch: i64,
}

impl Default for StepLROptions {
    fn default() -> Self {
        StepLROptions {
            gamma: 0.1,
            last_epoch: -1,
        }
    }
}

/// torch.optim.lr_scheduler.StepLR: `lr = base_lr · gamma^(epoch // step_size)`, applied
/// chainably (`lr *= gamma` at multiples of `step_size`).
pub struct StepLR {
    core: SchedulerCore,
    step_size: i64,
    gamma: f64,
}

impl StepLR {
    /// Decays every `step_size` (> 0) epochs; writes the epoch-0 lr into `opt`.
    pub fn new(opt: &mut dyn Optimizer, step_size: usize, options: StepLROptions) -> Result<Self> {
        if step_size == 0 {
            return Err(Error::invalid(
                "StepLR",
                "step_size must be positive, got 0",
            ));
        }
        let core = SchedulerCore::new("StepLR", opt, options.last_epoch)?;
        finish(
            StepLR {
                core,
                step_size: step_size as i64,
                gamma: options.gamma,
            },
            opt,
        )
    }
}

impl LRScheduler for StepLR {
    fn name(&self) -> &'static str {
        "StepLR"
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
        if e == 0 || e.rem_euclid(self.step_size) != 0 {
            return Ok(lrs);
        }
        Ok(lrs.iter().map(|lr| lr * self.gamma).collect())
    }
    fn closed_form_lr(&self) -> Option<Vec<f64>> {
        let k = self.core.last_epoch.div_euclid(self.step_size) as f64;
        Some(
            self.core
                .base_lrs
                .iter()
                .map(|b| b * self.gamma.powf(k))
                .collect(),
        )
    }
    fn extra_state(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("step_size".into(), Value::from(self.step_size));
        m.insert("gamma".into(), json_f64(self.gamma));
        m
    }
    fn load_extra_state(&mut self, m: &Map<String, Value>) -> Result<()> {
        read("StepLR", m, "step_size", &mut self.step_size)?;
        read("StepLR", m, "gamma", &mut self.gamma)
    }
}
