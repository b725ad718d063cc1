//! `LinearLR`: scales the lr by a factor that moves linearly from `start_factor` to
//! `end_factor` over `total_iters` epochs (warm-up).

use serde_json::{Map, Value};
use torch_core::{Error, Result};

use super::core::{SchedulerCore, read};
use super::{LRScheduler, finish};
use crate::optim::Optimizer;
use crate::optim::options::json_f64;

/// Options of [`LinearLR`]; `Default` holds PyTorch's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearLROptions {
    /// Factor at epoch 0 (`start_factor=1/3`), in `(0, 1]`.
    pub start_factor: f64,
    /// Factor from `total_iters` on (`end_factor=1.0`), in `[0, 1]`.
    pub end_factor: f64,
    /// Length of the ramp in epochs (`total_iters=5`).
    pub total_iters: i64,
    /// Last epoch of a resumed run (`last_epoch=-1`).
    pub last_epoch: i64,
}

impl Default for LinearLROptions {
    fn default() -> Self {
        LinearLROptions {
            start_factor: 1.0 / 3.0,
            end_factor: 1.0,
            total_iters: 5,
            last_epoch: -1,
        }
    }
}

/// torch.optim.lr_scheduler.LinearLR:
/// `lr = base_lr · (start + (end - start) · min(epoch, total_iters) / total_iters)`.
pub struct LinearLR {
    core: SchedulerCore,
    start_factor: f64,
    end_factor: f64,
    total_iters: i64,
}

impl LinearLR {
    /// Errors with PyTorch's messages for factors out of range.
    pub fn new(opt: &mut dyn Optimizer, options: LinearLROptions) -> Result<Self> {
        if options.start_factor > 1.0 || options.start_factor <= 0.0 {
            return Err(Error::invalid(
                "LinearLR",
                "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.",
            ));
        }
        if options.end_factor > 1.0 || options.end_factor < 0.0 {
            return Err(Error::invalid(
                "LinearLR",
                "Ending multiplicative factor expected to be between 0 and 1.",
            ));
        }
        let core = SchedulerCore::new("LinearLR", opt, options.last_epoch)?;
        finish(
            LinearLR {
                core,
                start_factor: options.start_factor,
                end_factor: options.end_factor,
                total_iters: options.total_iters,
            },
            opt,
        )
    }
}

impl LRScheduler for LinearLR {
    fn name(&self) -> &'static str {
        "LinearLR"
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
            return Ok(lrs.iter().map(|lr| lr * self.start_factor).collect());
        }
        if self.core.is_initial || e > self.total_iters {
            return Ok(lrs);
        }
        let (s, t) = (self.start_factor, self.end_factor);
        let f = 1.0 + (t - s) / (self.total_iters as f64 * s + (e - 1) as f64 * (t - s));
        Ok(lrs.iter().map(|lr| lr * f).collect())
    }
    fn closed_form_lr(&self) -> Option<Vec<f64>> {
        let (s, t) = (self.start_factor, self.end_factor);
        let n = self.total_iters.min(self.core.last_epoch) as f64;
        Some(
            self.core
                .base_lrs
                .iter()
                .map(|b| b * (s + (t - s) * n / self.total_iters as f64))
                .collect(),
        )
    }
    fn extra_state(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("start_factor".into(), json_f64(self.start_factor));
        m.insert("end_factor".into(), json_f64(self.end_factor));
        m.insert("total_iters".into(), Value::from(self.total_iters));
        m
    }
    fn load_extra_state(&mut self, m: &Map<String, Value>) -> Result<()> {
        read("LinearLR", m, "start_factor", &mut self.start_factor)?;
        read("LinearLR", m, "end_factor", &mut self.end_factor)?;
        read("LinearLR", m, "total_iters", &mut self.total_iters)
    }
}
