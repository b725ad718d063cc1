//! torchvision's weight initialisation loops (`for m in self.modules(): ...` in the model
//! constructors), over our module tree.

use torch_core::Result;
use torch_nn::init::{self, FanMode};
use torch_nn::{BatchNorm2d, Conv2d, Linear, Module};

/// How a model initialises its `Linear` layers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum LinearInit {
    /// Keep `nn.Linear`'s own default (ResNet).
    Default,
    /// `normal_(weight, 0, std)` and zero bias (VGG, MobileNetV2: std 0.01).
    Normal(f64),
}

/// Every `Conv2d`: `kaiming_normal_(weight, mode="fan_out", nonlinearity="relu")` and zero
/// bias; every `BatchNorm2d`: weight 1, bias 0; every `Linear` as `linear` says. This is the
/// loop of torchvision's VGG, ResNet and MobileNetV2 (MobileNetV2's default nonlinearity
/// `leaky_relu` with `a=0` has the same gain as `relu`).
pub(crate) fn init_weights(model: &dyn Module, linear: LinearInit) -> Result<()> {
    for (_, m) in model.named_modules() {
        let any = m.as_any();
        if let Some(c) = any.downcast_ref::<Conv2d>() {
            init::kaiming_normal_(&c.weight, 0.0, FanMode::FanOut, "relu")?;
            if let Some(b) = &c.bias {
                init::zeros_(b)?;
            }
        } else if let Some(bn) = any.downcast_ref::<BatchNorm2d>() {
            if let Some(w) = &bn.weight {
                init::ones_(w)?;
            }
            if let Some(b) = &bn.bias {
                init::zeros_(b)?;
            }
        } else if let (Some(l), LinearInit::Normal(std)) = (any.downcast_ref::<Linear>(), linear) {
            init::normal_(&l.weight, 0.0, std)?;
            if let Some(b) = &l.bias {
                init::zeros_(b)?;
            }
        }
    }
    Ok(())
}
