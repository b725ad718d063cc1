//! NumPy's `.npy` format (`numpy.save` / `numpy.load`): header versions 1.0, 2.0 and 3.0,
//! little- and big-endian data, C and Fortran order. The parsing and writing here is shared
//! with `.npz` archives.

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::Path;

use super::atomic::write_atomic;
use super::raw::{self, ByteOrder};
use crate::{DType, Error, Result, Tensor};

const MAGIC: &[u8; 6] = b"\x93NUMPY";
/// Headers longer than this are rejected as corrupt rather than allocated.
const MAX_HEADER_LEN: usize = 1 << 20;
/// NumPy pads the header so that the data starts on a multiple of this.
const HEADER_ALIGN: usize = 64;

/// Reads a `.npy` file into a contiguous tensor (`torch.from_numpy(numpy.load(path))`).
///
/// Supports `<f4 <f8 <f2 <i8 <i4 <i2 |i1 |u1 |b1 <c8` (and their big-endian forms), C and
/// Fortran order, and format versions 1.0 to 3.0. A Fortran-order array is returned in C order
/// with the same logical values.
///
/// Errors: `Error::Io` when the file cannot be read; `Error::Format` naming the file for a
/// truncated or corrupt file or a dtype torch-core lacks (`<u2`, `<c16`, object arrays, ...).
pub fn read_npy(path: impl AsRef<Path>) -> Result<Tensor> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    read_npy_from(&mut BufReader::new(file), len, path, "npy")
}

/// Writes a tensor as a `.npy` file (`numpy.save(path, x.numpy())`), version 1.0 (2.0 when
/// the header needs it), C order, little-endian, logical values (a transposed tensor is saved
/// as it reads).
///
/// The file is written to a temporary file and renamed into place.
///
/// Errors: `InvalidArgument` for bf16, which NumPy lacks (convert first); `Error::Io` naming
/// `path` when writing fails; `Error::Cuda` for a tensor not on the CPU.
pub fn write_npy(path: impl AsRef<Path>, tensor: &Tensor) -> Result<()> {
    let path = path.as_ref();
    descr_of(tensor.dtype(), "write_npy")?;
    write_atomic(path, |w| write_npy_to(w, tensor, "write_npy", path))
}

/// NumPy's dtype string for our dtype.
pub(crate) fn descr_of(dtype: DType, op: &'static str) -> Result<&'static str> {
    Ok(match dtype {
        DType::Bool => "|b1",
        DType::U8 => "|u1",
        DType::I8 => "|i1",
        DType::I16 => "<i2",
        DType::I32 => "<i4",
        DType::I64 => "<i8",
        DType::F16 => "<f2",
        DType::F32 => "<f4",
        DType::F64 => "<f8",
        DType::C64 => "<c8",
        DType::BF16 => {
            return Err(Error::invalid(
                op,
                "NumPy has no bfloat16 dtype; convert with to_dtype(DType::F32) first",
            ));
        }
    })
}

/// The header bytes (magic, version, length, dict, padding) for a C-order array.
fn header_for(descr: &str, shape: &[usize]) -> Vec<u8> {
    let shape_repr = match shape {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        _ => {
            let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
            format!("({})", dims.join(", "))
        }
    };
    let dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_repr}, }}");
    // Version 1.0 stores the header length in a u16; 2.0 in a u32.
    let (version, prefix) = if dict.len() + 1 + 10 <= u16::MAX as usize {
        (1u8, 10)
    } else {
        (2u8, 12)
    };
    let total = (prefix + dict.len() + 1).next_multiple_of(HEADER_ALIGN);
    let header_len = total - prefix;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[version, 0]);
    if version == 1 {
        out.extend_from_slice(&(header_len as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&(header_len as u32).to_le_bytes());
    }
    out.extend_from_slice(dict.as_bytes());
    out.resize(total - 1, b' ');
    out.push(b'\n');
    out
}

/// Writes `tensor` in `.npy` form to `w`; I/O errors name `path`.
pub(crate) fn write_npy_to(
    w: &mut impl Write,
    tensor: &Tensor,
    op: &'static str,
    path: &Path,
) -> Result<()> {
    let descr = descr_of(tensor.dtype(), op)?;
    let io = |e: io::Error| Error::io(path, e);
    w.write_all(&header_for(descr, tensor.shape()))
        .map_err(io)?;
    raw::with_le_bytes(tensor, op, |bytes| w.write_all(bytes))?.map_err(io)
}

/// What a `.npy` header says.
struct Header {
    dtype: DType,
    order: ByteOrder,
    fortran: bool,
    shape: Vec<usize>,
}

/// Reads one `.npy` stream of `len` bytes in all. `what` prefixes messages ("npy", or the
/// entry of an `.npz`); errors name `path`.
pub(crate) fn read_npy_from(
    r: &mut impl Read,
    len: u64,
    path: &Path,
    what: &str,
) -> Result<Tensor> {
    let fmt = |msg: String| Error::format(path, format!("{what}: {msg}"));
    let io = |e: io::Error, during: &str| match e.kind() {
        io::ErrorKind::UnexpectedEof => fmt(format!("truncated {during}")),
        io::ErrorKind::InvalidData => fmt(format!("{e} ({during})")),
        _ => Error::io(path, e),
    };

    let mut pre = [0u8; 8];
    r.read_exact(&mut pre).map_err(|e| io(e, "magic string"))?;
    if &pre[..6] != MAGIC {
        return Err(fmt(
            "not a .npy file (the magic string \\x93NUMPY is missing)".into(),
        ));
    }
    let (major, minor) = (pre[6], pre[7]);
    let header_len = match (major, minor) {
        (1, 0) => {
            let mut b = [0u8; 2];
            r.read_exact(&mut b).map_err(|e| io(e, "header length"))?;
            u16::from_le_bytes(b) as usize
        }
        (2, 0) | (3, 0) => {
            let mut b = [0u8; 4];
            r.read_exact(&mut b).map_err(|e| io(e, "header length"))?;
            u32::from_le_bytes(b) as usize
        }
        _ => return Err(fmt(format!("unsupported format version {major}.{minor}"))),
    };
    let prefix = if major == 1 { 10 } else { 12 };
    if header_len > MAX_HEADER_LEN || (prefix + header_len) as u64 > len {
        return Err(fmt(format!(
            "header length {header_len} does not fit a file of {len} bytes (truncated or corrupt)"
        )));
    }
    let mut hbytes = vec![0u8; header_len];
    r.read_exact(&mut hbytes).map_err(|e| io(e, "header"))?;
    let text: String = if major == 3 {
        String::from_utf8(hbytes).map_err(|_| fmt("the header is not valid UTF-8".into()))?
    } else {
        // Versions 1.0 and 2.0 are latin-1.
        hbytes.iter().map(|&b| b as char).collect()
    };
    let header = parse_header(&text).map_err(|m| fmt(format!("{m} in header {}", text.trim())))?;

    let nbytes = raw::nbytes(&header.shape, header.dtype)
        .ok_or_else(|| fmt(format!("shape {:?} overflows", header.shape)))?;
    let available = len - (prefix + header_len) as u64;
    if (nbytes as u64) > available {
        return Err(fmt(format!(
            "truncated: shape {:?} of {:?} needs {nbytes} bytes of data but only {available} remain",
            header.shape, header.dtype
        )));
    }
    if !header.fortran || header.shape.len() < 2 || nbytes == 0 {
        return raw::read_tensor(r, &header.shape, header.dtype, header.order)
            .map_err(|e| io(e, "data"));
    }
    // Fortran order is C order of the reversed shape; reversing the dims back gives the
    // logical array, which we then lay out in C order.
    let rev: Vec<usize> = header.shape.iter().rev().copied().collect();
    let t = raw::read_tensor(r, &rev, header.dtype, header.order).map_err(|e| io(e, "data"))?;
    let perm: Vec<i64> = (0..rev.len() as i64).rev().collect();
    t.permute(&perm)?.contiguous()
}

/// Our dtype and the byte order for a NumPy dtype string such as `<f4` or `|b1`.
fn parse_descr(descr: &str) -> Result<(DType, ByteOrder), String> {
    let unsupported = || format!("dtype '{descr}' is not supported by torch-core");
    let (order_char, code) = match descr.chars().next() {
        Some(c @ ('<' | '>' | '|' | '=')) => (c, &descr[1..]),
        _ => ('|', descr),
    };
    let dtype = match code {
        "b1" | "?" => DType::Bool,
        "u1" | "B" => DType::U8,
        "i1" | "b" => DType::I8,
        "i2" => DType::I16,
        "i4" => DType::I32,
        "i8" => DType::I64,
        "f2" => DType::F16,
        "f4" => DType::F32,
        "f8" => DType::F64,
        "c8" => DType::C64,
        _ => return Err(unsupported()),
    };
    let order = match order_char {
        '<' => ByteOrder::Little,
        '>' => ByteOrder::Big,
        '=' => ByteOrder::NATIVE,
        _ if dtype.size_in_bytes() == 1 => ByteOrder::Little,
        _ => return Err(format!("dtype '{descr}' has no byte order")),
    };
    Ok((dtype, order))
}

/// A value in the header's Python dict literal.
#[derive(Debug)]
enum Value {
    Str(String),
    Bool(bool),
    Tuple(Vec<usize>),
}

/// Parses `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.
fn parse_header(text: &str) -> Result<Header, String> {
    let mut p = Parser {
        s: text.trim().as_bytes(),
        i: 0,
    };
    p.expect(b'{')?;
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    loop {
        p.skip_ws();
        if p.eat(b'}') {
            break;
        }
        let key = p.string()?;
        p.skip_ws();
        p.expect(b':')?;
        let value = p.value()?;
        match (key.as_str(), value) {
            ("descr", Value::Str(s)) => descr = Some(s),
            ("fortran_order", Value::Bool(b)) => fortran = Some(b),
            ("shape", Value::Tuple(t)) => shape = Some(t),
            ("descr", _) => return Err("structured dtypes are not supported".into()),
            (k, v) => return Err(format!("unexpected entry '{k}': {v:?}")),
        }
        p.skip_ws();
        if !p.eat(b',') {
            p.skip_ws();
            p.expect(b'}')?;
            break;
        }
    }
    let descr = descr.ok_or("the key 'descr' is missing")?;
    let (dtype, order) = parse_descr(&descr)?;
    Ok(Header {
        dtype,
        order,
        fortran: fortran.ok_or("the key 'fortran_order' is missing")?,
        shape: shape.ok_or("the key 'shape' is missing")?,
    })
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.s.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        let hit = self.s.get(self.i) == Some(&c);
        if hit {
            self.i += 1;
        }
        hit
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        self.skip_ws();
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!("expected '{}' at byte {}", c as char, self.i))
        }
    }

    fn string(&mut self) -> Result<String, String> {
        let quote = match self.s.get(self.i) {
            Some(&q @ (b'\'' | b'"')) => q,
            _ => return Err(format!("expected a string at byte {}", self.i)),
        };
        let start = self.i + 1;
        let len = self.s[start..]
            .iter()
            .position(|&b| b == quote)
            .ok_or("unterminated string")?;
        self.i = start + len + 1;
        String::from_utf8(self.s[start..start + len].to_vec()).map_err(|e| e.to_string())
    }

    fn value(&mut self) -> Result<Value, String> {
        self.skip_ws();
        let rest = &self.s[self.i..];
        if rest.starts_with(b"True") {
            self.i += 4;
            Ok(Value::Bool(true))
        } else if rest.starts_with(b"False") {
            self.i += 5;
            Ok(Value::Bool(false))
        } else if self.eat(b'(') {
            let mut dims = Vec::new();
            loop {
                self.skip_ws();
                if self.eat(b')') {
                    break;
                }
                dims.push(self.int()?);
                self.skip_ws();
                if !self.eat(b',') {
                    self.expect(b')')?;
                    break;
                }
            }
            Ok(Value::Tuple(dims))
        } else if rest.starts_with(b"[") {
            Err("structured dtypes are not supported".into())
        } else {
            Ok(Value::Str(self.string()?))
        }
    }

    fn int(&mut self) -> Result<usize, String> {
        let start = self.i;
        while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        let digits = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?;
        let n = digits
            .parse::<usize>()
            .map_err(|_| format!("expected a dimension at byte {start}"))?;
        // Python 2 wrote longs as `3L`.
        self.eat(b'L');
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_parses_numpy_forms() {
        let h = parse_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }")
            .expect("valid header");
        assert_eq!(
            (h.dtype, h.fortran, h.shape),
            (DType::F32, false, vec![2, 3])
        );
        let h = parse_header("{'descr': '|b1', 'fortran_order': True, 'shape': (4,)}")
            .expect("valid header");
        assert_eq!((h.dtype, h.fortran, h.shape), (DType::Bool, true, vec![4]));
        let h = parse_header("{\"shape\": (), \"fortran_order\": False, \"descr\": \">i8\"}")
            .expect("valid header");
        assert_eq!(
            (h.dtype, h.order, h.shape),
            (DType::I64, ByteOrder::Big, vec![])
        );
        let h = parse_header("{'descr': '<c8', 'fortran_order': False, 'shape': (3L, 4L), }")
            .expect("valid header");
        assert_eq!(h.shape, vec![3, 4]);
    }

    #[test]
    fn header_rejects_bad_input() {
        for bad in [
            "{'descr': '<u2', 'fortran_order': False, 'shape': (2,), }",
            "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }",
            "{'descr': '<f4', 'fortran_order': False, }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2,",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 'y'}",
        ] {
            assert!(parse_header(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn written_header_is_padded_to_64() {
        for shape in [&[][..], &[3], &[2, 3, 4]] {
            let h = header_for("<f4", shape);
            assert_eq!(h.len() % HEADER_ALIGN, 0);
            assert_eq!(h.last(), Some(&b'\n'));
        }
    }
}
