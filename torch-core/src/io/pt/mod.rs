//! PyTorch checkpoints (`.pt`, `.pth`, `.bin` written by `torch.save`): loading both the zip
//! format (the default since PyTorch 1.6) and the legacy format into a [`PtValue`] tree, and
//! saving a state dict in the zip format.
//!
//! Loading is safe for untrusted files in the sense of `torch.load(weights_only=True)`: the
//! pickle is read by our own unpickler, which never runs code and resolves only an allow-list
//! of globals (tensor rebuilding, storage classes, `OrderedDict`, `torch.Size`, bytes);
//! anything else is an `Error::Format` naming the file and the global.
//!
//! | file | owns |
//! |---|---|
//! | `value.rs` | `PtValue`, state-dict flattening |
//! | `unpickle.rs` | the pickle stack machine |
//! | `globals.rs` | the allow-list of globals and what calling them builds |
//! | `storage.rs` | storage classes and dtypes, persistent ids, tensor views of storages |
//! | `zip_read.rs`, `legacy.rs` | the two file formats |
//! | `write.rs` | `save_pt` |

mod globals;
mod legacy;
mod storage;
mod unpickle;
mod value;
mod write;
mod zip_read;

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

pub use self::value::PtValue;
pub use self::write::save_pt;
use crate::io::NamedTensors;
use crate::{Error, Result};

/// Loads a PyTorch checkpoint (`torch.load(path, map_location="cpu", weights_only=True)`),
/// in the zip format or the legacy format (`_use_new_zipfile_serialization=False`, and every
/// file saved before PyTorch 1.6).
///
/// Tensors land on the CPU whatever device they were saved from. Tensors that shared a
/// storage in Python are views of one storage here (offset, size and stride as saved). In
/// zip files, storages stored uncompressed at an aligned offset (as torch writes them) are
/// memory-mapped rather than copied; the first in-place write to such a tensor copies its
/// storage. As with every memory map, the file must not be truncated or rewritten in place
/// while tensors are alive (our writers replace files by renaming, which is safe).
///
/// Errors: `Error::Io` when the file cannot be read; `Error::Format` naming the file for a
/// truncated or corrupt file, a global outside the allow-list (a pickled class, `os.system`,
/// ...), a storage type or dtype torch-core lacks (complex128, uint16, float8, ...), a bool
/// storage holding bytes other than 0 and 1, or the old tar format (PyTorch < 0.4).
pub fn load_pt(path: impl AsRef<Path>) -> Result<PtValue> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if len < 4 {
        return Err(Error::format(
            path,
            format!("pt: the file is {len} bytes long, too short for a checkpoint (truncated?)"),
        ));
    }
    // SAFETY: read-only map; the file must not be truncated while mapped (documented above,
    // as for every mmap-based loader, safetensors' and PyTorch's included).
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
    if map.starts_with(b"PK\x03\x04") || map.starts_with(b"PK\x05\x06") {
        zip_read::load_zip(path, Arc::new(map))
    } else if map.starts_with(&legacy::MAGIC) {
        legacy::load_legacy(path, &map)
    } else if map.get(257..262) == Some(b"ustar") {
        Err(Error::format(
            path,
            "pt: this is the tar checkpoint format of PyTorch < 0.4, which is not supported",
        ))
    } else {
        Err(Error::format(
            path,
            "pt: not a PyTorch checkpoint (neither a zip archive nor the legacy magic number)",
        ))
    }
}

/// Loads a state dict (`model.load_state_dict(torch.load(path, weights_only=True))`'s input)
/// as named tensors in file order. Nested dicts are flattened with dots (`{"enc": {"w": t}}`
/// gives `enc.w`); integer keys are written in decimal.
///
/// For checkpoints that hold more than a state dict (`{"epoch": 3, "model": {...}}`), use
/// [`load_pt`] and pick the entry with [`PtValue::get`].
///
/// Errors: those of [`load_pt`], plus `Error::Format` naming the file when the top level is
/// not a dict, an entry is neither a tensor nor a dict (naming the entry), or a name repeats.
pub fn load_pt_state_dict(path: impl AsRef<Path>) -> Result<NamedTensors> {
    let path = path.as_ref();
    value::flatten_state_dict(load_pt(path)?, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Bytes;
    use crate::{DType, Tensor};

    fn is_mapped(t: &Tensor) -> bool {
        matches!(&*t.storage().read(), Bytes::Mapped { .. })
    }

    #[test]
    fn saved_storages_load_memory_mapped_and_writes_copy_them() -> Result<()> {
        let dir = std::env::temp_dir().join(format!("torch_pt_unit_{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let path = dir.join("mapped.pt");
        let a = Tensor::from_slice(&[1.0f32, 2.0, 3.0], &[3])?;
        let b = Tensor::from_slice(&[7i64, 8], &[2])?;
        let c = Tensor::from_slice(&[true, false, true], &[3])?;
        save_pt(&path, &[("a", &a), ("b", &b), ("c", &c)])?;
        let loaded = load_pt_state_dict(&path)?;
        assert!(
            loaded.iter().all(|(_, t)| is_mapped(t)),
            "no copy on load (DESIGN R8)"
        );
        assert_eq!(loaded[2].1.dtype(), DType::Bool);
        loaded[0].1.fill_(0.0)?;
        assert!(!is_mapped(&loaded[0].1), "an in-place write copies");
        assert!(is_mapped(&loaded[1].1));
        assert_eq!(
            load_pt_state_dict(&path)?[0].1.to_vec::<f32>()?,
            [1.0, 2.0, 3.0]
        );
        std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(())
    }
}
