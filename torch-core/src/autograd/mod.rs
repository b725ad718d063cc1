//! Autograd on dynamic graphs (DESIGN R10-R12): the graph lives on the tensors. Each recorded
//! result holds a `Node` (its `GradFn` and the edges to its inputs' history); `backward` walks
//! the nodes in dependency order and accumulates into leaf `.grad()`.

mod addr_map;
mod dot;
mod engine;
mod grad_mode;
mod gradcheck;
mod node;
mod saved;
mod view;

pub use dot::to_dot;
pub use engine::{GradOptions, grad};
pub use grad_mode::{
    EnableGradGuard, NoGradGuard, detect_anomaly, enable_grad, is_anomaly_enabled, is_grad_enabled,
    no_grad, set_detect_anomaly, set_grad_enabled,
};
pub use gradcheck::{GradcheckOptions, gradcheck, gradgradcheck};
pub use node::{BackwardCtx, GradFn, Node};
pub use saved::SavedTensor;

pub(crate) use node::{Hook, record};

use std::sync::Arc;

use crate::Tensor;

/// The autograd slot of a tensor.
#[derive(Default)]
pub(crate) struct AutogradMeta {
    /// Set on leaves by `requires_grad_`; non-leaves require grad through `grad_fn`.
    pub leaf_requires_grad: bool,
    pub grad: Option<Tensor>,
    pub grad_fn: Option<Arc<Node>>,
    /// Hooks of a leaf (a non-leaf keeps its hooks on its node).
    pub hooks: Vec<Hook>,
}
