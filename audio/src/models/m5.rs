//! M5, the raw-waveform keyword-spotting CNN of torchaudio's speech-command tutorial (Dai et
//! al., "Very deep convolutional neural networks for raw waveforms"), with the tutorial's
//! layer names so its state dicts load.

use torch_core::{MaxPool1dOptions, Result, Tensor};
use torch_nn::{BatchNorm1d, Conv1d, ConvOptions, Forward, Linear, Module, ModuleBase};

/// `M5(n_input=1, n_output=35, stride=16, n_channel=32)`: four conv + batch-norm + ReLU + max
/// pool(4) blocks, global average pooling and a linear layer; `forward` maps `(B, n_input,
/// time)` to log-probabilities `(B, 1, n_output)` as the tutorial's model does.
#[derive(Module)]
pub struct M5 {
    base: ModuleBase,
    pub conv1: Conv1d,
    pub bn1: BatchNorm1d,
    pub conv2: Conv1d,
    pub bn2: BatchNorm1d,
    pub conv3: Conv1d,
    pub bn3: BatchNorm1d,
    pub conv4: Conv1d,
    pub bn4: BatchNorm1d,
    pub fc1: Linear,
}

impl M5 {
    /// A freshly initialised M5 (PyTorch's default initialisation).
    pub fn new(n_input: usize, n_output: usize, stride: usize, n_channel: usize) -> Result<M5> {
        let c = n_channel;
        let strided = ConvOptions {
            stride: [stride],
            ..Default::default()
        };
        Ok(M5 {
            base: ModuleBase::default(),
            conv1: Conv1d::with_options(n_input, c, 80, strided)?,
            bn1: BatchNorm1d::new(c)?,
            conv2: Conv1d::new(c, c, 3)?,
            bn2: BatchNorm1d::new(c)?,
            conv3: Conv1d::new(c, 2 * c, 3)?,
            bn3: BatchNorm1d::new(2 * c)?,
            conv4: Conv1d::new(2 * c, 2 * c, 3)?,
            bn4: BatchNorm1d::new(2 * c)?,
            fc1: Linear::new(2 * c, n_output)?,
        })
    }
}

impl Forward for M5 {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let blocks: [(&Conv1d, &BatchNorm1d); 4] = [
            (&self.conv1, &self.bn1),
            (&self.conv2, &self.bn2),
            (&self.conv3, &self.bn3),
            (&self.conv4, &self.bn4),
        ];
        let mut x = x.clone();
        for (conv, bn) in blocks {
            x = bn
                .forward(&conv.forward(&x)?)?
                .relu()?
                .max_pool1d(4, MaxPool1dOptions::default())?;
        }
        // (B, 2c, L) -> (B, 2c, 1) -> (B, 1, 2c)
        let l = x.shape()[2];
        let x = x.avg_pool1d(l, Default::default())?.permute(&[0, 2, 1])?;
        self.fc1.forward(&x)?.log_softmax(2)
    }
}
