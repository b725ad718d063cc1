//! The layers (torch.nn's modules), one file per family.

mod activation;
mod attention;
mod dropout;
mod linear;
mod loss;
mod normalization;
mod rnn;
mod rnn_cell;
mod sparse;
mod transformer;
mod upsampling;

pub use activation::*;
pub use attention::*;
pub use dropout::*;
pub use linear::*;
pub use loss::*;
pub use normalization::*;
pub use rnn::*;
pub use rnn_cell::*;
pub use sparse::*;
pub use transformer::*;
pub use upsampling::*;
