//! MobileNetV2, as torchvision's `models.mobilenet_v2`: `features.0` (stem
//! Conv2dNormActivation), `features.1..17` (InvertedResidual, keys `features.N.conv.*`),
//! `features.18` (1x1 to 1280), `classifier.1` (Linear).

use std::path::Path;

use torch_core::{Error, Result, Tensor};
use torch_nn::{
    BatchNorm2d, Conv2d, ConvOptions, Dropout, Forward, Linear, Module, ModuleBase, ReLU6,
    Sequential,
};

use super::init::{LinearInit, init_weights};
use super::misc::{ActivationLayer, Conv2dNormActivation, conv_opts};
use super::weights::build_model;

const RELU6: ActivationLayer = || Box::new(ReLU6::new());

/// torchvision's `_make_divisible(v, divisor)`: `v` rounded to a multiple of `divisor`, at
/// least `divisor`, never more than 10% below `v`.
fn make_divisible(v: f64, divisor: usize) -> usize {
    let d = divisor as f64;
    let mut new_v = d.max(((v + d / 2.0) / d).floor() * d);
    if new_v < 0.9 * v {
        new_v += d;
    }
    new_v as usize
}

/// torchvision's `InvertedResidual`: an optional 1x1 expansion (ReLU6), a depthwise 3x3
/// (ReLU6), a linear 1x1 projection and BatchNorm, all in `conv`; the input is added back when
/// the stride is 1 and the channel count is kept.
#[derive(Module)]
pub struct InvertedResidual {
    base: ModuleBase,
    pub conv: Sequential,
    pub stride: usize,
    pub use_res_connect: bool,
    pub out_channels: usize,
}

impl InvertedResidual {
    /// `InvertedResidual(inp, oup, stride, expand_ratio)`; `stride` must be 1 or 2.
    pub fn new(inp: usize, oup: usize, stride: usize, expand_ratio: usize) -> Result<Self> {
        if stride != 1 && stride != 2 {
            return Err(Error::invalid(
                "InvertedResidual",
                format!("stride should be 1 or 2 instead of {stride}"),
            ));
        }
        let hidden = inp * expand_ratio;
        let mut conv = Sequential::new();
        if expand_ratio != 1 {
            conv.push(Conv2dNormActivation::new(
                inp,
                hidden,
                1,
                1,
                1,
                Some(RELU6),
            )?);
        }
        conv.push(Conv2dNormActivation::new(
            hidden,
            hidden,
            3,
            stride,
            hidden,
            Some(RELU6),
        )?);
        conv.push(Conv2d::with_options(
            hidden,
            oup,
            1,
            ConvOptions {
                bias: false,
                ..conv_opts(1, 0)
            },
        )?);
        conv.push(BatchNorm2d::new(oup)?);
        Ok(InvertedResidual {
            base: ModuleBase::default(),
            conv,
            stride,
            use_res_connect: stride == 1 && inp == oup,
            out_channels: oup,
        })
    }
}

impl Forward for InvertedResidual {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let y = self.conv.call(x)?;
        if self.use_res_connect {
            x.add(&y)
        } else {
            Ok(y)
        }
    }
}

/// Keyword arguments of `models.mobilenet_v2` / `MobileNetV2(...)`, with torchvision's
/// defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct MobileNetV2Options {
    /// Size of the last Linear layer; default 1000.
    pub num_classes: usize,
    /// Channel multiplier; default 1.0.
    pub width_mult: f64,
    /// Stages as `[t, c, n, s]` (expansion, channels, repeats, first stride); `None` (default)
    /// is the paper's seven stages.
    pub inverted_residual_setting: Option<Vec<[usize; 4]>>,
    /// Channel counts are rounded to multiples of this; default 8.
    pub round_nearest: usize,
    /// Dropout probability before the classifier; default 0.2.
    pub dropout: f64,
}

impl Default for MobileNetV2Options {
    fn default() -> Self {
        MobileNetV2Options {
            num_classes: 1000,
            width_mult: 1.0,
            inverted_residual_setting: None,
            round_nearest: 8,
            dropout: 0.2,
        }
    }
}

const SETTING: [[usize; 4]; 7] = [
    [1, 16, 1, 1],
    [6, 24, 2, 2],
    [6, 32, 3, 2],
    [6, 64, 4, 2],
    [6, 96, 3, 1],
    [6, 160, 3, 2],
    [6, 320, 1, 1],
];

/// `torchvision.models.MobileNetV2`: `features` then global average pooling and
/// `classifier` (Dropout, Linear). Input `(N, 3, H, W)`; output `(N, num_classes)`.
#[derive(Module)]
pub struct MobileNetV2 {
    base: ModuleBase,
    pub features: Sequential,
    pub classifier: Sequential,
    pub last_channel: usize,
}

impl MobileNetV2 {
    /// `MobileNetV2(num_classes, width_mult, inverted_residual_setting, round_nearest,
    /// dropout=dropout)`, with torchvision's initialisation.
    pub fn new(options: MobileNetV2Options) -> Result<MobileNetV2> {
        let net = Self::build(&options)?;
        net.init()?;
        Ok(net)
    }

    fn build(o: &MobileNetV2Options) -> Result<MobileNetV2> {
        if o.round_nearest == 0 || o.width_mult.is_nan() || o.width_mult <= 0.0 {
            return Err(Error::invalid(
                "MobileNetV2",
                format!(
                    "width_mult and round_nearest must be positive (got {} and {})",
                    o.width_mult, o.round_nearest
                ),
            ));
        }
        let setting = o.inverted_residual_setting.as_deref().unwrap_or(&SETTING);
        if setting.is_empty() {
            return Err(Error::invalid(
                "MobileNetV2",
                "inverted_residual_setting should be non-empty or a 4-element list",
            ));
        }
        let mut input_channel = make_divisible(32.0 * o.width_mult, o.round_nearest);
        let last_channel = make_divisible(1280.0 * o.width_mult.max(1.0), o.round_nearest);
        let mut features = Sequential::new();
        features.push(Conv2dNormActivation::new(
            3,
            input_channel,
            3,
            2,
            1,
            Some(RELU6),
        )?);
        for &[t, c, n, s] in setting {
            let output_channel = make_divisible(c as f64 * o.width_mult, o.round_nearest);
            for i in 0..n {
                let stride = if i == 0 { s } else { 1 };
                features.push(InvertedResidual::new(
                    input_channel,
                    output_channel,
                    stride,
                    t,
                )?);
                input_channel = output_channel;
            }
        }
        features.push(Conv2dNormActivation::new(
            input_channel,
            last_channel,
            1,
            1,
            1,
            Some(RELU6),
        )?);
        let classifier = Sequential::new()
            .append(Dropout::new(o.dropout))
            .append(Linear::new(last_channel, o.num_classes)?);
        Ok(MobileNetV2 {
            base: ModuleBase::default(),
            features,
            classifier,
            last_channel,
        })
    }

    /// torchvision's loop: kaiming-normal (fan_out) convs, BatchNorm 1/0, Linear N(0, 0.01)
    /// with zero bias.
    fn init(&self) -> Result<()> {
        init_weights(self, LinearInit::Normal(0.01))
    }
}

impl Forward for MobileNetV2 {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let x = self.features.call(x)?;
        let x = x.adaptive_avg_pool2d([1, 1])?.flatten(1, -1)?; // (N, last_channel)
        self.classifier.call(&x)
    }
}

/// `torchvision.models.mobilenet_v2(weights, **kwargs)`: MobileNetV2, loading `weights` (a
/// checkpoint file) strictly when given.
pub fn mobilenet_v2(weights: Option<&Path>, options: MobileNetV2Options) -> Result<MobileNetV2> {
    build_model(weights, || MobileNetV2::build(&options), |net| net.init())
}
