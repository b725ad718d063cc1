//! The safetensors format (Hugging Face's `safetensors.torch.load_file` / `save_file`):
//! loading memory-maps the file and hands out tensors backed by the map without copying
//! (DESIGN R8); saving writes the same layout Python writes, atomically.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use ::safetensors::Dtype as StDtype;
use ::safetensors::SafeTensors;
use ::safetensors::tensor::{Metadata, TensorInfo};

use super::atomic::write_atomic;
use super::raw::{self, ByteOrder};
use crate::storage::{Bytes, Storage};
use crate::{DType, Device, Error, Result, Tensor};

/// The `__metadata__` string map of a safetensors header (`safe_open(...).metadata()`).
pub type SafetensorsMetadata = HashMap<String, String>;

/// Named tensors in file order, as the loaders return them.
pub type NamedTensors = Vec<(String, Tensor)>;

/// The length prefix before the JSON header.
const N_LEN: usize = 8;

/// Our dtype for a safetensors dtype, or `None` when torch-core lacks it (U16, F8_E4M3, ...).
fn from_st_dtype(dtype: StDtype) -> Option<DType> {
    Some(match dtype {
        StDtype::BOOL => DType::Bool,
        StDtype::U8 => DType::U8,
        StDtype::I8 => DType::I8,
        StDtype::I16 => DType::I16,
        StDtype::I32 => DType::I32,
        StDtype::I64 => DType::I64,
        StDtype::F16 => DType::F16,
        StDtype::BF16 => DType::BF16,
        StDtype::F32 => DType::F32,
        StDtype::F64 => DType::F64,
        StDtype::C64 => DType::C64,
        _ => return None,
    })
}

fn to_st_dtype(dtype: DType) -> StDtype {
    match dtype {
        DType::Bool => StDtype::BOOL,
        DType::U8 => StDtype::U8,
        DType::I8 => StDtype::I8,
        DType::I16 => StDtype::I16,
        DType::I32 => StDtype::I32,
        DType::I64 => StDtype::I64,
        DType::F16 => StDtype::F16,
        DType::BF16 => StDtype::BF16,
        DType::F32 => StDtype::F32,
        DType::F64 => StDtype::F64,
        DType::C64 => StDtype::C64,
    }
}

/// Loads every tensor of a `.safetensors` file, in file order (by data offset), as
/// `safetensors.torch.load_file` does (which returns a dict).
///
/// The file is memory-mapped and tensors whose data is aligned for their dtype share the map
/// without a copy; the first in-place write to one copies its storage. Like every memory map,
/// the file must not be truncated or rewritten in place while tensors are alive (our writers
/// replace files by renaming, which is safe).
///
/// Errors: `Error::Io` when the file cannot be read; `Error::Format` naming the file for a
/// truncated or corrupt file, a dtype torch-core lacks (U16, F8_E4M3, ...), or a bool tensor
/// holding bytes other than 0 and 1.
pub fn load_safetensors(path: impl AsRef<Path>) -> Result<NamedTensors> {
    Ok(load_safetensors_with_metadata(path)?.0)
}

/// Loads every tensor of a `.safetensors` file by name (`safetensors.torch.load_file`).
///
/// Same behaviour and errors as [`load_safetensors`].
pub fn load_safetensors_map(path: impl AsRef<Path>) -> Result<HashMap<String, Tensor>> {
    Ok(load_safetensors(path)?.into_iter().collect())
}

/// Loads every tensor of a `.safetensors` file (in file order) and its `__metadata__` string
/// map, if any (`safetensors.safe_open(path, "pt").metadata()`).
///
/// Same behaviour and errors as [`load_safetensors`].
pub fn load_safetensors_with_metadata(
    path: impl AsRef<Path>,
) -> Result<(NamedTensors, Option<SafetensorsMetadata>)> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let file_len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if file_len < N_LEN as u64 {
        return Err(Error::format(
            path,
            format!(
                "safetensors: the file is {file_len} bytes long, too short for the 8-byte \
                 header length (truncated?)"
            ),
        ));
    }
    // SAFETY: the map is read-only; as documented above (and as for every mmap-based loader,
    // safetensors' and PyTorch's included) the file must not be truncated while it is mapped.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
    let map = Arc::new(map);
    let (header_len, meta) = SafeTensors::read_metadata(&map[..])
        .map_err(|e| Error::format(path, format!("safetensors: {e} (truncated or corrupt?)")))?;
    let data_start = N_LEN + header_len;

    let mut infos: Vec<(String, &TensorInfo)> = meta.tensors().into_iter().collect();
    // Offsets are unique except for empty tensors; the name makes the order deterministic.
    infos.sort_by(|(an, a), (bn, b)| a.data_offsets.cmp(&b.data_offsets).then(an.cmp(bn)));

    let mut out = Vec::with_capacity(infos.len());
    for (name, info) in infos {
        let dtype = from_st_dtype(info.dtype).ok_or_else(|| {
            Error::format(
                path,
                format!(
                    "safetensors: tensor `{name}` has dtype {}, which torch-core does not \
                     support",
                    info.dtype
                ),
            )
        })?;
        let (begin, end) = info.data_offsets;
        let start = data_start + begin;
        let len = end - begin;
        let bytes = map.get(start..start + len).ok_or_else(|| {
            Error::format(
                path,
                format!("safetensors: tensor `{name}`: data offsets run past the end of the file"),
            )
        })?;
        if dtype == DType::Bool
            && let Some((i, b)) = raw::invalid_bool(bytes)
        {
            return Err(Error::format(
                path,
                format!(
                    "safetensors: bool tensor `{name}`: element {i} holds the byte {b}, not 0 \
                     or 1"
                ),
            ));
        }
        let aligned = (bytes.as_ptr() as usize).is_multiple_of(raw::alignment(dtype));
        let tensor = if len > 0 && aligned && ByteOrder::NATIVE == ByteOrder::Little {
            let storage = Storage::new(
                Bytes::Mapped {
                    map: map.clone(),
                    start,
                    len,
                },
                Device::Cpu,
            );
            Tensor::from_storage(storage, &info.shape, dtype)
        } else {
            raw::tensor_from_bytes(bytes, &info.shape, dtype, ByteOrder::Little)
        };
        out.push((name, tensor));
    }
    Ok((out, meta.metadata().clone()))
}

/// Saves tensors to a `.safetensors` file (`safetensors.torch.save_file(tensors, path,
/// metadata)`), writing logical values (a transposed tensor is saved as it reads).
///
/// Tensors are laid out as Python lays them out (by dtype size, largest first, then by name),
/// so every tensor is aligned when the file is mapped. The file is written to a temporary file
/// in the same directory and renamed into place, so `path` is never left half-written.
///
/// Errors: `InvalidArgument` for duplicate or reserved (`__metadata__`) names; `Error::Io`
/// naming `path` when writing fails; `Error::Cuda` for a tensor not on the CPU.
pub fn save_safetensors(
    tensors: &[(&str, &Tensor)],
    metadata: Option<&SafetensorsMetadata>,
    path: impl AsRef<Path>,
) -> Result<()> {
    let path = path.as_ref();
    let mut seen = HashSet::with_capacity(tensors.len());
    for (name, _) in tensors {
        if *name == "__metadata__" {
            return Err(Error::invalid(
                "save_safetensors",
                "the tensor name `__metadata__` is reserved for the metadata map",
            ));
        }
        if !seen.insert(*name) {
            return Err(Error::invalid(
                "save_safetensors",
                format!("the tensor name `{name}` appears more than once"),
            ));
        }
    }

    let mut order: Vec<&(&str, &Tensor)> = tensors.iter().collect();
    order.sort_by(|(an, a), (bn, b)| {
        to_st_dtype(b.dtype())
            .cmp(&to_st_dtype(a.dtype()))
            .then(an.cmp(bn))
    });
    let mut infos = Vec::with_capacity(order.len());
    let mut offset = 0usize;
    for (name, t) in &order {
        let n = t.numel() * t.dtype().size_in_bytes();
        infos.push((
            name.to_string(),
            TensorInfo {
                dtype: to_st_dtype(t.dtype()),
                shape: t.shape().to_vec(),
                data_offsets: (offset, offset + n),
            },
        ));
        offset += n;
    }
    let meta = Metadata::new(metadata.cloned(), infos)
        .map_err(|e| Error::invalid("save_safetensors", format!("cannot build the header: {e}")))?;
    let mut header = serde_json::to_string(&meta)
        .map_err(|e| Error::invalid("save_safetensors", format!("cannot build the header: {e}")))?
        .into_bytes();
    // Python pads the header with spaces to a multiple of 8 so the data starts aligned.
    header.resize(header.len().next_multiple_of(N_LEN), b' ');

    write_atomic(path, |w| {
        let io = |e| Error::io(path, e);
        w.write_all(&(header.len() as u64).to_le_bytes())
            .map_err(io)?;
        w.write_all(&header).map_err(io)?;
        for (_, t) in &order {
            raw::with_le_bytes(t, "save_safetensors", |bytes| w.write_all(bytes))?.map_err(io)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_mapped(t: &Tensor) -> bool {
        matches!(&*t.storage().read(), Bytes::Mapped { .. })
    }

    #[test]
    fn aligned_tensors_share_the_map_and_writes_copy_it() -> Result<()> {
        let dir = std::env::temp_dir().join(format!("torch_io_unit_{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let path = dir.join("mapped.safetensors");
        let a = Tensor::from_slice(&[1.0f32, 2.0, 3.0], &[3])?;
        let b = Tensor::from_slice(&[1u8, 2, 3], &[3])?;
        let c = Tensor::from_slice(&[4i64, 5], &[2])?;
        save_safetensors(&[("a", &a), ("b", &b), ("c", &c)], None, &path)?;
        let loaded = load_safetensors_map(&path)?;
        assert!(
            loaded.values().all(is_mapped),
            "no copy on load (DESIGN R8)"
        );
        loaded["a"].fill_(0.0)?;
        assert!(
            !is_mapped(&loaded["a"]),
            "an in-place write copies the storage"
        );
        assert!(is_mapped(&loaded["c"]));
        assert_eq!(
            load_safetensors_map(&path)?["a"].to_vec::<f32>()?,
            [1.0, 2.0, 3.0]
        );
        std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(())
    }
}
