//! `OptimizerStateDict`: PyTorch's optimizer state dict (`{"state": {index: {...}},
//! "param_groups": [{options..., "params": [indices]}]}`) as tensors plus JSON, and its
//! safetensors form: tensors under `state.<index>.<key>`, the groups as JSON in the metadata.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde_json::{Map, Value};
use torch_core::io::{SafetensorsMetadata, load_safetensors_with_metadata, save_safetensors};
use torch_core::{Error, Result, Tensor};

/// The metadata key that holds the param groups in a saved optimizer state.
pub const PARAM_GROUPS_KEY: &str = "param_groups";

/// An optimizer's state dict, as `optimizer.state_dict()` returns it.
///
/// `state` maps a parameter's index (parameters are numbered across the groups in order) to
/// its named state tensors (`step`, `exp_avg`, ...); parameters without state are absent.
/// `param_groups` holds one JSON object per group: the options, extra keys written by
/// schedulers (`initial_lr`) and `"params": [indices]`.
///
/// ```no_run
/// # use torch_nn::optim::{Adam, AdamOptions, Optimizer, OptimizerStateDict};
/// # fn f(opt: &mut Adam) -> torch_core::Result<()> {
/// opt.state_dict()?.save("optim.safetensors")?;
/// opt.load_state_dict(&OptimizerStateDict::load("optim.safetensors")?)?;
/// # Ok(()) }
/// ```
#[derive(Clone, Default, Debug)]
pub struct OptimizerStateDict {
    /// Per-parameter state by parameter index.
    pub state: BTreeMap<usize, BTreeMap<String, Tensor>>,
    /// One JSON object per parameter group.
    pub param_groups: Vec<Map<String, Value>>,
}

impl OptimizerStateDict {
    /// The state tensors as `(name, tensor)` pairs named `<prefix>state.<index>.<key>`, for a
    /// checkpoint file that holds other tensors too (`prefix = "optimizer."`).
    pub fn to_tensors(&self, prefix: &str) -> Vec<(String, Tensor)> {
        self.state
            .iter()
            .flat_map(|(i, m)| {
                m.iter()
                    .map(move |(k, t)| (format!("{prefix}state.{i}.{k}"), t.clone()))
            })
            .collect()
    }

    /// The param groups as one JSON string (for safetensors metadata).
    pub fn param_groups_json(&self) -> String {
        Value::Array(
            self.param_groups
                .iter()
                .cloned()
                .map(Value::Object)
                .collect(),
        )
        .to_string()
    }

    /// Rebuilds a state dict from [`to_tensors`](Self::to_tensors) output (names not starting
    /// with `<prefix>state.` are ignored) and [`param_groups_json`](Self::param_groups_json).
    pub fn from_tensors(
        tensors: impl IntoIterator<Item = (String, Tensor)>,
        prefix: &str,
        param_groups_json: &str,
    ) -> Result<OptimizerStateDict> {
        let op = "OptimizerStateDict::from_tensors";
        let groups: Value = serde_json::from_str(param_groups_json)
            .map_err(|e| Error::invalid(op, format!("param groups are not valid JSON: {e}")))?;
        let param_groups = groups
            .as_array()
            .ok_or_else(|| Error::invalid(op, "param groups must be a JSON array"))?
            .iter()
            .map(|g| {
                g.as_object()
                    .cloned()
                    .ok_or_else(|| Error::invalid(op, "each param group must be a JSON object"))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut state: BTreeMap<usize, BTreeMap<String, Tensor>> = BTreeMap::new();
        let head = format!("{prefix}state.");
        for (name, t) in tensors {
            let Some(rest) = name.strip_prefix(&head) else {
                continue;
            };
            let parsed = rest
                .split_once('.')
                .and_then(|(i, k)| Some((i.parse::<usize>().ok()?, k)));
            let Some((i, key)) = parsed else {
                return Err(Error::invalid(
                    op,
                    format!("tensor `{name}` is not named `{head}<index>.<key>`"),
                ));
            };
            state.entry(i).or_default().insert(key.to_string(), t);
        }
        Ok(OptimizerStateDict {
            state,
            param_groups,
        })
    }

    /// Saves to one safetensors file: the state tensors, and the param groups as JSON under
    /// the metadata key `param_groups`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let tensors = self.to_tensors("");
        let refs: Vec<(&str, &Tensor)> = tensors.iter().map(|(n, t)| (n.as_str(), t)).collect();
        let mut meta = SafetensorsMetadata::new();
        meta.insert(PARAM_GROUPS_KEY.to_string(), self.param_groups_json());
        save_safetensors(&refs, Some(&meta), path)
    }

    /// Loads a file written by [`save`](Self::save).
    pub fn load(path: impl AsRef<Path>) -> Result<OptimizerStateDict> {
        let path = path.as_ref();
        let (tensors, meta) = load_safetensors_with_metadata(path)?;
        let groups = meta
            .as_ref()
            .and_then(|m: &HashMap<String, String>| m.get(PARAM_GROUPS_KEY))
            .ok_or_else(|| {
                Error::format(
                    path,
                    "optimizer state: the safetensors metadata has no `param_groups` entry",
                )
            })?;
        OptimizerStateDict::from_tensors(tensors, "", groups)
    }
}
