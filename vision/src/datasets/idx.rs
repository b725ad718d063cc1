//! The IDX format of MNIST and its siblings (torchvision's `read_sn3_pascalvincent_tensor`):
//! a 4-byte magic `00 00 <type> <ndim>`, `ndim` big-endian u32 sizes, then the data,
//! big-endian. Files may be gzip-compressed (detected by their magic, not their name).

use std::io::Read;
use std::path::Path;

use torch_core::{Error, Result, Tensor};

/// Reads an IDX file (raw or gzip) into a tensor of its element type (`u8`, `i8`, `i16`,
/// `i32`, `f32` or `f64`) and shape. A truncated, corrupt or mis-typed file is an error naming
/// the file and what is wrong.
pub fn read_idx(path: impl AsRef<Path>) -> Result<Tensor> {
    let path = path.as_ref();
    let raw = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(raw.len() * 4);
        flate2::read::GzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| Error::format(path, format!("corrupt gzip stream: {e}")))?;
        out
    } else {
        raw
    };
    parse_idx(&bytes).map_err(|msg| Error::format(path, msg))
}

/// Parses IDX bytes; the error is the problem without the file name.
fn parse_idx(b: &[u8]) -> std::result::Result<Tensor, String> {
    if b.len() < 4 {
        return Err(format!("truncated IDX header: {} bytes", b.len()));
    }
    if b[0] != 0 || b[1] != 0 {
        return Err(format!(
            "not an IDX file: magic starts {:02x} {:02x}, expected 00 00",
            b[0], b[1]
        ));
    }
    let (code, ndim) = (b[2], b[3] as usize);
    let header = 4 + 4 * ndim;
    if b.len() < header {
        return Err(format!(
            "truncated IDX header: {ndim} dims need {header} bytes, file has {}",
            b.len()
        ));
    }
    let shape: Vec<usize> = b[4..header]
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    let data = &b[header..];
    let numel: usize = shape.iter().product();
    let size = match code {
        0x08 | 0x09 => 1,
        0x0B => 2,
        0x0C | 0x0D => 4,
        0x0E => 8,
        other => return Err(format!("unknown IDX element type 0x{other:02x}")),
    };
    if data.len() != numel * size {
        return Err(format!(
            "shape {shape:?} needs {} data bytes, file has {} (truncated or mislabelled)",
            numel * size,
            data.len()
        ));
    }
    macro_rules! be {
        ($t:ty) => {
            data.chunks_exact(size)
                .map(|c| {
                    let mut a = [0u8; std::mem::size_of::<$t>()];
                    a.copy_from_slice(c);
                    <$t>::from_be_bytes(a)
                })
                .collect::<Vec<$t>>()
        };
    }
    let t = match code {
        0x08 => Tensor::from_vec(data.to_vec(), &shape),
        0x09 => Tensor::from_vec(be!(i8), &shape),
        0x0B => Tensor::from_vec(be!(i16), &shape),
        0x0C => Tensor::from_vec(be!(i32), &shape),
        0x0D => Tensor::from_vec(be!(f32), &shape),
        _ => Tensor::from_vec(be!(f64), &shape),
    };
    t.map_err(|e| e.to_string())
}
