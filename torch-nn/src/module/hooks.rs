//! Module hooks (`register_forward_pre_hook`, `register_forward_hook`,
//! `register_full_backward_hook`) and `call`, which runs them around `forward` as PyTorch's
//! `Module.__call__` does.
//!
//! Full backward hooks follow PyTorch's mechanism: the input and the output pass through an
//! identity op each; the output's records the gradient of the output, the input's calls the
//! hooks with both gradients and may replace the input's gradient.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use torch_core::autograd::{BackwardCtx, GradFn, is_grad_enabled};
use torch_core::{Error, Result, Tensor};

use super::{Module, ModuleBase};

/// `hook(module, input) -> Some(new_input)` runs before `forward`.
pub type ForwardPreHook = Arc<dyn Fn(&dyn Module, &Tensor) -> Result<Option<Tensor>> + Send + Sync>;
/// `hook(module, input, output) -> Some(new_output)` runs after `forward`.
pub type ForwardHook =
    Arc<dyn Fn(&dyn Module, &Tensor, &Tensor) -> Result<Option<Tensor>> + Send + Sync>;
/// `hook(grad_input, grad_output) -> Some(new_grad_input)` runs when the gradient with respect
/// to the module's input is computed. Unlike PyTorch it does not receive the module (the
/// graph outlives the borrow); capture what you need in the closure.
pub type BackwardHook = Arc<
    dyn Fn(&[Option<Tensor>], &[Option<Tensor>]) -> Result<Option<Vec<Option<Tensor>>>>
        + Send
        + Sync,
>;

/// The hooks of one module, in registration order.
#[derive(Default)]
pub(crate) struct HookLists {
    forward_pre: Vec<(u64, ForwardPreHook)>,
    forward: Vec<(u64, ForwardHook)>,
    backward: Vec<(u64, BackwardHook)>,
}

impl HookLists {
    fn is_empty(&self) -> bool {
        self.forward_pre.is_empty() && self.forward.is_empty() && self.backward.is_empty()
    }
}

/// Removes the hook it was returned for, as PyTorch's `RemovableHandle.remove()`.
pub struct RemovableHandle {
    lists: Weak<Mutex<HookLists>>,
    id: u64,
}

impl RemovableHandle {
    /// Removes the hook (no effect if the module is gone or the hook was already removed).
    pub fn remove(&self) {
        if let Some(lists) = self.lists.upgrade()
            && let Ok(mut l) = lists.lock()
        {
            l.forward_pre.retain(|(i, _)| *i != self.id);
            l.forward.retain(|(i, _)| *i != self.id);
            l.backward.retain(|(i, _)| *i != self.id);
        }
    }
}

fn base_of<'a>(m: &'a dyn Module, what: &'static str) -> Result<&'a ModuleBase> {
    m.base().ok_or_else(|| {
        Error::invalid(
            what,
            format!(
                "module {} has no ModuleBase field to hold hooks",
                m.type_name()
            ),
        )
    })
}

fn lock(base: &ModuleBase) -> std::sync::MutexGuard<'_, HookLists> {
    // A hook that panicked poisons the lock; the lists themselves are still consistent.
    base.hooks.lock().unwrap_or_else(|e| e.into_inner())
}

fn register(
    m: &dyn Module,
    what: &'static str,
    add: impl FnOnce(&mut HookLists, u64),
) -> Result<RemovableHandle> {
    static NEXT_ID: AtomicU64 = AtomicU64::new(0);
    let base = base_of(m, what)?;
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    add(&mut lock(base), id);
    Ok(RemovableHandle {
        lists: Arc::downgrade(&base.hooks),
        id,
    })
}

pub(super) fn register_forward_pre_hook(
    m: &dyn Module,
    hook: ForwardPreHook,
) -> Result<RemovableHandle> {
    register(m, "register_forward_pre_hook", |l, id| {
        l.forward_pre.push((id, hook))
    })
}

pub(super) fn register_forward_hook(m: &dyn Module, hook: ForwardHook) -> Result<RemovableHandle> {
    register(m, "register_forward_hook", |l, id| {
        l.forward.push((id, hook))
    })
}

pub(super) fn register_full_backward_hook(
    m: &dyn Module,
    hook: BackwardHook,
) -> Result<RemovableHandle> {
    register(m, "register_full_backward_hook", |l, id| {
        l.backward.push((id, hook))
    })
}

/// `module(x)`: pre-hooks, forward, forward hooks, backward hooks.
pub(super) fn call(
    m: &dyn Module,
    x: &Tensor,
    forward: &dyn Fn(&Tensor) -> Result<Tensor>,
) -> Result<Tensor> {
    let Some(base) = m.base() else {
        return forward(x);
    };
    let (pre, post, backward) = {
        let l = lock(base);
        if l.is_empty() {
            drop(l);
            return forward(x);
        }
        (l.forward_pre.clone(), l.forward.clone(), l.backward.clone())
    };
    let mut x = x.clone();
    for (_, h) in &pre {
        if let Some(new) = h(m, &x)? {
            x = new;
        }
    }
    let grad_output = Arc::new(Mutex::new(None));
    let with_backward = !backward.is_empty() && is_grad_enabled();
    let x_in = if with_backward && x.requires_grad() {
        let rule = InputHook {
            hooks: backward.iter().map(|(_, h)| h.clone()).collect(),
            grad_output: grad_output.clone(),
        };
        x.detach().attach_grad_fn(&[&x], Box::new(rule))?
    } else {
        x.clone()
    };
    let mut out = forward(&x_in)?;
    for (_, h) in &post {
        if let Some(new) = h(m, &x, &out)? {
            out = new;
        }
    }
    if with_backward && out.requires_grad() {
        let rule = OutputHook {
            grad_output,
            // Without a differentiable input the hooks run here, with grad_input = [None].
            hooks: if x_in.requires_grad() {
                Vec::new()
            } else {
                backward.iter().map(|(_, h)| h.clone()).collect()
            },
        };
        out = out.detach().attach_grad_fn(&[&out], Box::new(rule))?;
    }
    Ok(out)
}

/// Identity on the output: remembers the output's gradient for `InputHook`.
struct OutputHook {
    grad_output: Arc<Mutex<Option<Tensor>>>,
    hooks: Vec<BackwardHook>,
}

impl GradFn for OutputHook {
    fn name(&self) -> &'static str {
        "BackwardHookFunctionBackward"
    }
    fn backward(&self, _: &BackwardCtx, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        *self.grad_output.lock().unwrap_or_else(|e| e.into_inner()) = Some(grad.clone());
        for h in &self.hooks {
            h(&[None], &[Some(grad.clone())])?;
        }
        Ok(vec![Some(grad.clone())])
    }
}

/// Identity on the input: calls the hooks with `(grad_input, grad_output)`.
struct InputHook {
    hooks: Vec<BackwardHook>,
    grad_output: Arc<Mutex<Option<Tensor>>>,
}

impl GradFn for InputHook {
    fn name(&self) -> &'static str {
        "BackwardHookFunctionBackward"
    }
    fn backward(&self, _: &BackwardCtx, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let grad_output = self
            .grad_output
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let mut grad_input = vec![Some(grad.clone())];
        for h in &self.hooks {
            if let Some(new) = h(&grad_input, std::slice::from_ref(&grad_output))? {
                grad_input = new;
            }
        }
        Ok(grad_input.into_iter().take(1).collect())
    }
}
