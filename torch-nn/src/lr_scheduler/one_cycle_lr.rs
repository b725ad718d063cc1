//! `OneCycleLR`: the 1cycle policy. The lr rises from `max_lr / div_factor` to `max_lr`,
//! then anneals to `initial_lr / final_div_factor` (optionally in three phases), while the
//! momentum (or Adam's `beta1`) moves inversely. Stepped once per batch.

use std::f64::consts::PI;

use serde_json::{Map, Value};
use torch_core::{Error, Result};

use super::core::{PerGroup, SchedulerCore, group_value, read};
use super::{LRScheduler, finish};
use crate::optim::Optimizer;
use crate::optim::options::{json_f64, py_float};

/// Options of [`OneCycleLR`]; `Default` holds PyTorch's defaults. Give `total_steps`, or
/// `epochs` and `steps_per_epoch`.
#[derive(Debug, Clone, PartialEq)]
pub struct OneCycleLROptions {
    /// Number of steps in the cycle (`total_steps=None`).
    pub total_steps: Option<usize>,
    /// Epochs, used with `steps_per_epoch` when `total_steps` is `None` (`epochs=None`).
    pub epochs: Option<usize>,
    /// Steps per epoch (`steps_per_epoch=None`).
    pub steps_per_epoch: Option<usize>,
    /// Fraction of the cycle spent increasing the lr (`pct_start=0.3`).
    pub pct_start: f64,
    /// `"cos"` or `"linear"` (`anneal_strategy="cos"`).
    pub anneal_strategy: &'static str,
    /// Cycle the momentum inversely to the lr (`cycle_momentum=True`).
    pub cycle_momentum: bool,
    /// Lowest momentum (`base_momentum=0.85`).
    pub base_momentum: PerGroup,
    /// Highest momentum (`max_momentum=0.95`).
    pub max_momentum: PerGroup,
    /// `initial_lr = max_lr / div_factor` (`div_factor=25.0`).
    pub div_factor: f64,
    /// `min_lr = initial_lr / final_div_factor` (`final_div_factor=1e4`).
    pub final_div_factor: f64,
    /// Three phases: up, back down to `initial_lr`, then to `min_lr` (`three_phase=False`).
    pub three_phase: bool,
    /// Last step of a resumed run (`last_epoch=-1`).
    pub last_epoch: i64,
}

impl Default for OneCycleLROptions {
    fn default() -> Self {
        OneCycleLROptions {
            total_steps: None,
            epochs: None,
            steps_per_epoch: None,
            pct_start: 0.3,
            anneal_strategy: "cos",
            cycle_momentum: true,
            base_momentum: PerGroup::All(0.85),
            max_momentum: PerGroup::All(0.95),
            div_factor: 25.0,
            final_div_factor: 1e4,
            three_phase: false,
            last_epoch: -1,
        }
    }
}

/// One phase: it ends at `end_step`, moving from the group value `start_lr` to `end_lr`.
#[derive(Debug, Clone, PartialEq)]
struct Phase {
    end_step: f64,
    start_lr: String,
    end_lr: String,
    start_momentum: String,
    end_momentum: String,
}

impl Phase {
    fn new(end_step: f64, keys: [&str; 4]) -> Phase {
        Phase {
            end_step,
            start_lr: keys[0].into(),
            end_lr: keys[1].into(),
            start_momentum: keys[2].into(),
            end_momentum: keys[3].into(),
        }
    }

    fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("end_step".into(), json_f64(self.end_step));
        m.insert("start_lr".into(), Value::from(self.start_lr.clone()));
        m.insert("end_lr".into(), Value::from(self.end_lr.clone()));
        m.insert(
            "start_momentum".into(),
            Value::from(self.start_momentum.clone()),
        );
        m.insert(
            "end_momentum".into(),
            Value::from(self.end_momentum.clone()),
        );
        Value::Object(m)
    }

    fn from_json(v: &Value) -> Option<Phase> {
        let m = v.as_object()?;
        let s = |k: &str| m.get(k)?.as_str().map(str::to_string);
        Some(Phase {
            end_step: crate::optim::options::f64_from_json(m.get("end_step")?)?,
            start_lr: s("start_lr")?,
            end_lr: s("end_lr")?,
            start_momentum: s("start_momentum")?,
            end_momentum: s("end_momentum")?,
        })
    }
}

/// torch.optim.lr_scheduler.OneCycleLR. Writes `initial_lr`, `max_lr`, `min_lr` (and
/// `max_momentum`, `base_momentum`) into each param group, as PyTorch does.
///
/// ```
/// use torch_nn::lr_scheduler::{LRScheduler, OneCycleLR, OneCycleLROptions};
/// use torch_nn::optim::{Optimizer, SGD, SGDOptions};
/// # use torch_nn::{Linear, Module};
/// # let model = Linear::new(4, 2)?;
/// let mut opt = SGD::new(model.parameters(), SGDOptions { lr: 0.1, momentum: 0.9, ..Default::default() })?;
/// let opts = OneCycleLROptions { total_steps: Some(100), ..Default::default() };
/// let mut sched = OneCycleLR::new(&mut opt, 1.0, opts)?;
/// assert!((opt.lrs()[0] - 0.04).abs() < 1e-12);
/// # Ok::<(), torch_core::Error>(())
/// ```
pub struct OneCycleLR {
    core: SchedulerCore,
    total_steps: i64,
    phases: Vec<Phase>,
    anneal_strategy: String,
    cycle_momentum: bool,
    use_beta1: bool,
}

impl OneCycleLR {
    /// The cycle peaks at `max_lr` (one value, or one per group). Errors with PyTorch's
    /// messages for bad step counts, `pct_start`, `anneal_strategy`, per-group lengths, or
    /// `cycle_momentum` with an optimizer that has neither `momentum` nor `betas`.
    pub fn new(
        opt: &mut dyn Optimizer,
        max_lr: impl Into<PerGroup>,
        options: OneCycleLROptions,
    ) -> Result<Self> {
        let op = "OneCycleLR";
        let total_steps = match (options.total_steps, options.epochs, options.steps_per_epoch) {
            (Some(0), ..) => {
                return Err(Error::invalid(
                    op,
                    "Expected positive integer total_steps, but got 0",
                ));
            }
            (Some(t), ..) => t,
            (None, Some(e), Some(s)) => {
                if e == 0 {
                    return Err(Error::invalid(
                        op,
                        "Expected positive integer epochs, but got 0",
                    ));
                }
                if s == 0 {
                    return Err(Error::invalid(
                        op,
                        "Expected positive integer steps_per_epoch, but got 0",
                    ));
                }
                e * s
            }
            _ => {
                return Err(Error::invalid(
                    op,
                    "You must define either total_steps OR (epochs AND steps_per_epoch)",
                ));
            }
        };
        let (t, pct) = (total_steps as f64, options.pct_start);
        let phases = if options.three_phase {
            vec![
                Phase::new(
                    pct * t - 1.0,
                    ["initial_lr", "max_lr", "max_momentum", "base_momentum"],
                ),
                Phase::new(
                    2.0 * pct * t - 2.0,
                    ["max_lr", "initial_lr", "base_momentum", "max_momentum"],
                ),
                Phase::new(
                    t - 1.0,
                    ["initial_lr", "min_lr", "max_momentum", "max_momentum"],
                ),
            ]
        } else {
            vec![
                Phase::new(
                    pct * t - 1.0,
                    ["initial_lr", "max_lr", "max_momentum", "base_momentum"],
                ),
                Phase::new(
                    t - 1.0,
                    ["max_lr", "min_lr", "base_momentum", "max_momentum"],
                ),
            ]
        };
        if !(0.0..=1.0).contains(&pct) {
            return Err(Error::invalid(
                op,
                format!(
                    "Expected float between 0 and 1 pct_start, but got {}",
                    py_float(pct)
                ),
            ));
        }
        if !["cos", "linear"].contains(&options.anneal_strategy) {
            return Err(Error::invalid(
                op,
                format!(
                    "anneal_strategy must be one of 'cos' or 'linear', instead got {}",
                    options.anneal_strategy
                ),
            ));
        }
        let n = opt.num_param_groups();
        let max_lrs = max_lr.into().expand(op, "max_lr", n)?;
        let fresh = options.last_epoch == -1;
        if fresh {
            for (g, max_lr) in max_lrs.iter().enumerate() {
                let initial = max_lr / options.div_factor;
                opt.set_hyper(g, "initial_lr", initial)?;
                opt.set_hyper(g, "max_lr", *max_lr)?;
                opt.set_hyper(g, "min_lr", initial / options.final_div_factor)?;
            }
        }
        let mut use_beta1 = false;
        if options.cycle_momentum {
            if !opt.has_option("momentum") && !opt.has_option("betas") {
                return Err(Error::invalid(
                    op,
                    "optimizer must support momentum or beta1 with `cycle_momentum` option enabled",
                ));
            }
            use_beta1 = opt.has_option("betas");
            let max_m = options.max_momentum.expand(op, "max_momentum", n)?;
            let base_m = options.base_momentum.expand(op, "base_momentum", n)?;
            if fresh {
                for g in 0..n {
                    let key = if use_beta1 { "betas.0" } else { "momentum" };
                    opt.set_hyper(g, key, max_m[g])?;
                    opt.set_hyper(g, "max_momentum", max_m[g])?;
                    opt.set_hyper(g, "base_momentum", base_m[g])?;
                }
            }
        }
        let core = SchedulerCore::new(op, opt, options.last_epoch)?;
        finish(
            OneCycleLR {
                core,
                total_steps: total_steps as i64,
                phases,
                anneal_strategy: options.anneal_strategy.to_string(),
                cycle_momentum: options.cycle_momentum,
                use_beta1,
            },
            opt,
        )
    }

    fn anneal(&self, start: f64, end: f64, pct: f64) -> f64 {
        if self.anneal_strategy == "cos" {
            let cos_out = (PI * pct).cos() + 1.0;
            end + (start - end) / 2.0 * cos_out
        } else {
            (end - start) * pct + start
        }
    }
}

impl LRScheduler for OneCycleLR {
    fn name(&self) -> &'static str {
        "OneCycleLR"
    }
    fn core(&self) -> &SchedulerCore {
        &self.core
    }
    fn core_mut(&mut self) -> &mut SchedulerCore {
        &mut self.core
    }
    fn get_lr(&mut self, opt: &mut dyn Optimizer) -> Result<Vec<f64>> {
        let op = "OneCycleLR";
        let step_num = self.core.last_epoch;
        if step_num > self.total_steps {
            return Err(Error::invalid(
                op,
                format!(
                    "Tried to step {step_num} times. The specified number of total steps is {}",
                    self.total_steps
                ),
            ));
        }
        let step = step_num as f64;
        let mut lrs = Vec::with_capacity(opt.num_param_groups());
        for g in 0..opt.num_param_groups() {
            let mut start_step = 0.0;
            let last = self.phases.len() - 1;
            for (i, phase) in self.phases.iter().enumerate() {
                let end_step = phase.end_step;
                if step <= end_step || i == last {
                    let pct = (step - start_step) / (end_step - start_step);
                    let lr = self.anneal(
                        group_value(op, opt, g, &phase.start_lr)?,
                        group_value(op, opt, g, &phase.end_lr)?,
                        pct,
                    );
                    lrs.push(lr);
                    if self.cycle_momentum {
                        let m = self.anneal(
                            group_value(op, opt, g, &phase.start_momentum)?,
                            group_value(op, opt, g, &phase.end_momentum)?,
                            pct,
                        );
                        let key = if self.use_beta1 {
                            "betas.0"
                        } else {
                            "momentum"
                        };
                        opt.set_hyper(g, key, m)?;
                    }
                    break;
                }
                start_step = end_step;
            }
        }
        Ok(lrs)
    }
    fn extra_state(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("total_steps".into(), Value::from(self.total_steps));
        m.insert(
            "_schedule_phases".into(),
            Value::Array(self.phases.iter().map(Phase::to_json).collect()),
        );
        m.insert(
            "_anneal_func_type".into(),
            Value::from(self.anneal_strategy.clone()),
        );
        m.insert("cycle_momentum".into(), Value::Bool(self.cycle_momentum));
        m.insert("use_beta1".into(), Value::Bool(self.use_beta1));
        m
    }
    fn load_extra_state(&mut self, m: &Map<String, Value>) -> Result<()> {
        let op = "OneCycleLR";
        read(op, m, "total_steps", &mut self.total_steps)?;
        read(op, m, "_anneal_func_type", &mut self.anneal_strategy)?;
        read(op, m, "cycle_momentum", &mut self.cycle_momentum)?;
        read(op, m, "use_beta1", &mut self.use_beta1)?;
        if let Some(v) = m.get("_schedule_phases") {
            self.phases = v
                .as_array()
                .and_then(|a| a.iter().map(Phase::from_json).collect::<Option<Vec<_>>>())
                .ok_or_else(|| {
                    Error::invalid(op, "load_state_dict: `_schedule_phases` is malformed")
                })?;
        }
        Ok(())
    }
}
