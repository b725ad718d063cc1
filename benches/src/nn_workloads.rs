//! The torch-nn anchor workloads (issue "torch-nn"): whole training steps, mirrored in
//! `compare/bench_torch.py`.

use std::hint::black_box;

use torch_core::{Tensor, TensorOptions};
use torch_nn::functional::{CrossEntropyOptions, cross_entropy};
use torch_nn::optim::{Adam, AdamOptions, Optimizer, SGD, SGDOptions};
use torch_nn::{Conv2d, Flatten, Forward, Linear, MaxPool2d, Module, ReLU, Sequential};

use crate::{Metric, Run, Workload};

/// Batch of the MLP train step.
pub const MLP_BATCH: usize = 128;

/// The timed call of a classifier's training step: zero the gradients, forward,
/// cross-entropy, backward, update.
fn classifier_step(
    net: Sequential,
    mut opt: impl Optimizer + 'static,
    x: Tensor,
    y: Tensor,
) -> Run {
    let ce = CrossEntropyOptions::default();
    Box::new(move || {
        opt.zero_grad();
        let loss = cross_entropy(&net.call(&x)?, &y, &ce)?;
        loss.backward()?;
        opt.step()?;
        black_box(&loss);
        Ok(())
    })
}

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
        let opt = SGD::new(
            net.parameters(),
            SGDOptions {
                lr: 0.01,
                momentum: 0.9,
                ..Default::default()
            },
        )?;
        let x = Tensor::randn(&[MLP_BATCH, 784], TensorOptions::default())?;
        let y = Tensor::randint(0, 10, &[MLP_BATCH], TensorOptions::default())?;
        Ok(classifier_step(net, opt, x, y))
    })
}

/// Batch of the CNN train step.
pub const CNN_BATCH: usize = 64;

/// One Adam step of the MNIST CNN (conv 1->32 3x3, relu, maxpool 2, conv 32->64 3x3, relu,
/// maxpool 2, linear 1600->128, relu, linear 128->10) on a batch of 64 `1x28x28` with
/// cross-entropy: forward, backward, update.
fn cnn_train_step() -> Workload {
    Workload::new("cnn_train_step", Metric::MicrosPerIter, false, || {
        let net = Sequential::new()
            .append(Conv2d::new(1, 32, 3)?)
            .append(ReLU::new())
            .append(MaxPool2d::new(2))
            .append(Conv2d::new(32, 64, 3)?)
            .append(ReLU::new())
            .append(MaxPool2d::new(2))
            .append(Flatten::new(1, -1))
            .append(Linear::new(1600, 128)?)
            .append(ReLU::new())
            .append(Linear::new(128, 10)?);
        let opt = Adam::new(net.parameters(), AdamOptions::default())?;
        let x = Tensor::randn(&[CNN_BATCH, 1, 28, 28], TensorOptions::default())?;
        let y = Tensor::randint(0, 10, &[CNN_BATCH], TensorOptions::default())?;
        Ok(classifier_step(net, opt, x, y))
    })
}

/// The torch-nn workloads, in report order.
pub fn workloads() -> Vec<Workload> {
    vec![mlp_train_step(), cnn_train_step()]
}
