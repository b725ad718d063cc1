//! What every optimizer shares (torch.optim.Optimizer's base class): parameter groups with
//! their options, per-parameter state, validation of the parameters, `step` under `no_grad`,
//! `zero_grad`, name-based hyper-parameter access and the state dict. Each optimizer file only
//! supplies its options struct and its update rule ([`Algorithm`]).

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use torch_core::{Context, Error, Result, Tensor};

use super::options::{HyperParams, json_f64};
use super::state_dict::OptimizerStateDict;
use super::{ParamGroup, Params};

/// The state of one parameter (`optimizer.state[p]`): named tensors such as `step`, `exp_avg`.
/// Scalars (`step`, `mu_product`) are 0-d f32 tensors, as in PyTorch.
#[derive(Clone, Default)]
pub(crate) struct ParamState(pub(crate) BTreeMap<String, Tensor>);

impl ParamState {
    /// The tensor under `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&Tensor> {
        self.0.get(key)
    }

    /// Stores `t` under `key`.
    pub(crate) fn insert(&mut self, key: &str, t: Tensor) {
        self.0.insert(key.to_string(), t);
    }

    /// The buffer under `key`, created as zeros shaped like `like` when missing.
    pub(crate) fn buffer(&mut self, key: &str, like: &Tensor) -> Result<Tensor> {
        if let Some(t) = self.0.get(key) {
            return Ok(t.clone());
        }
        let t = like.zeros_like()?;
        self.insert(key, t.clone());
        Ok(t)
    }

    /// The 0-d scalar under `key`, or `default` when missing.
    pub(crate) fn scalar(&self, key: &str, default: f64) -> Result<f64> {
        match self.0.get(key) {
            Some(t) => t.item(),
            None => Ok(default),
        }
    }

    /// Stores `v` as a 0-d f32 tensor under `key` (PyTorch keeps `step` as a float32 tensor)
    /// and returns the stored value.
    pub(crate) fn set_scalar(&mut self, key: &str, v: f64) -> f64 {
        let t = Tensor::scalar(v as f32);
        self.insert(key, t);
        v as f32 as f64
    }

    /// `state["step"] += 1` (in float32, as PyTorch's step tensor) and the new value.
    pub(crate) fn increment_step(&mut self) -> Result<f64> {
        let step = self.scalar("step", 0.0)? as f32 + 1.0;
        Ok(self.set_scalar("step", step as f64))
    }
}

/// An optimizer's options plus its update rule: what an optimizer file provides.
pub(crate) trait Algorithm: HyperParams {
    /// The class name (`"Adam"`), used in messages.
    const NAME: &'static str;
    /// The state keys this optimizer keeps per parameter (checked when loading).
    const STATE_KEYS: &'static [&'static str];
    /// Whether state is created for every parameter at construction (Adagrad) rather than at
    /// its first update.
    const EAGER_STATE: bool = false;

    /// Rejects invalid options with PyTorch's message (`Invalid learning rate: -1.0`).
    fn validate(&self) -> Result<()>;

    /// The state of a parameter before its first update.
    fn init_state(&self, _param: &Tensor) -> Result<ParamState> {
        Ok(ParamState::default())
    }

    /// Updates `param` in place from `grad` (grad mode is off).
    fn update(&self, param: &Tensor, grad: &Tensor, state: &mut ParamState) -> Result<()>;
}

/// Groups, state and defaults of one optimizer.
pub(crate) struct OptimizerCore<O: Algorithm> {
    pub(crate) groups: Vec<ParamGroup<O>>,
    /// `state[g][i]` belongs to `groups[g].params[i]`.
    pub(crate) state: Vec<Vec<ParamState>>,
    pub(crate) defaults: O,
}

/// Raises `InvalidArgument` naming the optimizer, with PyTorch's text.
pub(crate) fn invalid(name: &'static str, msg: impl Into<String>) -> Error {
    Error::invalid(name, msg)
}

/// `Err("Invalid {what}: {value}")` (PyTorch's constructor checks) unless `ok`.
pub(crate) fn check(ok: bool, name: &'static str, what: &str, value: f64) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(invalid(
            name,
            format!("Invalid {what}: {}", super::options::py_float(value)),
        ))
    }
}

impl<O: Algorithm> OptimizerCore<O> {
    /// `Optimizer.__init__`: validates the defaults, then adds each group.
    pub(crate) fn new(params: Params<O>, defaults: O) -> Result<Self> {
        defaults.validate()?;
        let groups = match params {
            Params::Tensors(ps) if !ps.is_empty() => vec![ParamGroup::new(ps, defaults.clone())],
            Params::Groups(gs) if !gs.is_empty() => gs,
            _ => return Err(invalid(O::NAME, "optimizer got an empty parameter list")),
        };
        let mut core = OptimizerCore {
            groups: Vec::new(),
            state: Vec::new(),
            defaults,
        };
        for g in groups {
            core.add_param_group(g)?;
        }
        Ok(core)
    }

    /// `add_param_group`: checks leaves and duplicates, then appends (with eager state where
    /// the optimizer has it).
    pub(crate) fn add_param_group(&mut self, group: ParamGroup<O>) -> Result<()> {
        group.options.validate()?;
        for p in &group.params {
            if !p.is_leaf() {
                return Err(invalid(O::NAME, "can't optimize a non-leaf Tensor"));
            }
            if p.dtype().is_complex() {
                return Err(invalid(O::NAME, "complex parameters are not supported yet"));
            }
        }
        for (i, p) in group.params.iter().enumerate() {
            if group.params[..i].iter().any(|q| q.id() == p.id()) {
                return Err(invalid(
                    O::NAME,
                    "optimizer contains a parameter group with duplicate parameters",
                ));
            }
        }
        let existing = self.groups.iter().flat_map(|g| g.params.iter());
        for q in existing {
            if group.params.iter().any(|p| p.id() == q.id()) {
                return Err(invalid(
                    O::NAME,
                    "some parameters appear in more than one parameter group",
                ));
            }
        }
        let state = group
            .params
            .iter()
            .map(|p| {
                if O::EAGER_STATE {
                    group.options.init_state(p)
                } else {
                    Ok(ParamState::default())
                }
            })
            .collect::<Result<Vec<_>>>()?;
        self.groups.push(group);
        self.state.push(state);
        Ok(())
    }

    /// One update of every parameter that has a gradient, under `no_grad`.
    pub(crate) fn step(&mut self) -> Result<()> {
        let _guard = torch_core::autograd::no_grad();
        for (group, states) in self.groups.iter().zip(self.state.iter_mut()) {
            for (p, state) in group.params.iter().zip(states.iter_mut()) {
                let Some(grad) = p.grad() else { continue };
                if state.0.is_empty() {
                    *state = group.options.init_state(p)?;
                }
                group
                    .options
                    .update(p, &grad, state)
                    .with_context(|| format!("{}.step", O::NAME))?;
            }
        }
        Ok(())
    }

    /// `zero_grad(set_to_none=True)`.
    pub(crate) fn zero_grad(&self) {
        for p in self.groups.iter().flat_map(|g| g.params.iter()) {
            p.set_grad(None);
        }
    }

    pub(crate) fn get_hyper(&self, group: usize, name: &str) -> Option<f64> {
        let g = self.groups.get(group)?;
        g.options.get(name).or_else(|| g.extra.get(name).copied())
    }

    pub(crate) fn set_hyper(&mut self, group: usize, name: &str, value: f64) -> Result<()> {
        let n = self.groups.len();
        let g = self.groups.get_mut(group).ok_or_else(|| {
            invalid(
                O::NAME,
                format!("set_hyper: param group {group} out of range ({n} groups)"),
            )
        })?;
        match g.options.set(name, value) {
            Ok(true) => Ok(()),
            Ok(false) if !name.contains('.') => {
                g.extra.insert(name.to_string(), value);
                Ok(())
            }
            Ok(false) => Err(invalid(O::NAME, format!("set_hyper: no option `{name}`"))),
            Err(why) => Err(invalid(
                O::NAME,
                format!("set_hyper: option `{name}` {why}"),
            )),
        }
    }

    /// `state_dict()`: parameters numbered across groups in order; tensors are copies.
    pub(crate) fn state_dict(&self) -> Result<OptimizerStateDict> {
        let mut sd = OptimizerStateDict::default();
        let mut index = 0usize;
        for (group, states) in self.groups.iter().zip(&self.state) {
            let mut m = group.options.to_json();
            for (k, v) in &group.extra {
                m.insert(k.clone(), json_f64(*v));
            }
            let ids: Vec<Value> = (index..index + group.params.len())
                .map(|i| Value::from(i as u64))
                .collect();
            m.insert("params".into(), Value::Array(ids));
            sd.param_groups.push(m);
            for st in states {
                if !st.0.is_empty() {
                    let copy =
                        st.0.iter()
                            .map(|(k, t)| Ok((k.clone(), t.detach().deep_clone()?)))
                            .collect::<Result<BTreeMap<_, _>>>()?;
                    sd.state.insert(index, copy);
                }
                index += 1;
            }
        }
        Ok(sd)
    }

    /// `load_state_dict(sd)`: checks the structure, then replaces options, extra keys and
    /// state (tensors copied, cast to the parameter's dtype except `step`).
    pub(crate) fn load_state_dict(&mut self, sd: &OptimizerStateDict) -> Result<()> {
        let op = O::NAME;
        let ctx = || format!("{op}.load_state_dict");
        if sd.param_groups.len() != self.groups.len() {
            return Err(invalid(
                op,
                format!(
                    "load_state_dict: loaded state dict has a different number of parameter \
                     groups ({} saved, {} in the optimizer)",
                    sd.param_groups.len(),
                    self.groups.len()
                ),
            ));
        }
        // saved parameter index -> (group, position)
        let mut id_map = BTreeMap::new();
        let mut new_opts = Vec::with_capacity(self.groups.len());
        for (gi, (saved, group)) in sd.param_groups.iter().zip(&self.groups).enumerate() {
            let ids = saved_param_ids(saved)
                .ok_or_else(|| {
                    invalid(op, format!("param_groups[{gi}] has no valid `params` list"))
                })
                .with_context(ctx)?;
            if ids.len() != group.params.len() {
                return Err(invalid(
                    op,
                    format!(
                        "load_state_dict: loaded state dict contains a parameter group that \
                         doesn't match the size of optimizer's group (group {gi}: {} saved, {} \
                         in the optimizer)",
                        ids.len(),
                        group.params.len()
                    ),
                ));
            }
            for (pi, id) in ids.into_iter().enumerate() {
                id_map.insert(id, (gi, pi));
            }
            let options = O::from_json(saved).map_err(|key| {
                invalid(
                    op,
                    format!(
                        "load_state_dict: param_groups[{gi}] has no valid option `{key}` (a state \
                         dict saved from a different optimizer?)"
                    ),
                )
            })?;
            new_opts.push((options, extra_keys::<O>(saved)));
        }
        let mut new_state: Vec<Vec<ParamState>> = self
            .groups
            .iter()
            .map(|g| vec![ParamState::default(); g.params.len()])
            .collect();
        for (id, entries) in &sd.state {
            let &(gi, pi) = id_map.get(id).ok_or_else(|| {
                invalid(
                    op,
                    format!("load_state_dict: state for parameter {id}, which no group lists"),
                )
            })?;
            let param = &self.groups[gi].params[pi];
            let mut st = ParamState::default();
            for (key, t) in entries {
                if !O::STATE_KEYS.contains(&key.as_str()) {
                    return Err(invalid(
                        op,
                        format!(
                            "load_state_dict: unexpected state `{key}` for parameter {id} (a \
                             state dict saved from a different optimizer?); {op} keeps {:?}",
                            O::STATE_KEYS
                        ),
                    ));
                }
                let scalar = key == "step" || key == "mu_product";
                if !scalar && t.shape() != param.shape() {
                    return Err(Error::ShapeMismatch {
                        op,
                        lhs: t.shape().to_vec(),
                        rhs: param.shape().to_vec(),
                        detail: format!(
                            "load_state_dict: state `{key}` of parameter {id} vs the parameter"
                        ),
                    });
                }
                let t = t.detach();
                let t = if key == "step" {
                    t.deep_clone()?
                } else {
                    t.to_dtype(param.dtype())?.deep_clone()?
                };
                st.insert(key, t);
            }
            new_state[gi][pi] = st;
        }
        for (group, (options, extra)) in self.groups.iter_mut().zip(new_opts) {
            group.options = options;
            group.extra = extra;
        }
        self.state = new_state;
        Ok(())
    }
}

/// The `params` index list of a saved group.
fn saved_param_ids(group: &Map<String, Value>) -> Option<Vec<usize>> {
    group
        .get("params")?
        .as_array()?
        .iter()
        .map(|v| v.as_u64().map(|i| i as usize))
        .collect()
}

/// Numeric keys of a saved group that are not options (`initial_lr`, `max_lr`, ...).
fn extra_keys<O: HyperParams>(group: &Map<String, Value>) -> BTreeMap<String, f64> {
    group
        .iter()
        .filter(|(k, _)| k.as_str() != "params" && !O::names().contains(&k.as_str()))
        .filter_map(|(k, v)| v.as_f64().map(|x| (k.clone(), x)))
        .collect()
}
