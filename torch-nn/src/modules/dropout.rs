//! `Dropout` and `Dropout2d` (torch.nn's): active in training mode only.

use torch_core::{Result, Tensor};

use crate::functional as F;
use crate::repr;
use crate::{Forward, Module, ModuleBase};

/// Zeroes elements with probability `p` in training mode, as `nn.Dropout(p=0.5)`.
#[derive(Module)]
#[module(repr)]
pub struct Dropout {
    base: ModuleBase,
    pub p: f64,
}

impl Dropout {
    /// `nn.Dropout(p)`.
    pub fn new(p: f64) -> Dropout {
        Dropout {
            base: ModuleBase::default(),
            p,
        }
    }
    fn extra_repr(&self) -> String {
        format!("p={}, inplace=False", repr::float(self.p))
    }
}

impl Default for Dropout {
    fn default() -> Self {
        Self::new(0.5)
    }
}

impl Forward for Dropout {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        F::dropout(x, self.p, self.is_training())
    }
}

/// Zeroes whole channels with probability `p` in training mode, as `nn.Dropout2d(p=0.5)`.
#[derive(Module)]
#[module(repr)]
pub struct Dropout2d {
    base: ModuleBase,
    pub p: f64,
}

impl Dropout2d {
    /// `nn.Dropout2d(p)`.
    pub fn new(p: f64) -> Dropout2d {
        Dropout2d {
            base: ModuleBase::default(),
            p,
        }
    }
    fn extra_repr(&self) -> String {
        format!("p={}, inplace=False", repr::float(self.p))
    }
}

impl Default for Dropout2d {
    fn default() -> Self {
        Self::new(0.5)
    }
}

impl Forward for Dropout2d {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        F::dropout2d(x, self.p, self.is_training())
    }
}
