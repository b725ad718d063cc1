//! NumPy's `.npz` archives (`numpy.savez`, `numpy.savez_compressed`, `numpy.load`): a zip of
//! `.npy` entries, stored or deflated.

use std::fs::File;
use std::io::{self, BufReader};
use std::path::Path;

use zip::result::ZipError;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::atomic::write_atomic;
use super::npy::{descr_of, read_npy_from, write_npy_to};
use super::safetensors::NamedTensors;
use crate::{Error, Result, Tensor};

fn zip_error(path: &Path, e: ZipError) -> Error {
    match e {
        ZipError::Io(e) if e.kind() != io::ErrorKind::UnexpectedEof => Error::io(path, e),
        e => Error::format(path, format!("npz: {e} (truncated or corrupt?)")),
    }
}

/// Reads every array of a `.npz` archive, in archive order, keyed by entry name without the
/// `.npy` suffix (`dict(numpy.load(path))`). Entries may be stored (`numpy.savez`) or deflated
/// (`numpy.savez_compressed`).
///
/// Errors: `Error::Io` when the file cannot be read; `Error::Format` naming the file (and the
/// entry) for a truncated or corrupt archive or entry, a failed checksum, or a dtype
/// torch-core lacks.
pub fn read_npz(path: impl AsRef<Path>) -> Result<NamedTensors> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut archive = ZipArchive::new(BufReader::new(file)).map_err(|e| zip_error(path, e))?;
    let mut out = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| zip_error(path, e))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().map_err(|e| zip_error(path, e))?.into_owned();
        let what = format!("npz entry `{name}`");
        let size = entry.size();
        let compressed = entry.compressed_size();
        // Deflate expands at most ~1032:1; a larger claim is corrupt and must not be allocated.
        if size > compressed.saturating_mul(1032).saturating_add(1024) {
            return Err(Error::format(
                path,
                format!(
                    "{what}: declares {size} bytes from {compressed} compressed bytes (corrupt)"
                ),
            ));
        }
        let tensor = read_npy_from(&mut entry, size, path, &what)?;
        // The zip reader checks the CRC only once an entry is read to its end.
        io::copy(&mut entry, &mut io::sink()).map_err(|e| match e.kind() {
            io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => {
                Error::format(path, format!("{what}: {e}"))
            }
            _ => Error::io(path, e),
        })?;
        let key = name.strip_suffix(".npy").unwrap_or(&name).to_string();
        out.push((key, tensor));
    }
    Ok(out)
}

/// Writes arrays to an uncompressed `.npz` archive, one `name.npy` entry each
/// (`numpy.savez(path, **arrays)`), logical values in C order.
///
/// The file is written to a temporary file and renamed into place.
///
/// Errors: `InvalidArgument` for duplicate names or bf16 (NumPy lacks it); `Error::Io` naming
/// `path` when writing fails; `Error::Cuda` for a tensor not on the CPU.
pub fn write_npz(path: impl AsRef<Path>, tensors: &[(&str, &Tensor)]) -> Result<()> {
    write_zip(
        path.as_ref(),
        tensors,
        CompressionMethod::Stored,
        "write_npz",
    )
}

/// Writes arrays to a deflate-compressed `.npz` archive (`numpy.savez_compressed`).
///
/// Same behaviour and errors as [`write_npz`].
pub fn write_npz_compressed(path: impl AsRef<Path>, tensors: &[(&str, &Tensor)]) -> Result<()> {
    write_zip(
        path.as_ref(),
        tensors,
        CompressionMethod::Deflated,
        "write_npz_compressed",
    )
}

fn write_zip(
    path: &Path,
    tensors: &[(&str, &Tensor)],
    method: CompressionMethod,
    op: &'static str,
) -> Result<()> {
    for (i, (name, t)) in tensors.iter().enumerate() {
        descr_of(t.dtype(), op)?;
        if tensors[..i].iter().any(|(n, _)| n == name) {
            return Err(Error::invalid(
                op,
                format!("the array name `{name}` appears more than once"),
            ));
        }
    }
    write_atomic(path, |w| {
        let mut zip = ZipWriter::new(w);
        for (name, t) in tensors {
            // Zip64 when an entry may pass 4 GiB, as numpy does (it always allows it).
            let large = t.numel() * t.dtype().size_in_bytes() >= (u32::MAX as usize) - (1 << 16);
            let options = SimpleFileOptions::default()
                .compression_method(method)
                .large_file(large);
            zip.start_file(format!("{name}.npy"), options)
                .map_err(|e| zip_error(path, e))?;
            write_npy_to(&mut zip, t, op, path)?;
        }
        zip.finish().map_err(|e| zip_error(path, e))?;
        Ok(())
    })
}
