//! `GradFn` (the backward rule of one op, also the trait for custom autograd functions),
//! `Node` (a recorded op: rule plus edges to its inputs' history) and `record`, which ops call
//! to attach history to their result (DESIGN R10).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};

use crate::autograd::is_grad_enabled;
use crate::shape::Dims;
use crate::tensor::Inner;
use crate::{DType, Result, Tensor};

/// The backward rule of an op, as `torch.autograd.Function.backward`.
///
/// `backward` gets the gradient of the op's output and returns one optional gradient per input
/// (in the order the inputs were recorded). Rules are written with `Tensor` ops, so they run on
/// every device and can themselves be differentiated (`create_graph`).
///
/// A custom op: compute the forward under `no_grad`, then attach the rule with
/// [`Tensor::attach_grad_fn`].
/// ```
/// use torch_core::{Result, Tensor, autograd::{BackwardCtx, GradFn}};
/// /// y = x^3, dy/dx = 3x^2
/// struct Cube(Tensor);
/// impl GradFn for Cube {
///     fn name(&self) -> &'static str { "CubeBackward" }
///     fn backward(&self, _ctx: &BackwardCtx, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
///         Ok(vec![Some(grad.mul(&self.0.pow_scalar(2.0)?.mul_scalar(3.0)?)?)])
///     }
/// }
/// let x = Tensor::new([2.0f64]).requires_grad_(true).unwrap();
/// let y = {
///     let _g = torch_core::autograd::no_grad();
///     x.pow_scalar(3.0).unwrap()
/// };
/// let y = y.attach_grad_fn(&[&x], Box::new(Cube(x.detach()))).unwrap();
/// y.sum().unwrap().backward().unwrap();
/// assert_eq!(x.grad().unwrap().item().unwrap(), 12.0);
/// ```
pub trait GradFn: Send + Sync {
    /// The name shown in errors and graph dumps, e.g. `"MulBackward"`.
    fn name(&self) -> &'static str;
    /// Gradients for the inputs given the gradient of the output.
    fn backward(&self, ctx: &BackwardCtx, grad: &Tensor) -> Result<Vec<Option<Tensor>>>;
}

/// A hook on a tensor's gradient: may return a replacement.
pub(crate) type Hook = Arc<dyn Fn(&Tensor) -> Option<Tensor> + Send + Sync>;

/// Where an input's gradient goes.
pub(crate) enum Edge {
    /// The input was produced by a recorded op.
    Node(Arc<Node>),
    /// The input is a leaf that requires grad: its gradient accumulates into `.grad()`.
    Leaf(Tensor),
}

/// A recorded op in the graph.
pub struct Node {
    name: &'static str,
    /// `None` once backward freed it (without `retain_graph`).
    pub(crate) grad_fn: Mutex<Option<Box<dyn GradFn>>>,
    pub(crate) edges: Vec<Option<Edge>>,
    pub(crate) hooks: Mutex<Vec<Hook>>,
    /// The non-leaf tensor that asked `retain_grad()`.
    pub(crate) retain: Mutex<Option<Weak<Inner>>>,
    /// Set once a hook or `retain_grad` is attached, so backward skips both locks otherwise.
    pub(crate) observed: AtomicBool,
    pub(crate) shape: Dims,
    pub(crate) dtype: DType,
}

impl Node {
    /// The op name, e.g. `"MulBackward"`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Output dtype of the op.
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// Output shape of the op.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The next nodes (inputs' history); `None` for inputs without history.
    pub fn next_functions(&self) -> Vec<Option<NextFunction>> {
        self.edges
            .iter()
            .map(|e| match e {
                Some(Edge::Node(n)) => Some(NextFunction::Node(n.clone())),
                Some(Edge::Leaf(t)) => Some(NextFunction::AccumulateGrad(t.clone())),
                None => None,
            })
            .collect()
    }
}

/// An entry of `Node::next_functions`.
pub enum NextFunction {
    Node(Arc<Node>),
    /// A leaf's accumulation into `.grad()`.
    AccumulateGrad(Tensor),
}

/// What a `GradFn` can see while it runs.
pub struct BackwardCtx<'a> {
    pub(crate) node: &'a Arc<Node>,
    pub(crate) create_graph: bool,
}

impl BackwardCtx<'_> {
    /// The node being run.
    pub fn node(&self) -> &Arc<Node> {
        self.node
    }

    /// Its name.
    pub fn name(&self) -> &'static str {
        self.node.name
    }

    /// Whether this backward is itself recorded (higher-order gradients).
    pub fn create_graph(&self) -> bool {
        self.create_graph
    }

    /// Whether input `i` needs a gradient (rules may skip work when it does not).
    pub fn needs_input_grad(&self, i: usize) -> bool {
        matches!(self.node.edges.get(i), Some(Some(_)))
    }
}

pub(crate) fn edge_of(t: &Tensor) -> Option<Edge> {
    t.sync_view();
    if !t.0.requires_grad.load(Ordering::Relaxed) {
        return None;
    }
    let meta = t.meta();
    match &meta.grad_fn {
        Some(n) => Some(Edge::Node(n.clone())),
        None if meta.leaf_requires_grad => Some(Edge::Leaf(t.clone())),
        None => None,
    }
}

/// Attaches history to `out` when grad mode is on and an input requires grad; otherwise
/// returns `out` untouched without building the rule (inference pays nothing).
#[inline]
pub(crate) fn record(
    out: Tensor,
    inputs: &[&Tensor],
    make: impl FnOnce(&Tensor) -> Box<dyn GradFn>,
) -> Tensor {
    if !is_grad_enabled()
        || !inputs.iter().any(|t| {
            t.sync_view();
            t.0.requires_grad.load(Ordering::Relaxed)
        })
    {
        return out;
    }
    let grad_fn = make(&out);
    attach(out, inputs, grad_fn)
}

/// A node running `grad_fn` for an output of `shape` and `dtype`, with one edge per input.
pub(crate) fn new_node(
    grad_fn: Box<dyn GradFn>,
    edges: Vec<Option<Edge>>,
    shape: &[usize],
    dtype: DType,
) -> Arc<Node> {
    Arc::new(Node {
        name: grad_fn.name(),
        grad_fn: Mutex::new(Some(grad_fn)),
        edges,
        hooks: Mutex::new(Vec::new()),
        retain: Mutex::new(None),
        observed: AtomicBool::new(false),
        shape: Dims::from_slice(shape),
        dtype,
    })
}

pub(crate) fn attach(out: Tensor, inputs: &[&Tensor], grad_fn: Box<dyn GradFn>) -> Tensor {
    let edges = inputs.iter().map(|t| edge_of(t)).collect();
    let node = new_node(grad_fn, edges, out.shape(), out.dtype());
    if Arc::strong_count(&out.0) == 1 {
        // Fresh result: set the slot in place.
        out.0.requires_grad.store(true, Ordering::Relaxed);
        out.meta().grad_fn = Some(node);
        out
    } else {
        Tensor::from_parts(
            out.storage().clone(),
            out.layout().clone(),
            out.dtype(),
            Some(node),
        )
    }
}
