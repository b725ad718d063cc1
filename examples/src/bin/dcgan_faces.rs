//! Faces from the pretrained 64x64 DCGAN generator (the PyTorch tutorial's architecture,
//! nz 100, ngf 64; `../shared/data/models/dcgan-faces-64/generator.safetensors`): fixed
//! latent vectors through the generator in eval mode, written as an image grid PNG.
//!
//! ```sh
//! cargo run --release -p examples --bin dcgan_faces -- --n 64 --out runs/dcgan_faces/faces.png
//! ```
//! Options: `--weights PATH`, `--n N` (64), `--nrow N` (8), `--seed N` (0), `--out PATH`.

use std::path::PathBuf;

use examples::cli::{exit_on_error, or_usage};
use examples::gan::{sample, save_grid};
use examples::progress::spinner;
use torch_core::{Error, Generator as Rng, Result};
use torch_vision::models::{DcganOptions, dcgan_generator, latent};

struct Args {
    weights: PathBuf,
    n: usize,
    nrow: usize,
    seed: u64,
    out: PathBuf,
}

fn parse_args() -> std::result::Result<Args, String> {
    let mut a = Args {
        weights: torch_core::testing::shared_data()
            .join("models/dcgan-faces-64/generator.safetensors"),
        n: 64,
        nrow: 8,
        seed: 0,
        out: PathBuf::from("runs/dcgan_faces/faces.png"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            return Err(String::new());
        }
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--weights" => a.weights = value.into(),
            "--n" => a.n = value.parse().map_err(|e| bad(&e))?,
            "--nrow" => a.nrow = value.parse().map_err(|e| bad(&e))?,
            "--seed" => a.seed = value.parse().map_err(|e| bad(&e))?,
            "--out" => a.out = value.into(),
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    if a.n == 0 || a.nrow == 0 {
        return Err("--n and --nrow must be positive".into());
    }
    Ok(a)
}

fn run(args: Args) -> Result<()> {
    let wait = spinner(format!("loading {}", args.weights.display()));
    let g = dcgan_generator(Some(args.weights.as_path()), DcganOptions::default())?;
    wait.finish_and_clear();
    let z = latent(&Rng::new(args.seed), args.n, g.options.nz)?;
    let faces = sample(&g, &z, None)?; // (n, 3, 64, 64) in [-1, 1]
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    save_grid(&faces, &args.out, args.nrow)?;
    println!(
        "{} faces from {} -> {}",
        args.n,
        args.weights.display(),
        args.out.display()
    );
    Ok(())
}

fn main() {
    let args = or_usage(
        parse_args(),
        "dcgan_faces [--weights PATH] [--n N] [--nrow N] [--seed N] [--out PATH]",
    );
    exit_on_error(run(args));
}
