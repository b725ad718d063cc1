//! torch.optim: optimizers with PyTorch's update rules (the single-tensor "for-loop"
//! implementations), defaults, validation messages and state dicts.
//!
//! Every optimizer implements [`Optimizer`]; it holds the parameter tensors (the same tensors
//! the module holds, so updates are visible there) and updates them in place under `no_grad`.
//!
//! ```
//! use torch_core::Tensor;
//! use torch_nn::optim::{Adam, AdamOptions, Optimizer};
//! use torch_nn::{Linear, Module, Forward};
//!
//! let model = Linear::new(4, 2)?;
//! let mut opt = Adam::new(model.parameters(), AdamOptions { lr: 1e-2, ..Default::default() })?;
//! let x = Tensor::ones(&[3, 4], Default::default())?;
//! let loss = model.call(&x)?.pow_scalar(2.0)?.mean()?;
//! opt.zero_grad();
//! loss.backward()?;
//! opt.step()?;
//! # Ok::<(), torch_core::Error>(())
//! ```

mod adadelta;
mod adagrad;
mod adam;
mod adamax;
mod adamw;
mod core;
mod fused;
mod inplace;
mod nadam;
pub(crate) mod options;
mod radam;
mod rmsprop;
mod sgd;
mod state_dict;
pub mod swa_utils;

use std::collections::BTreeMap;

use torch_core::{Result, Tensor};

pub use self::adadelta::{Adadelta, AdadeltaOptions};
pub use self::adagrad::{Adagrad, AdagradOptions};
pub use self::adam::{Adam, AdamOptions};
pub use self::adamax::{Adamax, AdamaxOptions};
pub use self::adamw::{AdamW, AdamWOptions};
pub use self::nadam::{NAdam, NAdamOptions};
pub use self::radam::{RAdam, RAdamOptions};
pub use self::rmsprop::{RMSprop, RMSpropOptions};
pub use self::sgd::{SGD, SGDOptions};
pub use self::state_dict::{OptimizerStateDict, PARAM_GROUPS_KEY};

/// torch.optim.Optimizer: what training loops and schedulers use. Object safe, so schedulers
/// take `&mut dyn Optimizer`.
pub trait Optimizer: Send {
    /// The class name (`"Adam"`).
    fn name(&self) -> &'static str;

    /// One update of every parameter whose `.grad` is set, in place under `no_grad`
    /// (`optimizer.step()`); parameters without a gradient are skipped.
    fn step(&mut self) -> Result<()>;

    /// Clears every parameter's gradient (`zero_grad(set_to_none=True)`).
    fn zero_grad(&mut self);

    /// Number of parameter groups (`len(optimizer.param_groups)`).
    fn num_param_groups(&self) -> usize;

    /// The parameters of group `group` (`param_groups[group]["params"]`); empty when out of
    /// range.
    fn group_params(&self, group: usize) -> &[Tensor];

    /// A numeric hyper-parameter of group `group`: an option (`"lr"`, `"momentum"`,
    /// `"betas.0"` for `param_groups[g]["betas"][0]`) or an extra key a scheduler stored
    /// (`"initial_lr"`). `None` when the group or the key does not exist, or for flags.
    fn get_hyper(&self, group: usize, name: &str) -> Option<f64>;

    /// Sets a numeric hyper-parameter (`param_groups[g][name] = value`, no validation, as in
    /// PyTorch). A name that is not an option is stored as an extra key of the group (and
    /// saved in the state dict), as assigning a new key of the group dict does.
    /// Errors for a group out of range or a flag option.
    fn set_hyper(&mut self, group: usize, name: &str, value: f64) -> Result<()>;

    /// Whether `name` is one of this optimizer's options (`name in optimizer.defaults`),
    /// e.g. `"momentum"` for SGD, `"betas"` for Adam.
    fn has_option(&self, name: &str) -> bool;

    /// The state dict (tensors are copies), as `optimizer.state_dict()`.
    fn state_dict(&self) -> Result<OptimizerStateDict>;

    /// Restores options and state, as `optimizer.load_state_dict(sd)`. Errors, changing
    /// nothing, when the group count or a group's size differs, or when the options or state
    /// keys are another optimizer's.
    fn load_state_dict(&mut self, state: &OptimizerStateDict) -> Result<()>;

    /// The learning rate of every group (`[g["lr"] for g in optimizer.param_groups]`).
    fn lrs(&self) -> Vec<f64> {
        (0..self.num_param_groups())
            .map(|g| self.get_hyper(g, "lr").unwrap_or(f64::NAN))
            .collect()
    }
}

/// One parameter group: tensors and the options used for them (`{"params": [...], "lr": ...}`).
#[derive(Clone, Debug)]
pub struct ParamGroup<O> {
    /// The tensors this group updates.
    pub params: Vec<Tensor>,
    /// The options for this group.
    pub options: O,
    /// Extra numeric keys (`initial_lr`, `max_lr`, ...) set through `set_hyper`.
    pub(crate) extra: BTreeMap<String, f64>,
}

impl<O> ParamGroup<O> {
    /// A group of `params` with its own `options`; start from the optimizer's defaults for
    /// the keys you do not override: `AdamOptions { lr: 1e-4, ..Default::default() }`.
    pub fn new(params: Vec<Tensor>, options: O) -> Self {
        ParamGroup {
            params,
            options,
            extra: BTreeMap::new(),
        }
    }

    /// An extra key stored on this group by a scheduler (`group["initial_lr"]`).
    pub fn extra(&self, name: &str) -> Option<f64> {
        self.extra.get(name).copied()
    }
}

/// What an optimizer constructor takes: a flat list of tensors (one group with the
/// constructor's options) or explicit groups. Built with `.into()` from either.
pub enum Params<O> {
    /// `Adam(model.parameters(), ...)`.
    Tensors(Vec<Tensor>),
    /// `Adam([{"params": ...}, {"params": ..., "lr": ...}], ...)`.
    Groups(Vec<ParamGroup<O>>),
}

impl<O> From<Vec<Tensor>> for Params<O> {
    fn from(v: Vec<Tensor>) -> Self {
        Params::Tensors(v)
    }
}

impl<O> From<&[Tensor]> for Params<O> {
    fn from(v: &[Tensor]) -> Self {
        Params::Tensors(v.to_vec())
    }
}

impl<O> From<Vec<ParamGroup<O>>> for Params<O> {
    fn from(v: Vec<ParamGroup<O>>) -> Self {
        Params::Groups(v)
    }
}

/// Writes an optimizer's struct, constructor, group accessors and `Optimizer` impl around an
/// `OptimizerCore<$opts>`.
macro_rules! optimizer {
    ($(#[$meta:meta])* $name:ident, $opts:ty) => {
        $(#[$meta])*
        pub struct $name {
            core: $crate::optim::core::OptimizerCore<$opts>,
        }

        impl $name {
            /// Builds the optimizer over `params` (a `Vec<Tensor>` such as
            /// `model.parameters()`, or a `Vec<ParamGroup>`) with `defaults` for a flat list.
            /// Errors with PyTorch's message for invalid options, an empty parameter list, a
            /// non-leaf tensor or a parameter in two groups.
            pub fn new(
                params: impl Into<$crate::optim::Params<$opts>>,
                defaults: $opts,
            ) -> torch_core::Result<Self> {
                Ok($name {
                    core: $crate::optim::core::OptimizerCore::new(params.into(), defaults)?,
                })
            }

            /// Adds a group (`add_param_group`), e.g. unfrozen layers during fine-tuning.
            pub fn add_param_group(
                &mut self,
                group: $crate::optim::ParamGroup<$opts>,
            ) -> torch_core::Result<()> {
                self.core.add_param_group(group)
            }

            /// The parameter groups (`optimizer.param_groups`).
            pub fn param_groups(&self) -> &[$crate::optim::ParamGroup<$opts>] {
                &self.core.groups
            }

            /// The options of group `group`, to change typed options (`nesterov`, `amsgrad`).
            pub fn group_options_mut(&mut self, group: usize) -> Option<&mut $opts> {
                self.core.groups.get_mut(group).map(|g| &mut g.options)
            }

            /// The constructor's options (`optimizer.defaults`).
            pub fn defaults(&self) -> &$opts {
                &self.core.defaults
            }
        }

        impl $crate::optim::Optimizer for $name {
            fn name(&self) -> &'static str {
                <$opts as $crate::optim::core::Algorithm>::NAME
            }
            fn step(&mut self) -> torch_core::Result<()> {
                self.core.step()
            }
            fn zero_grad(&mut self) {
                self.core.zero_grad()
            }
            fn num_param_groups(&self) -> usize {
                self.core.groups.len()
            }
            fn group_params(&self, group: usize) -> &[torch_core::Tensor] {
                self.core.groups.get(group).map_or(&[], |g| g.params.as_slice())
            }
            fn get_hyper(&self, group: usize, name: &str) -> Option<f64> {
                self.core.get_hyper(group, name)
            }
            fn set_hyper(&mut self, group: usize, name: &str, value: f64) -> torch_core::Result<()> {
                self.core.set_hyper(group, name, value)
            }
            fn has_option(&self, name: &str) -> bool {
                <$opts as $crate::optim::options::HyperParams>::names().contains(&name)
            }
            fn state_dict(&self) -> torch_core::Result<$crate::optim::OptimizerStateDict> {
                self.core.state_dict()
            }
            fn load_state_dict(
                &mut self,
                state: &$crate::optim::OptimizerStateDict,
            ) -> torch_core::Result<()> {
                self.core.load_state_dict(state)
            }
        }
    };
}
use optimizer;
