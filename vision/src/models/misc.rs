//! Building blocks shared by the models: torchvision.ops.misc's `Conv2dNormActivation` and a
//! shorthand for `nn.Conv2d` keyword arguments.

use torch_core::{Padding, Result, Tensor};
use torch_nn::{BatchNorm2d, Conv2d, ConvOptions, Forward, Module, ReLU, Sequential};

/// `ConvOptions` with `stride` and symmetric `padding` (and `dilation` 1, `groups` 1, bias).
pub(crate) fn conv_opts(stride: usize, padding: usize) -> ConvOptions<2> {
    ConvOptions {
        stride: [stride; 2],
        padding: Padding::Explicit([padding; 2]),
        ..Default::default()
    }
}

/// Makes the activation layer of a [`Conv2dNormActivation`].
pub type ActivationLayer = fn() -> Box<dyn Forward>;

/// `torchvision.ops.Conv2dNormActivation`: a `Sequential` of `Conv2d` (bias only without a
/// norm layer; padding `(kernel_size - 1) / 2 * dilation`), `BatchNorm2d` and an activation,
/// keys `0.weight`, `1.weight`, `1.running_mean`, ...
#[derive(Module)]
#[module(name = "Conv2dNormActivation")]
pub struct Conv2dNormActivation {
    #[module(flatten)]
    layers: Sequential,
}

impl Conv2dNormActivation {
    /// `Conv2dNormActivation(in_channels, out_channels, kernel_size, stride, groups=groups,
    /// activation_layer=...)` with a `BatchNorm2d` norm layer and dilation 1; `activation`
    /// `None` leaves the activation out.
    pub fn new(
        in_channels: usize,
        out_channels: usize,
        kernel_size: usize,
        stride: usize,
        groups: usize,
        activation: Option<ActivationLayer>,
    ) -> Result<Conv2dNormActivation> {
        let conv = Conv2d::with_options(
            in_channels,
            out_channels,
            kernel_size,
            ConvOptions {
                groups,
                bias: false,
                ..conv_opts(stride, kernel_size.saturating_sub(1) / 2)
            },
        )?;
        let mut layers = Sequential::new()
            .append(conv)
            .append(BatchNorm2d::new(out_channels)?);
        if let Some(act) = activation {
            layers.push(act());
        }
        Ok(Conv2dNormActivation { layers })
    }

    /// The same with torchvision's default activation, `ReLU`.
    pub fn with_relu(
        in_channels: usize,
        out_channels: usize,
        kernel_size: usize,
        stride: usize,
    ) -> Result<Conv2dNormActivation> {
        Self::new(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            1,
            Some(|| Box::new(ReLU::new())),
        )
    }
}

impl Forward for Conv2dNormActivation {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.layers.call(x)
    }
}
