//! Loading HuggingFace checkpoints into modules: the weight files of a model directory
//! (`model.safetensors`, memory-mapped; sharded `model.safetensors.index.json`;
//! `pytorch_model.bin` through torch-core's checkpoint reader) and HF's base-model prefix
//! rule (a `bert.`-prefixed checkpoint loads into a bare `BertModel` and the reverse).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde_json::Value;
use torch_core::{Error, Result, Tensor};
use torch_nn::{MemberMut, Module, Parameter, StateDict};

use crate::hub::{CONFIG, HubOptions, WEIGHTS, resolve};

/// The weight file(s) a model directory holds, in HF's order of preference.
pub(crate) fn weight_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let single = dir.join("model.safetensors");
    if single.is_file() {
        return Ok(vec![single]);
    }
    let index = dir.join("model.safetensors.index.json");
    if index.is_file() {
        return shard_files(&index);
    }
    let bin = dir.join("pytorch_model.bin");
    if bin.is_file() {
        return Ok(vec![bin]);
    }
    Err(Error::io(
        &single,
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no model.safetensors, model.safetensors.index.json or pytorch_model.bin in the directory",
        ),
    ))
}

/// The distinct shard files an index's `weight_map` names, in name order.
fn shard_files(index: &Path) -> Result<Vec<PathBuf>> {
    let dir = index.parent().unwrap_or(Path::new("."));
    Ok(shard_names(index)?
        .into_iter()
        .map(|n| dir.join(n))
        .collect())
}

/// The distinct file names an index's `weight_map` names (relative to the index), in name
/// order.
pub(crate) fn shard_names(index: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(index).map_err(|e| Error::io(index, e))?;
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| Error::format(index, format!("invalid JSON: {e}")))?;
    let map = v["weight_map"]
        .as_object()
        .ok_or_else(|| Error::format(index, "no \"weight_map\" object"))?;
    let names = map
        .values()
        .map(|f| {
            f.as_str()
                .ok_or_else(|| Error::format(index, "weight_map values must be file names"))
        })
        .collect::<Result<BTreeSet<&str>>>()?;
    Ok(names.into_iter().map(str::to_string).collect())
}

/// Reads every weight file of a model directory into one state dict (safetensors stay
/// memory-mapped until `load_state_dict` copies them).
pub fn load_checkpoint_dir(dir: impl AsRef<Path>) -> Result<StateDict> {
    let mut all = StateDict::new();
    for file in weight_files(dir.as_ref())? {
        for (k, t) in StateDict::load(&file)? {
            all.insert(k, t);
        }
    }
    Ok(all)
}

/// The dotted name of `name` under `prefix`.
fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// `tensor` as `like`'s dtype (no copy when it already is), or why not, for `key`.
fn matching(key: &str, tensor: &Tensor, like: &Tensor) -> std::result::Result<Tensor, String> {
    if tensor.shape() != like.shape() {
        return Err(format!(
            "size mismatch for {key}: copying a param with shape {:?} from checkpoint, the shape in current model is {:?}.",
            tensor.shape(),
            like.shape()
        ));
    }
    if tensor.dtype() == like.dtype() {
        Ok(tensor.clone())
    } else {
        tensor
            .to_dtype(like.dtype())
            .map_err(|e| format!("{key}: {e}"))
    }
}

/// Puts the checkpoint's tensors in place of the module's parameters and persistent buffers
/// (PyTorch's `load_state_dict(assign=True)`): memory-mapped safetensors stay mapped, nothing
/// is copied until a first in-place write (torch-core copies the storage then).
fn assign(
    m: &mut dyn Module,
    prefix: &str,
    state: &HashMap<&str, &Tensor>,
    missing: &mut Vec<String>,
    problems: &mut Vec<String>,
) {
    m.visit_mut(&mut |name, member| {
        let key = join(prefix, name);
        match member {
            MemberMut::Parameter(p) => match state.get(key.as_str()) {
                None => missing.push(key),
                Some(t) => match matching(&key, t, p)
                    .and_then(|t| Parameter::new(t).map_err(|e| format!("{key}: {e}")))
                {
                    Ok(new) => *p = new,
                    Err(e) => problems.push(e),
                },
            },
            MemberMut::Buffer(b, true) => match state.get(key.as_str()) {
                None => missing.push(key),
                Some(t) => match matching(&key, t, b) {
                    Ok(new) => *b = new,
                    Err(e) => problems.push(e),
                },
            },
            MemberMut::Child(c) => assign(c, &key, state, missing, problems),
            _ => {}
        }
    });
}

/// Loads `state` into `module` as HF's `from_pretrained` does: keys are HF's own; when the
/// module's keys carry `prefix.` (`bert.`) and the checkpoint's do not, or the reverse, the
/// prefix is added or removed. The tensors are assigned, not copied (see `assign`). A key
/// the module needs and the checkpoint lacks is an error naming `source`; extra keys (tied
/// `cls.predictions.decoder.*`, old `position_ids` buffers, a pooler the head does not use)
/// are ignored, as HF ignores them.
pub fn load_hf_state_dict(
    module: &mut dyn Module,
    state: StateDict,
    prefix: &str,
    source: &Path,
) -> Result<()> {
    let own: Vec<String> = module.state_dict().keys().map(str::to_string).collect();
    let dotted = format!("{prefix}.");
    let has = |k: &str| state.get(k).is_some();
    let own_prefixed = !prefix.is_empty() && own.iter().any(|k| k.starts_with(&dotted));
    let ckpt_prefixed = !prefix.is_empty() && state.keys().any(|k| k.starts_with(&dotted));
    let state: StateDict = if own_prefixed && !ckpt_prefixed {
        state
            .into_iter()
            .map(|(k, t)| {
                if own.contains(&k) {
                    (k, t)
                } else {
                    (format!("{dotted}{k}"), t)
                }
            })
            .collect()
    } else if !own_prefixed && ckpt_prefixed && !own.iter().any(|k| has(k)) {
        state
            .into_iter()
            .map(|(k, t)| match k.strip_prefix(&dotted) {
                Some(rest) => (rest.to_string(), t),
                None => (k, t),
            })
            .collect()
    } else {
        state
    };
    let by_name: HashMap<&str, &Tensor> = state.iter().collect();
    let (mut missing, mut problems) = (Vec::new(), Vec::new());
    assign(module, "", &by_name, &mut missing, &mut problems);
    if !missing.is_empty() {
        problems.insert(0, format!("missing weights: {}", missing.join(", ")));
    }
    if !problems.is_empty() {
        return Err(Error::format(source, problems.join("; ")));
    }
    Ok(())
}

/// HF's `from_pretrained(name)` for one architecture: finds the model folder (a local dir or
/// a hub repository, see [`crate::hub::resolve`]), reads the config with `read_config`
/// (`config.json`), the weights, builds the model with `build` (which may look at the
/// checkpoint's keys) and loads it with base-model prefix `prefix`.
pub(crate) fn load_pretrained<C, M: Module>(
    name: &Path,
    options: &HubOptions,
    read_config: fn(&Path) -> Result<C>,
    prefix: &str,
    build: impl FnOnce(&C, &StateDict) -> Result<M>,
) -> Result<M> {
    let dir = &resolve(name, &[CONFIG, WEIGHTS], options)?;
    let config = read_config(&dir.join("config.json"))?;
    let state = load_checkpoint_dir(dir)?;
    let mut model = build(&config, &state)?;
    load_hf_state_dict(&mut model, state, prefix, dir)?;
    Ok(model)
}

/// Checks `input_ids` is `(batch, seq_len)` and returns those sizes.
pub(crate) fn batch_and_len(
    op: &'static str,
    input_ids: &torch_core::Tensor,
) -> Result<(usize, usize)> {
    match input_ids.shape() {
        &[b, t] => Ok((b, t)),
        s => Err(Error::invalid(
            op,
            format!("expected input_ids of shape (batch, seq_len), got {s:?}"),
        )),
    }
}
