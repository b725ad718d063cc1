//! JPEG: `decode_jpeg`, `encode_jpeg`, `write_jpeg` (`torchvision.io`). Decoding goes through
//! zune-jpeg (the decoder inside the `image` crate) in strict mode, so a truncated stream is
//! an error as with torchvision's libjpeg-turbo; encoding through `image`'s encoder.

use std::path::Path;

use torch_core::{Error, Result, Tensor};
use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;
use zune_core::options::DecoderOptions;
use zune_jpeg::JpegDecoder;

use super::ImageReadMode;
use super::convert::Interleaved;
use super::file::{byte_tensor, write_bytes};

/// Options of `encode_jpeg` / `write_jpeg`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncodeJpegOptions {
    /// Quality 1 to 100; torchvision's default is 75.
    pub quality: u8,
}

impl Default for EncodeJpegOptions {
    fn default() -> Self {
        EncodeJpegOptions { quality: 75 }
    }
}

/// Decodes JPEG bytes to a uint8 `(C, H, W)` tensor (`torchvision.io.decode_jpeg`).
///
/// UNCHANGED gives 1 channel for a grayscale file and 3 (RGB) otherwise; GRAY gives the
/// decoded luma plane (libjpeg's `JCS_GRAYSCALE`), RGB the converted colour. GRAY_ALPHA and
/// RGB_ALPHA are errors, as in torchvision. Pixels can differ from libjpeg-turbo's by a level
/// or so where chroma is upsampled (the two decoders' IDCT and upsampling differ).
pub fn decode_jpeg(data: &[u8], mode: ImageReadMode) -> Result<Tensor> {
    decode(data, mode)?.into_chw()
}

fn corrupt(e: impl std::fmt::Display) -> Error {
    Error::invalid(
        "decode_jpeg",
        format!("corrupt or truncated JPEG data: {e}"),
    )
}

fn decode(data: &[u8], mode: ImageReadMode) -> Result<Interleaved> {
    let mut probe = JpegDecoder::new(ZCursor::new(data));
    probe.decode_headers().map_err(corrupt)?;
    let input = probe
        .input_colorspace()
        .ok_or_else(|| corrupt("no frame header"))?;
    let gray_file = input == ColorSpace::Luma;
    let out = match mode {
        ImageReadMode::UNCHANGED if gray_file => ColorSpace::Luma,
        ImageReadMode::UNCHANGED | ImageReadMode::RGB => ColorSpace::RGB,
        ImageReadMode::GRAY => ColorSpace::Luma,
        ImageReadMode::GRAY_ALPHA | ImageReadMode::RGB_ALPHA => {
            return Err(Error::invalid(
                "decode_jpeg",
                format!("The provided mode {mode:?} is not supported for JPEG files"),
            ));
        }
    };
    let options = DecoderOptions::default()
        .set_strict_mode(true)
        .jpeg_set_out_colorspace(out);
    let mut decoder = JpegDecoder::new_with_options(ZCursor::new(data), options);
    let pixels = decoder.decode().map_err(corrupt)?;
    let info = decoder.info().ok_or_else(|| corrupt("no frame header"))?;
    let (height, width) = (info.height as usize, info.width as usize);
    let channels = out.num_components();
    if pixels.len() != height * width * channels {
        return Err(corrupt(format!(
            "decoded {} bytes for a {height}x{width}x{channels} image",
            pixels.len()
        )));
    }
    Ok(Interleaved {
        data: pixels,
        height,
        width,
        channels,
    })
}

/// Encodes a uint8 `(C, H, W)` tensor (C = 1 or 3) as JPEG bytes, a 1-D uint8 tensor
/// (`torchvision.io.encode_jpeg`).
pub fn encode_jpeg(input: &Tensor, options: EncodeJpegOptions) -> Result<Tensor> {
    byte_tensor(encode(input, options)?)
}

fn encode(input: &Tensor, options: EncodeJpegOptions) -> Result<Vec<u8>> {
    if !(1..=100).contains(&options.quality) {
        return Err(Error::invalid(
            "encode_jpeg",
            format!(
                "Image quality should be a positive number between 1 and 100, got {}",
                options.quality
            ),
        ));
    }
    let img = Interleaved::from_chw("encode_jpeg", input)?;
    let color = if img.channels == 1 {
        image::ExtendedColorType::L8
    } else {
        image::ExtendedColorType::Rgb8
    };
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, options.quality)
        .encode(&img.data, img.width as u32, img.height as u32, color)
        .map_err(|e| Error::invalid("encode_jpeg", e.to_string()))?;
    Ok(out)
}

/// Encodes a uint8 `(C, H, W)` tensor as JPEG and writes it to `filename` atomically
/// (`torchvision.io.write_jpeg`).
pub fn write_jpeg(
    input: &Tensor,
    filename: impl AsRef<Path>,
    options: EncodeJpegOptions,
) -> Result<()> {
    write_bytes(filename.as_ref(), &encode(input, options)?)
}
