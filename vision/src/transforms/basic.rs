//! The [`Transform`] trait and the non-geometric basics: [`Compose`], [`ToImage`],
//! [`ToDtype`] and [`Normalize`].

use torch_core::{DType, Result, Tensor};

use super::functional as F;

/// A transform of an image tensor (`nn.Module.forward` of torchvision.transforms.v2):
/// object-safe so [`Compose`] holds `Box<dyn Transform>`, `Send + Sync` so data-loader
/// workers share it.
pub trait Transform: Send + Sync {
    /// Applies the transform (drawing fresh random parameters if it is random).
    fn forward(&self, x: &Tensor) -> Result<Tensor>;
}

/// `v2.Compose(transforms)`: applies each transform in order.
pub struct Compose {
    /// The transforms, applied first to last.
    pub transforms: Vec<Box<dyn Transform>>,
}

impl Compose {
    /// `v2.Compose([...])`.
    pub fn new(transforms: Vec<Box<dyn Transform>>) -> Self {
        Compose { transforms }
    }
}

impl Transform for Compose {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut y = x.clone();
        for t in &self.transforms {
            y = t.forward(&y)?;
        }
        Ok(y)
    }
}

/// `v2.ToImage()` on a tensor: `(H, W)` gains a channel dim, `(..., C, H, W)` passes.
#[derive(Clone, Copy, Debug, Default)]
pub struct ToImage;

impl Transform for ToImage {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        F::to_image(x)
    }
}

/// `v2.ToDtype(dtype, scale=False)`: see [`F::to_dtype`].
#[derive(Clone, Copy, Debug)]
pub struct ToDtype {
    /// Target dtype.
    pub dtype: DType,
    /// Rescale values between the dtypes' ranges (`uint8 [0, 255]` <-> `float [0, 1]`).
    pub scale: bool,
}

impl ToDtype {
    /// `v2.ToDtype(dtype, scale)`.
    pub fn new(dtype: DType, scale: bool) -> Self {
        ToDtype { dtype, scale }
    }
}

impl Transform for ToDtype {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        F::to_dtype(x, self.dtype, self.scale)
    }
}

/// `v2.Normalize(mean, std)`: `(x - mean[c]) / std[c]` on float images.
#[derive(Clone, Debug)]
pub struct Normalize {
    /// Per-channel means (or one for all).
    pub mean: Vec<f64>,
    /// Per-channel standard deviations (or one for all).
    pub std: Vec<f64>,
}

impl Normalize {
    /// `v2.Normalize(mean, std)`.
    pub fn new(mean: &[f64], std: &[f64]) -> Self {
        Normalize {
            mean: mean.to_vec(),
            std: std.to_vec(),
        }
    }
}

impl Transform for Normalize {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        F::normalize(x, &self.mean, &self.std)
    }
}
