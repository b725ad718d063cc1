//! `ReduceLROnPlateau`: multiplies the lr by `factor` when a metric stops improving for
//! `patience` epochs. Driven by `step(opt, metric)`, so it is not an [`LRScheduler`](super::LRScheduler).

use serde_json::{Map, Value};
use torch_core::{Error, Result};

use super::core::{PerGroup, as_object, json_vec, read};
use super::write_lrs;
use crate::optim::Optimizer;
use crate::optim::options::json_f64;

/// Options of [`ReduceLROnPlateau`]; `Default` holds PyTorch's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct ReduceLROnPlateauOptions {
    /// `"min"` (a loss) or `"max"` (an accuracy) (`mode="min"`).
    pub mode: &'static str,
    /// New lr = lr · factor (`factor=0.1`), < 1.
    pub factor: f64,
    /// Bad epochs tolerated before reducing (`patience=10`).
    pub patience: i64,
    /// Minimum significant change (`threshold=1e-4`).
    pub threshold: f64,
    /// `"rel"` (relative to the best) or `"abs"` (`threshold_mode="rel"`).
    pub threshold_mode: &'static str,
    /// Epochs to wait after a reduction (`cooldown=0`).
    pub cooldown: i64,
    /// Lower bound on the lr, one or per group (`min_lr=0`).
    pub min_lr: PerGroup,
    /// Reductions smaller than this are skipped (`eps=1e-8`).
    pub eps: f64,
}

impl Default for ReduceLROnPlateauOptions {
    fn default() -> Self {
        ReduceLROnPlateauOptions {
            mode: "min",
            factor: 0.1,
            patience: 10,
            threshold: 1e-4,
            threshold_mode: "rel",
            cooldown: 0,
            min_lr: PerGroup::All(0.0),
            eps: 1e-8,
        }
    }
}

/// torch.optim.lr_scheduler.ReduceLROnPlateau.
///
/// ```
/// use torch_nn::lr_scheduler::{ReduceLROnPlateau, ReduceLROnPlateauOptions};
/// use torch_nn::optim::{Optimizer, SGD, SGDOptions};
/// # use torch_nn::{Linear, Module};
/// # let model = Linear::new(4, 2)?;
/// let mut opt = SGD::new(model.parameters(), SGDOptions { lr: 0.1, ..Default::default() })?;
/// let mut sched = ReduceLROnPlateau::new(&mut opt, ReduceLROnPlateauOptions { patience: 0, ..Default::default() })?;
/// sched.step(&mut opt, 1.0)?;
/// sched.step(&mut opt, 1.0)?; // no improvement: lr 0.1 -> 0.01
/// assert!((opt.lrs()[0] - 0.01).abs() < 1e-12);
/// # Ok::<(), torch_core::Error>(())
/// ```
pub struct ReduceLROnPlateau {
    mode: String,
    factor: f64,
    patience: i64,
    threshold: f64,
    threshold_mode: String,
    cooldown: i64,
    min_lrs: Vec<f64>,
    default_min_lr: Option<f64>,
    eps: f64,
    last_epoch: i64,
    last_lr: Vec<f64>,
    best: f64,
    mode_worse: f64,
    cooldown_counter: i64,
    num_bad_epochs: i64,
}

const OP: &str = "ReduceLROnPlateau";

impl ReduceLROnPlateau {
    /// Errors with PyTorch's messages for `factor >= 1`, an unknown mode or threshold mode, or
    /// a per-group `min_lr` of the wrong length.
    pub fn new(opt: &mut dyn Optimizer, options: ReduceLROnPlateauOptions) -> Result<Self> {
        if options.factor >= 1.0 {
            return Err(Error::invalid(OP, "Factor should be < 1.0."));
        }
        let n = opt.num_param_groups();
        let (min_lrs, default_min_lr) = match &options.min_lr {
            PerGroup::All(v) => (vec![*v; n], Some(*v)),
            PerGroup::Each(v) if v.len() == n => (v.clone(), None),
            PerGroup::Each(v) => {
                return Err(Error::invalid(
                    OP,
                    format!("expected {n} min_lrs, got {}", v.len()),
                ));
            }
        };
        let mut s = ReduceLROnPlateau {
            mode: String::new(),
            factor: options.factor,
            patience: options.patience,
            threshold: 0.0,
            threshold_mode: String::new(),
            cooldown: options.cooldown,
            min_lrs,
            default_min_lr,
            eps: options.eps,
            last_epoch: 0,
            last_lr: opt.lrs(),
            best: 0.0,
            mode_worse: 0.0,
            cooldown_counter: 0,
            num_bad_epochs: 0,
        };
        s.init_is_better(options.mode, options.threshold, options.threshold_mode)?;
        s.reset();
        Ok(s)
    }

    fn init_is_better(&mut self, mode: &str, threshold: f64, threshold_mode: &str) -> Result<()> {
        if mode != "min" && mode != "max" {
            return Err(Error::invalid(OP, format!("mode {mode} is unknown!")));
        }
        if threshold_mode != "rel" && threshold_mode != "abs" {
            return Err(Error::invalid(
                OP,
                format!("threshold mode {threshold_mode} is unknown!"),
            ));
        }
        self.mode_worse = if mode == "min" {
            f64::INFINITY
        } else {
            f64::NEG_INFINITY
        };
        self.mode = mode.to_string();
        self.threshold = threshold;
        self.threshold_mode = threshold_mode.to_string();
        Ok(())
    }

    fn reset(&mut self) {
        self.best = self.mode_worse;
        self.cooldown_counter = 0;
        self.num_bad_epochs = 0;
    }

    fn is_better(&self, a: f64, best: f64) -> bool {
        match (self.mode.as_str(), self.threshold_mode.as_str()) {
            ("min", "rel") => a < best * (1.0 - self.threshold),
            ("min", _) => a < best - self.threshold,
            (_, "rel") => a > best * (self.threshold + 1.0),
            _ => a > best + self.threshold,
        }
    }

    /// Records `metric` for the next epoch and reduces the lrs after more than `patience`
    /// epochs without improvement (`scheduler.step(metric)`).
    pub fn step(&mut self, opt: &mut dyn Optimizer, metric: f64) -> Result<()> {
        self.last_epoch += 1;
        if self.is_better(metric, self.best) {
            self.best = metric;
            self.num_bad_epochs = 0;
        } else {
            self.num_bad_epochs += 1;
        }
        if self.cooldown_counter > 0 {
            self.cooldown_counter -= 1;
            self.num_bad_epochs = 0;
        }
        if self.num_bad_epochs > self.patience {
            self.reduce_lr(opt)?;
            self.cooldown_counter = self.cooldown;
            self.num_bad_epochs = 0;
        }
        self.last_lr = opt.lrs();
        Ok(())
    }

    fn reduce_lr(&mut self, opt: &mut dyn Optimizer) -> Result<()> {
        let n = opt.num_param_groups();
        if n != self.min_lrs.len() {
            match self.default_min_lr {
                Some(v) => self.min_lrs = vec![v; n],
                None => {
                    return Err(Error::invalid(
                        OP,
                        format!(
                            "The number of param groups in the `optimizer` ({n}) differs from \
                             when `ReduceLROnPlateau` was initialized ({}), usually due to a new \
                             param group being added to the optimizer. Please modify the \
                             `min_lrs` field to match the length of the `optimizer` param groups.",
                            self.min_lrs.len()
                        ),
                    ));
                }
            }
        }
        let mut lrs = opt.lrs();
        for (lr, min_lr) in lrs.iter_mut().zip(&self.min_lrs) {
            let new_lr = (*lr * self.factor).max(*min_lr);
            if *lr - new_lr > self.eps {
                *lr = new_lr;
            }
        }
        write_lrs(OP, opt, &lrs)
    }

    /// The lrs after the last step (`get_last_lr()`).
    pub fn get_last_lr(&self) -> &[f64] {
        &self.last_lr
    }

    /// Number of `step` calls (`last_epoch`).
    pub fn last_epoch(&self) -> i64 {
        self.last_epoch
    }

    /// Whether a reduction's cooldown is running (`in_cooldown`).
    pub fn in_cooldown(&self) -> bool {
        self.cooldown_counter > 0
    }

    /// The state with PyTorch's keys (`best` may be `"inf"`, which JSON cannot hold).
    pub fn state_dict(&self) -> Value {
        let mut m = Map::new();
        m.insert("factor".into(), json_f64(self.factor));
        m.insert("min_lrs".into(), json_vec(&self.min_lrs));
        m.insert(
            "default_min_lr".into(),
            self.default_min_lr.map_or(Value::Null, json_f64),
        );
        m.insert("patience".into(), Value::from(self.patience));
        m.insert("cooldown".into(), Value::from(self.cooldown));
        m.insert("eps".into(), json_f64(self.eps));
        m.insert("last_epoch".into(), Value::from(self.last_epoch));
        m.insert("_last_lr".into(), json_vec(&self.last_lr));
        m.insert("mode".into(), Value::from(self.mode.clone()));
        m.insert("threshold".into(), json_f64(self.threshold));
        m.insert(
            "threshold_mode".into(),
            Value::from(self.threshold_mode.clone()),
        );
        m.insert("mode_worse".into(), json_f64(self.mode_worse));
        m.insert("best".into(), json_f64(self.best));
        m.insert(
            "cooldown_counter".into(),
            Value::from(self.cooldown_counter),
        );
        m.insert("num_bad_epochs".into(), Value::from(self.num_bad_epochs));
        Value::Object(m)
    }

    /// Restores a state written by [`state_dict`](Self::state_dict).
    pub fn load_state_dict(&mut self, state: &Value) -> Result<()> {
        let m = as_object(OP, state)?;
        read(OP, m, "factor", &mut self.factor)?;
        read(OP, m, "min_lrs", &mut self.min_lrs)?;
        read(OP, m, "default_min_lr", &mut self.default_min_lr)?;
        read(OP, m, "patience", &mut self.patience)?;
        read(OP, m, "cooldown", &mut self.cooldown)?;
        read(OP, m, "eps", &mut self.eps)?;
        read(OP, m, "last_epoch", &mut self.last_epoch)?;
        read(OP, m, "_last_lr", &mut self.last_lr)?;
        read(OP, m, "best", &mut self.best)?;
        read(OP, m, "cooldown_counter", &mut self.cooldown_counter)?;
        read(OP, m, "num_bad_epochs", &mut self.num_bad_epochs)?;
        let (mut mode, mut threshold, mut tmode) = (
            self.mode.clone(),
            self.threshold,
            self.threshold_mode.clone(),
        );
        read(OP, m, "mode", &mut mode)?;
        read(OP, m, "threshold", &mut threshold)?;
        read(OP, m, "threshold_mode", &mut tmode)?;
        self.init_is_better(&mode, threshold, &tmode)?;
        Ok(())
    }
}

impl std::fmt::Debug for ReduceLROnPlateau {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ReduceLROnPlateau({})", self.state_dict())
    }
}
