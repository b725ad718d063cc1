//! `Source`: one opened audio file (symphonia format reader + decoder) that decodes packet by
//! packet into planar per-channel buffers, shared by `load`, `info` and `StreamReader`.
//!
//! Samples are kept as `f64` holding the file's native value (an integer sample's integer, a
//! float sample's float), which represents every supported sample type exactly; `SampleKind`
//! says how to normalise them or which integer dtype keeps them.

use std::fs::File;
use std::path::{Path, PathBuf};

use symphonia::core::audio::{AudioBufferRef, Signal};
use symphonia::core::codecs::{self, CodecType, Decoder, DecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::{FormatOptions, FormatReader};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;
use torch_core::{Error, Result, Tensor};

/// The native sample type of a decoded stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SampleKind {
    /// Unsigned 8-bit (offset 128).
    U8,
    /// Signed 16-bit.
    I16,
    /// Signed 24-bit, kept as `i32` shifted left by 8 when not normalised (as torchaudio).
    I24,
    /// Signed 32-bit.
    I32,
    /// Floating point, already in [-1, 1].
    Float,
}

impl SampleKind {
    /// The float value of a native sample: `x / 2^(bits-1)` (libsndfile's and torchaudio's
    /// scaling, exact for every integer width up to 24 bits).
    pub(crate) fn normalize(self, x: f64) -> f32 {
        match self {
            SampleKind::U8 => ((x - 128.0) / 128.0) as f32,
            SampleKind::I16 => (x / 32768.0) as f32,
            SampleKind::I24 => (x / 8_388_608.0) as f32,
            SampleKind::I32 => (x / 2_147_483_648.0) as f32,
            SampleKind::Float => x as f32,
        }
    }

    /// Planar channels `[channels][frames]` as a `[channels, frames]` tensor: f32 when
    /// `normalize` (or for float data), else the native integer dtype.
    pub(crate) fn to_tensor(self, planes: &[Vec<f64>], normalize: bool) -> Result<Tensor> {
        let frames = planes.first().map_or(0, Vec::len);
        let shape = [planes.len(), frames];
        let flat = planes.iter().flatten();
        if normalize || self == SampleKind::Float {
            return Tensor::from_vec(flat.map(|&x| self.normalize(x)).collect(), &shape);
        }
        match self {
            SampleKind::U8 => Tensor::from_vec(flat.map(|&x| x as u8).collect(), &shape),
            SampleKind::I16 => Tensor::from_vec(flat.map(|&x| x as i16).collect(), &shape),
            SampleKind::I24 => Tensor::from_vec(flat.map(|&x| (x as i32) << 8).collect(), &shape),
            _ => Tensor::from_vec(flat.map(|&x| x as i32).collect(), &shape),
        }
    }
}

/// An opened, decodable audio file.
pub(crate) struct Source {
    pub(crate) path: PathBuf,
    format: Box<dyn FormatReader>,
    decoder: Box<dyn Decoder>,
    track_id: u32,
    pub(crate) sample_rate: u32,
    pub(crate) channels: usize,
    /// Frames the container declares (after gapless trimming), when it declares them.
    pub(crate) n_frames: Option<u64>,
    pub(crate) codec: CodecType,
    pub(crate) bits_per_sample: Option<u32>,
    /// Known once the first packet is decoded.
    pub(crate) kind: Option<SampleKind>,
    decoded: u64,
    finished: bool,
}

/// A symphonia error as a format error naming the file.
pub(crate) fn sym_err(path: &Path, e: SymError) -> Error {
    Error::format(path, format!("cannot decode audio: {e}"))
}

impl Source {
    /// Probes and opens `path` (container from its content, the extension as a hint).
    pub(crate) fn open(path: &Path) -> Result<Source> {
        let file = File::open(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mss = MediaSourceStream::new(Box::new(file), Default::default());
        let mut hint = Hint::new();
        if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
            hint.with_extension(ext);
        }
        // Gapless: trim the MP3 encoder delay and padding, as libsndfile/mpg123 and ffmpeg do.
        let fmt_opts = FormatOptions {
            enable_gapless: true,
            ..Default::default()
        };
        let probed = symphonia::default::get_probe()
            .format(&hint, mss, &fmt_opts, &MetadataOptions::default())
            .map_err(|e| sym_err(path, e))?;
        let format = probed.format;
        if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("ogg" | "oga" | "opus")
        ) || format
            .tracks()
            .iter()
            .any(|t| t.codec_params.codec == codecs::CODEC_TYPE_VORBIS)
        {
            super::ogg_check::check_ogg_complete(path)?;
        }
        let track = format
            .tracks()
            .iter()
            .find(|t| t.codec_params.codec != codecs::CODEC_TYPE_NULL)
            .ok_or_else(|| Error::format(path, "no audio track"))?;
        let params = track.codec_params.clone();
        let track_id = track.id;
        let decoder = symphonia::default::get_codecs()
            .make(&params, &DecoderOptions::default())
            .map_err(|e| sym_err(path, e))?;
        let sample_rate = params
            .sample_rate
            .ok_or_else(|| Error::format(path, "no sample rate in the header"))?;
        let channels = params
            .channels
            .map(|c| c.count())
            .ok_or_else(|| Error::format(path, "no channel count in the header"))?;
        Ok(Source {
            path: path.to_path_buf(),
            format,
            decoder,
            track_id,
            sample_rate,
            channels,
            n_frames: params.n_frames,
            codec: params.codec,
            bits_per_sample: params.bits_per_sample,
            kind: None,
            decoded: 0,
            finished: false,
        })
    }

    /// Decodes the next packet, appending its frames to `planes` (one `Vec` per channel);
    /// `Ok(false)` at the end of the stream. A stream that ends before the frame count its
    /// header declares is an error (a truncated file).
    pub(crate) fn decode_next(&mut self, planes: &mut [Vec<f64>]) -> Result<bool> {
        if self.finished {
            return Ok(false);
        }
        loop {
            let packet = match self.format.next_packet() {
                Ok(p) => p,
                Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    self.finished = true;
                    return self.check_complete().map(|()| false);
                }
                Err(e) => return Err(sym_err(&self.path, e)),
            };
            if packet.track_id() != self.track_id {
                continue;
            }
            let buf = self
                .decoder
                .decode(&packet)
                .map_err(|e| sym_err(&self.path, e))?;
            let (kind, n) = append_planes(&buf, planes, &self.path)?;
            if let Some(k) = self.kind
                && k != kind
            {
                return Err(Error::format(&self.path, "sample type changes mid-stream"));
            }
            self.kind = Some(kind);
            self.decoded += n as u64;
            if n > 0 {
                return Ok(true);
            }
        }
    }

    fn check_complete(&self) -> Result<()> {
        match self.n_frames {
            Some(n) if self.decoded < n => Err(Error::format(
                &self.path,
                format!(
                    "truncated audio: the header declares {n} frames but the data ends after {}",
                    self.decoded
                ),
            )),
            _ => Ok(()),
        }
    }
}

/// Appends one decoded buffer to `planes`; returns its sample kind and frame count.
fn append_planes(
    buf: &AudioBufferRef<'_>,
    planes: &mut [Vec<f64>],
    path: &Path,
) -> Result<(SampleKind, usize)> {
    macro_rules! copy {
        ($b:expr, $kind:expr, $conv:expr) => {{
            let b = $b;
            if b.spec().channels.count() != planes.len() {
                return Err(Error::format(path, "channel count changes mid-stream"));
            }
            for (c, plane) in planes.iter_mut().enumerate() {
                plane.extend(b.chan(c).iter().map($conv));
            }
            Ok(($kind, b.frames()))
        }};
    }
    match buf {
        AudioBufferRef::U8(b) => copy!(b, SampleKind::U8, |&x| x as f64),
        AudioBufferRef::S16(b) => copy!(b, SampleKind::I16, |&x| x as f64),
        AudioBufferRef::S24(b) => copy!(b, SampleKind::I24, |x| x.inner() as f64),
        AudioBufferRef::S32(b) => copy!(b, SampleKind::I32, |&x| x as f64),
        AudioBufferRef::F32(b) => copy!(b, SampleKind::Float, |&x| x as f64),
        AudioBufferRef::F64(b) => copy!(b, SampleKind::Float, |&x| x),
        _ => Err(Error::format(
            path,
            "unsupported sample format (expected u8, s16, s24, s32 or float)",
        )),
    }
}
