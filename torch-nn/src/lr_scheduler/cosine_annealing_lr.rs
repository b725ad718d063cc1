//! `CosineAnnealingLR`: anneals the lr from its base value to `eta_min` along a half cosine
//! over `T_max` epochs (and back up, periodically, past `T_max`, as PyTorch's recursion does).

use std::f64::consts::PI;

use serde_json::{Map, Value};
use torch_core::{Error, Result};

use super::core::{SchedulerCore, read};
use super::{LRScheduler, finish};
use crate::optim::Optimizer;
use crate::optim::options::json_f64;

/// Options of [`CosineAnnealingLR`]; `Default` holds PyTorch's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CosineAnnealingLROptions {
    /// Minimum lr (`eta_min=0.0`).
    pub eta_min: f64,
    /// Last epoch of a resumed run (`last_epoch=-1`).
    pub last_epoch: i64,
}

impl Default for CosineAnnealingLROptions {
    fn default() -> Self {
        CosineAnnealingLROptions {
            eta_min: 0.0,
            last_epoch: -1,
        }
    }
}

/// torch.optim.lr_scheduler.CosineAnnealingLR:
/// `lr = eta_min + (base_lr - eta_min) (1 + cos(π epoch / T_max)) / 2`, computed chainably
/// from the current lr as PyTorch does.
pub struct CosineAnnealingLR {
    core: SchedulerCore,
    t_max: i64,
    eta_min: f64,
}

impl CosineAnnealingLR {
    /// Anneals over `t_max` (> 0) epochs; writes the epoch-0 lr into `opt`.
    pub fn new(
        opt: &mut dyn Optimizer,
        t_max: usize,
        options: CosineAnnealingLROptions,
    ) -> Result<Self> {
        if t_max == 0 {
            return Err(Error::invalid(
                "CosineAnnealingLR",
                "T_max must be positive, got 0",
            ));
        }
        let core = SchedulerCore::new("CosineAnnealingLR", opt, options.last_epoch)?;
        finish(
            CosineAnnealingLR {
                core,
                t_max: t_max as i64,
                eta_min: options.eta_min,
            },
            opt,
        )
    }
}

impl LRScheduler for CosineAnnealingLR {
    fn name(&self) -> &'static str {
        "CosineAnnealingLR"
    }
    fn core(&self) -> &SchedulerCore {
        &self.core
    }
    fn core_mut(&mut self) -> &mut SchedulerCore {
        &mut self.core
    }
    fn get_lr(&mut self, opt: &mut dyn Optimizer) -> Result<Vec<f64>> {
        let e = self.core.last_epoch;
        let (t_max, eta_min) = (self.t_max as f64, self.eta_min);
        let lrs = opt.lrs();
        let base = &self.core.base_lrs;
        if self.core.is_initial {
            return Ok(lrs);
        }
        if self.core.step_count == 1 && e > 0 {
            return Ok(base
                .iter()
                .map(|b| eta_min + (b - eta_min) * (1.0 + (e as f64 * PI / t_max).cos()) / 2.0)
                .collect());
        }
        if (e - 1 - self.t_max).rem_euclid(2 * self.t_max) == 0 {
            return Ok(lrs
                .iter()
                .zip(base)
                .map(|(lr, b)| lr + (b - eta_min) * (1.0 - (PI / t_max).cos()) / 2.0)
                .collect());
        }
        let ratio =
            (1.0 + (PI * e as f64 / t_max).cos()) / (1.0 + (PI * (e - 1) as f64 / t_max).cos());
        Ok(lrs
            .iter()
            .map(|lr| ratio * (lr - eta_min) + eta_min)
            .collect())
    }
    fn closed_form_lr(&self) -> Option<Vec<f64>> {
        let (e, t_max, eta_min) = (self.core.last_epoch as f64, self.t_max as f64, self.eta_min);
        Some(
            self.core
                .base_lrs
                .iter()
                .map(|b| eta_min + (b - eta_min) * (1.0 + (PI * e / t_max).cos()) / 2.0)
                .collect(),
        )
    }
    fn extra_state(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("T_max".into(), Value::from(self.t_max));
        m.insert("eta_min".into(), json_f64(self.eta_min));
        m
    }
    fn load_extra_state(&mut self, m: &Map<String, Value>) -> Result<()> {
        read("CosineAnnealingLR", m, "T_max", &mut self.t_max)?;
        read("CosineAnnealingLR", m, "eta_min", &mut self.eta_min)
    }
}
