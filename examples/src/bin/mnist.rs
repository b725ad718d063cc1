//! The main job: trains a small CNN on the real MNIST shipped in `data/mnist` and reports test
//! accuracy per epoch; saves the weights (safetensors) and the loss/accuracy curves (PNG).
//!
//! ```sh
//! cargo run --release -p examples --bin mnist -- --epochs 5
//! ```
//! Options: `--epochs N` (5), `--batch-size N` (64), `--lr F` (1e-3), `--seed N` (0),
//! `--threads N` (all cores), `--data DIR` (data/mnist), `--out DIR` (runs/mnist).

use std::path::PathBuf;
use std::time::Instant;

use examples::cli::{TrainArgs, exit_on_error, or_usage, parse_train_args};
use examples::mnist_cnn::{Net, normalise};
use examples::plot::{Chart, Series, save_png, training_loss_chart};
use examples::progress::EpochBar;
use torch_core::{DType, Generator, Result, Tensor, TensorOptions, autograd};
use torch_nn::functional::{self as F, CrossEntropyOptions};
use torch_nn::optim::{Adam, AdamOptions, Optimizer};
use torch_nn::{Forward, Module};
use torch_vision::datasets::MNIST;

fn parse_args() -> std::result::Result<TrainArgs, String> {
    parse_train_args(TrainArgs {
        epochs: 5,
        batch_size: 64,
        lr: 1e-3,
        seed: 0,
        threads: None,
        data: PathBuf::from("data/mnist"),
        out: PathBuf::from("runs/mnist"),
    })
}

/// Fraction of `images` the model labels correctly, in batches of 1000 without autograd.
fn accuracy(net: &Net, images: &Tensor, labels: &Tensor) -> Result<f64> {
    let _g = autograd::no_grad();
    let n = images.shape()[0];
    let mut correct = 0.0;
    for start in (0..n).step_by(1000) {
        let len = 1000.min(n - start);
        let pred = net
            .forward(&images.narrow(0, start as i64, len)?)?
            .argmax(Some(1), false)?;
        let hits = pred.eq(&labels.narrow(0, start as i64, len)?)?;
        correct += hits.to_dtype(DType::F64)?.sum()?.item()?;
    }
    Ok(correct / n as f64)
}

fn run(args: TrainArgs) -> Result<()> {
    if let Some(t) = args.threads {
        torch_core::set_num_threads(t);
    }
    torch_core::manual_seed(args.seed);
    let train = MNIST::from_folder(&args.data, true)?;
    let test = MNIST::from_folder(&args.data, false)?;
    let (xtr, ytr) = (normalise(&train.data)?, train.targets.clone());
    let (xte, yte) = (normalise(&test.data)?, test.targets.clone());
    println!(
        "MNIST: {} training and {} test images from {}",
        xtr.shape()[0],
        xte.shape()[0],
        args.data.display()
    );
    let net = Net::new()?;
    let mut opt = Adam::new(
        net.parameters(),
        AdamOptions {
            lr: args.lr,
            ..Default::default()
        },
    )?;
    let ce = CrossEntropyOptions::default();
    let shuffle = Generator::new(args.seed);
    let n = xtr.shape()[0];
    let batches = n.div_ceil(args.batch_size);
    let (mut losses, mut accs, mut epoch_losses) = (Vec::new(), Vec::new(), Vec::new());
    let started = Instant::now();
    for epoch in 1..=args.epochs {
        net.train(true);
        let perm = shuffle.randperm(n, TensorOptions::default().dtype(DType::I64))?;
        let mut bar = EpochBar::new(epoch, args.epochs, batches);
        for b in 0..batches {
            let len = args.batch_size.min(n - b * args.batch_size);
            let idx = perm.narrow(0, (b * args.batch_size) as i64, len)?;
            let (x, y) = (xtr.index_select(0, &idx)?, ytr.index_select(0, &idx)?);
            opt.zero_grad();
            let loss = F::cross_entropy(&net.forward(&x)?, &y, &ce)?;
            loss.backward()?;
            opt.step()?;
            let l = loss.item()?;
            bar.step(len, l);
            losses.push(((epoch - 1) as f64 + (b + 1) as f64 / batches as f64, l));
        }
        let (secs, mean_loss, rate) = (bar.seconds(), bar.mean_loss(), bar.throughput());
        bar.finish();
        net.train(false);
        let acc = accuracy(&net, &xte, &yte)?;
        accs.push((epoch as f64, 100.0 * acc));
        epoch_losses.push((epoch as f64, mean_loss));
        println!(
            "epoch {epoch}: train loss {mean_loss:.4}, test accuracy {:.2}%, {secs:.1} s ({rate:.0} samples/s)",
            100.0 * acc
        );
    }
    std::fs::create_dir_all(&args.out).map_err(|e| torch_core::Error::io(&args.out, e))?;
    let weights = args.out.join("mnist_cnn.safetensors");
    net.state_dict().save_safetensors(&weights)?;
    let curves = args.out.join("curves.png");
    save_png(
        &curves,
        &[
            training_loss_chart("cross-entropy", losses, epoch_losses),
            Chart::new(
                "Test accuracy",
                "epoch",
                "accuracy (%)",
                vec![Series::new("test", accs)],
            ),
        ],
    )?;
    println!(
        "done in {:.1} s; weights in {}, curves in {}",
        started.elapsed().as_secs_f64(),
        weights.display(),
        curves.display()
    );
    Ok(())
}

fn main() {
    let args = or_usage(
        parse_args(),
        "mnist [--epochs N] [--batch-size N] [--lr F] [--seed N] [--threads N] [--data DIR] [--out DIR]",
    );
    exit_on_error(run(args));
}
