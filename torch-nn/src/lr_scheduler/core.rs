//! What the epoch-driven schedulers share (torch.optim.lr_scheduler.LRScheduler's fields):
//! `SchedulerCore` (base lrs, `last_epoch`, step count, last lrs), `PerGroup` for arguments
//! given once or per group, and reading/writing state-dict fields as JSON.

use serde_json::{Map, Value};
use torch_core::{Error, Result};

use crate::optim::Optimizer;
use crate::optim::options::{f64_from_json, json_f64};

/// The fields every [`LRScheduler`](super::LRScheduler) keeps (`base_lrs`, `last_epoch`,
/// `_step_count`, `_last_lr`, `_is_initial`).
#[derive(Clone, Debug, PartialEq)]
pub struct SchedulerCore {
    /// Each group's `initial_lr` when the scheduler was built (`base_lrs`).
    pub base_lrs: Vec<f64>,
    /// Index of the last epoch seen (`last_epoch`); `-1` before the construction-time step.
    pub last_epoch: i64,
    /// Number of `step` calls (`_step_count`); the construction-time step makes it 1.
    pub step_count: i64,
    /// The lrs the last step wrote (`get_last_lr()`).
    pub last_lr: Vec<f64>,
    /// True only during the construction-time step (`_is_initial`).
    pub is_initial: bool,
}

impl SchedulerCore {
    /// `LRScheduler.__init__` before its initial step: with `last_epoch == -1` sets each
    /// group's `initial_lr` to its `lr` unless already set (`setdefault`); otherwise requires
    /// `initial_lr` (a resumed run). `base_lrs` are the `initial_lr`s.
    pub fn new(name: &'static str, opt: &mut dyn Optimizer, last_epoch: i64) -> Result<Self> {
        let n = opt.num_param_groups();
        let mut base_lrs = Vec::with_capacity(n);
        for g in 0..n {
            let initial = match opt.get_hyper(g, "initial_lr") {
                Some(v) => v,
                None if last_epoch == -1 => {
                    let lr = group_value(name, opt, g, "lr")?;
                    opt.set_hyper(g, "initial_lr", lr)?;
                    lr
                }
                None => {
                    return Err(Error::invalid(
                        name,
                        format!(
                            "param 'initial_lr' is not specified in param_groups[{g}] when \
                             resuming scheduler with last_epoch >= 0 (load the optimizer's \
                             state dict first, or use last_epoch = -1 for a fresh run)"
                        ),
                    ));
                }
            };
            base_lrs.push(initial);
        }
        Ok(SchedulerCore {
            base_lrs,
            last_epoch,
            step_count: 0,
            last_lr: opt.lrs(),
            is_initial: false,
        })
    }

    /// The fields as PyTorch's state dict names them.
    pub fn to_json(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("base_lrs".into(), json_vec(&self.base_lrs));
        m.insert("last_epoch".into(), Value::from(self.last_epoch));
        m.insert("_step_count".into(), Value::from(self.step_count));
        m.insert("_is_initial".into(), Value::Bool(self.is_initial));
        m.insert("_get_lr_called_within_step".into(), Value::Bool(false));
        m.insert("_last_lr".into(), json_vec(&self.last_lr));
        m
    }

    /// Updates the fields present in `m` (`__dict__.update`).
    pub fn load_json(&mut self, op: &'static str, m: &Map<String, Value>) -> Result<()> {
        read(op, m, "base_lrs", &mut self.base_lrs)?;
        read(op, m, "last_epoch", &mut self.last_epoch)?;
        read(op, m, "_step_count", &mut self.step_count)?;
        read(op, m, "_is_initial", &mut self.is_initial)?;
        read(op, m, "_last_lr", &mut self.last_lr)
    }
}

/// A numeric group value the scheduler needs (`group["lr"]`), or an error naming it.
pub(crate) fn group_value(
    op: &'static str,
    opt: &dyn Optimizer,
    group: usize,
    key: &str,
) -> Result<f64> {
    opt.get_hyper(group, key)
        .ok_or_else(|| Error::invalid(op, format!("param_groups[{group}] has no `{key}`")))
}

/// An argument PyTorch takes as one float or one per param group (`max_lr`, `min_lr`).
#[derive(Clone, Debug, PartialEq)]
pub enum PerGroup {
    /// The same value for every group.
    All(f64),
    /// One value per group.
    Each(Vec<f64>),
}

impl From<f64> for PerGroup {
    fn from(v: f64) -> Self {
        PerGroup::All(v)
    }
}

impl From<Vec<f64>> for PerGroup {
    fn from(v: Vec<f64>) -> Self {
        PerGroup::Each(v)
    }
}

impl From<&[f64]> for PerGroup {
    fn from(v: &[f64]) -> Self {
        PerGroup::Each(v.to_vec())
    }
}

impl PerGroup {
    /// One value per group (`_format_param`), erroring as PyTorch does on a length mismatch.
    pub(crate) fn expand(&self, op: &'static str, name: &str, groups: usize) -> Result<Vec<f64>> {
        match self {
            PerGroup::All(v) => Ok(vec![*v; groups]),
            PerGroup::Each(v) if v.len() == groups => Ok(v.clone()),
            PerGroup::Each(v) => Err(Error::invalid(
                op,
                format!(
                    "{name} must have the same length as optimizer.param_groups. {name} has {} \
                     values, param_groups has {groups}.",
                    v.len()
                ),
            )),
        }
    }
}

/// A JSON array of numbers (non-finite values as strings).
pub(crate) fn json_vec(v: &[f64]) -> Value {
    Value::Array(v.iter().map(|x| json_f64(*x)).collect())
}

/// A state-dict field type: read from JSON, or `None` when ill-typed.
pub(crate) trait FromJson: Sized {
    fn from_json(v: &Value) -> Option<Self>;
}

impl FromJson for f64 {
    fn from_json(v: &Value) -> Option<Self> {
        f64_from_json(v)
    }
}

impl FromJson for i64 {
    fn from_json(v: &Value) -> Option<Self> {
        v.as_i64()
    }
}

impl FromJson for usize {
    fn from_json(v: &Value) -> Option<Self> {
        v.as_u64().map(|x| x as usize)
    }
}

impl FromJson for bool {
    fn from_json(v: &Value) -> Option<Self> {
        v.as_bool()
    }
}

impl FromJson for String {
    fn from_json(v: &Value) -> Option<Self> {
        v.as_str().map(str::to_string)
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(v: &Value) -> Option<Self> {
        v.as_array()?.iter().map(T::from_json).collect()
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(v: &Value) -> Option<Self> {
        if v.is_null() {
            Some(None)
        } else {
            T::from_json(v).map(Some)
        }
    }
}

/// Sets `field` from `m[key]` when present; errors when present but ill-typed.
pub(crate) fn read<T: FromJson>(
    op: &'static str,
    m: &Map<String, Value>,
    key: &str,
    field: &mut T,
) -> Result<()> {
    if let Some(v) = m.get(key) {
        *field = T::from_json(v).ok_or_else(|| {
            Error::invalid(
                op,
                format!("load_state_dict: `{key}` has the wrong type: {v}"),
            )
        })?;
    }
    Ok(())
}

/// The JSON object of a scheduler state dict, or an error.
pub(crate) fn as_object<'a>(op: &'static str, v: &'a Value) -> Result<&'a Map<String, Value>> {
    v.as_object()
        .ok_or_else(|| Error::invalid(op, "load_state_dict: the state dict must be a JSON object"))
}
