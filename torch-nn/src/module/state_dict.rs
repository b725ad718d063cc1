//! `StateDict` (an ordered name → tensor map with PyTorch's keys), `state_dict()` and
//! `load_state_dict(strict)`, and saving/loading state dicts as safetensors.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use torch_core::autograd::no_grad;
use torch_core::io::{load_pt_state_dict, load_safetensors, save_pt, save_safetensors};
use torch_core::{Error, Result, Tensor};

use super::walk::walk;
use super::{Member, Module};

/// An ordered `name -> tensor` map, as PyTorch's `OrderedDict` state dicts.
#[derive(Clone, Default, Debug)]
pub struct StateDict(Vec<(String, Tensor)>);

impl StateDict {
    /// An empty state dict.
    pub fn new() -> StateDict {
        StateDict(Vec::new())
    }

    /// Inserts or replaces `name` (a new name goes last, as in an `OrderedDict`).
    pub fn insert(&mut self, name: impl Into<String>, t: Tensor) {
        let name = name.into();
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = t,
            None => self.0.push((name, t)),
        }
    }

    /// The tensor under `name`.
    pub fn get(&self, name: &str) -> Option<&Tensor> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }

    /// Removes and returns the tensor under `name`.
    pub fn remove(&mut self, name: &str) -> Option<Tensor> {
        let i = self.0.iter().position(|(n, _)| n == name)?;
        Some(self.0.remove(i).1)
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(n, _)| n.as_str())
    }

    /// `(name, tensor)` pairs, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Tensor)> {
        self.0.iter().map(|(n, t)| (n.as_str(), t))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The entries.
    pub fn into_vec(self) -> Vec<(String, Tensor)> {
        self.0
    }

    /// Writes the state dict as a safetensors file (atomically: temporary file, then rename).
    pub fn save_safetensors(&self, path: impl AsRef<Path>) -> Result<()> {
        let refs: Vec<(&str, &Tensor)> = self.iter().collect();
        save_safetensors(&refs, None, path)
    }

    /// Reads a safetensors file (memory-mapped: tensors are copied into a module only by
    /// `load_state_dict`).
    pub fn load_safetensors(path: impl AsRef<Path>) -> Result<StateDict> {
        Ok(StateDict(load_safetensors(path)?))
    }

    /// Writes the state dict as `torch.save` does (zip format), readable by
    /// `torch.load(path, weights_only=True)`; atomically.
    pub fn save_pt(&self, path: impl AsRef<Path>) -> Result<()> {
        save_pt(path, &self.0)
    }

    /// Reads a checkpoint written by `torch.save(model.state_dict(), path)`, zip or legacy
    /// format (`.pt`, `.pth`, `.bin`); nested dicts are flattened with dots.
    pub fn load_pt(path: impl AsRef<Path>) -> Result<StateDict> {
        Ok(StateDict(load_pt_state_dict(path)?))
    }

    /// Reads a state dict from `path`: safetensors if the name ends in `.safetensors`, else a
    /// PyTorch checkpoint.
    pub fn load(path: impl AsRef<Path>) -> Result<StateDict> {
        let path = path.as_ref();
        if path.extension().is_some_and(|e| e == "safetensors") {
            Self::load_safetensors(path)
        } else {
            Self::load_pt(path)
        }
    }
}

impl From<Vec<(String, Tensor)>> for StateDict {
    fn from(v: Vec<(String, Tensor)>) -> StateDict {
        StateDict(v)
    }
}

impl FromIterator<(String, Tensor)> for StateDict {
    fn from_iter<I: IntoIterator<Item = (String, Tensor)>>(iter: I) -> StateDict {
        let mut sd = StateDict::new();
        for (n, t) in iter {
            sd.insert(n, t);
        }
        sd
    }
}

impl IntoIterator for StateDict {
    type Item = (String, Tensor);
    type IntoIter = std::vec::IntoIter<(String, Tensor)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// The keys `load_state_dict` did not match, as PyTorch's `_IncompatibleKeys`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IncompatibleKeys {
    /// Keys the module has and the state dict lacks.
    pub missing_keys: Vec<String>,
    /// Keys the state dict has and the module lacks.
    pub unexpected_keys: Vec<String>,
}

/// Parameters and persistent buffers under their dotted names, in PyTorch's order.
fn entries(m: &dyn Module) -> Vec<(String, Tensor)> {
    let mut out = Vec::new();
    walk(m, "", &mut |name, member| match member {
        Member::Parameter(p) => out.push((name.to_string(), p.tensor().clone())),
        Member::Buffer(b, true) => out.push((name.to_string(), b.clone())),
        _ => {}
    });
    out
}

pub(super) fn state_dict(m: &dyn Module) -> StateDict {
    StateDict(
        entries(m)
            .into_iter()
            .map(|(n, t)| (n, t.detach()))
            .collect(),
    )
}

fn quoted(keys: &[String]) -> String {
    keys.iter()
        .map(|k| format!("\"{k}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn load_state_dict(
    m: &dyn Module,
    state: &StateDict,
    strict: bool,
) -> Result<IncompatibleKeys> {
    let own = entries(m);
    let given: HashMap<&str, &Tensor> = state.iter().collect();
    let own_names: HashSet<&str> = own.iter().map(|(n, _)| n.as_str()).collect();
    let mut keys = IncompatibleKeys::default();
    let mut mismatches = Vec::new();
    let mut copies = Vec::new();
    for (name, dst) in &own {
        match given.get(name.as_str()) {
            None => keys.missing_keys.push(name.clone()),
            Some(src) if src.shape() != dst.shape() => mismatches.push(format!(
                "size mismatch for {name}: copying a param with shape {:?} from checkpoint, \
                 the shape in current model is {:?}.",
                src.shape(),
                dst.shape()
            )),
            Some(src) => copies.push((dst, *src)),
        }
    }
    keys.unexpected_keys = state
        .keys()
        .filter(|k| !own_names.contains(k))
        .map(str::to_string)
        .collect();
    let mut problems = Vec::new();
    if strict && !keys.missing_keys.is_empty() {
        problems.push(format!(
            "Missing key(s) in state_dict: {}.",
            quoted(&keys.missing_keys)
        ));
    }
    if strict && !keys.unexpected_keys.is_empty() {
        problems.push(format!(
            "Unexpected key(s) in state_dict: {}.",
            quoted(&keys.unexpected_keys)
        ));
    }
    problems.extend(mismatches);
    if !problems.is_empty() {
        return Err(Error::invalid(
            "load_state_dict",
            format!(
                "Error(s) in loading state_dict for {}:\n\t{}",
                m.type_name(),
                problems.join("\n\t")
            ),
        ));
    }
    let _guard = no_grad();
    for (dst, src) in copies {
        dst.copy_(src)?;
    }
    Ok(keys)
}
