//! The ops. Primitives (the contract every device implements): elementwise map (unary,
//! binary, ternary tables), cast/copy, reduce, bmm (and addmm), gather, scatter, cat, conv (conv,
//! transposed conv, weight gradient, im2col/col2im), pool (max, average and its adjoint),
//! batch_norm (per-channel statistics and affine, and its backward sums; a composite rule
//! serves double backward). Everything else is a view (`movement`) or a composite (`composite`) of those; `fft` wraps
//! rustfft/realfft.

pub(crate) mod arith;
pub mod batch_norm;
pub mod binary;
mod cast;
mod complex;
mod composite;
pub mod conv;
mod einsum;
pub mod fft;
pub mod index;
mod inplace;
mod matmul;
mod movement;
mod operators;
mod pointwise;
pub mod pool;
mod rearrange;
mod reduce;
mod scan;
mod softmax;
mod sort;
pub(crate) mod unary;
