//! torch-core: tensors, dtypes, CPU kernels, autograd and serialization, with PyTorch's
//! names and semantics. See `../shared/DESIGN.md` for the architecture.
//!
//! ```
//! use torch_core::{Tensor, TensorOptions};
//! let x = Tensor::randn(&[2, 3], TensorOptions::default()).unwrap().requires_grad_(true).unwrap();
//! let y = x.matmul(&x.t().unwrap()).unwrap().sum().unwrap();
//! y.backward().unwrap();
//! assert_eq!(x.grad().unwrap().shape(), &[2, 3]);
//! ```

#![cfg_attr(not(test), warn(clippy::unwrap_used))]

pub mod autograd;
pub mod cpu;
mod creation;
pub mod data;
mod device;
mod display;
mod dtype;
mod error;
pub mod io;
pub mod layout;
pub mod linalg;
#[cfg(feature = "ndarray")]
mod ndarray_interop;
pub mod ops;
mod random;
pub mod shape;
pub mod storage;
mod tensor;
pub mod testing;

pub use cpu::{get_num_threads, set_num_threads};
pub use creation::{TensorData, TensorOptions};
pub use device::Device;
pub use dtype::{
    DEFAULT_FLOAT, DType, Element, ScalarKind, can_cast, promote_types, promote_with_scalar,
};
pub use error::{Context, Error, Result};
pub use ops::binary::Scalar;
pub use ops::conv::{
    Conv1dOptions, Conv2dOptions, ConvTranspose1dOptions, ConvTranspose2dOptions, FoldOptions,
    Padding, fold, unfold,
};
pub use ops::fft::{IstftOptions, StftOptions, fftfreq, rfftfreq};
pub use ops::pool::{AvgPool1dOptions, AvgPool2dOptions, MaxPool1dOptions, MaxPool2dOptions};
pub use random::{Generator, GeneratorState, default_generator, manual_seed};
pub use tensor::{Tensor, live_tensors};
