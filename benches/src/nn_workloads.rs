//! The torch-nn anchor workloads (issue "torch-nn"): whole training steps, mirrored in
//! `compare/bench_torch.py`.

use std::hint::black_box;

use torch_core::{Tensor, TensorOptions};
use torch_nn::functional::{CrossEntropyOptions, cross_entropy};
use torch_nn::optim::{Optimizer, SGD, SGDOptions};
use torch_nn::{Forward, Linear, Module, ReLU, Sequential};

use crate::{Metric, Workload};

/// Batch of the MLP train step.
pub const MLP_BATCH: usize = 128;

/// One SGD (momentum 0.9) step of a 784-512-ReLU-512-ReLU-10 MLP on a batch of 128 with
/// cross-entropy: forward, backward, update.
fn mlp_train_step() -> Workload {
    Workload::new("mlp_train_step", Metric::MicrosPerIter, false, || {
        let net = Sequential::new()
            .append(Linear::new(784, 512)?)
            .append(ReLU::new())
            .append(Linear::new(512, 512)?)
            .append(ReLU::new())
            .append(Linear::new(512, 10)?);
        let mut opt = SGD::new(
            net.parameters(),
            SGDOptions {
                lr: 0.01,
                momentum: 0.9,
                ..Default::default()
            },
        )?;
        let x = Tensor::randn(&[MLP_BATCH, 784], TensorOptions::default())?;
        let y = Tensor::randint(0, 10, &[MLP_BATCH], TensorOptions::default())?;
        let ce = CrossEntropyOptions::default();
        Ok(Box::new(move || {
            opt.zero_grad();
            let loss = cross_entropy(&net.call(&x)?, &y, &ce)?;
            loss.backward()?;
            opt.step()?;
            black_box(&loss);
            Ok(())
        }))
    })
}

/// The torch-nn workloads, in report order.
pub fn workloads() -> Vec<Workload> {
    vec![mlp_train_step()]
}
