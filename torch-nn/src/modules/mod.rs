//! The layers (torch.nn's modules), one file per family.

mod activation;
mod dropout;
mod linear;
mod loss;
mod normalization;
mod sparse;
mod upsampling;

pub use activation::*;
pub use dropout::*;
pub use linear::*;
pub use loss::*;
pub use normalization::*;
pub use sparse::*;
pub use upsampling::*;
