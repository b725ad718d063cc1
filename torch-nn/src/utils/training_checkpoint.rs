//! One file for a whole training state: model, optimiser, scheduler, epoch and the default
//! generator, so training resumed from it continues exactly as if it had not stopped (the
//! `torch.save({"model": ..., "optimizer": ..., ...})` idiom, as one safetensors file).

use std::collections::HashMap;
use std::path::Path;

use torch_core::io::{SafetensorsMetadata, load_safetensors_with_metadata, save_safetensors};
use torch_core::{Error, GeneratorState, Result, Tensor, default_generator};

use crate::lr_scheduler::LRScheduler;
use crate::optim::{Optimizer, OptimizerStateDict};
use crate::{Module, StateDict};

const MODEL: &str = "model.";
const OPTIMIZER: &str = "optimizer.";

/// Writes model parameters and buffers (`model.<key>`), optimiser state
/// (`optimizer.state.<i>.<key>`) and, in the metadata, the optimiser's param groups, the
/// scheduler's state, `epoch` and the default generator's state. Atomic: a temporary file is
/// renamed into place.
pub fn save_training_checkpoint(
    path: impl AsRef<Path>,
    model: &dyn Module,
    optimizer: &dyn Optimizer,
    scheduler: Option<&dyn LRScheduler>,
    epoch: usize,
) -> Result<()> {
    let mut tensors: Vec<(String, Tensor)> = model
        .state_dict()
        .into_iter()
        .map(|(k, t)| (format!("{MODEL}{k}"), t))
        .collect();
    let opt = optimizer.state_dict()?;
    tensors.extend(opt.to_tensors(OPTIMIZER));
    let mut meta = SafetensorsMetadata::new();
    meta.insert("optimizer.param_groups".into(), opt.param_groups_json());
    if let Some(s) = scheduler {
        meta.insert("scheduler".into(), s.state_dict().to_string());
    }
    meta.insert("epoch".into(), epoch.to_string());
    let g = default_generator().get_state();
    meta.insert("generator".into(), format!("{},{}", g.seed, g.offset));
    let refs: Vec<(&str, &Tensor)> = tensors.iter().map(|(n, t)| (n.as_str(), t)).collect();
    save_safetensors(&refs, Some(&meta), path)
}

fn entry<'a>(path: &Path, meta: &'a HashMap<String, String>, key: &str) -> Result<&'a str> {
    meta.get(key).map(String::as_str).ok_or_else(|| {
        Error::format(
            path,
            format!("training checkpoint: no `{key}` entry in the metadata"),
        )
    })
}

/// Restores what [`save_training_checkpoint`] wrote into `model` (strictly), `optimizer`,
/// `scheduler` and the default generator; returns the saved epoch.
pub fn load_training_checkpoint(
    path: impl AsRef<Path>,
    model: &dyn Module,
    optimizer: &mut dyn Optimizer,
    scheduler: Option<&mut dyn LRScheduler>,
) -> Result<usize> {
    let path = path.as_ref();
    let (tensors, meta) = load_safetensors_with_metadata(path)?;
    let meta = meta.unwrap_or_default();
    let bad = |what: &str| {
        Error::format(
            path,
            format!("training checkpoint: malformed `{what}` entry"),
        )
    };
    let model_sd: StateDict = tensors
        .iter()
        .filter_map(|(k, t)| Some((k.strip_prefix(MODEL)?.to_string(), t.clone())))
        .collect();
    model.load_state_dict(&model_sd, true)?;
    let opt = OptimizerStateDict::from_tensors(
        tensors,
        OPTIMIZER,
        entry(path, &meta, "optimizer.param_groups")?,
    )?;
    optimizer.load_state_dict(&opt)?;
    if let Some(s) = scheduler {
        let json =
            serde_json::from_str(entry(path, &meta, "scheduler")?).map_err(|_| bad("scheduler"))?;
        s.load_state_dict(&json)?;
    }
    let (seed, offset) = entry(path, &meta, "generator")?
        .split_once(',')
        .and_then(|(s, o)| Some((s.parse().ok()?, o.parse().ok()?)))
        .ok_or_else(|| bad("generator"))?;
    default_generator().set_state(GeneratorState { seed, offset });
    entry(path, &meta, "epoch")?
        .parse()
        .map_err(|_| bad("epoch"))
}
