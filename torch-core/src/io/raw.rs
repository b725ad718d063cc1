//! Tensor elements as raw bytes in a file's byte order, the layout every format here stores
//! (safetensors, npy, npz): filling a fresh tensor from such bytes and viewing a tensor as them.

use std::io::{self, Read};

use crate::storage::Storage;
use crate::{DType, Error, Result, Tensor};

/// Byte order of the elements in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ByteOrder {
    Little,
    Big,
}

impl ByteOrder {
    /// The byte order of this machine, which is the order of our storages.
    pub(crate) const NATIVE: ByteOrder = if cfg!(target_endian = "big") {
        ByteOrder::Big
    } else {
        ByteOrder::Little
    };
}

/// Alignment in bytes that viewing storage bytes as the dtype's Rust type needs.
pub(crate) fn alignment(dtype: DType) -> usize {
    crate::with_dtype!(dtype, T, { std::mem::align_of::<T>() })
}

/// Reverses the bytes of every scalar in `bytes` (complex: of each f32 half).
pub(crate) fn swap_bytes(bytes: &mut [u8], dtype: DType) {
    let unit = if dtype == DType::C64 {
        4
    } else {
        dtype.size_in_bytes()
    };
    if unit > 1 {
        bytes.chunks_exact_mut(unit).for_each(<[u8]>::reverse);
    }
}

/// The position and value of the first byte that is neither 0 nor 1: our bool storage may hold
/// only those two.
pub(crate) fn invalid_bool(bytes: &[u8]) -> Option<(usize, u8)> {
    bytes.iter().position(|&b| b > 1).map(|i| (i, bytes[i]))
}

/// Bytes that `numel` elements of `dtype` take, or `None` on overflow (a corrupt header).
pub(crate) fn nbytes(shape: &[usize], dtype: DType) -> Option<usize> {
    shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))?
        .checked_mul(dtype.size_in_bytes())
}

/// A new contiguous CPU tensor holding a copy of `bytes` (elements in `order`).
///
/// The caller has checked that `bytes` has the right length and, for bool, holds only 0 and 1.
pub(crate) fn tensor_from_bytes(
    bytes: &[u8],
    shape: &[usize],
    dtype: DType,
    order: ByteOrder,
) -> Tensor {
    let numel = bytes.len() / dtype.size_in_bytes();
    let storage = Storage::zeros(numel, dtype);
    {
        let mut guard = storage.write();
        let dst = guard.as_bytes_mut();
        dst.copy_from_slice(bytes);
        if order != ByteOrder::NATIVE {
            swap_bytes(dst, dtype);
        }
    }
    Tensor::from_storage(storage, shape, dtype)
}

/// Reads the elements of a tensor of `shape` straight into a new storage (one copy, no
/// intermediate buffer).
///
/// Errors: `UnexpectedEof` when the reader ends early, `InvalidData` when a bool byte is not
/// 0 or 1; callers turn both into `Error::Format` naming their file.
pub(crate) fn read_tensor(
    reader: &mut impl Read,
    shape: &[usize],
    dtype: DType,
    order: ByteOrder,
) -> io::Result<Tensor> {
    let numel: usize = shape.iter().product();
    let storage = Storage::zeros(numel, dtype);
    {
        let mut guard = storage.write();
        let dst = guard.as_bytes_mut();
        reader.read_exact(dst)?;
        if dtype == DType::Bool
            && let Some((i, b)) = invalid_bool(dst)
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("bool element {i} holds the byte {b}, not 0 or 1"),
            ));
        }
        if order != ByteOrder::NATIVE {
            swap_bytes(dst, dtype);
        }
    }
    Ok(Tensor::from_storage(storage, shape, dtype))
}

/// Calls `f` with the tensor's elements in row-major order as little-endian bytes (copying
/// only when the tensor is not contiguous or the machine is big-endian).
pub(crate) fn with_le_bytes<R>(
    tensor: &Tensor,
    op: &'static str,
    f: impl FnOnce(&[u8]) -> R,
) -> Result<R> {
    tensor.device().check_available(op)?;
    if tensor.numel() == 0 {
        return Ok(f(&[]));
    }
    let t = tensor.contiguous()?;
    let size = t.dtype().size_in_bytes();
    let start = t.storage_offset() * size;
    let end = start + t.numel() * size;
    let guard = t.storage().read();
    let bytes = guard.as_bytes().get(start..end).ok_or_else(|| {
        Error::invalid(
            op,
            format!(
                "internal: tensor bytes {start}..{end} outside its storage of {} bytes",
                guard.as_bytes().len()
            ),
        )
    })?;
    if ByteOrder::NATIVE == ByteOrder::Little {
        Ok(f(bytes))
    } else {
        let mut copy = bytes.to_vec();
        swap_bytes(&mut copy, t.dtype());
        Ok(f(&copy))
    }
}
