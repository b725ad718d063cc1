//! The backward engine (DESIGN R11): sorts the graph without recursion, seeds the roots, runs
//! each rule once all its consumers have contributed, and accumulates into leaves.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::autograd::addr_map::{AddrMap, Key};
use crate::autograd::node::{Edge, attach};
use crate::autograd::{BackwardCtx, GradFn, Node, is_anomaly_enabled, set_grad_enabled};
use crate::{Error, Result, Tensor};

/// Options of `autograd::grad`, with PyTorch's defaults.
#[derive(Clone, Default)]
pub struct GradOptions {
    /// Gradients of the outputs; defaults to ones for scalar outputs.
    pub grad_outputs: Option<Vec<Tensor>>,
    /// Keep the graph for another backward; defaults to `create_graph`.
    pub retain_graph: Option<bool>,
    /// Record the backward so the result can be differentiated again.
    pub create_graph: bool,
    /// Return `None` for inputs the outputs do not depend on instead of an error.
    pub allow_unused: bool,
}

/// `torch.autograd.grad`: gradients of `outputs` with respect to `inputs`, without touching
/// any `.grad()`.
/// ```
/// use torch_core::{Tensor, autograd::{grad, GradOptions}};
/// let x = Tensor::new([3.0f64]).requires_grad_(true).unwrap();
/// let y = x.pow_scalar(3.0).unwrap().sum().unwrap();
/// let opts = GradOptions { create_graph: true, ..Default::default() };
/// let dy = grad(&[y], &[x.clone()], opts).unwrap()[0].clone().unwrap();   // 3x^2 = 27
/// let d2y = grad(&[dy.sum().unwrap()], &[x], Default::default()).unwrap()[0].clone().unwrap();
/// assert_eq!(d2y.item().unwrap(), 18.0);                                   // 6x
/// ```
pub fn grad(
    outputs: &[Tensor],
    inputs: &[Tensor],
    opts: GradOptions,
) -> Result<Vec<Option<Tensor>>> {
    let retain = opts.retain_graph.unwrap_or(opts.create_graph);
    let grads = run_backward(
        outputs,
        opts.grad_outputs.as_deref(),
        retain,
        opts.create_graph,
        Some(inputs),
    )?;
    let grads = grads.unwrap_or_default();
    for (i, g) in grads.iter().enumerate() {
        if g.is_none() && !opts.allow_unused {
            return Err(Error::Autograd(format!(
                "One of the differentiated Tensors (input {i}) appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior."
            )));
        }
    }
    Ok(grads)
}

fn node_key(n: &Arc<Node>) -> Key {
    Arc::as_ptr(n) as *const u8 as usize
}

fn leaf_key(t: &Tensor) -> Key {
    Arc::as_ptr(&t.0) as *const u8 as usize
}

/// Per-backward state of a reachable node: consumers still to run, gradient so far.
#[derive(Default)]
struct NodeState {
    deps: usize,
    grad: Option<Tensor>,
}

fn accumulate(slot: &mut Option<Tensor>, g: Tensor) -> Result<()> {
    *slot = Some(match slot.take() {
        None => g,
        Some(prev) => prev.add(&g)?,
    });
    Ok(())
}

/// Restores grad mode when backward returns, even on error.
struct ModeGuard(bool);
impl Drop for ModeGuard {
    fn drop(&mut self) {
        set_grad_enabled(self.0);
    }
}

pub(crate) fn run_backward(
    roots: &[Tensor],
    root_grads: Option<&[Tensor]>,
    retain_graph: bool,
    create_graph: bool,
    capture: Option<&[Tensor]>,
) -> Result<Option<Vec<Option<Tensor>>>> {
    let _mode = ModeGuard(set_grad_enabled(create_graph));
    if let Some(g) = root_grads
        && g.len() != roots.len()
    {
        return Err(Error::Autograd(format!(
            "grad can be implicitly created only for scalar outputs: got {} gradients for {} outputs",
            g.len(),
            roots.len()
        )));
    }
    // Seeds.
    let mut nodes: AddrMap<NodeState> = AddrMap::default();
    let mut leaves: AddrMap<(Tensor, Option<Tensor>)> = AddrMap::default();
    let mut stack: Vec<Arc<Node>> = Vec::new();
    for (i, root) in roots.iter().enumerate() {
        let seed = match root_grads {
            Some(g) => {
                if g[i].shape() != root.shape() {
                    return Err(Error::shape("backward", g[i].shape(), root.shape()));
                }
                g[i].clone()
            }
            None => {
                if root.numel() != 1 {
                    return Err(Error::Autograd(
                        "grad can be implicitly created only for scalar outputs".into(),
                    ));
                }
                root.ones_like()?
            }
        };
        let (grad_fn, is_leaf_rg) = {
            let m = root.meta();
            (m.grad_fn.clone(), m.leaf_requires_grad)
        };
        match grad_fn {
            Some(n) => {
                let (j, _) = nodes.find_or_insert(node_key(&n), NodeState::default);
                accumulate(&mut nodes.at(j).grad, seed)?;
                stack.push(n);
            }
            None if is_leaf_rg => {
                let (j, _) = leaves.find_or_insert(leaf_key(root), || (root.clone(), None));
                accumulate(&mut leaves.at(j).1, seed)?;
            }
            None => {
                return Err(Error::Autograd(format!(
                    "element {i} of tensors does not require grad and does not have a grad_fn"
                )));
            }
        }
    }
    // Dependency counts over the reachable graph (iterative DFS; the roots are already in).
    let mut order_stack = stack.clone();
    while let Some(n) = order_stack.pop() {
        for e in n.edges.iter().flatten() {
            if let Edge::Node(next) = e {
                let (j, inserted) = nodes.find_or_insert(node_key(next), NodeState::default);
                nodes.at(j).deps += 1;
                if inserted {
                    order_stack.push(next.clone());
                }
            }
        }
    }
    // Non-leaf inputs of `grad` are captured at their producing node.
    let capture_nodes: Vec<(Key, usize)> = capture
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .filter_map(|(i, t)| t.meta().grad_fn.as_ref().map(|n| (node_key(n), i)))
        .collect();
    let mut captured: Vec<Option<Tensor>> = vec![None; capture.map_or(0, |c| c.len())];

    let mut ready: Vec<Arc<Node>> = Vec::with_capacity(stack.len());
    for n in stack {
        let k = node_key(&n);
        if nodes.get_mut(k).is_some_and(|s| s.deps == 0) && !ready.iter().any(|r| node_key(r) == k)
        {
            ready.push(n);
        }
    }
    while let Some(node) = ready.pop() {
        let k = node_key(&node);
        let grad = nodes.get_mut(k).and_then(|s| s.grad.take());
        let mut outputs: Vec<Option<Tensor>> = Vec::new();
        if let Some(mut grad) = grad {
            if node.observed.load(Ordering::Acquire) {
                for hook in node.hooks.lock().unwrap_or_else(|e| e.into_inner()).iter() {
                    if let Some(g) = hook(&grad) {
                        grad = g;
                    }
                }
                if let Some(weak) = node
                    .retain
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .as_ref()
                    && let Some(inner) = weak.upgrade()
                {
                    let t = Tensor(inner);
                    let g = if create_graph {
                        grad.clone()
                    } else {
                        grad.detach()
                    };
                    let mut m = t.meta();
                    accumulate(&mut m.grad, g)?;
                }
            }
            for &(_, i) in capture_nodes.iter().filter(|c| c.0 == k) {
                captured[i] = Some(grad.clone());
            }
            let mut slot = node.grad_fn.lock().unwrap_or_else(|e| e.into_inner());
            let Some(rule) = slot.as_ref() else {
                return Err(Error::Autograd(format!(
                    "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward. (node {})",
                    node.name()
                )));
            };
            let ctx = BackwardCtx {
                node: &node,
                create_graph,
            };
            outputs = rule.backward(&ctx, &grad)?;
            if outputs.len() != node.edges.len() {
                return Err(Error::Autograd(format!(
                    "function {} returned an incorrect number of gradients (expected {}, got {})",
                    node.name(),
                    node.edges.len(),
                    outputs.len()
                )));
            }
            if is_anomaly_enabled() {
                for (i, g) in outputs.iter().enumerate() {
                    if let Some(g) = g
                        && g.isnan()?.any()?.item()? != 0.0
                    {
                        return Err(Error::Autograd(format!(
                            "Function '{}' returned nan values in its {i}th output.",
                            node.name()
                        )));
                    }
                }
            }
            if !retain_graph {
                *slot = None;
            }
        }
        for (i, edge) in node.edges.iter().enumerate() {
            let Some(edge) = edge else { continue };
            let target = match edge {
                Edge::Node(n) => n.dtype(),
                Edge::Leaf(t) => t.dtype(),
            };
            // A real input of an op with a complex result gets the real part (PyTorch's
            // handle_r_to_c), whatever rule produced the gradient.
            let g = match outputs.get_mut(i).and_then(|g| g.take()) {
                Some(g) if g.dtype().is_complex() && !target.is_complex() => Some(g.real()?),
                g => g,
            };
            match edge {
                Edge::Node(next) => {
                    let state = nodes.get_mut(node_key(next)).expect("counted in the DFS");
                    if let Some(g) = g {
                        accumulate(&mut state.grad, g)?;
                    }
                    state.deps -= 1;
                    if state.deps == 0 {
                        ready.push(next.clone());
                    }
                }
                Edge::Leaf(t) => {
                    if let Some(g) = g {
                        let (j, _) = leaves.find_or_insert(leaf_key(t), || (t.clone(), None));
                        accumulate(&mut leaves.at(j).1, g)?;
                    }
                }
            }
        }
    }
    // Leaves: hooks, then capture (grad) or accumulate into .grad (backward).
    for (leaf, g) in leaves.into_values() {
        let Some(mut g) = g else { continue };
        let hooks = leaf.meta().hooks.clone();
        for hook in &hooks {
            if let Some(r) = hook(&g) {
                g = r;
            }
        }
        match capture {
            Some(inputs) => {
                for (i, t) in inputs.iter().enumerate() {
                    if Arc::ptr_eq(&t.0, &leaf.0) {
                        captured[i] = Some(g.clone());
                    }
                }
            }
            None => {
                // Without create_graph nothing was recorded, so only a gradient that came in
                // with history (a user's seed) needs detaching.
                let g = if create_graph || !g.requires_grad() {
                    g
                } else {
                    g.detach()
                };
                let mut m = leaf.meta();
                accumulate(&mut m.grad, g)?;
            }
        }
    }
    Ok(capture.map(|_| captured))
}

impl Tensor {
    /// Computes the gradient of this scalar with respect to the graph leaves and accumulates it
    /// into their `.grad()` (`loss.backward()`). Frees the graph.
    pub fn backward(&self) -> Result<()> {
        run_backward(std::slice::from_ref(self), None, false, false, None).map(|_| ())
    }

    /// `backward(gradient, retain_graph, create_graph)` for any shape.
    pub fn backward_with(
        &self,
        gradient: Option<&Tensor>,
        retain_graph: bool,
        create_graph: bool,
    ) -> Result<()> {
        let g = gradient.map(|g| vec![g.clone()]);
        run_backward(
            std::slice::from_ref(self),
            g.as_deref(),
            retain_graph || create_graph,
            create_graph,
            None,
        )
        .map(|_| ())
    }

    /// Whether ops on this tensor are recorded (`x.requires_grad`).
    pub fn requires_grad(&self) -> bool {
        self.sync_view();
        self.0.requires_grad.load(Ordering::Relaxed)
    }

    /// Marks a leaf as requiring grad (`x.requires_grad_()`); returns the same tensor.
    pub fn requires_grad_(self, requires_grad: bool) -> Result<Tensor> {
        {
            let mut m = self.meta();
            if m.grad_fn.is_some() {
                if !requires_grad {
                    return Err(Error::Autograd(
                        "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().".into(),
                    ));
                }
                return Ok(self.clone());
            }
            if requires_grad && !(self.dtype().is_float() || self.dtype().is_complex()) {
                return Err(Error::Autograd(format!(
                    "only Tensors of floating point and complex dtype can require gradients (got {:?})",
                    self.dtype()
                )));
            }
            m.leaf_requires_grad = requires_grad;
        }
        self.0.requires_grad.store(requires_grad, Ordering::Relaxed);
        Ok(self)
    }

    /// True for tensors not produced by a recorded op (`x.is_leaf`).
    pub fn is_leaf(&self) -> bool {
        self.sync_view();
        self.meta().grad_fn.is_none()
    }

    /// The accumulated gradient (`x.grad`).
    pub fn grad(&self) -> Option<Tensor> {
        self.meta().grad.clone()
    }

    /// Replaces the gradient (`x.grad = g`; `None` is `x.grad = None`).
    pub fn set_grad(&self, grad: Option<Tensor>) {
        self.meta().grad = grad;
    }

    /// The recorded op that produced this tensor (`x.grad_fn`).
    pub fn grad_fn(&self) -> Option<Arc<Node>> {
        self.sync_view();
        self.meta().grad_fn.clone()
    }

    /// Keeps the gradient of a non-leaf in `.grad()` after backward (`x.retain_grad()`).
    pub fn retain_grad(&self) -> Result<()> {
        let node = self.meta().grad_fn.clone();
        match node {
            Some(n) => {
                *n.retain.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::downgrade(&self.0));
                n.observed.store(true, Ordering::Release);
                Ok(())
            }
            None if self.requires_grad() => Ok(()),
            None => Err(Error::Autograd(
                "can't retain_grad on Tensor that has requires_grad=False".into(),
            )),
        }
    }

    /// A tensor sharing storage with no history (`x.detach()`).
    pub fn detach(&self) -> Tensor {
        self.alias_with_layout(self.layout().clone())
    }

    /// Cuts this handle from its history in place (`x.detach_()`).
    pub fn detach_(&self) {
        let mut m = self.meta();
        m.grad_fn = None;
        m.leaf_requires_grad = false;
        self.0.requires_grad.store(false, Ordering::Relaxed);
    }

    /// Registers a hook called with this tensor's gradient; returning `Some` replaces it
    /// (`x.register_hook(fn)`).
    pub fn register_hook(
        &self,
        hook: impl Fn(&Tensor) -> Option<Tensor> + Send + Sync + 'static,
    ) -> Result<()> {
        if !self.requires_grad() {
            return Err(Error::Autograd(
                "cannot register a hook on a tensor that doesn't require gradient".into(),
            ));
        }
        let mut m = self.meta();
        match &m.grad_fn {
            Some(n) => {
                n.hooks
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(Arc::new(hook));
                n.observed.store(true, Ordering::Release);
            }
            None => m.hooks.push(Arc::new(hook)),
        }
        Ok(())
    }

    /// Attaches a custom backward rule to a result computed from `inputs`
    /// (`torch.autograd.Function.apply`). Does nothing when no input requires grad or grad
    /// mode is off.
    pub fn attach_grad_fn(&self, inputs: &[&Tensor], grad_fn: Box<dyn GradFn>) -> Result<Tensor> {
        if !crate::autograd::is_grad_enabled() || !inputs.iter().any(|t| t.requires_grad()) {
            return Ok(self.clone());
        }
        Ok(attach(self.detach(), inputs, grad_fn))
    }
}
