//! The MNIST classifier of the `mnist` example (the main job), shared with the GAN examples,
//! which score their samples with its saved checkpoint (`runs/mnist/mnist_cnn.safetensors`).

use std::path::Path;

use torch_core::{DType, MaxPool2dOptions, Result, Tensor};
use torch_nn::{Conv2d, Forward, Linear, Module, ModuleBase, StateDict};

/// MNIST's mean and standard deviation, the usual `Normalize((0.1307,), (0.3081,))`.
pub const MEAN: f64 = 0.1307;
/// See [`MEAN`].
pub const STD: f64 = 0.3081;

/// conv 1->32 3x3, relu, maxpool 2, conv 32->64 3x3, relu, maxpool 2, linear 1600->128, relu,
/// linear 128->10; input normalised with [`MEAN`] and [`STD`].
#[derive(Module)]
pub struct Net {
    base: ModuleBase,
    conv1: Conv2d,
    conv2: Conv2d,
    fc1: Linear,
    fc2: Linear,
}

impl Net {
    /// The network with PyTorch's default initialisation.
    pub fn new() -> Result<Net> {
        Ok(Net {
            base: ModuleBase::default(),
            conv1: Conv2d::new(1, 32, 3)?,
            conv2: Conv2d::new(32, 64, 3)?,
            fc1: Linear::new(1600, 128)?,
            fc2: Linear::new(128, 10)?,
        })
    }

    /// The network with the weights of a checkpoint the `mnist` example saved, in eval mode.
    pub fn load(path: &Path) -> Result<Net> {
        let net = Net::new()?;
        net.load_state_dict(&StateDict::load(path)?, true)?;
        net.eval();
        Ok(net)
    }
}

impl Forward for Net {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let pool = MaxPool2dOptions::default();
        let x = self.conv1.forward(x)?.relu()?.max_pool2d([2, 2], pool)?; // (B, 32, 13, 13)
        let x = self.conv2.forward(&x)?.relu()?.max_pool2d([2, 2], pool)?; // (B, 64, 5, 5)
        let x = self.fc1.forward(&x.flatten(1, -1)?)?.relu()?; // (B, 128)
        self.fc2.forward(&x)
    }
}

/// uint8 `(N, 28, 28)` images to normalised f32 `(N, 1, 28, 28)`: `ToDtype(scale=True)` then
/// `Normalize`.
pub fn normalise(images: &Tensor) -> Result<Tensor> {
    images
        .unsqueeze(1)?
        .to_dtype(DType::F32)?
        .div_scalar(255.0)?
        .sub_scalar(MEAN)?
        .div_scalar(STD)
}
