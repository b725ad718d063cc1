//! Writing a state dict in the zip checkpoint format that `torch.load(path, weights_only=True)`
//! reads: the pickle of an `OrderedDict` of `_rebuild_tensor_v2(...)` calls, one uncompressed,
//! 64-byte aligned `data/<i>` entry per tensor, and the small records torch writes beside
//! them.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use zip::result::ZipError;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::storage::storage_type_of;
use crate::io::atomic::write_atomic;
use crate::io::raw;
use crate::{Error, Result, Tensor};

/// Alignment of storage data in the archive, as torch writes it (`.storage_alignment`).
const ALIGN: u16 = 64;

/// The records' folder inside the archive.
const PREFIX: &str = "archive";

/// A protocol-2 pickle writer for the few opcodes a state dict needs.
struct Pickle(Vec<u8>);

impl Pickle {
    fn op(&mut self, op: u8) {
        self.0.push(op);
    }

    fn global(&mut self, module: &str, name: &str) {
        self.0.push(b'c');
        self.0.extend_from_slice(module.as_bytes());
        self.0.push(b'\n');
        self.0.extend_from_slice(name.as_bytes());
        self.0.push(b'\n');
    }

    fn str(&mut self, s: &str) {
        self.0.push(b'X');
        // Names longer than 4 GiB are refused before pickling.
        self.0.extend_from_slice(&(s.len() as u32).to_le_bytes());
        self.0.extend_from_slice(s.as_bytes());
    }

    fn int(&mut self, v: usize) {
        if let Ok(b) = u8::try_from(v) {
            self.0.extend_from_slice(&[b'K', b]);
        } else if let Ok(w) = u16::try_from(v) {
            self.0.push(b'M');
            self.0.extend_from_slice(&w.to_le_bytes());
        } else if let Ok(i) = i32::try_from(v) {
            self.0.push(b'J');
            self.0.extend_from_slice(&i.to_le_bytes());
        } else {
            // LONG1 with 8 bytes plus a zero byte so the value reads as non-negative.
            self.0.extend_from_slice(&[0x8a, 9]);
            self.0.extend_from_slice(&(v as u64).to_le_bytes());
            self.0.push(0);
        }
    }

    fn tuple(&mut self, items: &[usize]) {
        match items.len() {
            0 => self.op(b')'),
            n @ 1..=3 => {
                items.iter().for_each(|&v| self.int(v));
                self.op(0x84 + n as u8);
            }
            _ => {
                self.op(b'(');
                items.iter().for_each(|&v| self.int(v));
                self.op(b't');
            }
        }
    }

    fn empty_ordered_dict(&mut self) {
        self.global("collections", "OrderedDict");
        self.op(b')');
        self.op(b'R');
    }
}

/// The `data.pkl` for `tensors`, whose storages are `data/0`, `data/1`, ... in order.
fn state_dict_pickle(names: &[&str], tensors: &[&Tensor]) -> Vec<u8> {
    let mut p = Pickle(Vec::new());
    p.0.extend_from_slice(&[0x80, 2]);
    p.empty_ordered_dict();
    if !names.is_empty() {
        p.op(b'(');
        for (i, (name, t)) in names.iter().zip(tensors).enumerate() {
            p.str(name);
            p.global("torch._utils", "_rebuild_tensor_v2");
            p.op(b'(');
            // persistent_load(('storage', torch.XStorage, '<i>', 'cpu', numel))
            p.op(b'(');
            p.str("storage");
            p.global("torch", storage_type_of(t.dtype()));
            p.str(&i.to_string());
            p.str("cpu");
            p.int(t.numel());
            p.op(b't');
            p.op(b'Q');
            // storage_offset, size, stride (contiguous), requires_grad, backward_hooks
            p.int(0);
            p.tuple(t.shape());
            p.tuple(&crate::shape::contiguous_strides(t.shape()));
            p.op(0x89);
            p.empty_ordered_dict();
            p.op(b't');
            p.op(b'R');
        }
        p.op(b'u');
    }
    p.op(b'.');
    p.0
}

/// Saves a state dict as a PyTorch checkpoint (`torch.save(state_dict, path)`, zip format),
/// readable with `torch.load(path, weights_only=True)`, which returns an `OrderedDict` of
/// tensors in the given order.
///
/// Each tensor is written contiguous with its logical values (a transposed view is saved as
/// it reads) in its own storage, without `requires_grad`. Storage entries are stored
/// uncompressed at 64-byte aligned offsets, as torch writes them, so [`load_pt`] maps them
/// without a copy. The file is written to a temporary file beside `path` and renamed into
/// place, so a failed save never leaves a partial file.
///
/// Errors: `InvalidArgument` for a name used twice; `Error::Io` naming `path` when writing
/// fails; `Error::Cuda` for a tensor not on the CPU.
///
/// [`load_pt`]: super::load_pt
pub fn save_pt<S: AsRef<str>, T: Borrow<Tensor>>(
    path: impl AsRef<Path>,
    tensors: &[(S, T)],
) -> Result<()> {
    let path = path.as_ref();
    let names: Vec<&str> = tensors.iter().map(|(n, _)| n.as_ref()).collect();
    let values: Vec<&Tensor> = tensors.iter().map(|(_, t)| t.borrow()).collect();
    let mut seen = HashSet::with_capacity(names.len());
    for name in &names {
        if !seen.insert(*name) {
            return Err(Error::invalid(
                "save_pt",
                format!("the name `{name}` appears more than once"),
            ));
        }
        if u32::try_from(name.len()).is_err() {
            return Err(Error::invalid("save_pt", "a name is longer than 4 GiB"));
        }
    }
    for t in &values {
        t.device().check_available("save_pt")?;
    }
    let pickle = state_dict_pickle(&names, &values);

    write_atomic(path, |w| {
        let zerr = |e: ZipError| match e {
            ZipError::Io(e) => Error::io(path, e),
            e => Error::format(path, format!("pt: writing the zip archive: {e}")),
        };
        let mut zip = ZipWriter::new(w);
        let record = |zip: &mut ZipWriter<_>, name: &str, bytes: &[u8]| -> Result<()> {
            let options = SimpleFileOptions::default()
                .compression_method(CompressionMethod::Stored)
                .with_alignment(ALIGN);
            zip.start_file(format!("{PREFIX}/{name}"), options)
                .map_err(zerr)?;
            zip.write_all(bytes).map_err(|e| Error::io(path, e))
        };
        record(&mut zip, "data.pkl", &pickle)?;
        record(&mut zip, ".format_version", b"1")?;
        record(&mut zip, ".storage_alignment", b"64")?;
        record(&mut zip, "byteorder", b"little")?;
        for (i, t) in values.iter().enumerate() {
            let nbytes = t.numel() * t.dtype().size_in_bytes();
            // Zip64 when an entry may pass 4 GiB.
            let large = nbytes >= (u32::MAX as usize) - (1 << 16);
            let options = SimpleFileOptions::default()
                .compression_method(CompressionMethod::Stored)
                .with_alignment(ALIGN)
                .large_file(large);
            zip.start_file(format!("{PREFIX}/data/{i}"), options)
                .map_err(zerr)?;
            raw::with_le_bytes(t, "save_pt", |bytes| zip.write_all(bytes))?
                .map_err(|e| Error::io(path, e))?;
        }
        record(&mut zip, "version", b"3\n")?;
        zip.finish().map_err(zerr)?;
        Ok(())
    })
}
