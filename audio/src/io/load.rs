//! `load` and `info` (torchaudio 2.8's `torchaudio.load` / `torchaudio.info`).

use std::path::Path;

use symphonia::core::codecs::{
    CODEC_TYPE_FLAC, CODEC_TYPE_MP3, CODEC_TYPE_PCM_F32LE, CODEC_TYPE_PCM_F64LE,
    CODEC_TYPE_PCM_S16LE, CODEC_TYPE_PCM_S24LE, CODEC_TYPE_PCM_S32LE, CODEC_TYPE_PCM_U8,
    CODEC_TYPE_VORBIS, CodecType,
};
use torch_core::{Error, Result, Tensor};

use super::source::Source;

/// Keyword arguments of `torchaudio.load`, with its defaults.
#[derive(Clone, Copy, Debug)]
pub struct LoadOptions {
    /// Frames to skip from the start.
    pub frame_offset: usize,
    /// Frames to read; `None` (torchaudio's `-1`) reads to the end.
    pub num_frames: Option<usize>,
    /// Convert to f32 in [-1, 1]. `false` keeps integer WAV samples in their integer dtype
    /// (u8, i16, i32; 24-bit as i32 shifted left by 8); other formats are f32 regardless.
    pub normalize: bool,
    /// `[channels, frames]` when true, `[frames, channels]` when false.
    pub channels_first: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            frame_offset: 0,
            num_frames: None,
            normalize: true,
            channels_first: true,
        }
    }
}

/// Decodes an audio file into `(waveform, sample_rate)` (`torchaudio.load`): WAV, FLAC, MP3
/// (encoder delay and padding trimmed) and Ogg Vorbis. A missing, corrupt or truncated file
/// is an error naming it.
pub fn load(path: impl AsRef<Path>, opts: LoadOptions) -> Result<(Tensor, u32)> {
    let path = path.as_ref();
    let mut src = Source::open(path)?;
    let mut planes = vec![Vec::new(); src.channels];
    let want_end = opts.num_frames.map(|n| opts.frame_offset + n);
    while want_end.is_none_or(|end| planes[0].len() < end) {
        if !src.decode_next(&mut planes)? {
            break;
        }
    }
    let len = planes.first().map_or(0, Vec::len);
    let start = opts.frame_offset.min(len);
    let end = want_end.map_or(len, |e| e.min(len));
    for p in &mut planes {
        p.truncate(end);
        p.drain(..start);
    }
    let kind = src.kind.unwrap_or(super::source::SampleKind::Float);
    let normalize = opts.normalize || !is_wav(src.codec);
    let wave = kind.to_tensor(&planes, normalize)?;
    let wave = if opts.channels_first {
        wave
    } else {
        wave.t()?.contiguous()?
    };
    Ok((wave, src.sample_rate))
}

/// What `info` reports about a file (`torchaudio.AudioMetaData`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AudioMetaData {
    pub sample_rate: u32,
    pub num_frames: u64,
    pub num_channels: usize,
    /// Bits per sample of the stored samples; 0 for lossy formats (MP3, Vorbis).
    pub bits_per_sample: u32,
    /// torchaudio's names: `"PCM_S"`, `"PCM_U"`, `"PCM_F"`, `"FLAC"`, `"MP3"`, `"VORBIS"`.
    pub encoding: String,
}

/// Reads a file's metadata (`torchaudio.info`). When the container does not declare its frame
/// count, the packets are decoded to count them.
pub fn info(path: impl AsRef<Path>) -> Result<AudioMetaData> {
    let path = path.as_ref();
    let mut src = Source::open(path)?;
    let lossy = matches!(src.codec, CODEC_TYPE_MP3 | CODEC_TYPE_VORBIS);
    let bits_per_sample = match src.codec {
        _ if lossy => 0,
        CODEC_TYPE_PCM_F32LE => 32,
        CODEC_TYPE_PCM_F64LE => 64,
        _ => src.bits_per_sample.unwrap_or(0),
    };
    let encoding = encoding_name(src.codec)
        .ok_or_else(|| Error::format(path, "unsupported codec"))?
        .to_string();
    let num_frames = match src.n_frames {
        Some(n) => n,
        None => {
            let mut planes = vec![Vec::new(); src.channels];
            let mut n = 0;
            while src.decode_next(&mut planes)? {
                n += planes[0].len() as u64;
                planes.iter_mut().for_each(Vec::clear);
            }
            n
        }
    };
    Ok(AudioMetaData {
        sample_rate: src.sample_rate,
        num_frames,
        num_channels: src.channels,
        bits_per_sample,
        encoding,
    })
}

fn is_wav(codec: CodecType) -> bool {
    matches!(
        encoding_name(codec),
        Some("PCM_S") | Some("PCM_U") | Some("PCM_F")
    )
}

fn encoding_name(codec: CodecType) -> Option<&'static str> {
    Some(match codec {
        CODEC_TYPE_PCM_S16LE | CODEC_TYPE_PCM_S24LE | CODEC_TYPE_PCM_S32LE => "PCM_S",
        CODEC_TYPE_PCM_U8 => "PCM_U",
        CODEC_TYPE_PCM_F32LE | CODEC_TYPE_PCM_F64LE => "PCM_F",
        CODEC_TYPE_FLAC => "FLAC",
        CODEC_TYPE_MP3 => "MP3",
        CODEC_TYPE_VORBIS => "VORBIS",
        _ => return None,
    })
}
