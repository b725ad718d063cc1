//! The torch-audio workloads (issue 7): MelSpectrogram and MFCC of 10 s of 16 kHz audio, and
//! decoding throughput of a LibriVox FLAC and the committed MP3, mirrored in
//! `compare/bench_torch.py` with torchaudio (transforms) and soundfile (decoding: torchaudio
//! 2.11's `load` needs torchcodec and FFmpeg).

use std::hint::black_box;
use std::path::PathBuf;

use torch_audio::io::{LoadOptions, info, load};
use torch_audio::transforms::{
    CepstralOptions, MFCC, MelScaleOptions, MelSpectrogram, SpectrogramOptions,
};
use torch_core::{Result, Tensor, TensorOptions};
use torch_nn::Forward;

use crate::{Metric, Workload};

/// Sample rate of the transform workloads' input.
pub const AUDIO_RATE: usize = 16_000;
/// Samples of the transform workloads' input: 10 s at 16 kHz, f32, shape `(1, AUDIO_N)`.
pub const AUDIO_N: usize = 10 * AUDIO_RATE;

/// `SpectrogramOptions` of both transform workloads: n_fft 400, hop 160 (periodic Hann,
/// centred, reflect padding, power 2).
fn spec() -> SpectrogramOptions {
    SpectrogramOptions {
        n_fft: 400,
        hop_length: Some(160),
        ..Default::default()
    }
}

/// 80 HTK mels at 16 kHz, no norm (torchaudio's defaults otherwise).
fn mel() -> MelScaleOptions {
    MelScaleOptions {
        sample_rate: AUDIO_RATE as u32,
        n_mels: 80,
        ..Default::default()
    }
}

/// Figure: samples of audio processed per call (ksamples/s).
fn transform(name: &'static str, build: fn() -> Result<Box<dyn Forward>>) -> Workload {
    Workload::new(name, Metric::Samples(AUDIO_N as f64), false, move || {
        let x = Tensor::randn(&[1, AUDIO_N], TensorOptions::default())?;
        let t = build()?;
        Ok(Box::new(move || {
            black_box(t.forward(&x)?);
            Ok(())
        }))
    })
}

/// The shared audio folder (`$TORCH_SHARED_DATA/audio` or `../shared/data/audio`).
fn audio_dir() -> PathBuf {
    torch_core::testing::shared_data().join("audio")
}

/// The files of the decode workloads, relative to the workspace root or the shared data.
pub fn decode_files() -> [(&'static str, PathBuf); 2] {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    [
        (
            "decode_flac_librivox_0880",
            audio_dir().join("librivox/sense_and_sensibility_01_austen_64kb-0880.flac"),
        ),
        (
            "decode_mp3_librivox_0880",
            root.join("audio/tests/golden/sense_0880.mp3"),
        ),
    ]
}

/// Decoding a whole file to a float tensor (`load` with defaults); figure: decoded samples
/// per call.
fn decode(name: &'static str, path: PathBuf) -> Workload {
    let frames = info(&path).map(|i| i.num_frames as f64).unwrap_or(f64::NAN);
    Workload::new(name, Metric::Samples(frames), false, move || {
        let path = path.clone();
        Ok(Box::new(move || {
            black_box(load(&path, LoadOptions::default())?);
            Ok(())
        }))
    })
}

/// The torch-audio workloads, in report order.
pub fn workloads() -> Vec<Workload> {
    let mut w = vec![
        transform("melspec_10s", || {
            Ok(Box::new(MelSpectrogram::new(spec(), mel())?))
        }),
        transform("mfcc_10s", || {
            let o = CepstralOptions {
                n_coeffs: 40,
                ..Default::default()
            };
            Ok(Box::new(MFCC::new(o, spec(), mel())?))
        }),
    ];
    w.extend(decode_files().into_iter().map(|(n, p)| decode(n, p)));
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn melspec_and_mfcc_give_frames_of_10ms() -> Result<()> {
        let x = Tensor::randn(&[1, AUDIO_N], TensorOptions::default())?;
        let m = MelSpectrogram::new(spec(), mel())?.forward(&x)?;
        assert_eq!(m.shape(), &[1, 80, AUDIO_N / 160 + 1]);
        let o = CepstralOptions {
            n_coeffs: 40,
            ..Default::default()
        };
        let c = MFCC::new(o, spec(), mel())?.forward(&x)?;
        assert_eq!(c.shape(), &[1, 40, AUDIO_N / 160 + 1]);
        Ok(())
    }

    #[test]
    fn decode_files_load_every_frame() -> Result<()> {
        for (_, path) in decode_files() {
            let (w, sr) = load(&path, LoadOptions::default())?;
            assert_eq!(sr, 16000);
            assert_eq!(w.shape()[1] as u64, info(&path)?.num_frames);
            assert!(
                w.abs()?.max()?.item()? > 0.1,
                "{} is silent",
                path.display()
            );
        }
        Ok(())
    }
}
