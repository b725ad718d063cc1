//! LeNet-5 as in the PyTorch "Neural Networks" tutorial (`Net`): two 5x5 convs with ReLU and
//! 2x2 max pooling, three Linear layers; keys `conv1`, `conv2`, `fc1`, `fc2`, `fc3`.

use std::path::Path;

use torch_core::{MaxPool2dOptions, Result, Tensor};
use torch_nn::{Conv2d, Forward, Linear, Module, ModuleBase};

use super::weights::build_model;

/// The tutorial's LeNet-5: input `(N, 1, 32, 32)`, output `(N, 10)`.
#[derive(Module)]
pub struct LeNet {
    base: ModuleBase,
    pub conv1: Conv2d,
    pub conv2: Conv2d,
    pub fc1: Linear,
    pub fc2: Linear,
    pub fc3: Linear,
}

impl LeNet {
    /// The tutorial's `Net()`, with PyTorch's default layer initialisation.
    pub fn new() -> Result<LeNet> {
        Ok(LeNet {
            base: ModuleBase::default(),
            conv1: Conv2d::new(1, 6, 5)?,
            conv2: Conv2d::new(6, 16, 5)?,
            fc1: Linear::new(16 * 5 * 5, 120)?,
            fc2: Linear::new(120, 84)?,
            fc3: Linear::new(84, 10)?,
        })
    }
}

impl Forward for LeNet {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let pool = |t: Tensor| t.max_pool2d([2, 2], MaxPool2dOptions::default());
        let x = pool(self.conv1.call(x)?.relu()?)?; // (N, 6, 14, 14)
        let x = pool(self.conv2.call(&x)?.relu()?)?; // (N, 16, 5, 5)
        let x = x.flatten(1, -1)?; // (N, 400)
        let x = self.fc1.call(&x)?.relu()?;
        let x = self.fc2.call(&x)?.relu()?;
        self.fc3.call(&x)
    }
}

/// LeNet-5, loading `weights` (a checkpoint file, e.g. the tutorial's saved `state_dict`)
/// strictly when given.
pub fn lenet(weights: Option<&Path>) -> Result<LeNet> {
    build_model(weights, LeNet::new, |_| Ok(()))
}
