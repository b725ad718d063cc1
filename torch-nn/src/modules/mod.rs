//! The layers (torch.nn's modules), one file per family.

mod activation;
mod linear;

pub use activation::*;
pub use linear::*;
