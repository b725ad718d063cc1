//! `MelCnn`: a small keyword-spotting CNN on log-mel spectrograms (the mel-input alternative
//! to M5): MelSpectrogram (25 ms windows, 10 ms hop, 40 mels), log, three conv + batch-norm +
//! ReLU blocks (max-pooled, then globally averaged) and a linear classifier.

use torch_core::{MaxPool2dOptions, Result, Tensor};
use torch_nn::{BatchNorm2d, Conv2d, ConvOptions, Forward, Linear, Module, ModuleBase};

use crate::transforms::{MelScaleOptions, MelSpectrogram, SpectrogramOptions};

/// Logits `(B, n_classes)` from waveforms `(B, 1, time)` at `sample_rate`.
#[derive(Module)]
pub struct MelCnn {
    base: ModuleBase,
    pub mel: MelSpectrogram,
    pub conv1: Conv2d,
    pub bn1: BatchNorm2d,
    pub conv2: Conv2d,
    pub bn2: BatchNorm2d,
    pub conv3: Conv2d,
    pub bn3: BatchNorm2d,
    pub fc: Linear,
}

impl MelCnn {
    /// A freshly initialised network for `n_classes` at `sample_rate`.
    pub fn new(sample_rate: u32, n_classes: usize) -> Result<MelCnn> {
        let win = (sample_rate as usize * 25).div_ceil(1000);
        let spec = SpectrogramOptions {
            n_fft: win,
            hop_length: Some(sample_rate as usize / 100),
            ..Default::default()
        };
        let mel = MelScaleOptions {
            sample_rate,
            n_mels: 40,
            ..Default::default()
        };
        let conv = |i, o| {
            Conv2d::with_options(
                i,
                o,
                3,
                ConvOptions {
                    padding: 1.into(),
                    ..Default::default()
                },
            )
        };
        Ok(MelCnn {
            base: ModuleBase::default(),
            mel: MelSpectrogram::new(spec, mel)?,
            conv1: conv(1, 16)?,
            bn1: BatchNorm2d::new(16)?,
            conv2: conv(16, 32)?,
            bn2: BatchNorm2d::new(32)?,
            conv3: conv(32, 64)?,
            bn3: BatchNorm2d::new(64)?,
            fc: Linear::new(64, n_classes)?,
        })
    }
}

impl Forward for MelCnn {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        // (B, 1, T) -> (B, 1, 40, frames), log-compressed.
        let mut h = self.mel.forward(x)?.add_scalar(1e-6)?.log()?;
        let pool = MaxPool2dOptions::default();
        h = self
            .bn1
            .forward(&self.conv1.forward(&h)?)?
            .relu()?
            .max_pool2d([2, 2], pool)?;
        h = self
            .bn2
            .forward(&self.conv2.forward(&h)?)?
            .relu()?
            .max_pool2d([2, 2], pool)?;
        h = self.bn3.forward(&self.conv3.forward(&h)?)?.relu()?;
        // (B, 64, h, w) -> (B, 64)
        let h = h.adaptive_avg_pool2d([1, 1])?.flatten(1, -1)?;
        self.fc.forward(&h)
    }
}
