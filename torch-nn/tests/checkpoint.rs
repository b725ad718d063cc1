//! Gradient checkpointing gives the same gradients as running the segment normally, dropout
//! included (the recomputation replays the generator).

use std::sync::Arc;

use torch_core::{Result, Tensor, TensorOptions, manual_seed};
use torch_nn::utils::checkpoint;
use torch_nn::{Dropout, Forward, Linear, Module, Sequential, Tanh};

fn segment() -> Result<Sequential> {
    Ok(Sequential::new()
        .append(Linear::new(6, 8)?)
        .append(Tanh::new())
        .append(Dropout::new(0.3))
        .append(Linear::new(8, 3)?))
}

#[test]
fn checkpoint_matches_plain_backward_including_dropout() -> Result<()> {
    manual_seed(3);
    let net = Arc::new(segment()?);
    let x = Tensor::randn(&[4, 6], TensorOptions::default())?;
    let run = |use_checkpoint: bool| -> Result<(Vec<f32>, Vec<Vec<f32>>)> {
        net.zero_grad();
        manual_seed(11);
        let xi = x.detach().requires_grad_(true)?;
        let y = if use_checkpoint {
            let n = net.clone();
            checkpoint(move |xs| n.call(&xs[0]), std::slice::from_ref(&xi))?
        } else {
            net.call(&xi)?
        };
        // Something after the segment draws from the generator too.
        let noise = Tensor::rand_like(&y)?;
        y.mul(&noise)?.sum()?.backward()?;
        let grads = net
            .parameters()
            .iter()
            .map(|p| p.grad().unwrap().to_vec::<f32>())
            .collect::<Result<_>>()?;
        Ok((xi.grad().unwrap().to_vec::<f32>()?, grads))
    };
    let (gx_plain, gp_plain) = run(false)?;
    let (gx_ckpt, gp_ckpt) = run(true)?;
    assert_eq!(gx_plain, gx_ckpt);
    assert_eq!(gp_plain, gp_ckpt);
    Ok(())
}
