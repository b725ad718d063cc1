//! Voice activity detection with Silero VAD: prints the speech segments of a 16 kHz mono file
//! (default: a LibriVox utterance of the shared data), as the official `get_speech_timestamps`.
//!
//! ```sh
//! cargo run --release -p examples --bin vad -- [FILE.wav|flac] [--model PATH]
//! ```

use std::path::PathBuf;

use examples::cli::{exit_on_error, or_usage};
use torch_audio::functional::{ResampleOptions, resample};
use torch_audio::io::{LoadOptions, load};
use torch_audio::models::{SileroVad, get_speech_timestamps_from_probs};
use torch_core::Result;
use torch_core::testing::shared_data;

fn parse_args() -> std::result::Result<(PathBuf, PathBuf), String> {
    let data = shared_data();
    let mut file = data.join("audio/librivox/sense_and_sensibility_01_austen_64kb-0870.wav");
    let mut model = data.join("models/silero-vad/silero_vad_v6_16k_from_onnx.safetensors");
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--help" | "-h" => return Err(String::new()),
            "--model" => model = it.next().ok_or("--model needs a value")?.into(),
            _ => file = a.into(),
        }
    }
    Ok((file, model))
}

fn run(file: PathBuf, model: PathBuf) -> Result<()> {
    let (wave, sr) = load(&file, LoadOptions::default())?;
    // Mono at 16 kHz: average the channels, resample if needed.
    let mono = wave.mean_dim(&[0], false)?;
    let mono = resample(&mono, sr, 16000, ResampleOptions::default())?;
    let vad = SileroVad::from_safetensors(&model)?;
    let probs = vad.speech_probs(&mono)?;
    let segments =
        get_speech_timestamps_from_probs(&probs, Some(mono.shape()[0]), &Default::default());
    println!(
        "{}: {:.2} s, {} chunks of 32 ms",
        file.display(),
        mono.shape()[0] as f64 / 16000.0,
        probs.len()
    );
    for (s, e) in &segments {
        println!(
            "speech {:7.3} s - {:7.3} s",
            *s as f64 / 16000.0,
            *e as f64 / 16000.0
        );
    }
    if segments.is_empty() {
        println!("no speech");
    }
    Ok(())
}

fn main() {
    let (file, model) = or_usage(parse_args(), "vad [FILE] [--model PATH]");
    exit_on_error(run(file, model));
}
