//! The layers (torch.nn's modules), one file per family.

mod activation;
mod attention;
mod conv;
mod dropout;
mod fold;
mod linear;
mod loss;
mod normalization;
mod pooling;
mod rnn;
mod rnn_cell;
mod size;
mod sparse;
mod transformer;
mod upsampling;

pub use activation::*;
pub use attention::*;
pub use conv::*;
pub use dropout::*;
pub use fold::*;
pub use linear::*;
pub use loss::*;
pub use normalization::*;
pub use pooling::*;
pub use rnn::*;
pub use rnn_cell::*;
pub use size::IntoSize;
pub use sparse::*;
pub use transformer::*;
pub use upsampling::*;
