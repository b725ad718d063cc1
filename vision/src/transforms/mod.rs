//! torchvision.transforms.v2 on image tensors `(..., C, H, W)`, uint8 or float: the
//! [`Transform`] trait, the transform modules, and [`functional`] with the math.
//!
//! Random transforms draw from a seedable [`torch_core::Generator`] (the global one unless
//! their options name one), expose `make_params` (torchvision's sampled parameters) and
//! `apply` (the deterministic part given those parameters).

pub mod functional;

mod basic;
mod color;
mod geometry;
mod misc;
mod sampling;

pub use basic::{Compose, Normalize, ToDtype, ToImage, Transform};
pub use color::{ColorJitter, ColorJitterParams, Grayscale};
pub use functional::{InterpolationMode, PaddingMode};
pub use geometry::{
    AffineParams, CenterCrop, CropParams, Pad, RandomAffine, RandomAffineOptions, RandomCrop,
    RandomCropOptions, RandomCropParams, RandomHorizontalFlip, RandomResizedCrop,
    RandomResizedCropOptions, RandomRotation, RandomRotationOptions, RandomVerticalFlip, Resize,
};
pub use misc::{ErasingParams, GaussianBlur, RandomErasing, RandomErasingOptions};
