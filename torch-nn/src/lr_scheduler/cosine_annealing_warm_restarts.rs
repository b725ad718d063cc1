//! `CosineAnnealingWarmRestarts` (SGDR): cosine annealing that restarts every `T_i` epochs,
//! `T_i` growing by `T_mult` after each restart; can be stepped by fractional epochs.

use std::f64::consts::PI;

use serde_json::{Map, Value};
use torch_core::{Error, Result};

use super::core::{SchedulerCore, read};
use super::{LRScheduler, write_lrs};
use crate::optim::Optimizer;
use crate::optim::options::json_f64;

/// Options of [`CosineAnnealingWarmRestarts`]; `Default` holds PyTorch's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CosineAnnealingWarmRestartsOptions {
    /// Growth of the period after each restart (`T_mult=1`), >= 1.
    pub t_mult: i64,
    /// Minimum lr (`eta_min=0.0`).
    pub eta_min: f64,
    /// Last epoch of a resumed run (`last_epoch=-1`).
    pub last_epoch: i64,
}

impl Default for CosineAnnealingWarmRestartsOptions {
    fn default() -> Self {
        CosineAnnealingWarmRestartsOptions {
            t_mult: 1,
            eta_min: 0.0,
            last_epoch: -1,
        }
    }
}

/// torch.optim.lr_scheduler.CosineAnnealingWarmRestarts:
/// `lr = eta_min + (base_lr - eta_min) (1 + cos(π T_cur / T_i)) / 2`.
pub struct CosineAnnealingWarmRestarts {
    core: SchedulerCore,
    t_0: i64,
    t_i: i64,
    t_mult: i64,
    eta_min: f64,
    t_cur: f64,
}

impl CosineAnnealingWarmRestarts {
    /// First period `t_0` (> 0); errors with PyTorch's messages.
    pub fn new(
        opt: &mut dyn Optimizer,
        t_0: i64,
        options: CosineAnnealingWarmRestartsOptions,
    ) -> Result<Self> {
        let op = "CosineAnnealingWarmRestarts";
        if t_0 <= 0 {
            return Err(Error::invalid(
                op,
                format!("Expected positive integer T_0, but got {t_0}"),
            ));
        }
        if options.t_mult < 1 {
            return Err(Error::invalid(
                op,
                format!("Expected integer T_mult >= 1, but got {}", options.t_mult),
            ));
        }
        let core = SchedulerCore::new(op, opt, options.last_epoch)?;
        let mut s = CosineAnnealingWarmRestarts {
            core,
            t_0,
            t_i: t_0,
            t_mult: options.t_mult,
            eta_min: options.eta_min,
            t_cur: options.last_epoch as f64,
        };
        s.initial_step(opt)?;
        Ok(s)
    }

    /// Jumps to a possibly fractional `epoch` (`scheduler.step(epoch + i / iters)` within an
    /// epoch); errors for a negative epoch.
    pub fn step_to(&mut self, opt: &mut dyn Optimizer, epoch: f64) -> Result<()> {
        if epoch < 0.0 {
            return Err(Error::invalid(
                "CosineAnnealingWarmRestarts",
                format!("Expected non-negative epoch, but got {epoch}"),
            ));
        }
        let (t_0, t_mult) = (self.t_0 as f64, self.t_mult);
        if epoch >= t_0 {
            if t_mult == 1 {
                self.t_cur = epoch % t_0;
            } else {
                let m = t_mult as f64;
                let n = ((epoch / t_0 * (m - 1.0) + 1.0).ln() / m.ln()) as i64;
                self.t_cur = epoch - t_0 * (m.powf(n as f64) - 1.0) / (m - 1.0);
                self.t_i = self.t_0 * t_mult.pow(n as u32);
            }
        } else {
            self.t_i = self.t_0;
            self.t_cur = epoch;
        }
        self.core.last_epoch = epoch.floor() as i64;
        self.write(opt)
    }

    fn write(&mut self, opt: &mut dyn Optimizer) -> Result<()> {
        let lrs = self.get_lr(opt)?;
        write_lrs("CosineAnnealingWarmRestarts", opt, &lrs)?;
        self.core.last_lr = opt.lrs();
        Ok(())
    }
}

impl LRScheduler for CosineAnnealingWarmRestarts {
    fn name(&self) -> &'static str {
        "CosineAnnealingWarmRestarts"
    }
    fn core(&self) -> &SchedulerCore {
        &self.core
    }
    fn core_mut(&mut self) -> &mut SchedulerCore {
        &mut self.core
    }
    fn get_lr(&mut self, _opt: &mut dyn Optimizer) -> Result<Vec<f64>> {
        let eta_min = self.eta_min;
        let angle = PI * self.t_cur / self.t_i as f64;
        Ok(self
            .core
            .base_lrs
            .iter()
            .map(|b| eta_min + (b - eta_min) * (1.0 + angle.cos()) / 2.0)
            .collect())
    }
    /// Its own step, as PyTorch's (no step count; `T_cur` wraps at `T_i`).
    fn step(&mut self, opt: &mut dyn Optimizer) -> Result<()> {
        if self.core.last_epoch < 0 {
            return self.step_to(opt, 0.0);
        }
        self.core.last_epoch += 1;
        self.t_cur += 1.0;
        if self.t_cur >= self.t_i as f64 {
            self.t_cur %= self.t_i as f64;
            self.t_i *= self.t_mult;
        }
        self.write(opt)
    }
    fn step_epoch(&mut self, opt: &mut dyn Optimizer, epoch: i64) -> Result<()> {
        self.step_to(opt, epoch as f64)
    }
    fn extra_state(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("T_0".into(), Value::from(self.t_0));
        m.insert("T_i".into(), Value::from(self.t_i));
        m.insert("T_mult".into(), Value::from(self.t_mult));
        m.insert("eta_min".into(), json_f64(self.eta_min));
        m.insert("T_cur".into(), json_f64(self.t_cur));
        m
    }
    fn load_extra_state(&mut self, m: &Map<String, Value>) -> Result<()> {
        let op = "CosineAnnealingWarmRestarts";
        read(op, m, "T_0", &mut self.t_0)?;
        read(op, m, "T_i", &mut self.t_i)?;
        read(op, m, "T_mult", &mut self.t_mult)?;
        read(op, m, "eta_min", &mut self.eta_min)?;
        read(op, m, "T_cur", &mut self.t_cur)
    }
}
