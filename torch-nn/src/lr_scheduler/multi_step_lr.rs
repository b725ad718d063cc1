//! `MultiStepLR`: multiplies the lr by `gamma` at each milestone epoch.

use serde_json::{Map, Value};
use torch_core::Result;

use super::core::{SchedulerCore, read};
use super::{LRScheduler, finish};
use crate::optim::Optimizer;
use crate::optim::options::json_f64;

/// Options of [`MultiStepLR`]; `Default` holds PyTorch's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MultiStepLROptions {
    /// Multiplicative decay (`gamma=0.1`).
    pub gamma: f64,
    /// Last epoch of a resumed run (`last_epoch=-1`).
    pub last_epoch: i64,
}

impl Default for MultiStepLROptions {
    fn default() -> Self {
        MultiStepLROptions {
            gamma: 0.1,
            last_epoch: -1,
        }
    }
}

/// torch.optim.lr_scheduler.MultiStepLR: `lr = base_lr · gamma^(milestones passed)`; a
/// milestone listed twice decays twice (PyTorch keeps a `Counter`).
pub struct MultiStepLR {
    core: SchedulerCore,
    /// Sorted, with repeats.
    milestones: Vec<i64>,
    gamma: f64,
}

impl MultiStepLR {
    /// Decays at each epoch of `milestones`; writes the epoch-0 lr into `opt`.
    pub fn new(
        opt: &mut dyn Optimizer,
        milestones: &[i64],
        options: MultiStepLROptions,
    ) -> Result<Self> {
        let mut milestones = milestones.to_vec();
        milestones.sort_unstable();
        let core = SchedulerCore::new("MultiStepLR", opt, options.last_epoch)?;
        finish(
            MultiStepLR {
                core,
                milestones,
                gamma: options.gamma,
            },
            opt,
        )
    }
}

impl LRScheduler for MultiStepLR {
    fn name(&self) -> &'static str {
        "MultiStepLR"
    }
    fn core(&self) -> &SchedulerCore {
        &self.core
    }
    fn core_mut(&mut self) -> &mut SchedulerCore {
        &mut self.core
    }
    fn get_lr(&mut self, opt: &mut dyn Optimizer) -> Result<Vec<f64>> {
        let e = self.core.last_epoch;
        let count = self.milestones.iter().filter(|&&m| m == e).count();
        let lrs = opt.lrs();
        if count == 0 {
            return Ok(lrs);
        }
        let f = self.gamma.powf(count as f64);
        Ok(lrs.iter().map(|lr| lr * f).collect())
    }
    fn closed_form_lr(&self) -> Option<Vec<f64>> {
        // bisect_right: milestones <= last_epoch
        let passed = self
            .milestones
            .partition_point(|&m| m <= self.core.last_epoch);
        let f = self.gamma.powf(passed as f64);
        Some(self.core.base_lrs.iter().map(|b| b * f).collect())
    }
    fn extra_state(&self) -> Map<String, Value> {
        // PyTorch's Counter, as `json.dumps` writes it: {"30": 1, "80": 1}.
        let mut counter = Map::new();
        for m in &self.milestones {
            let c = counter.entry(m.to_string()).or_insert(Value::from(0));
            *c = Value::from(c.as_i64().unwrap_or(0) + 1);
        }
        let mut m = Map::new();
        m.insert("milestones".into(), Value::Object(counter));
        m.insert("gamma".into(), json_f64(self.gamma));
        m
    }
    fn load_extra_state(&mut self, m: &Map<String, Value>) -> Result<()> {
        if let Some(Value::Object(counter)) = m.get("milestones") {
            let mut ms = Vec::new();
            for (k, v) in counter {
                let (Ok(epoch), Some(n)) = (k.parse::<i64>(), v.as_u64()) else {
                    return Err(torch_core::Error::invalid(
                        "MultiStepLR",
                        format!("load_state_dict: bad milestone entry {k}: {v}"),
                    ));
                };
                ms.extend(std::iter::repeat_n(epoch, n as usize));
            }
            ms.sort_unstable();
            self.milestones = ms;
        }
        read("MultiStepLR", m, "gamma", &mut self.gamma)
    }
}
