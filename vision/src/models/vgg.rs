//! VGG 11/13/16/19, with and without batch norm, as torchvision's `models.vgg*`: `features`
//! (3x3 convs, [BatchNorm2d,] ReLU, MaxPool2d(2, 2)), `avgpool` (adaptive 7x7), `classifier`
//! (keys `classifier.{0,3,6}`).

use std::path::Path;

use torch_core::{MaxPool2dOptions, Result, Tensor};
use torch_nn::{
    AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Dropout, Forward, Linear, MaxPool2d, Module,
    ModuleBase, ReLU, Sequential,
};

use super::init::{LinearInit, init_weights};
use super::misc::conv_opts;
use super::weights::build_model;

/// torchvision's VGG layer configurations (`cfgs`): `A` = VGG-11, `B` = 13, `D` = 16,
/// `E` = 19.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VggConfig {
    A,
    B,
    D,
    E,
}

/// `None` is a max pool ("M"), `Some(c)` a 3x3 conv to `c` channels.
const M: Option<usize> = None;
const fn c(n: usize) -> Option<usize> {
    Some(n)
}

#[rustfmt::skip]
const CFG_A: &[Option<usize>] = &[
    c(64), M, c(128), M, c(256), c(256), M, c(512), c(512), M, c(512), c(512), M,
];
#[rustfmt::skip]
const CFG_B: &[Option<usize>] = &[
    c(64), c(64), M, c(128), c(128), M, c(256), c(256), M, c(512), c(512), M, c(512), c(512), M,
];
#[rustfmt::skip]
const CFG_D: &[Option<usize>] = &[
    c(64), c(64), M, c(128), c(128), M, c(256), c(256), c(256), M, c(512), c(512), c(512), M,
    c(512), c(512), c(512), M,
];
#[rustfmt::skip]
const CFG_E: &[Option<usize>] = &[
    c(64), c(64), M, c(128), c(128), M, c(256), c(256), c(256), c(256), M, c(512), c(512),
    c(512), c(512), M, c(512), c(512), c(512), c(512), M,
];

impl VggConfig {
    /// The layer list (`cfgs["A"]`...).
    pub fn layers(self) -> &'static [Option<usize>] {
        match self {
            VggConfig::A => CFG_A,
            VggConfig::B => CFG_B,
            VggConfig::D => CFG_D,
            VggConfig::E => CFG_E,
        }
    }
}

/// Keyword arguments of `models.vgg*` / `VGG(features, ...)`, with torchvision's defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct VGGOptions {
    /// Size of the last Linear layer; default 1000.
    pub num_classes: usize,
    /// Apply torchvision's initialisation (kaiming-normal convs, N(0, 0.01) Linear); default
    /// true.
    pub init_weights: bool,
    /// Dropout probability in the classifier; default 0.5.
    pub dropout: f64,
}

impl Default for VGGOptions {
    fn default() -> Self {
        VGGOptions {
            num_classes: 1000,
            init_weights: true,
            dropout: 0.5,
        }
    }
}

/// `torchvision.models.VGG`. Input `(N, 3, H, W)` with H, W >= 32; output `(N, num_classes)`.
#[derive(Module)]
pub struct VGG {
    base: ModuleBase,
    pub features: Sequential,
    pub avgpool: AdaptiveAvgPool2d,
    pub classifier: Sequential,
}

/// torchvision's `make_layers(cfg, batch_norm)`.
fn make_layers(cfg: VggConfig, batch_norm: bool) -> Result<Sequential> {
    let mut layers = Sequential::new();
    let mut in_channels = 3;
    for &v in cfg.layers() {
        match v {
            None => layers.push(MaxPool2d::with_options(
                2,
                MaxPool2dOptions {
                    stride: Some([2, 2]),
                    ..Default::default()
                },
            )),
            Some(v) => {
                layers.push(Conv2d::with_options(in_channels, v, 3, conv_opts(1, 1))?);
                if batch_norm {
                    layers.push(BatchNorm2d::new(v)?);
                }
                layers.push(ReLU::new());
                in_channels = v;
            }
        }
    }
    Ok(layers)
}

impl VGG {
    /// `VGG(make_layers(cfgs[cfg], batch_norm), num_classes, init_weights, dropout)`.
    pub fn new(cfg: VggConfig, batch_norm: bool, options: VGGOptions) -> Result<VGG> {
        let classifier = Sequential::new()
            .append(Linear::new(512 * 7 * 7, 4096)?)
            .append(ReLU::new())
            .append(Dropout::new(options.dropout))
            .append(Linear::new(4096, 4096)?)
            .append(ReLU::new())
            .append(Dropout::new(options.dropout))
            .append(Linear::new(4096, options.num_classes)?);
        let vgg = VGG {
            base: ModuleBase::default(),
            features: make_layers(cfg, batch_norm)?,
            avgpool: AdaptiveAvgPool2d::new([7, 7]),
            classifier,
        };
        if options.init_weights {
            init_weights(&vgg, LinearInit::Normal(0.01))?;
        }
        Ok(vgg)
    }
}

impl Forward for VGG {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let x = self.features.call(x)?;
        let x = self.avgpool.call(&x)?.flatten(1, -1)?; // (N, 512 * 7 * 7)
        self.classifier.call(&x)
    }
}

/// Builds a VGG; with `weights` the random initialisation is skipped and the file loaded.
fn vgg(
    cfg: VggConfig,
    batch_norm: bool,
    weights: Option<&Path>,
    options: VGGOptions,
) -> Result<VGG> {
    let init = options.init_weights;
    build_model(
        weights,
        || {
            VGG::new(
                cfg,
                batch_norm,
                VGGOptions {
                    init_weights: init && weights.is_none(),
                    ..options
                },
            )
        },
        |_| Ok(()),
    )
}

macro_rules! vgg_fn {
    ($($name:ident, $cfg:ident, $bn:expr, $doc:literal;)*) => {$(
        #[doc = concat!("`torchvision.models.", stringify!($name), "(weights, **kwargs)`: ", $doc,
            "; loads `weights` (a checkpoint file) strictly when given.")]
        pub fn $name(weights: Option<&Path>, options: VGGOptions) -> Result<VGG> {
            vgg(VggConfig::$cfg, $bn, weights, options)
        }
    )*};
}

vgg_fn! {
    vgg11, A, false, "VGG-11";
    vgg11_bn, A, true, "VGG-11 with batch normalisation";
    vgg13, B, false, "VGG-13";
    vgg13_bn, B, true, "VGG-13 with batch normalisation";
    vgg16, D, false, "VGG-16";
    vgg16_bn, D, true, "VGG-16 with batch normalisation";
    vgg19, E, false, "VGG-19";
    vgg19_bn, E, true, "VGG-19 with batch normalisation";
}
