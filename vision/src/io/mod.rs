//! `torchvision.io` for images: `read_image`/`decode_image` (PNG and JPEG, picked by their
//! signature), `decode_png`/`encode_png`/`write_png`, `decode_jpeg`/`encode_jpeg`/
//! `write_jpeg`, and `read_file`/`write_file`.
//!
//! Decoded images are uint8 `(C, H, W)` tensors, as torchvision returns them. Writers write a
//! temporary file beside the target and rename it into place. Errors from a file name the file
//! and what is wrong with it (truncated, corrupt, unsupported).

mod convert;
mod file;
mod jpeg;
mod png;

pub use self::file::{read_file, write_file};
pub use self::jpeg::{EncodeJpegOptions, decode_jpeg, encode_jpeg, write_jpeg};
pub use self::png::{EncodePngOptions, decode_png, encode_png, write_png};

use std::path::Path;

use torch_core::{Error, Result, Tensor};

/// The channel layout a decoder converts to (`torchvision.io.ImageReadMode`).
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ImageReadMode {
    /// The channels as stored in the file.
    #[default]
    UNCHANGED,
    /// One gray channel.
    GRAY,
    /// Gray and alpha.
    GRAY_ALPHA,
    /// Red, green, blue.
    RGB,
    /// Red, green, blue and alpha.
    RGB_ALPHA,
}

impl ImageReadMode {
    /// Alias of `RGB_ALPHA` (`ImageReadMode.RGBA`).
    pub const RGBA: ImageReadMode = ImageReadMode::RGB_ALPHA;

    /// Parses torchvision's mode strings (`"RGB"`, `"gray"`, `"RGBA"`, ...; case-insensitive).
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s.to_ascii_uppercase().as_str() {
            "UNCHANGED" => ImageReadMode::UNCHANGED,
            "GRAY" => ImageReadMode::GRAY,
            "GRAY_ALPHA" => ImageReadMode::GRAY_ALPHA,
            "RGB" => ImageReadMode::RGB,
            "RGB_ALPHA" | "RGBA" => ImageReadMode::RGB_ALPHA,
            _ => {
                return Err(Error::invalid(
                    "ImageReadMode",
                    format!(
                        "unknown mode {s:?} (expected UNCHANGED, GRAY, GRAY_ALPHA, RGB or RGB_ALPHA)"
                    ),
                ));
            }
        })
    }
}

/// Decodes PNG or JPEG bytes (told apart by their signature) to a uint8 `(C, H, W)` tensor
/// (`torchvision.io.decode_image`).
pub fn decode_image(data: &[u8], mode: ImageReadMode) -> Result<Tensor> {
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        decode_jpeg(data, mode)
    } else if data.starts_with(&[0x89, b'P', b'N', b'G']) {
        decode_png(data, mode)
    } else {
        Err(Error::invalid(
            "decode_image",
            "Unsupported image file. Only jpeg and png are currently supported.",
        ))
    }
}

/// Reads and decodes a PNG or JPEG file to a uint8 `(C, H, W)` tensor
/// (`torchvision.io.read_image`); a corrupt or truncated file is an `Error::Format` naming it.
pub fn read_image(path: impl AsRef<Path>, mode: ImageReadMode) -> Result<Tensor> {
    let path = path.as_ref();
    let data = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    decode_image(&data, mode).map_err(|e| in_file(path, e))
}

/// Turns a decoder's error on in-memory bytes into a format error naming `path`.
pub(crate) fn in_file(path: &Path, e: Error) -> Error {
    match e {
        Error::InvalidArgument { op, msg } => Error::format(path, format!("{op}: {msg}")),
        other => other,
    }
}
