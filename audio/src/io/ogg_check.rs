//! A structural check of Ogg files: the pages must tile the file exactly and the last one must
//! carry the end-of-stream flag. symphonia stops quietly at a cut page (the frame count it
//! reports comes from the last complete page), so without this a truncated Ogg file would load
//! as a shorter one. Only page headers are read (the bodies are skipped by seeking).

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use torch_core::{Error, Result};

/// `Ok(())` when the file at `path` is a complete Ogg stream (every page whole, the last with
/// EOS).
pub(crate) fn check_ogg_complete(path: &Path) -> Result<()> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let mut r = BufReader::new(file);
    let truncated = |what: &str| Error::format(path, format!("truncated Ogg file: {what}"));
    let mut pos = 0u64;
    let mut last_flags = 0u8;
    let mut header = [0u8; 27];
    let mut lacing = [0u8; 255];
    while pos < len {
        if pos + 27 > len {
            return Err(truncated("a page header is cut"));
        }
        r.seek(SeekFrom::Start(pos)).map_err(io)?;
        r.read_exact(&mut header).map_err(io)?;
        if &header[..4] != b"OggS" {
            return Err(Error::format(
                path,
                format!("corrupt Ogg file: no page at byte {pos}"),
            ));
        }
        last_flags = header[5];
        let n_seg = header[26] as usize;
        if pos + 27 + n_seg as u64 > len {
            return Err(truncated("a segment table is cut"));
        }
        r.read_exact(&mut lacing[..n_seg]).map_err(io)?;
        let body: u64 = lacing[..n_seg].iter().map(|&l| l as u64).sum();
        pos += 27 + n_seg as u64 + body;
    }
    if pos > len {
        return Err(truncated("the last page is cut"));
    }
    if last_flags & 0x04 == 0 {
        return Err(truncated("the last page has no end-of-stream flag"));
    }
    Ok(())
}
