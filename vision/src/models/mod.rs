//! torchvision.models: classification architectures (plus the DCGAN tutorial's generator
//! and discriminator and WGAN-GP's gradient penalty) with torchvision 0.26's module tree,
//! state-dict keys, defaults and initialisation, so torchvision checkpoints (`.pth` or
//! safetensors) load strictly.
//!
//! Each constructor takes `weights: Option<&Path>` (a checkpoint loaded strictly; `None` keeps
//! torchvision's random initialisation) and an options struct whose `Default` holds
//! torchvision's defaults:
//!
//! ```no_run
//! use std::path::Path;
//! use torch_nn::{Forward, Module};
//! use torch_vision::models::{imagenet_classes, mobilenet_v2, MobileNetV2Options};
//! let net = mobilenet_v2(Some(Path::new("mobilenet_v2-b0353104.pth")), MobileNetV2Options::default())?;
//! net.eval();
//! # let x = torch_core::Tensor::zeros(&[1, 3, 224, 224], Default::default())?;
//! let logits = net.call(&x)?; // (1, 1000)
//! let top1 = logits.argmax(Some(1), false)?.item()? as usize;
//! println!("{}", imagenet_classes()[top1]);
//! # Ok::<(), torch_core::Error>(())
//! ```

mod alexnet;
mod dcgan;
mod init;
mod lenet;
mod misc;
mod mobilenetv2;
mod resnet;
mod vgg;
mod weights;
mod wgan_gp;

pub use alexnet::{AlexNet, AlexNetOptions, alexnet};
pub use dcgan::{
    DcganOptions, Discriminator, Generator, dcgan_discriminator, dcgan_generator, latent,
    weights_init,
};
pub use lenet::{LeNet, lenet};
pub use misc::Conv2dNormActivation;
pub use mobilenetv2::{InvertedResidual, MobileNetV2, MobileNetV2Options, mobilenet_v2};
pub use resnet::{
    BasicBlock, Block, Bottleneck, ResNet, ResNetOptions, resnet18, resnet34, resnet50, resnet101,
    resnet152, resnext50_32x4d, wide_resnet50_2,
};
pub use vgg::{
    VGG, VGGOptions, VggConfig, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn,
};
pub use weights::load_weights;
pub use wgan_gp::gradient_penalty;

const IMAGENET_CLASSES: &str = include_str!("imagenet_classes.txt");

/// The 1000 ImageNet-1k class names, index = class id (torchvision's
/// `weights.meta["categories"]`, `_IMAGENET_CATEGORIES`): `imagenet_classes()[285]` is
/// `"Egyptian cat"`.
pub fn imagenet_classes() -> Vec<&'static str> {
    IMAGENET_CLASSES.lines().collect()
}
