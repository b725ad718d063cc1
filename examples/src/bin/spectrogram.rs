//! Writes the mel spectrogram of an audio file as a PNG (80 mels, 25 ms windows every 10 ms,
//! decibels with an 80 dB range, low frequencies at the bottom).
//!
//! ```sh
//! cargo run --release -p examples --bin spectrogram -- [FILE] [--out mel.png]
//! ```

use std::path::PathBuf;

use examples::cli::{exit_on_error, or_usage};
use torch_audio::io::{LoadOptions, load};
use torch_audio::transforms::{AmplitudeToDB, MelScaleOptions, MelSpectrogram, SpectrogramOptions};
use torch_core::testing::shared_data;
use torch_core::{Error, Result};
use torch_nn::Forward;

fn parse_args() -> std::result::Result<(PathBuf, PathBuf), String> {
    let mut file =
        shared_data().join("audio/librivox/sense_and_sensibility_01_austen_64kb-0870.wav");
    let mut out = PathBuf::from("runs/spectrogram/mel.png");
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--help" | "-h" => return Err(String::new()),
            "--out" => out = it.next().ok_or("--out needs a value")?.into(),
            _ => file = a.into(),
        }
    }
    Ok((file, out))
}

fn run(file: PathBuf, out: PathBuf) -> Result<()> {
    let (wave, sr) = load(&file, LoadOptions::default())?;
    let win = (sr as usize * 25).div_ceil(1000);
    let spec = SpectrogramOptions {
        n_fft: win.next_power_of_two(),
        win_length: Some(win),
        hop_length: Some(sr as usize / 100),
        ..Default::default()
    };
    let mel = MelSpectrogram::new(
        spec,
        MelScaleOptions {
            sample_rate: sr,
            n_mels: 80,
            ..Default::default()
        },
    )?;
    // (80, frames) in dB, first channel.
    let db = AmplitudeToDB::new("power", Some(80.0))?
        .forward(&mel.forward(&wave)?.narrow(0, 0, 1)?)?
        .squeeze_dim(0)?;
    let (n_mels, frames) = (db.shape()[0], db.shape()[1]);
    let v = db.to_vec::<f32>()?;
    let (lo, hi) = v
        .iter()
        .fold((f32::MAX, f32::MIN), |(a, b), &x| (a.min(x), b.max(x)));
    let (scale_x, scale_y) = (2u32, 4u32);
    let img = image::RgbImage::from_fn(frames as u32 * scale_x, n_mels as u32 * scale_y, |x, y| {
        let (m, t) = (n_mels - 1 - (y / scale_y) as usize, (x / scale_x) as usize);
        let u = (v[m * frames + t] - lo) / (hi - lo).max(1e-6);
        // A dark-blue to yellow ramp.
        image::Rgb([
            (255.0 * u) as u8,
            (255.0 * u.powf(0.7) * 0.9) as u8,
            (120.0 * (1.0 - u)) as u8,
        ])
    });
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    // Temporary file, then rename: a reader never sees half an image.
    let tmp = out.with_extension("png.tmp");
    img.save_with_format(&tmp, image::ImageFormat::Png)
        .map_err(|e| Error::format(&tmp, e.to_string()))?;
    std::fs::rename(&tmp, &out).map_err(|e| Error::io(&out, e))?;
    println!(
        "{}: {n_mels} mels x {frames} frames ({lo:.1} to {hi:.1} dB) -> {}",
        file.display(),
        out.display()
    );
    Ok(())
}

fn main() {
    let (file, out) = or_usage(parse_args(), "spectrogram [FILE] [--out PNG]");
    exit_on_error(run(file, out));
}
