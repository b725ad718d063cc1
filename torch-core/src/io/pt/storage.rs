//! Storages in a checkpoint: PyTorch's storage classes and dtypes mapped onto `DType`, the
//! persistent id that names a storage (`('storage', torch.FloatStorage, key, location, numel)`),
//! and rebuilding a tensor as a view (offset, size, stride) of a storage.

use std::sync::Arc;

use super::unpickle::Val;
use crate::layout::Layout;
use crate::storage::Storage;
use crate::{DType, Tensor};

/// The largest alignment any of our element types needs: loaders map a storage in place only
/// at an offset that is a multiple of this, so every dtype can view it.
pub(super) const MAX_ALIGN: usize = 8;

/// `torch.<Name>Storage` classes and the dtype of their elements; `None` marks the ones
/// torch-core lacks (named in errors rather than refused as unknown globals).
const STORAGE_TYPES: &[(&str, Option<DType>)] = &[
    ("FloatStorage", Some(DType::F32)),
    ("DoubleStorage", Some(DType::F64)),
    ("HalfStorage", Some(DType::F16)),
    ("BFloat16Storage", Some(DType::BF16)),
    ("ComplexFloatStorage", Some(DType::C64)),
    ("LongStorage", Some(DType::I64)),
    ("IntStorage", Some(DType::I32)),
    ("ShortStorage", Some(DType::I16)),
    ("CharStorage", Some(DType::I8)),
    ("ByteStorage", Some(DType::U8)),
    ("BoolStorage", Some(DType::Bool)),
    ("ComplexDoubleStorage", None),
    ("QInt8Storage", None),
    ("QUInt8Storage", None),
    ("QInt32Storage", None),
    ("QUInt4x2Storage", None),
    ("QUInt2x4Storage", None),
];

/// `torch.<dtype>` attributes (pickled by name, e.g. for `_rebuild_tensor_v3`) and our dtype;
/// `None` marks dtypes torch-core lacks.
const TORCH_DTYPES: &[(&str, Option<DType>)] = &[
    ("float32", Some(DType::F32)),
    ("float", Some(DType::F32)),
    ("float64", Some(DType::F64)),
    ("double", Some(DType::F64)),
    ("float16", Some(DType::F16)),
    ("half", Some(DType::F16)),
    ("bfloat16", Some(DType::BF16)),
    ("complex64", Some(DType::C64)),
    ("cfloat", Some(DType::C64)),
    ("int64", Some(DType::I64)),
    ("long", Some(DType::I64)),
    ("int32", Some(DType::I32)),
    ("int", Some(DType::I32)),
    ("int16", Some(DType::I16)),
    ("short", Some(DType::I16)),
    ("int8", Some(DType::I8)),
    ("uint8", Some(DType::U8)),
    ("bool", Some(DType::Bool)),
    ("complex128", None),
    ("cdouble", None),
    ("complex32", None),
    ("chalf", None),
    ("uint16", None),
    ("uint32", None),
    ("uint64", None),
    ("float8_e4m3fn", None),
    ("float8_e4m3fnuz", None),
    ("float8_e5m2", None),
    ("float8_e5m2fnuz", None),
    ("float8_e8m0fnu", None),
    ("float4_e2m1fn_x2", None),
    ("qint8", None),
    ("quint8", None),
    ("qint32", None),
    ("quint4x2", None),
    ("quint2x4", None),
];

/// The storage class named `torch.<name>`, if it is one PyTorch has.
pub(super) fn storage_type(name: &str) -> Option<(&'static str, Option<DType>)> {
    STORAGE_TYPES.iter().copied().find(|(n, _)| *n == name)
}

/// The dtype named `torch.<name>`, if it is one PyTorch has.
pub(super) fn torch_dtype(name: &str) -> Option<(&'static str, Option<DType>)> {
    TORCH_DTYPES.iter().copied().find(|(n, _)| *n == name)
}

/// The storage class `torch.save` pickles for a dtype (`torch.FloatStorage` for f32, ...).
pub(super) fn storage_type_of(dtype: DType) -> &'static str {
    match dtype {
        DType::F32 => "FloatStorage",
        DType::F64 => "DoubleStorage",
        DType::F16 => "HalfStorage",
        DType::BF16 => "BFloat16Storage",
        DType::C64 => "ComplexFloatStorage",
        DType::I64 => "LongStorage",
        DType::I32 => "IntStorage",
        DType::I16 => "ShortStorage",
        DType::I8 => "CharStorage",
        DType::U8 => "ByteStorage",
        DType::Bool => "BoolStorage",
    }
}

/// A storage (or, in old legacy files, a slice of one) as a persistent id resolves it.
#[derive(Debug)]
pub(super) struct PtStorage {
    /// The file's key for the storage (`data/<key>` in a zip).
    pub key: String,
    /// The element type; `None` for `torch.UntypedStorage` (bytes, typed by each tensor).
    pub dtype: Option<DType>,
    pub storage: Arc<Storage>,
    /// Where this storage starts inside `storage` (non-zero only for legacy storage views).
    pub byte_offset: usize,
    pub nbytes: usize,
}

/// The storage class a persistent id names.
#[derive(Clone, Copy, Debug)]
pub(super) enum StorageClass {
    Typed(DType),
    Untyped,
}

impl StorageClass {
    /// Bytes of `numel` elements of this class (a persistent id counts untyped ones in bytes).
    pub fn nbytes(self, numel: usize) -> Option<usize> {
        match self {
            StorageClass::Typed(d) => numel.checked_mul(d.size_in_bytes()),
            StorageClass::Untyped => Some(numel),
        }
    }

    pub fn dtype(self) -> Option<DType> {
        match self {
            StorageClass::Typed(d) => Some(d),
            StorageClass::Untyped => None,
        }
    }
}

/// A parsed persistent id: `('storage', class, key, location, numel[, view_metadata])`.
#[derive(Debug)]
pub(super) struct StorageId {
    pub class: StorageClass,
    pub key: String,
    pub numel: usize,
    /// Legacy only: `(view_key, offset, size)` in elements of `class`.
    pub view: Option<(String, usize, usize)>,
}

impl PtStorage {
    /// A tensor of `dtype` viewing this storage with `offset`, `size` and `stride` (elements),
    /// as `torch._utils._rebuild_tensor` builds it; the bounds are checked.
    pub fn view(
        &self,
        dtype: DType,
        offset: usize,
        size: &[usize],
        stride: &[usize],
    ) -> Result<Tensor, String> {
        let elem = dtype.size_in_bytes();
        if size.len() != stride.len() {
            return Err(format!(
                "tensor size {size:?} and stride {stride:?} differ in length"
            ));
        }
        if !self.byte_offset.is_multiple_of(elem) {
            return Err(format!(
                "storage `{}` starts at byte {}, not a multiple of the {dtype:?} element size",
                self.key, self.byte_offset
            ));
        }
        let capacity = self.nbytes / elem;
        let numel = size
            .iter()
            .try_fold(1usize, |acc, &s| acc.checked_mul(s))
            .ok_or_else(|| format!("tensor size {size:?} overflows"))?;
        let extent = if numel == 0 {
            Some(0)
        } else {
            size.iter()
                .zip(stride)
                .try_fold(offset, |acc, (&s, &st)| {
                    (s - 1).checked_mul(st).and_then(|x| acc.checked_add(x))
                })
                .and_then(|last| last.checked_add(1))
        };
        match extent {
            Some(e) if e <= capacity => {}
            _ => {
                return Err(format!(
                    "tensor of size {size:?}, stride {stride:?} and offset {offset} does not \
                     fit in storage `{}` of {capacity} {dtype:?} elements",
                    self.key
                ));
            }
        }
        if dtype == DType::Bool && numel > 0 {
            let guard = self.storage.read();
            let bytes = guard
                .as_bytes()
                .get(self.byte_offset..self.byte_offset + self.nbytes)
                .ok_or_else(|| format!("storage `{}` is shorter than recorded", self.key))?;
            if let Some((i, b)) = crate::io::raw::invalid_bool(bytes) {
                return Err(format!(
                    "bool storage `{}`: byte {i} holds {b}, not 0 or 1",
                    self.key
                ));
            }
        }
        let layout = Layout {
            shape: size.into(),
            strides: stride.into(),
            offset: self.byte_offset / elem + offset,
        };
        Ok(Tensor::from_parts(
            self.storage.clone(),
            layout,
            dtype,
            None,
        ))
    }

    /// The whole storage as a 1-D tensor (how a bare storage in a checkpoint reads); untyped
    /// storages read as bytes (u8).
    pub fn as_tensor(&self) -> Result<Tensor, String> {
        let dtype = self.dtype.unwrap_or(DType::U8);
        let n = self.nbytes / dtype.size_in_bytes();
        self.view(dtype, 0, &[n], &[1])
    }
}

/// Parses a persistent id `('storage', class, key, location, numel[, view_metadata])`. The
/// location is ignored: everything loads onto the CPU (`map_location="cpu"`).
pub(super) fn parse_storage_id(pid: &Val) -> Result<StorageId, String> {
    let Val::Tuple(items) = pid else {
        return Err(format!("persistent id is a {}, not a tuple", pid.kind()));
    };
    match items.first() {
        Some(Val::Str(s)) if &**s == "storage" => {}
        Some(Val::Str(s)) => {
            return Err(format!(
                "persistent id of kind `{s}` is not supported (only storages)"
            ));
        }
        _ => return Err("persistent id does not start with a kind string".into()),
    }
    if !(items.len() == 5 || items.len() == 6) {
        return Err(format!(
            "storage persistent id has {} items, expected 5 or 6",
            items.len()
        ));
    }
    let class = match &items[1] {
        Val::Global(g) => g.storage_class()?,
        other => return Err(format!("storage type is a {}, not a class", other.kind())),
    };
    let Val::Str(key) = &items[2] else {
        return Err("storage key is not a str".into());
    };
    let numel = items[4]
        .as_usize()
        .ok_or("storage size is not a non-negative int")?;
    let view = match items.get(5) {
        None | Some(Val::None) => None,
        Some(Val::Tuple(v)) if v.len() == 3 => match (&v[0], v[1].as_usize(), v[2].as_usize()) {
            (Val::Str(k), Some(off), Some(len)) => Some((k.to_string(), off, len)),
            _ => return Err("storage view metadata is not (str, int, int)".into()),
        },
        Some(other) => {
            return Err(format!(
                "storage view metadata is a {}, not a tuple",
                other.kind()
            ));
        }
    };
    Ok(StorageId {
        class,
        key: key.to_string(),
        numel,
        view,
    })
}
