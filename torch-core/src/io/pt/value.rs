//! `PtValue`: the tree of Python values a checkpoint holds (dicts, lists, numbers, strings,
//! tensors), and flattening a (nested) state dict into named tensors.

use std::collections::HashSet;
use std::path::Path;

use crate::io::NamedTensors;
use crate::{Error, Result, Tensor};

/// A Python value read from a `.pt` checkpoint, as `torch.load(path, weights_only=True)`
/// returns it.
///
/// Dicts (`dict` and `collections.OrderedDict`) keep their insertion order; `torch.Size` reads
/// as a tuple; a bare storage reads as a 1-D tensor over all of it; `nn.Parameter` reads as its
/// tensor (with `requires_grad` set as saved). Tensors that shared a storage in Python share it
/// here too (they are views of one buffer).
#[derive(Clone, Debug)]
pub enum PtValue {
    /// `None`.
    None,
    /// `bool`.
    Bool(bool),
    /// `int` (one that does not fit in 64 bits is a format error).
    Int(i64),
    /// `float`.
    Float(f64),
    /// `str`.
    Str(String),
    /// `bytes`.
    Bytes(Vec<u8>),
    /// `list`.
    List(Vec<PtValue>),
    /// `tuple` (and `torch.Size`).
    Tuple(Vec<PtValue>),
    /// `dict` / `OrderedDict`, in insertion order.
    Dict(Vec<(PtValue, PtValue)>),
    /// `torch.Tensor` (and `nn.Parameter`).
    Tensor(Tensor),
}

impl PtValue {
    /// The Python type name, for messages: `"dict"`, `"tensor"`, `"int"`, ...
    pub fn kind(&self) -> &'static str {
        match self {
            PtValue::None => "None",
            PtValue::Bool(_) => "bool",
            PtValue::Int(_) => "int",
            PtValue::Float(_) => "float",
            PtValue::Str(_) => "str",
            PtValue::Bytes(_) => "bytes",
            PtValue::List(_) => "list",
            PtValue::Tuple(_) => "tuple",
            PtValue::Dict(_) => "dict",
            PtValue::Tensor(_) => "tensor",
        }
    }

    /// The value under the string key `key` of a dict (`d[key]`); `None` when this is not a
    /// dict or the key is absent. A key repeated in a (hand-made) file resolves to its last
    /// value, as Python's dict does.
    pub fn get(&self, key: &str) -> Option<&PtValue> {
        self.as_dict()?
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// The entries of a dict, in insertion order.
    pub fn as_dict(&self) -> Option<&[(PtValue, PtValue)]> {
        match self {
            PtValue::Dict(d) => Some(d),
            _ => None,
        }
    }

    /// The items of a list or a tuple.
    pub fn as_seq(&self) -> Option<&[PtValue]> {
        match self {
            PtValue::List(v) | PtValue::Tuple(v) => Some(v),
            _ => None,
        }
    }

    /// The tensor, if this is one.
    pub fn as_tensor(&self) -> Option<&Tensor> {
        match self {
            PtValue::Tensor(t) => Some(t),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            PtValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is one (bools are not integers here).
    pub fn as_int(&self) -> Option<i64> {
        match self {
            PtValue::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The number as `f64`, if this is a float or an int.
    pub fn as_float(&self) -> Option<f64> {
        match self {
            PtValue::Float(f) => Some(*f),
            PtValue::Int(i) => Some(*i as f64),
            _ => None,
        }
    }
}

/// Flattens a state dict: a dict of tensors whose nested dicts are flattened with dots
/// (`{"enc": {"w": t}}` gives `enc.w`). `path` names the file in errors.
pub(super) fn flatten_state_dict(value: PtValue, path: &Path) -> Result<NamedTensors> {
    let PtValue::Dict(entries) = value else {
        return Err(Error::format(
            path,
            format!(
                "pt: expected a state dict (a dict of tensors) at the top level, found a {}; \
                 use load_pt for other objects",
                value.kind()
            ),
        ));
    };
    let mut out = Vec::with_capacity(entries.len());
    flatten_into(entries, "", &mut out, path)?;
    let mut seen = HashSet::with_capacity(out.len());
    for (name, _) in &out {
        if !seen.insert(name.as_str()) {
            return Err(Error::format(
                path,
                format!("pt: the state dict holds the key `{name}` more than once"),
            ));
        }
    }
    Ok(out)
}

fn flatten_into(
    entries: Vec<(PtValue, PtValue)>,
    prefix: &str,
    out: &mut NamedTensors,
    path: &Path,
) -> Result<()> {
    for (key, value) in entries {
        let key = match key {
            PtValue::Str(s) => s,
            PtValue::Int(i) => i.to_string(),
            other => {
                return Err(Error::format(
                    path,
                    format!(
                        "pt: state dict key under `{prefix}` is a {}, not a str",
                        other.kind()
                    ),
                ));
            }
        };
        let name = if prefix.is_empty() {
            key
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            PtValue::Tensor(t) => out.push((name, t)),
            PtValue::Dict(inner) => flatten_into(inner, &name, out, path)?,
            other => {
                return Err(Error::format(
                    path,
                    format!(
                        "pt: state dict entry `{name}` is a {}, not a tensor or a dict; use \
                         load_pt for checkpoints holding other values",
                        other.kind()
                    ),
                ));
            }
        }
    }
    Ok(())
}
