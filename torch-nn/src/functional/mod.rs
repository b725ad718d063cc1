//! torch.nn.functional: the math behind the modules, as free functions (`use
//! torch_nn::functional as F;`). Ops that torch-core has as `Tensor` methods (`relu`,
//! `softmax`, `conv2d`, ...) are not repeated here.

mod activation;
mod attention;
mod dropout;
mod linear;
mod normalization;
mod sparse;

pub use activation::*;
pub use attention::*;
pub use dropout::*;
pub use linear::*;
pub use normalization::*;
pub use sparse::*;
