//! Gradient checkpointing (`torch.utils.checkpoint.checkpoint`, reentrant form): run a segment
//! without recording, keep only its inputs, and recompute it during backward.

use std::sync::Arc;

use torch_core::autograd::{BackwardCtx, GradFn, enable_grad, no_grad};
use torch_core::{GeneratorState, Result, Tensor, default_generator};

type Segment = Arc<dyn Fn(&[Tensor]) -> Result<Tensor> + Send + Sync>;

/// Runs `f(inputs)` without keeping its intermediate activations; backward re-runs `f` (with
/// the default generator rewound, so dropout draws the same masks) and backpropagates through
/// the recomputed graph, accumulating into the parameters `f` uses, as
/// `checkpoint(f, *inputs, use_reentrant=True)`. As there, gradients flow only if at least one
/// input requires grad.
///
/// ```
/// use std::sync::Arc;
/// use torch_nn::{Forward, Linear, Module, utils::checkpoint};
/// use torch_core::Tensor;
/// let layer = Arc::new(Linear::new(4, 4)?);
/// let x = Tensor::randn(&[2, 4], Default::default())?.requires_grad_(true)?;
/// let l = layer.clone();
/// let y = checkpoint(move |xs| l.call(&xs[0])?.tanh(), &[x.clone()])?;
/// y.sum()?.backward()?;
/// assert!(x.grad().is_some() && layer.weight.grad().is_some());
/// # Ok::<(), torch_core::Error>(())
/// ```
pub fn checkpoint(
    f: impl Fn(&[Tensor]) -> Result<Tensor> + Send + Sync + 'static,
    inputs: &[Tensor],
) -> Result<Tensor> {
    let rng = default_generator().get_state();
    let out = {
        let _g = no_grad();
        f(inputs)?
    };
    let rule = CheckpointBackward {
        f: Arc::new(f),
        inputs: inputs
            .iter()
            .map(|t| (t.detach(), t.requires_grad()))
            .collect(),
        rng,
    };
    let refs: Vec<&Tensor> = inputs.iter().collect();
    out.attach_grad_fn(&refs, Box::new(rule))
}

struct CheckpointBackward {
    f: Segment,
    /// Detached inputs and whether each required grad.
    inputs: Vec<(Tensor, bool)>,
    rng: GeneratorState,
}

impl GradFn for CheckpointBackward {
    fn name(&self) -> &'static str {
        "CheckpointFunctionBackward"
    }

    fn backward(&self, ctx: &BackwardCtx, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let xs: Vec<Tensor> = self
            .inputs
            .iter()
            .map(|(t, rg)| {
                if *rg {
                    t.detach().requires_grad_(true)
                } else {
                    Ok(t.clone())
                }
            })
            .collect::<Result<_>>()?;
        let generator = default_generator();
        let now = generator.get_state();
        generator.set_state(self.rng);
        let out = {
            let _g = enable_grad();
            (self.f)(&xs)
        };
        generator.set_state(now);
        let out = out?;
        if out.requires_grad() {
            out.backward_with(Some(grad), false, ctx.create_graph())?;
        }
        Ok(xs
            .iter()
            .zip(&self.inputs)
            .map(|(x, (_, rg))| if *rg { x.grad() } else { None })
            .collect())
    }
}
