//! `StreamReader`: fixed-size chunks of a long file, decoded packet by packet so only one
//! chunk (plus one packet) is in memory (`torchaudio.io.StreamReader` with
//! `add_basic_audio_stream(frames_per_chunk)`).

use std::path::Path;

use torch_core::{Error, Result, Tensor};

use super::source::{SampleKind, Source};

/// Iterates over `[channels, frames_per_chunk]` f32 chunks of a file; the last chunk holds the
/// remaining frames (shorter). Each item is a `Result`: a decode error ends the stream.
pub struct StreamReader {
    src: Source,
    frames_per_chunk: usize,
    pending: Vec<Vec<f64>>,
    done: bool,
}

impl StreamReader {
    /// Opens `path` for chunked reading.
    pub fn new(path: impl AsRef<Path>, frames_per_chunk: usize) -> Result<StreamReader> {
        if frames_per_chunk == 0 {
            return Err(Error::invalid(
                "StreamReader",
                "frames_per_chunk must be positive",
            ));
        }
        let src = Source::open(path.as_ref())?;
        let pending = vec![Vec::new(); src.channels];
        Ok(StreamReader {
            src,
            frames_per_chunk,
            pending,
            done: false,
        })
    }

    /// The stream's sample rate.
    pub fn sample_rate(&self) -> u32 {
        self.src.sample_rate
    }

    /// The stream's channel count.
    pub fn num_channels(&self) -> usize {
        self.src.channels
    }

    fn next_chunk(&mut self) -> Result<Option<Tensor>> {
        while self.pending[0].len() < self.frames_per_chunk {
            if !self.src.decode_next(&mut self.pending)? {
                break;
            }
        }
        let n = self.pending[0].len().min(self.frames_per_chunk);
        if n == 0 {
            return Ok(None);
        }
        let chunk: Vec<Vec<f64>> = self
            .pending
            .iter_mut()
            .map(|p| p.drain(..n).collect())
            .collect();
        let kind = self.src.kind.unwrap_or(SampleKind::Float);
        kind.to_tensor(&chunk, true).map(Some)
    }
}

impl Iterator for StreamReader {
    type Item = Result<Tensor>;

    fn next(&mut self) -> Option<Result<Tensor>> {
        if self.done {
            return None;
        }
        let r = self.next_chunk();
        if !matches!(r, Ok(Some(_))) {
            self.done = true;
        }
        r.transpose()
    }
}
