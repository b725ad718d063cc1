//! `SequentialLR`: runs one scheduler after another, switching at milestone epochs.

use serde_json::{Map, Value};
use torch_core::{Error, Result};

use super::core::{SchedulerCore, group_value, read};
use super::{LRScheduler, write_lrs};
use crate::optim::Optimizer;

/// Options of [`SequentialLR`]; `Default` holds PyTorch's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SequentialLROptions {
    /// Last epoch of a resumed run (`last_epoch=-1`).
    pub last_epoch: i64,
}

impl Default for SequentialLROptions {
    fn default() -> Self {
        SequentialLROptions { last_epoch: -1 }
    }
}

/// torch.optim.lr_scheduler.SequentialLR: `schedulers[i]` is in charge from `milestones[i-1]`
/// on; at a milestone the next scheduler restarts from epoch 0 (closed form where it has one).
///
/// The schedulers must have been built on the same optimizer (PyTorch checks this; here the
/// optimizer is not stored, so it cannot be).
///
/// ```
/// use torch_nn::lr_scheduler::*;
/// use torch_nn::optim::{SGD, SGDOptions};
/// # use torch_nn::{Linear, Module};
/// # let model = Linear::new(4, 2)?;
/// let mut opt = SGD::new(model.parameters(), SGDOptions { lr: 0.1, ..Default::default() })?;
/// let warmup = LinearLR::new(&mut opt, LinearLROptions { total_iters: 5, ..Default::default() })?;
/// let decay = ExponentialLR::new(&mut opt, 0.9, Default::default())?;
/// let mut sched = SequentialLR::new(&mut opt, vec![Box::new(warmup), Box::new(decay)], &[5], Default::default())?;
/// sched.step(&mut opt)?;
/// # Ok::<(), torch_core::Error>(())
/// ```
pub struct SequentialLR {
    core: SchedulerCore,
    schedulers: Vec<Box<dyn LRScheduler>>,
    milestones: Vec<i64>,
}

impl SequentialLR {
    /// Resets every group's lr to its `initial_lr`, undoes the construction-time step of each
    /// scheduler and redoes the first one's. Errors with PyTorch's messages for no schedulers
    /// or a milestone count other than `schedulers.len() - 1`.
    pub fn new(
        opt: &mut dyn Optimizer,
        schedulers: Vec<Box<dyn LRScheduler>>,
        milestones: &[i64],
        options: SequentialLROptions,
    ) -> Result<Self> {
        let op = "SequentialLR";
        if schedulers.is_empty() {
            return Err(Error::invalid(
                op,
                "SequentialLR expects at least one scheduler, but got no scheduler.",
            ));
        }
        if milestones.len() != schedulers.len() - 1 {
            return Err(Error::invalid(
                op,
                format!(
                    "Sequential Schedulers expects number of schedulers provided to be one more \
                     than the number of milestone points, but got number of schedulers {} and \
                     the number of milestones to be equal to {}",
                    schedulers.len(),
                    milestones.len()
                ),
            ));
        }
        let initial = (0..opt.num_param_groups())
            .map(|g| group_value(op, opt, g, "initial_lr"))
            .collect::<Result<Vec<_>>>()?;
        write_lrs(op, opt, &initial)?;
        let mut s = SequentialLR {
            core: SchedulerCore {
                base_lrs: initial,
                last_epoch: options.last_epoch + 1,
                step_count: 0,
                last_lr: Vec::new(),
                is_initial: false,
            },
            schedulers,
            milestones: milestones.to_vec(),
        };
        s.undo_epoch();
        s.schedulers[0].initial_step(opt)?;
        s.core.last_lr = s.schedulers[0].get_last_lr().to_vec();
        Ok(s)
    }
}

impl LRScheduler for SequentialLR {
    fn name(&self) -> &'static str {
        "SequentialLR"
    }
    fn core(&self) -> &SchedulerCore {
        &self.core
    }
    fn core_mut(&mut self) -> &mut SchedulerCore {
        &mut self.core
    }
    /// The current lrs: the wrapped schedulers compute the real ones in `step`.
    fn get_lr(&mut self, opt: &mut dyn Optimizer) -> Result<Vec<f64>> {
        Ok(opt.lrs())
    }
    fn step(&mut self, opt: &mut dyn Optimizer) -> Result<()> {
        self.core.last_epoch += 1;
        let e = self.core.last_epoch;
        let idx = self.milestones.partition_point(|&m| m <= e);
        let restart = idx > 0 && self.milestones[idx - 1] == e;
        let s = &mut self.schedulers[idx];
        if restart {
            s.update_lr(opt, Some(0))?;
        } else {
            s.step(opt)?;
        }
        self.core.last_lr = s.get_last_lr().to_vec();
        Ok(())
    }
    /// PyTorch's `SequentialLR.step()` takes no epoch; neither does this.
    fn step_epoch(&mut self, _opt: &mut dyn Optimizer, _epoch: i64) -> Result<()> {
        Err(Error::invalid(
            "SequentialLR",
            "step() takes no epoch: call step(opt)",
        ))
    }
    /// Undoes the wrapped schedulers' epochs, not this one's (`recursive_undo`).
    fn undo_epoch(&mut self) {
        for s in &mut self.schedulers {
            s.undo_epoch();
        }
    }
    fn extra_state(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("_milestones".into(), Value::from(self.milestones.clone()));
        m.insert(
            "_schedulers".into(),
            Value::Array(self.schedulers.iter().map(|s| s.state_dict()).collect()),
        );
        m
    }
    fn load_extra_state(&mut self, m: &Map<String, Value>) -> Result<()> {
        read("SequentialLR", m, "_milestones", &mut self.milestones)?;
        if let Some(v) = m.get("_schedulers") {
            let states = v.as_array().filter(|a| a.len() == self.schedulers.len());
            let states = states.ok_or_else(|| {
                Error::invalid(
                    "SequentialLR",
                    format!(
                        "load_state_dict: `_schedulers` must list {} scheduler states",
                        self.schedulers.len()
                    ),
                )
            })?;
            for (s, st) in self.schedulers.iter_mut().zip(states) {
                s.load_state_dict(st)?;
            }
        }
        Ok(())
    }
}
