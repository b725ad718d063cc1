//! PNG: `decode_png`, `encode_png`, `write_png` (`torchvision.io`), through the pure-Rust
//! `png` crate with libpng's channel conversions (see `convert`).

use std::io::Cursor;
use std::path::Path;

use torch_core::{Error, Result, Tensor};

use super::ImageReadMode;
use super::convert::Interleaved;
use super::file::{byte_tensor, write_bytes};

/// Options of `encode_png` / `write_png`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncodePngOptions {
    /// zlib level 0 (none) to 9 (smallest); torchvision's default is 6.
    pub compression_level: u8,
}

impl Default for EncodePngOptions {
    fn default() -> Self {
        EncodePngOptions {
            compression_level: 6,
        }
    }
}

/// Decodes PNG bytes to a uint8 `(C, H, W)` tensor (`torchvision.io.decode_png`).
///
/// UNCHANGED keeps the stored channels (a palette image gives its palette indices, as
/// torchvision does); the other modes expand the palette (with tRNS as alpha), strip or add
/// alpha, replicate gray or convert RGB to gray with libpng's weights. 16-bit PNGs decode to
/// uint16 in torchvision, a dtype torch-rs lacks: they are an error.
pub fn decode_png(data: &[u8], mode: ImageReadMode) -> Result<Tensor> {
    decode(data, mode)?.into_chw()
}

fn corrupt(e: impl std::fmt::Display) -> Error {
    Error::invalid("decode_png", format!("corrupt or truncated PNG data: {e}"))
}

fn decode(data: &[u8], mode: ImageReadMode) -> Result<Interleaved> {
    if data.len() < 8 {
        return Err(Error::invalid(
            "decode_png",
            "Content is too small for png!",
        ));
    }
    let mut decoder = png::Decoder::new(Cursor::new(data));
    decoder.set_transformations(png::Transformations::IDENTITY);
    let mut reader = decoder.read_info().map_err(corrupt)?;
    let info = reader.info();
    let (width, height) = (info.width as usize, info.height as usize);
    let color = info.color_type;
    let depth = info.bit_depth as u8;
    if depth == 16 {
        return Err(Error::invalid(
            "decode_png",
            "16-bit PNG decodes to uint16, a dtype torch-rs does not have",
        ));
    }
    let palette = info.palette.as_ref().map(|p| p.to_vec());
    let trns = info.trns.as_ref().map(|t| t.to_vec());
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| Error::invalid("decode_png", "image too large"))?;
    let mut buf = vec![0u8; size];
    let frame = reader.next_frame(&mut buf).map_err(corrupt)?;
    let channels = color.samples();
    let samples = unpack(&buf, frame.line_size, width, height, channels, depth);
    let samples = if depth < 8 && color == png::ColorType::Grayscale {
        // png_set_expand_gray_1_2_4_to_8: scale to the full 8-bit range.
        let scale = 255 / ((1u16 << depth) - 1) as u8;
        samples.into_iter().map(|v| v * scale).collect()
    } else {
        samples
    };
    let img = Interleaved {
        data: samples,
        height,
        width,
        channels,
    };
    let filler = ((1u16 << depth) - 1) as u8;
    if color != png::ColorType::Indexed || mode == ImageReadMode::UNCHANGED {
        return Ok(img.into_mode(mode, filler));
    }
    let palette = palette.ok_or_else(|| corrupt("palette image without a PLTE chunk"))?;
    let rgb = expand_palette(&img.data, &palette, trns.as_deref(), width, height)?;
    Ok(rgb.into_mode(mode, filler))
}

/// Spreads rows of `depth`-bit samples (packed MSB first below 8 bits) into one byte each.
fn unpack(
    buf: &[u8],
    line: usize,
    width: usize,
    height: usize,
    channels: usize,
    depth: u8,
) -> Vec<u8> {
    let per_row = width * channels;
    if depth == 8 {
        return buf
            .chunks(line)
            .take(height)
            .flat_map(|r| r[..per_row].iter().copied())
            .collect();
    }
    let d = depth as usize;
    let mask = ((1u16 << d) - 1) as u8;
    let mut out = Vec::with_capacity(per_row * height);
    for row in buf.chunks(line).take(height) {
        for i in 0..per_row {
            let bit = i * d;
            out.push((row[bit / 8] >> (8 - d - bit % 8)) & mask);
        }
    }
    out
}

/// Palette indices to RGB, or RGBA when a tRNS chunk gives alpha (`png_set_palette_to_rgb`).
fn expand_palette(
    idx: &[u8],
    palette: &[u8],
    trns: Option<&[u8]>,
    width: usize,
    height: usize,
) -> Result<Interleaved> {
    let channels = if trns.is_some() { 4 } else { 3 };
    let mut data = Vec::with_capacity(idx.len() * channels);
    for &i in idx {
        let i = i as usize;
        let rgb = palette
            .get(3 * i..3 * i + 3)
            .ok_or_else(|| corrupt(format!("palette index {i} out of range")))?;
        data.extend_from_slice(rgb);
        if let Some(t) = trns {
            data.push(t.get(i).copied().unwrap_or(255));
        }
    }
    Ok(Interleaved {
        data,
        height,
        width,
        channels,
    })
}

/// Encodes a uint8 `(C, H, W)` tensor (C = 1 or 3) as PNG bytes, a 1-D uint8 tensor
/// (`torchvision.io.encode_png`).
pub fn encode_png(input: &Tensor, options: EncodePngOptions) -> Result<Tensor> {
    byte_tensor(encode(input, options)?)
}

fn encode(input: &Tensor, options: EncodePngOptions) -> Result<Vec<u8>> {
    if options.compression_level > 9 {
        return Err(Error::invalid(
            "encode_png",
            format!(
                "Compression level should be between 0 and 9, got {}",
                options.compression_level
            ),
        ));
    }
    let img = Interleaved::from_chw("encode_png", input)?;
    let fail = |e: png::EncodingError| Error::invalid("encode_png", e.to_string());
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, img.width as u32, img.height as u32);
        enc.set_color(if img.channels == 1 {
            png::ColorType::Grayscale
        } else {
            png::ColorType::Rgb
        });
        enc.set_depth(png::BitDepth::Eight);
        enc.set_deflate_compression(match options.compression_level {
            0 => png::DeflateCompression::NoCompression,
            l => png::DeflateCompression::Level(l),
        });
        let mut writer = enc.write_header().map_err(fail)?;
        writer.write_image_data(&img.data).map_err(fail)?;
        writer.finish().map_err(fail)?;
    }
    Ok(out)
}

/// Encodes a uint8 `(C, H, W)` tensor as PNG and writes it to `filename` atomically
/// (`torchvision.io.write_png`).
pub fn write_png(
    input: &Tensor,
    filename: impl AsRef<Path>,
    options: EncodePngOptions,
) -> Result<()> {
    write_bytes(filename.as_ref(), &encode(input, options)?)
}
