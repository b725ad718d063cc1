//! AlexNet, as torchvision's `models.alexnet` ("One weird trick" variant: 64-192-384-256-256
//! channels), keys `features.{0,3,6,8,10}`, `classifier.{1,4,6}`.

use std::path::Path;

use torch_core::{MaxPool2dOptions, Result, Tensor};
use torch_nn::{
    AdaptiveAvgPool2d, Conv2d, Dropout, Forward, Linear, MaxPool2d, Module, ModuleBase, ReLU,
    Sequential,
};

use super::misc::conv_opts;
use super::weights::build_model;

/// Keyword arguments of `models.alexnet` / `AlexNet(...)`, with torchvision's defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct AlexNetOptions {
    /// Size of the last Linear layer; default 1000.
    pub num_classes: usize,
    /// Dropout probability before the first two Linear layers; default 0.5.
    pub dropout: f64,
}

impl Default for AlexNetOptions {
    fn default() -> Self {
        AlexNetOptions {
            num_classes: 1000,
            dropout: 0.5,
        }
    }
}

/// `torchvision.models.AlexNet`: `features` (5 convs), `avgpool` (adaptive 6x6), `classifier`
/// (3 Linear). Input `(N, 3, H, W)` with H, W >= 63; output `(N, num_classes)`.
#[derive(Module)]
pub struct AlexNet {
    base: ModuleBase,
    pub features: Sequential,
    pub avgpool: AdaptiveAvgPool2d,
    pub classifier: Sequential,
}

/// `MaxPool2d(kernel_size=3, stride=2)`, AlexNet's pooling.
fn max_pool_3s2() -> MaxPool2d {
    MaxPool2d::with_options(
        3,
        MaxPool2dOptions {
            stride: Some([2, 2]),
            ..Default::default()
        },
    )
}

fn conv(cin: usize, cout: usize, k: usize, stride: usize, padding: usize) -> Result<Conv2d> {
    Conv2d::with_options(cin, cout, k, conv_opts(stride, padding))
}

impl AlexNet {
    /// `AlexNet(num_classes, dropout)` with PyTorch's default layer initialisation (torchvision
    /// adds none for AlexNet).
    pub fn new(options: AlexNetOptions) -> Result<AlexNet> {
        let features = Sequential::new()
            .append(conv(3, 64, 11, 4, 2)?)
            .append(ReLU::new())
            .append(max_pool_3s2())
            .append(conv(64, 192, 5, 1, 2)?)
            .append(ReLU::new())
            .append(max_pool_3s2())
            .append(conv(192, 384, 3, 1, 1)?)
            .append(ReLU::new())
            .append(conv(384, 256, 3, 1, 1)?)
            .append(ReLU::new())
            .append(conv(256, 256, 3, 1, 1)?)
            .append(ReLU::new())
            .append(max_pool_3s2());
        let classifier = Sequential::new()
            .append(Dropout::new(options.dropout))
            .append(Linear::new(256 * 6 * 6, 4096)?)
            .append(ReLU::new())
            .append(Dropout::new(options.dropout))
            .append(Linear::new(4096, 4096)?)
            .append(ReLU::new())
            .append(Linear::new(4096, options.num_classes)?);
        Ok(AlexNet {
            base: ModuleBase::default(),
            features,
            avgpool: AdaptiveAvgPool2d::new([6, 6]),
            classifier,
        })
    }
}

impl Forward for AlexNet {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let x = self.features.call(x)?;
        let x = self.avgpool.call(&x)?.flatten(1, -1)?; // (N, 256 * 6 * 6)
        self.classifier.call(&x)
    }
}

/// `torchvision.models.alexnet(weights, **kwargs)`: AlexNet, loading `weights` (a checkpoint
/// file) strictly when given.
pub fn alexnet(weights: Option<&Path>, options: AlexNetOptions) -> Result<AlexNet> {
    build_model(weights, || AlexNet::new(options), |_| Ok(()))
}
