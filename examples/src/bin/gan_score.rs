//! Scores a saved MNIST GAN generator (from `dcgan` or `wgan_gp`) with the `mnist` example's
//! classifier: the share of N samples classified with probability >= 0.9 and, for a
//! conditional generator, the share classified as the digit they were conditioned on.
//! The architecture (nz, ngf, extra layers) is read from the checkpoint's layers.
//!
//! ```sh
//! cargo run --release -p examples --bin gan_score -- --generator runs/dcgan/generator.safetensors
//! cargo run --release -p examples --bin gan_score -- --conditional \
//!     --generator runs/dcgan_conditional/generator.safetensors
//! ```
//! Options: `--classifier PATH` (runs/mnist/mnist_cnn.safetensors), `--n N` (1000),
//! `--seed N` (0), `--conditional`, `--batch-stats` (sample in train mode, with batch
//! statistics in batches of 500, as the tutorial draws its grid; default: eval mode).

use std::path::PathBuf;

use examples::cli::{exit_on_error, or_usage};
use examples::gan::{describe, sample_and_score};
use examples::mnist_cnn::Net;
use torch_core::{Error, Generator as Rng, Result};
use torch_nn::StateDict;
use torch_vision::models::{DcganOptions, dcgan_generator};

struct Args {
    generator: Option<PathBuf>,
    classifier: PathBuf,
    n: usize,
    seed: u64,
    conditional: bool,
    batch_stats: bool,
}

fn parse_args() -> std::result::Result<Args, String> {
    let mut a = Args {
        generator: None,
        classifier: PathBuf::from("runs/mnist/mnist_cnn.safetensors"),
        n: 1000,
        seed: 0,
        conditional: false,
        batch_stats: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--help" | "-h" => return Err(String::new()),
            "--conditional" => {
                a.conditional = true;
                continue;
            }
            "--batch-stats" => {
                a.batch_stats = true;
                continue;
            }
            _ => {}
        }
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--generator" => a.generator = Some(value.into()),
            "--classifier" => a.classifier = value.into(),
            "--n" => a.n = value.parse().map_err(|e| bad(&e))?,
            "--seed" => a.seed = value.parse().map_err(|e| bad(&e))?,
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(a)
}

fn run(args: Args, generator: PathBuf) -> Result<()> {
    let state = StateDict::load(&generator)?;
    // main.0.weight: (nz + classes, ngf * 4, 7, 7)
    let shape = state
        .get("main.0.weight")
        .map(|t| t.shape().to_vec())
        .filter(|s| s.len() == 4 && s[2] == 7)
        .ok_or_else(|| Error::format(&generator, "not a 28x28 DCGAN generator checkpoint"))?;
    let classes = if args.conditional { 10 } else { 0 };
    // Three transposed convolutions, plus two per extra layer (one at 7x7, one at 14x14).
    let convs = state.iter().filter(|(_, t)| t.dim() == 4).count();
    let opts = DcganOptions {
        nz: shape[0].saturating_sub(classes),
        n_extra_layers: convs.saturating_sub(3) / 2,
        ..DcganOptions::mnist(shape[1] / 4, 1, classes)
    };
    let g = dcgan_generator(Some(generator.as_path()), opts)?;
    let classifier = Net::load(&args.classifier)?;
    let score = sample_and_score(
        &g,
        &classifier,
        args.n,
        &Rng::new(args.seed),
        args.batch_stats,
    )?;
    let mode = if args.batch_stats {
        "train-mode batch norm"
    } else {
        "eval mode"
    };
    println!("{} ({mode}): {}", generator.display(), describe(&score));
    Ok(())
}

fn main() {
    let usage = "gan_score --generator PATH [--conditional] [--classifier PATH] [--n N] [--seed N] [--batch-stats]";
    let args = or_usage(parse_args(), usage);
    let generator = or_usage(
        args.generator
            .clone()
            .ok_or("--generator is required".to_string()),
        usage,
    );
    exit_on_error(run(args, generator));
}
