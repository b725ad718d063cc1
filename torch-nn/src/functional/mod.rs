//! torch.nn.functional: the math behind the modules, as free functions (`use
//! torch_nn::functional as F;`). Ops that torch-core has as `Tensor` methods (`relu`,
//! `softmax`, `conv2d`, ...) are not repeated here.

mod activation;
mod attention;
mod ctc;
mod dropout;
mod linear;
mod loss;
mod normalization;
mod sparse;
mod upsampling;

pub use activation::*;
pub use attention::*;
pub use ctc::*;
pub use dropout::*;
pub use linear::*;
pub use loss::*;
pub use normalization::*;
pub use sparse::*;
pub use upsampling::*;
