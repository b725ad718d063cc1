//! WGAN-GP's gradient penalty (Gulrajani et al. 2017): the critic's gradient norm at points
//! between real and fake samples, pushed towards 1, computed through
//! `autograd::grad(..., create_graph = true)` so the penalty itself can be backpropagated
//! into the critic's parameters.

use torch_core::autograd::{self, GradOptions};
use torch_core::{Error, Result, Tensor};

/// `mean((‖∇ₓ critic(x̂)‖₂ - 1)²)` over the batch, with `x̂ = alpha * real + (1 - alpha) *
/// fake` (both detached; `alpha` `(N, 1, 1, 1)` or anything broadcasting against them, drawn
/// `U(0, 1)` per sample in training). The gradient is taken with `create_graph`, so
/// `penalty.backward()` reaches the critic's parameters (double backward through the
/// critic). Multiply by λ (10 in the paper) before adding it to the critic loss.
///
/// PyTorch:
/// ```python
/// x = (alpha * real + (1 - alpha) * fake).detach().requires_grad_(True)
/// g, = torch.autograd.grad(critic(x), x, torch.ones_like(out), create_graph=True)
/// gp = ((g.flatten(1).norm(2, dim=1) - 1) ** 2).mean()
/// ```
pub fn gradient_penalty(
    critic: impl Fn(&Tensor) -> Result<Tensor>,
    real: &Tensor,
    fake: &Tensor,
    alpha: &Tensor,
) -> Result<Tensor> {
    if real.shape() != fake.shape() || real.dim() < 2 {
        return Err(Error::invalid(
            "gradient_penalty",
            format!(
                "real and fake must be batches of the same shape, got {:?} and {:?}",
                real.shape(),
                fake.shape()
            ),
        ));
    }
    let (real, fake) = (real.detach(), fake.detach());
    let x = alpha
        .mul(&real)?
        .add(&alpha.rsub_scalar(1.0)?.mul(&fake)?)?
        .detach()
        .requires_grad_(true)?;
    let out = critic(&x)?;
    let opts = GradOptions {
        grad_outputs: Some(vec![out.ones_like()?]),
        create_graph: true,
        ..Default::default()
    };
    let g = autograd::grad(&[out], std::slice::from_ref(&x), opts)?
        .into_iter()
        .next()
        .flatten()
        .ok_or_else(|| {
            Error::invalid(
                "gradient_penalty",
                "the critic's output does not depend on its input",
            )
        })?;
    let norm = g.flatten(1, -1)?.norm(2.0, &[1], false)?; // (N,)
    norm.sub_scalar(1.0)?.pow_scalar(2.0)?.mean()
}
