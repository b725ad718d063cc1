//! Silero VAD v6 (16 kHz): the official model's structure (snakers4/silero-vad: a fixed
//! STFT as a strided conv, four conv + ReLU encoder layers, an LSTM cell, a 1x1 conv decoder
//! with sigmoid), loading the weights of `silero_vad_v6_16k_from_onnx.safetensors` (key layout
//! of the package's `tinygrad_model.py`). `speech_probs` streams a waveform through it the way
//! the official `OnnxWrapper` does (512-sample chunks with the previous 64 samples as context,
//! state carried across chunks).

use std::path::Path;

use torch_core::{Context, Error, Result, Tensor};
use torch_nn::{Conv1d, ConvOptions, Forward, LSTMCell, Module, ModuleBase, StateDict};

/// Samples per chunk at 16 kHz.
pub const CHUNK: usize = 512;
/// Samples of the previous chunk prepended to each chunk.
pub const CONTEXT: usize = 64;

/// The 16 kHz Silero VAD network (`TinySileroVAD` key names).
#[derive(Module)]
pub struct SileroVad {
    base: ModuleBase,
    pub stft_conv: Conv1d,
    pub conv1: Conv1d,
    pub conv2: Conv1d,
    pub conv3: Conv1d,
    pub conv4: Conv1d,
    pub lstm_cell: LSTMCell,
    pub final_conv: Conv1d,
}

/// The recurrent state `(h, c)`, each `(batch, 128)`.
pub type VadState = (Tensor, Tensor);

impl SileroVad {
    /// The architecture with default-initialised weights.
    pub fn new() -> Result<SileroVad> {
        let conv = |i, o, stride| {
            Conv1d::with_options(
                i,
                o,
                3,
                ConvOptions {
                    stride: [stride],
                    padding: 1.into(),
                    ..Default::default()
                },
            )
        };
        Ok(SileroVad {
            base: ModuleBase::default(),
            stft_conv: Conv1d::with_options(
                1,
                258,
                256,
                ConvOptions {
                    stride: [128],
                    bias: false,
                    ..Default::default()
                },
            )?,
            conv1: conv(129, 128, 1)?,
            conv2: conv(128, 64, 2)?,
            conv3: conv(64, 64, 2)?,
            conv4: conv(64, 128, 1)?,
            lstm_cell: LSTMCell::new(128, 128)?,
            final_conv: Conv1d::new(128, 1, 1)?,
        })
    }

    /// Loads a safetensors checkpoint (strict: every key present, none unexpected).
    pub fn from_safetensors(path: impl AsRef<Path>) -> Result<SileroVad> {
        let model = SileroVad::new()?;
        let sd = StateDict::load_safetensors(path.as_ref())?;
        let keys = model
            .load_state_dict(&sd, true)
            .with_context(|| path.as_ref().display().to_string())?;
        if !keys.missing_keys.is_empty() || !keys.unexpected_keys.is_empty() {
            return Err(Error::format(
                path.as_ref(),
                format!(
                    "not a Silero VAD checkpoint: missing {:?}, unexpected {:?}",
                    keys.missing_keys, keys.unexpected_keys
                ),
            ));
        }
        Ok(model)
    }

    /// One step: `x` `(batch, CONTEXT + CHUNK)` at 16 kHz and the previous state (zeros when
    /// `None`) to the speech probability `(batch, 1)` and the new state.
    pub fn forward_chunk(
        &self,
        x: &Tensor,
        state: Option<&VadState>,
    ) -> Result<(Tensor, VadState)> {
        if x.dim() != 2 || x.shape()[1] != CONTEXT + CHUNK {
            return Err(Error::invalid(
                "SileroVad",
                format!(
                    "expected a (batch, {}) chunk, got {:?}",
                    CONTEXT + CHUNK,
                    x.shape()
                ),
            ));
        }
        // (B, 640) -> (B, 1, 640) -> (B, 258, 4): real and imaginary parts of 129 bins.
        let spec = self
            .stft_conv
            .forward(&x.pad(&[0, 64], "reflect", 0.0)?.unsqueeze(1)?)?;
        let (re, im) = (spec.narrow(1, 0, 129)?, spec.narrow(1, 129, 129)?);
        let mut h = re.mul(&re)?.add(&im.mul(&im)?)?.sqrt()?;
        for conv in [&self.conv1, &self.conv2, &self.conv3, &self.conv4] {
            h = conv.forward(&h)?.relu()?;
        }
        // (B, 128, 1) -> (B, 128)
        let feat = h.squeeze_dim(-1)?;
        let (hn, cn) = self.lstm_cell.forward(&feat, state.map(|(h, c)| (h, c)))?;
        let p = self
            .final_conv
            .forward(&hn.relu()?.unsqueeze(-1)?)?
            .sigmoid()?;
        // (B, 1, 1) -> (B, 1)
        Ok((p.squeeze_dim(1)?.mean_dim(&[1], true)?, (hn, cn)))
    }

    /// The speech probability of every 512-sample chunk of a mono 16 kHz waveform `(time)`,
    /// the last chunk zero-padded (the official `get_speech_timestamps` loop).
    pub fn speech_probs(&self, wav: &Tensor) -> Result<Vec<f32>> {
        if wav.dim() != 1 {
            return Err(Error::invalid(
                "SileroVad",
                format!("expected a mono (time) waveform, got {:?}", wav.shape()),
            ));
        }
        let n = wav.shape()[0];
        let chunks = n.div_ceil(CHUNK);
        let padded = wav.pad(
            &[CONTEXT as i64, (chunks * CHUNK - n) as i64],
            "constant",
            0.0,
        )?;
        let _g = torch_core::autograd::no_grad();
        let mut state: Option<VadState> = None;
        let mut probs = Vec::with_capacity(chunks);
        for i in 0..chunks {
            let x = padded
                .narrow(0, (i * CHUNK) as i64, CONTEXT + CHUNK)?
                .unsqueeze(0)?;
            let (p, s) = self.forward_chunk(&x, state.as_ref())?;
            probs.push(p.item()? as f32);
            state = Some(s);
        }
        Ok(probs)
    }
}
