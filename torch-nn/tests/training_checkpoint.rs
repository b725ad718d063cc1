//! Training resumed from a training checkpoint continues exactly as if it had not stopped:
//! model (with BatchNorm buffers), Adam state, StepLR, epoch and the generator (dropout).

use torch_core::{Result, Tensor, TensorOptions, manual_seed};
use torch_nn::functional::{CrossEntropyOptions, cross_entropy};
use torch_nn::lr_scheduler::{LRScheduler, StepLR, StepLROptions};
use torch_nn::optim::{Adam, AdamOptions, Optimizer};
use torch_nn::utils::{load_training_checkpoint, save_training_checkpoint};
use torch_nn::{BatchNorm1d, Dropout, Forward, Linear, Module, ReLU, Sequential};

fn model() -> Result<Sequential> {
    Ok(Sequential::new()
        .append(Linear::new(5, 16)?)
        .append(BatchNorm1d::new(16)?)
        .append(ReLU::new())
        .append(Dropout::new(0.2))
        .append(Linear::new(16, 3)?))
}

fn train_step(net: &Sequential, opt: &mut Adam, sched: &mut StepLR, step: usize) -> Result<()> {
    let x = Tensor::randn(&[8, 5], TensorOptions::default())?.add_scalar(step as f64 * 0.1)?;
    let y = Tensor::from_vec(
        (0..8).map(|i| (i + step as i64) % 3).collect::<Vec<i64>>(),
        &[8],
    )?;
    opt.zero_grad();
    cross_entropy(&net.call(&x)?, &y, &CrossEntropyOptions::default())?.backward()?;
    opt.step()?;
    sched.step(opt)?;
    Ok(())
}

fn params(net: &Sequential) -> Result<Vec<Vec<f32>>> {
    net.state_dict()
        .iter()
        .map(|(_, t)| t.to_dtype(torch_core::DType::F32)?.to_vec::<f32>())
        .collect()
}

#[test]
fn resumed_training_matches_uninterrupted_training() -> Result<()> {
    let setup = |seed| -> Result<(Sequential, Adam, StepLR)> {
        manual_seed(seed);
        let net = model()?;
        let mut opt = Adam::new(
            net.parameters(),
            AdamOptions {
                lr: 1e-2,
                ..Default::default()
            },
        )?;
        let sched = StepLR::new(
            &mut opt,
            2,
            StepLROptions {
                gamma: 0.5,
                ..Default::default()
            },
        )?;
        Ok((net, opt, sched))
    };
    // Uninterrupted: 5 steps.
    let (net, mut opt, mut sched) = setup(1)?;
    manual_seed(100);
    for step in 0..5 {
        train_step(&net, &mut opt, &mut sched, step)?;
    }
    let expected = params(&net)?;

    // 3 steps, checkpoint, then a fresh process-like setup (other init, other generator state).
    let (net, mut opt, mut sched) = setup(1)?;
    manual_seed(100);
    for step in 0..3 {
        train_step(&net, &mut opt, &mut sched, step)?;
    }
    let path =
        std::env::temp_dir().join(format!("torch_nn_train_{}.safetensors", std::process::id()));
    save_training_checkpoint(&path, &net, &opt, Some(&sched), 3)?;
    let (net2, mut opt2, mut sched2) = setup(7)?;
    manual_seed(12345);
    let epoch = load_training_checkpoint(&path, &net2, &mut opt2, Some(&mut sched2))?;
    assert_eq!(epoch, 3);
    assert_eq!(sched2.get_last_lr(), sched.get_last_lr());
    for step in epoch..5 {
        train_step(&net2, &mut opt2, &mut sched2, step)?;
    }
    assert_eq!(params(&net2)?, expected);
    let _ = std::fs::remove_file(&path);
    Ok(())
}
