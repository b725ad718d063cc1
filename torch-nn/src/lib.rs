//! torch-nn: modules, functional ops, losses, init, optimizers and schedulers with the names,
//! defaults and state-dict keys of `torch.nn`, `torch.nn.functional`, `torch.nn.init`,
//! `torch.optim` and `torch.optim.lr_scheduler`.
//!
//! ```
//! use torch_nn::{Forward, Linear, Module, ReLU, Sequential};
//! use torch_core::{Tensor, TensorOptions};
//! let model = Sequential::new().append(Linear::new(784, 128)?).append(ReLU::new()).append(Linear::new(128, 10)?);
//! let logits = model.call(&Tensor::randn(&[32, 784], TensorOptions::default())?)?;
//! assert_eq!(logits.shape(), &[32, 10]);
//! println!("{model}");
//! # Ok::<(), torch_core::Error>(())
//! ```

#![cfg_attr(not(test), warn(clippy::unwrap_used))]

// Lets `#[derive(Module)]`'s `::torch_nn::...` paths resolve inside this crate too.
extern crate self as torch_nn;

mod containers;
pub mod functional;
pub mod init;
pub mod lr_scheduler;
mod module;
mod modules;
pub mod optim;
mod parameter;
mod repr;
pub mod utils;

pub use containers::{ModuleDict, ModuleList, Sequential};
pub use module::{
    BackwardHook, Forward, ForwardHook, ForwardPreHook, IncompatibleKeys, Member, MemberMut,
    Module, ModuleBase, RemovableHandle, StateDict, Visit, VisitBuffer, fmt_module,
};
pub use modules::*;
pub use parameter::Parameter;
/// `#[derive(Module)]`; see [`Module`].
pub use torch_nn_derive::Module;
