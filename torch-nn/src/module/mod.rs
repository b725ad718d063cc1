//! The `Module` trait (torch.nn.Module's structure: parameters, buffers, children, train/eval,
//! state_dict) and `Forward`, the single-input call that `Sequential` composes.
//!
//! A module reports its members through `visit` in declaration order; `#[derive(Module)]`
//! writes that method. Everything else (named_parameters, state_dict, train, zero_grad,
//! to_dtype, Display...) is built on it here, ordered as PyTorch orders it: a module's own
//! parameters and buffers first, then its children's, depth first.

mod base;
mod display;
mod hooks;
mod state_dict;
mod visit;
mod walk;

use std::any::Any;

use torch_core::{DType, Result, Tensor};

pub use self::base::ModuleBase;
pub use self::display::fmt_module;
pub use self::hooks::{BackwardHook, ForwardHook, ForwardPreHook, RemovableHandle};
pub use self::state_dict::{IncompatibleKeys, StateDict};
pub use self::visit::{Visit, VisitBuffer};
use crate::Parameter;

/// One member a module reports to a visitor.
pub enum Member<'a> {
    /// A trainable parameter (`weight`).
    Parameter(&'a Parameter),
    /// A buffer (`running_mean`); persistent buffers are part of the state dict.
    Buffer(&'a Tensor, bool),
    /// A sub-module.
    Child(&'a dyn Module),
    /// The module's own training flag and hooks.
    Base(&'a ModuleBase),
}

/// One member, mutably (to replace tensors, e.g. `to_dtype`).
pub enum MemberMut<'a> {
    Parameter(&'a mut Parameter),
    Buffer(&'a mut Tensor, bool),
    Child(&'a mut dyn Module),
    Base(&'a mut ModuleBase),
}

/// torch.nn.Module: the structure of a model. Implement it with `#[derive(Module)]`.
///
/// ```
/// use torch_nn::{Forward, Linear, Module, ModuleBase};
/// use torch_core::{Result, Tensor};
///
/// #[derive(Module)]
/// struct Net {
///     base: ModuleBase,
///     fc1: Linear,
///     fc2: Linear,
/// }
///
/// impl Forward for Net {
///     fn forward(&self, x: &Tensor) -> Result<Tensor> {
///         self.fc2.call(&self.fc1.call(x)?.relu()?)
///     }
/// }
///
/// let net = Net { base: ModuleBase::default(), fc1: Linear::new(4, 8)?, fc2: Linear::new(8, 2)? };
/// let names: Vec<String> = net.named_parameters().into_iter().map(|(n, _)| n).collect();
/// assert_eq!(names, ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]);
/// assert_eq!(net.num_parameters(), 4 * 8 + 8 + 8 * 2 + 2);
/// # Ok::<(), torch_core::Error>(())
/// ```
pub trait Module: Send + Sync + 'static {
    /// Reports each member, in declaration order, under its name.
    fn visit<'a>(&'a self, f: &mut dyn FnMut(&str, Member<'a>));
    /// Reports each member mutably.
    fn visit_mut(&mut self, f: &mut dyn FnMut(&str, MemberMut<'_>));
    /// The class name `Display` prints (`Conv2d`).
    fn type_name(&self) -> &str;
    /// What `Display` prints between the parentheses (`in_features=4, out_features=8, bias=True`).
    fn extra_repr(&self) -> String {
        String::new()
    }
    /// For downcasting in `apply` (`m.as_any().downcast_ref::<Linear>()`).
    fn as_any(&self) -> &dyn Any;
    /// `self` as a trait object.
    fn as_module(&self) -> &dyn Module;

    /// This module's training flag and hooks, if it has a `ModuleBase` field.
    fn base(&self) -> Option<&ModuleBase> {
        let mut found = None;
        self.visit(&mut |_, m| {
            if let (None, Member::Base(b)) = (&found, m) {
                found = Some(b);
            }
        });
        found
    }

    /// `(name, parameter)` pairs with dotted names (`layer1.0.conv1.weight`), as
    /// `named_parameters()`; shared parameters are listed once.
    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        walk::named_parameters(self.as_module())
    }

    /// The parameters, as `parameters()`.
    fn parameters(&self) -> Vec<Tensor> {
        self.named_parameters()
            .into_iter()
            .map(|(_, p)| p)
            .collect()
    }

    /// `(name, buffer)` pairs, persistent or not, as `named_buffers()`.
    fn named_buffers(&self) -> Vec<(String, Tensor)> {
        walk::named_buffers(self.as_module())
    }

    /// The buffers, as `buffers()`.
    fn buffers(&self) -> Vec<Tensor> {
        self.named_buffers().into_iter().map(|(_, b)| b).collect()
    }

    /// Direct sub-modules with their names, as `named_children()`.
    fn named_children(&self) -> Vec<(String, &dyn Module)> {
        let mut out = Vec::new();
        self.visit(&mut |name, m| {
            if let Member::Child(c) = m {
                out.push((name.to_string(), c));
            }
        });
        out
    }

    /// Direct sub-modules, as `children()`.
    fn children(&self) -> Vec<&dyn Module> {
        self.named_children().into_iter().map(|(_, c)| c).collect()
    }

    /// This module and every descendant, pre-order, the root named `""`, as `named_modules()`.
    fn named_modules(&self) -> Vec<(String, &dyn Module)> {
        walk::named_modules(self.as_module())
    }

    /// Sets training mode on this module and every descendant, as `train(mode)`.
    fn train(&self, mode: bool) {
        walk::for_each_base(self.as_module(), &mut |b| b.set_training(mode));
    }

    /// Evaluation mode, as `eval()`.
    fn eval(&self) {
        self.train(false);
    }

    /// Whether the module is in training mode (its own flag; without one, its first
    /// child's; `true` for a module with neither).
    fn is_training(&self) -> bool {
        if let Some(b) = self.base() {
            return b.is_training();
        }
        self.children().first().is_none_or(|c| c.is_training())
    }

    /// Clears the gradients of every parameter, as `zero_grad(set_to_none=True)`.
    fn zero_grad(&self) {
        for p in self.parameters() {
            p.set_grad(None);
        }
    }

    /// Sets `requires_grad` on every parameter, as `requires_grad_(flag)`: freezes a module
    /// with `false`.
    fn requires_grad_(&self, flag: bool) -> Result<()> {
        for p in self.parameters() {
            p.requires_grad_(flag)?;
        }
        Ok(())
    }

    /// Number of parameter elements, as `sum(p.numel() for p in m.parameters())`.
    fn num_parameters(&self) -> usize {
        self.parameters().iter().map(|p| p.numel()).sum()
    }

    /// Calls `f` on every sub-module and then on this module, as `apply(fn)` (post-order).
    fn apply(&self, f: &mut dyn FnMut(&dyn Module)) {
        walk::apply(self.as_module(), f);
    }

    /// Casts floating-point parameters and buffers to `dtype`, as `module.to(dtype)`.
    /// Integer buffers (`num_batches_tracked`) keep their dtype. Parameters are replaced by
    /// new tensors: create the optimiser after the cast.
    fn to_dtype(&mut self, dtype: DType) -> Result<()> {
        walk::to_dtype(self, dtype)
    }

    /// The persistent state (parameters and persistent buffers, detached) under PyTorch's
    /// keys, as `state_dict()`.
    fn state_dict(&self) -> StateDict {
        state_dict::state_dict(self.as_module())
    }

    /// Copies `state` into the parameters and buffers, as `load_state_dict(state, strict)`.
    /// Shape mismatches are always errors; with `strict`, so are missing and unexpected keys.
    /// The error lists every problem at once. Returns the missing and unexpected keys.
    fn load_state_dict(&self, state: &StateDict, strict: bool) -> Result<IncompatibleKeys> {
        state_dict::load_state_dict(self.as_module(), state, strict)
    }

    /// Registers `hook(module, input) -> Option<new input>`, run by [`Forward::call`] before
    /// `forward`, as `register_forward_pre_hook`. Errors if the module has no `ModuleBase`.
    fn register_forward_pre_hook(&self, hook: ForwardPreHook) -> Result<RemovableHandle> {
        hooks::register_forward_pre_hook(self.as_module(), hook)
    }

    /// Registers `hook(module, input, output) -> Option<new output>`, run after `forward`, as
    /// `register_forward_hook`.
    fn register_forward_hook(&self, hook: ForwardHook) -> Result<RemovableHandle> {
        hooks::register_forward_hook(self.as_module(), hook)
    }

    /// Registers `hook(grad_input, grad_output) -> Option<new grad_input>`, run when the
    /// gradient with respect to the module's input is computed, as
    /// `register_full_backward_hook`.
    fn register_full_backward_hook(&self, hook: BackwardHook) -> Result<RemovableHandle> {
        hooks::register_full_backward_hook(self.as_module(), hook)
    }
}

/// A module with one tensor input and one tensor output; `Sequential` composes these.
pub trait Forward: Module {
    /// The computation. Call it through [`Forward::call`] so hooks run.
    fn forward(&self, x: &Tensor) -> Result<Tensor>;

    /// Runs the forward pre-hooks, `forward`, the forward hooks and installs the backward
    /// hooks, as `module(x)` does in PyTorch.
    fn call(&self, x: &Tensor) -> Result<Tensor> {
        hooks::call(self.as_module(), x, &|x| self.forward(x))
    }
}

impl Module for Box<dyn Forward> {
    fn visit<'a>(&'a self, f: &mut dyn FnMut(&str, Member<'a>)) {
        (**self).visit(f)
    }
    fn visit_mut(&mut self, f: &mut dyn FnMut(&str, MemberMut<'_>)) {
        (**self).visit_mut(f)
    }
    fn type_name(&self) -> &str {
        (**self).type_name()
    }
    fn extra_repr(&self) -> String {
        (**self).extra_repr()
    }
    fn as_any(&self) -> &dyn Any {
        (**self).as_any()
    }
    fn as_module(&self) -> &dyn Module {
        (**self).as_module()
    }
}

impl Forward for Box<dyn Forward> {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        (**self).forward(x)
    }
    fn call(&self, x: &Tensor) -> Result<Tensor> {
        (**self).call(x)
    }
}
