//! The allow-list of Python globals a checkpoint may name (`GLOBAL`/`STACK_GLOBAL`) and what
//! calling each one (`REDUCE`/`NEWOBJ`) builds. Nothing outside this list is ever resolved, so
//! a pickle cannot run code: `os.system`, `builtins.eval`, `__torch__` classes... are refused
//! by name.

use super::storage::{self, StorageClass};
use super::unpickle::{Arena, Container, Val};
use crate::DType;

/// A global the unpickler knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Global {
    OrderedDict,
    RebuildTensor,
    RebuildTensorV2,
    RebuildTensorV3,
    RebuildParameter,
    RebuildParameterWithState,
    /// `torch.FloatStorage`, ...; `dtype` is `None` for classes torch-core lacks.
    StorageType {
        name: &'static str,
        dtype: Option<DType>,
    },
    UntypedStorage,
    /// `torch.float32`, ...; `dtype` is `None` for dtypes torch-core lacks.
    TorchDType {
        name: &'static str,
        dtype: Option<DType>,
    },
    Size,
    CodecsEncode,
    Bytes,
}

/// The allowed global `module.name`, or `None`.
pub(super) fn resolve(module: &str, name: &str) -> Option<Global> {
    Some(match (module, name) {
        ("collections", "OrderedDict") => Global::OrderedDict,
        ("torch._utils", "_rebuild_tensor") => Global::RebuildTensor,
        ("torch._utils", "_rebuild_tensor_v2") => Global::RebuildTensorV2,
        ("torch._utils", "_rebuild_tensor_v3") => Global::RebuildTensorV3,
        ("torch._utils", "_rebuild_parameter") => Global::RebuildParameter,
        ("torch._utils", "_rebuild_parameter_with_state") => Global::RebuildParameterWithState,
        ("torch" | "torch.storage", "UntypedStorage") => Global::UntypedStorage,
        ("torch", "Size") => Global::Size,
        ("_codecs", "encode") => Global::CodecsEncode,
        ("builtins" | "__builtin__", "bytes") => Global::Bytes,
        ("torch", n) => {
            if let Some((name, dtype)) = storage::storage_type(n) {
                Global::StorageType { name, dtype }
            } else if let Some((name, dtype)) = storage::torch_dtype(n) {
                Global::TorchDType { name, dtype }
            } else {
                return None;
            }
        }
        _ => return None,
    })
}

impl Global {
    /// The Python name, for messages.
    pub fn name(self) -> String {
        match self {
            Global::OrderedDict => "collections.OrderedDict".into(),
            Global::RebuildTensor => "torch._utils._rebuild_tensor".into(),
            Global::RebuildTensorV2 => "torch._utils._rebuild_tensor_v2".into(),
            Global::RebuildTensorV3 => "torch._utils._rebuild_tensor_v3".into(),
            Global::RebuildParameter => "torch._utils._rebuild_parameter".into(),
            Global::RebuildParameterWithState => {
                "torch._utils._rebuild_parameter_with_state".into()
            }
            Global::StorageType { name, .. } | Global::TorchDType { name, .. } => {
                format!("torch.{name}")
            }
            Global::UntypedStorage => "torch.UntypedStorage".into(),
            Global::Size => "torch.Size".into(),
            Global::CodecsEncode => "_codecs.encode".into(),
            Global::Bytes => "builtins.bytes".into(),
        }
    }

    /// The storage class this global names, for a persistent id.
    pub fn storage_class(self) -> Result<StorageClass, String> {
        match self {
            Global::StorageType { dtype: Some(d), .. } => Ok(StorageClass::Typed(d)),
            Global::StorageType { dtype: None, .. } => Err(format!(
                "storage type {} is not supported by torch-core",
                self.name()
            )),
            Global::UntypedStorage => Ok(StorageClass::Untyped),
            _ => Err(format!("{} is not a storage type", self.name())),
        }
    }

    /// Calls the global with `args` (`REDUCE` / `NEWOBJ`).
    pub fn call(self, args: &[Val], arena: &mut Arena) -> Result<Val, String> {
        let n = args.len();
        let arity = |ok: bool, expected: &str| {
            if ok {
                Ok(())
            } else {
                Err(format!(
                    "{} takes {expected} arguments, got {n}",
                    self.name()
                ))
            }
        };
        match self {
            Global::OrderedDict => {
                arity(n <= 1, "0 or 1")?;
                let entries = match args.first() {
                    None => Vec::new(),
                    Some(v) => pairs(v, arena)?,
                };
                Ok(arena.push(Container::Dict(entries)))
            }
            Global::RebuildTensor => {
                arity(n == 4, "4")?;
                rebuild(&args[0], None, &args[1..4], &Val::Bool(false))
            }
            Global::RebuildTensorV2 => {
                arity(n == 6 || n == 7, "6 or 7")?;
                rebuild(&args[0], None, &args[1..4], &args[4])
            }
            Global::RebuildTensorV3 => {
                arity(n == 7 || n == 8, "7 or 8")?;
                let dtype = match &args[6] {
                    Val::Global(Global::TorchDType { dtype: Some(d), .. }) => *d,
                    Val::Global(g @ Global::TorchDType { dtype: None, .. }) => {
                        return Err(format!("dtype {} is not supported by torch-core", g.name()));
                    }
                    other => return Err(format!("expected a torch dtype, got {}", other.kind())),
                };
                rebuild(&args[0], Some(dtype), &args[1..4], &args[4])
            }
            Global::RebuildParameter | Global::RebuildParameterWithState => {
                arity(n == 3 || n == 4, "3 or 4")?;
                match &args[0] {
                    Val::Tensor(t) => Ok(Val::Tensor(set_requires_grad(t.clone(), &args[1])?)),
                    other => Err(format!(
                        "{} expects a tensor, got {}",
                        self.name(),
                        other.kind()
                    )),
                }
            }
            Global::Size => {
                arity(n == 1, "1")?;
                match &args[0] {
                    Val::Tuple(items) => Ok(Val::Tuple(items.clone())),
                    Val::List(i) => match arena.get(*i) {
                        Container::List(items) => Ok(Val::Tuple(items.clone().into())),
                        Container::Dict(_) => Err("torch.Size expects a sequence".into()),
                    },
                    other => Err(format!(
                        "torch.Size expects a sequence, got {}",
                        other.kind()
                    )),
                }
            }
            Global::CodecsEncode => {
                arity(n == 2, "2")?;
                match (&args[0], &args[1]) {
                    (Val::Str(s), Val::Str(enc)) if matches!(&**enc, "latin1" | "latin-1") => s
                        .chars()
                        .map(|c| u8::try_from(u32::from(c)).ok())
                        .collect::<Option<Vec<u8>>>()
                        .map(|b| Val::Bytes(b.into()))
                        .ok_or_else(|| "_codecs.encode: a character is not latin-1".into()),
                    _ => Err("_codecs.encode supports only (str, 'latin1')".into()),
                }
            }
            Global::Bytes => match args {
                [] => Ok(Val::Bytes(Vec::new().into())),
                [Val::Bytes(b)] => Ok(Val::Bytes(b.clone())),
                _ => Err("builtins.bytes supports only bytes() and bytes(b)".into()),
            },
            Global::StorageType { .. } | Global::UntypedStorage | Global::TorchDType { .. } => {
                Err(format!("calling {} is not supported", self.name()))
            }
        }
    }
}

/// `(key, value)` pairs from the argument of `OrderedDict(...)`: a list of 2-tuples or a dict.
fn pairs(arg: &Val, arena: &Arena) -> Result<Vec<(Val, Val)>, String> {
    let items: Vec<Val> = match arg {
        Val::List(i) | Val::Dict(i) => match arena.get(*i) {
            Container::Dict(entries) => return Ok(entries.clone()),
            Container::List(items) => items.clone(),
        },
        Val::Tuple(items) => items.to_vec(),
        other => return Err(format!("OrderedDict expects items, got {}", other.kind())),
    };
    items
        .into_iter()
        .map(|item| match item {
            Val::Tuple(kv) if kv.len() == 2 => Ok((kv[0].clone(), kv[1].clone())),
            other => Err(format!(
                "OrderedDict expects (key, value) pairs, got {}",
                other.kind()
            )),
        })
        .collect()
}

/// `_rebuild_tensor*(storage, storage_offset, size, stride, requires_grad, ...)`.
fn rebuild(
    storage: &Val,
    dtype: Option<DType>,
    geometry: &[Val],
    requires_grad: &Val,
) -> Result<Val, String> {
    let Val::Storage(storage) = storage else {
        return Err(format!("expected a storage, got {}", storage.kind()));
    };
    let dtype = dtype.or(storage.dtype).ok_or_else(|| {
        format!(
            "storage `{}` is untyped and the tensor names no dtype",
            storage.key
        )
    })?;
    let offset = geometry[0]
        .as_usize()
        .ok_or("the storage offset is not a non-negative int")?;
    let size = usizes(&geometry[1]).ok_or("the tensor size is not a tuple of ints >= 0")?;
    let stride = usizes(&geometry[2]).ok_or("the tensor stride is not a tuple of ints >= 0")?;
    let t = storage.view(dtype, offset, &size, &stride)?;
    Ok(Val::Tensor(set_requires_grad(t, requires_grad)?))
}

fn set_requires_grad(t: crate::Tensor, flag: &Val) -> Result<crate::Tensor, String> {
    match flag {
        Val::Bool(false) => Ok(t),
        Val::Bool(true) => t.requires_grad_(true).map_err(|e| e.to_string()),
        other => Err(format!("requires_grad is a {}, not a bool", other.kind())),
    }
}

fn usizes(v: &Val) -> Option<Vec<usize>> {
    match v {
        Val::Tuple(items) => items.iter().map(Val::as_usize).collect(),
        _ => None,
    }
}
