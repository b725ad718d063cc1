//! `save` (`torchaudio.save`) for WAV: 16/32-bit signed PCM, 8-bit unsigned PCM and 32-bit
//! float, written to a temporary file beside the target and renamed into place.

use std::io::Write;
use std::path::Path;

use torch_core::{DType, Error, Result, Tensor};

const OP: &str = "torchaudio.save";

/// Keyword arguments of `torchaudio.save`, with its defaults.
#[derive(Clone, Copy, Debug)]
pub struct SaveOptions<'a> {
    /// The tensor is `[channels, frames]` when true, `[frames, channels]` when false.
    pub channels_first: bool,
    /// `"PCM_S"`, `"PCM_U"` or `"PCM_F"`; `None` follows the tensor's dtype (float: PCM_F,
    /// int16/int32: PCM_S, uint8: PCM_U).
    pub encoding: Option<&'a str>,
    /// 8, 16 or 32; `None` follows the dtype (32 for PCM_F and int32, 16 for int16, 8 for
    /// uint8, 16 for PCM_S from a float tensor).
    pub bits_per_sample: Option<u32>,
}

impl Default for SaveOptions<'_> {
    fn default() -> Self {
        SaveOptions {
            channels_first: true,
            encoding: None,
            bits_per_sample: None,
        }
    }
}

/// Writes `src` (2-D) as a WAV file at `sample_rate` (`torchaudio.save(path, src,
/// sample_rate, channels_first, format="wav", encoding, bits_per_sample)`). Floats become
/// integers as ffmpeg converts them: `clamp(round_half_even(x * 2^(bits-1)))`.
pub fn save(
    path: impl AsRef<Path>,
    src: &Tensor,
    sample_rate: u32,
    opts: SaveOptions<'_>,
) -> Result<()> {
    let path = path.as_ref();
    if src.dim() != 2 {
        return Err(Error::invalid(
            OP,
            format!("Expected 2D Tensor, got {}D.", src.dim()),
        ));
    }
    let src = if opts.channels_first {
        src.t()?
    } else {
        src.clone()
    };
    // (frames, channels), interleaved as WAV stores them.
    let (frames, channels) = (src.shape()[0], src.shape()[1]);
    if channels == 0 || channels > u16::MAX as usize {
        return Err(Error::invalid(
            OP,
            format!("invalid channel count {channels}"),
        ));
    }
    let encoding = match (opts.encoding, src.dtype()) {
        (Some(e), _) => e,
        (None, DType::U8) => "PCM_U",
        (None, DType::I16 | DType::I32) => "PCM_S",
        (None, _) => "PCM_F",
    };
    let bits = opts
        .bits_per_sample
        .unwrap_or(match (encoding, src.dtype()) {
            ("PCM_U", _) => 8,
            ("PCM_S", DType::I32) => 32,
            ("PCM_S", _) => 16,
            _ => 32,
        });
    // The samples as floats in [-1, 1] (integer tensors are scaled by their own width).
    let scale = match src.dtype() {
        DType::U8 => 128.0,
        DType::I16 => 32768.0,
        DType::I32 => 2_147_483_648.0,
        _ => 1.0,
    };
    let offset = if src.dtype() == DType::U8 { 128.0 } else { 0.0 };
    let values: Vec<f64> = src
        .contiguous()?
        .to_vec_f64()?
        .into_iter()
        .map(|x| (x - offset) / scale)
        .collect();
    let (format_tag, data) = match (encoding, bits) {
        ("PCM_F", 32) => (3u16, encode(&values, |x| (x as f32).to_le_bytes())),
        ("PCM_S", 16) => (
            1,
            encode(&values, |x| (quantize(x, 15) as i16).to_le_bytes()),
        ),
        ("PCM_S", 32) => (
            1,
            encode(&values, |x| (quantize(x, 31) as i32).to_le_bytes()),
        ),
        ("PCM_U", 8) => (1, encode(&values, |x| [(quantize(x, 7) + 128) as u8])),
        _ => {
            return Err(Error::invalid(
                OP,
                format!(
                    "unsupported WAV encoding {encoding} with {bits} bits per sample (supported: PCM_S 16/32, PCM_U 8, PCM_F 32)"
                ),
            ));
        }
    };
    let bytes = wav_bytes(
        format_tag,
        channels as u16,
        sample_rate,
        bits as u16,
        frames,
        &data,
    )?;
    write_atomic(path, &bytes)
}

/// `x * 2^bits` rounded half to even and clamped to the signed range (ffmpeg's conversion).
fn quantize(x: f64, bits: u32) -> i64 {
    let full = (1i64 << bits) as f64;
    let q = (x * full).round_ties_even();
    q.clamp(-full, full - 1.0) as i64
}

fn encode<const N: usize>(values: &[f64], f: impl Fn(f64) -> [u8; N]) -> Vec<u8> {
    values.iter().flat_map(|&x| f(x)).collect()
}

/// A RIFF/WAVE file: `fmt ` chunk (plus `fact` for float) and `data`.
fn wav_bytes(
    format_tag: u16,
    channels: u16,
    sample_rate: u32,
    bits: u16,
    frames: usize,
    data: &[u8],
) -> Result<Vec<u8>> {
    let too_big = || Error::invalid(OP, "audio too long for a WAV file (over 4 GiB)");
    let data_len = u32::try_from(data.len()).map_err(|_| too_big())?;
    let float = format_tag == 3;
    let fmt_len: u32 = if float { 18 } else { 16 };
    let fact_len: u32 = if float { 12 } else { 0 };
    let riff_len = (4 + 8 + fmt_len + fact_len + 8)
        .checked_add(data_len + (data_len & 1))
        .ok_or_else(too_big)?;
    let block_align = channels * (bits / 8);
    let mut out = Vec::with_capacity(riff_len as usize + 8);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&riff_len.to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&fmt_len.to_le_bytes());
    out.extend_from_slice(&format_tag.to_le_bytes());
    out.extend_from_slice(&channels.to_le_bytes());
    out.extend_from_slice(&sample_rate.to_le_bytes());
    out.extend_from_slice(&(sample_rate * block_align as u32).to_le_bytes());
    out.extend_from_slice(&block_align.to_le_bytes());
    out.extend_from_slice(&bits.to_le_bytes());
    if float {
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(b"fact");
        out.extend_from_slice(&4u32.to_le_bytes());
        out.extend_from_slice(&(frames as u32).to_le_bytes());
    }
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    out.extend_from_slice(data);
    if data_len & 1 == 1 {
        out.push(0);
    }
    Ok(out)
}

/// Writes to `path.tmp-<pid>` in the same folder, then renames over `path`.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(format!(".tmp-{}", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        })
        .and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}
