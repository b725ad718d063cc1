//! Reading the zip checkpoint format (`torch.save`'s default since PyTorch 1.6):
//! `<archive>/data.pkl` holds the object, whose persistent ids name storages stored as
//! `<archive>/data/<key>`; `<archive>/byteorder` says how their bytes are ordered. Storages
//! stored uncompressed at an aligned offset (torch aligns them to 64 bytes) are memory-mapped,
//! not copied (DESIGN R8).

use std::collections::HashMap;
use std::io::{self, Cursor, Read};
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;

use memmap2::Mmap;
use zip::result::ZipError;
use zip::{CompressionMethod, ZipArchive};

use super::storage::{MAX_ALIGN, PtStorage, StorageClass, parse_storage_id};
use super::unpickle::{PersistentLoad, Val, unpickle};
use super::value::PtValue;
use crate::io::raw::{self, ByteOrder};
use crate::storage::{Bytes, Storage};
use crate::{DType, Device, Error, Result};

/// The memory map as the zip reader's byte source.
struct MapBytes(Arc<Mmap>);

impl AsRef<[u8]> for MapBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

type Archive = ZipArchive<Cursor<MapBytes>>;

fn zip_error(path: &Path, what: &str, e: ZipError) -> Error {
    Error::format(path, format!("pt: {what}: {e} (truncated or corrupt?)"))
}

/// Loads a zip-format checkpoint from its memory map.
pub(super) fn load_zip(path: &Path, map: Arc<Mmap>) -> Result<PtValue> {
    let mut archive = ZipArchive::new(Cursor::new(MapBytes(map.clone())))
        .map_err(|e| zip_error(path, "zip archive", e))?;
    let prefix = archive_prefix(&archive, path)?;

    let byteorder = match read_entry(
        &mut archive,
        &format!("{prefix}/byteorder"),
        path,
        map.len(),
    )? {
        None => ByteOrder::Little,
        Some(b) if b.trim_ascii() == b"little" => ByteOrder::Little,
        Some(b) if b.trim_ascii() == b"big" => ByteOrder::Big,
        Some(b) => {
            return Err(Error::format(
                path,
                format!(
                    "pt: {prefix}/byteorder holds {:?}, not \"little\" or \"big\"",
                    String::from_utf8_lossy(&b)
                ),
            ));
        }
    };
    let pkl_name = format!("{prefix}/data.pkl");
    let pickle = read_entry(&mut archive, &pkl_name, path, map.len())?
        .ok_or_else(|| Error::format(path, format!("pt: the archive has no {pkl_name}")))?;
    let mut source = ZipStorages {
        archive,
        prefix,
        map,
        byteorder,
        cache: HashMap::new(),
    };
    let (value, _) = unpickle(&pickle, path, &pkl_name, &mut source)?;
    Ok(value)
}

/// The archive's top folder, taken from the entry `<prefix>/data.pkl` (torch names it after
/// the file, e.g. `archive` or `model`).
fn archive_prefix(archive: &Archive, path: &Path) -> Result<String> {
    let mut torchscript = false;
    for name in archive.file_names() {
        let Ok(name) = name else { continue };
        if let Some(prefix) = name.strip_suffix("/data.pkl")
            && !prefix.is_empty()
            && !prefix.contains('/')
        {
            return Ok(prefix.to_string());
        }
        torchscript |= name.ends_with("/constants.pkl") || name.contains("/code/");
    }
    let hint = if torchscript {
        " (this looks like a TorchScript archive from torch.jit.save, which is not supported)"
    } else {
        " (not a torch.save checkpoint?)"
    };
    Err(Error::format(
        path,
        format!("pt: the zip archive has no <archive>/data.pkl entry{hint}"),
    ))
}

/// The bytes of entry `name`, or `None` when absent; the declared size is checked against the
/// compressed size before anything is allocated.
fn read_entry(
    archive: &mut Archive,
    name: &str,
    path: &Path,
    file_len: usize,
) -> Result<Option<Vec<u8>>> {
    let mut entry = match archive.by_name(name) {
        Ok(e) => e,
        Err(ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(zip_error(path, name, e)),
    };
    let (size, compressed) = (entry.size(), entry.compressed_size());
    if !plausible(size, compressed, file_len) {
        return Err(Error::format(
            path,
            format!(
                "pt: {name}: declares {size} bytes from {compressed} compressed bytes (corrupt)"
            ),
        ));
    }
    let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    entry
        .read_to_end(&mut out)
        .map_err(|e| Error::format(path, format!("pt: {name}: {e} (truncated or corrupt?)")))?;
    Ok(Some(out))
}

/// Whether an entry's declared sizes are possible in a file of `file_len` bytes: the
/// compressed bytes lie in the file, and deflate expands at most ~1032:1. A larger claim is
/// corrupt and must not be allocated.
fn plausible(size: u64, compressed: u64, file_len: usize) -> bool {
    compressed <= file_len as u64 && size <= compressed.saturating_mul(1032).saturating_add(1024)
}

/// Resolves persistent ids to the archive's `data/<key>` entries, each loaded once.
struct ZipStorages {
    archive: Archive,
    prefix: String,
    map: Arc<Mmap>,
    byteorder: ByteOrder,
    cache: HashMap<String, Rc<PtStorage>>,
}

impl PersistentLoad for ZipStorages {
    fn load(&mut self, pid: &Val) -> Result<Val, String> {
        let id = parse_storage_id(pid)?;
        if id.view.is_some() {
            return Err("storage views are not used by the zip format".into());
        }
        let nbytes = id
            .class
            .nbytes(id.numel)
            .ok_or_else(|| format!("storage `{}`: size {} overflows", id.key, id.numel))?;
        if let Some(s) = self.cache.get(&id.key) {
            if s.dtype != id.class.dtype() || s.nbytes != nbytes {
                return Err(format!(
                    "storage `{}` is named with two different types or sizes",
                    id.key
                ));
            }
            return Ok(Val::Storage(s.clone()));
        }
        let storage = self.read_storage(&id.key, id.class, nbytes)?;
        let s = Rc::new(PtStorage {
            key: id.key.clone(),
            dtype: id.class.dtype(),
            storage,
            byte_offset: 0,
            nbytes,
        });
        self.cache.insert(id.key, s.clone());
        Ok(Val::Storage(s))
    }
}

impl ZipStorages {
    fn read_storage(
        &mut self,
        key: &str,
        class: StorageClass,
        nbytes: usize,
    ) -> Result<Arc<Storage>, String> {
        let name = format!("{}/data/{key}", self.prefix);
        let mut entry = match self.archive.by_name(&name) {
            Ok(e) => e,
            Err(ZipError::FileNotFound) => {
                return Err(format!("storage `{key}` has no entry {name}"));
            }
            Err(e) => return Err(format!("{name}: {e} (truncated or corrupt?)")),
        };
        if entry.size() != nbytes as u64 {
            return Err(format!(
                "{name} holds {} bytes but the pickle says the storage has {nbytes}",
                entry.size()
            ));
        }
        let swap = self.byteorder != ByteOrder::NATIVE;
        if swap && matches!(class, StorageClass::Untyped) {
            return Err(format!(
                "storage `{key}` is untyped in a big-endian file, which is not supported"
            ));
        }
        if !swap
            && nbytes > 0
            && entry.compression() == CompressionMethod::Stored
            && let Some(start) = entry.data_start()
            && let Ok(start) = usize::try_from(start)
            && start
                .checked_add(nbytes)
                .is_some_and(|end| end <= self.map.len())
            && (self.map.as_ptr() as usize + start).is_multiple_of(MAX_ALIGN)
        {
            let bytes = Bytes::Mapped {
                map: self.map.clone(),
                start,
                len: nbytes,
            };
            return Ok(Storage::new(bytes, Device::Cpu));
        }
        if !plausible(entry.size(), entry.compressed_size(), self.map.len()) {
            return Err(format!(
                "{name}: declares {nbytes} bytes from {} compressed bytes (corrupt)",
                entry.compressed_size()
            ));
        }
        let storage = Storage::zeros(nbytes, DType::U8);
        {
            let mut guard = storage.write();
            let dst = guard.as_bytes_mut();
            entry
                .read_exact(dst)
                .map_err(|e| format!("{name}: {e} (truncated or corrupt?)"))?;
            // The zip reader checks the CRC only once an entry is read to its end.
            io::copy(&mut entry, &mut io::sink()).map_err(|e| format!("{name}: {e}"))?;
            if let (true, StorageClass::Typed(dtype)) = (swap, class) {
                raw::swap_bytes(dst, dtype);
            }
        }
        Ok(storage)
    }
}
