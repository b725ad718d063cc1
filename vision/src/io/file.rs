//! `read_file` / `write_file`: raw bytes as a 1-D uint8 tensor (`torchvision.io.read_file`).

use std::path::Path;

use torch_core::{DType, Error, Result, Tensor};

/// The bytes of a file as a 1-D uint8 tensor (`torchvision.io.read_file`).
pub fn read_file(path: impl AsRef<Path>) -> Result<Tensor> {
    let path = path.as_ref();
    byte_tensor(std::fs::read(path).map_err(|e| Error::io(path, e))?)
}

/// Bytes as a 1-D uint8 tensor (what torchvision's readers and encoders return).
pub(crate) fn byte_tensor(bytes: Vec<u8>) -> Result<Tensor> {
    let n = bytes.len();
    Tensor::from_vec(bytes, &[n])
}

/// Writes a 1-D uint8 tensor to a file, atomically (`torchvision.io.write_file`).
pub fn write_file(path: impl AsRef<Path>, data: &Tensor) -> Result<()> {
    let bytes = bytes_of("write_file", data)?;
    write_bytes(path.as_ref(), &bytes)
}

/// The elements of a 1-D uint8 tensor, checked as torchvision checks encoded data.
pub(crate) fn bytes_of(op: &'static str, data: &Tensor) -> Result<Vec<u8>> {
    if data.dtype() != DType::U8 {
        return Err(Error::DTypeMismatch {
            op,
            expected: DType::U8,
            got: data.dtype(),
        });
    }
    if data.dim() != 1 {
        return Err(Error::invalid(
            op,
            format!(
                "Expected a 1-dimensional tensor, got shape {:?}",
                data.shape()
            ),
        ));
    }
    data.to_vec::<u8>()
}

/// Writes `bytes` to `path` through a temporary file renamed into place.
pub(crate) fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    torch_core::io::write_atomic(path, |w| {
        std::io::Write::write_all(w, bytes).map_err(|e| Error::io(path, e))
    })
}
