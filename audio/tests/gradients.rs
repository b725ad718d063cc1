//! A spectrogram loss backpropagates: gradients of spectrogram and mel-spectrogram losses
//! against torchaudio's (goldens from `scripts/golden/audio_transforms.py`) and against finite
//! differences. The core's stft computes in f32/complex64 (there is no complex128), so the
//! finite-difference check uses f32-sized steps and tolerances instead of R17's f64 ones.

use torch_audio::functional::{self as F, MelScaleType, Normalized, SpectrogramArgs};
use torch_audio::io::{LoadOptions, load};
use torch_audio::transforms::{MelScaleOptions, MelSpectrogram, Spectrogram, SpectrogramOptions};
use torch_core::autograd::{GradcheckOptions, gradcheck};
use torch_core::testing::{load_golden, shared_data};
use torch_core::{DType, Tensor};
use torch_nn::Forward;

fn speech400() -> Tensor {
    let path = shared_data().join("audio/librivox/sense_and_sensibility_01_austen_64kb-0880.wav");
    let (y, _) = load(path, LoadOptions::default()).unwrap();
    y.narrow(1, 16000, 400)
        .unwrap()
        .reshape(&[400])
        .unwrap()
        .deep_clone()
        .unwrap()
}

fn assert_grad(key: &str, got: &Tensor, want: &Tensor) {
    let (g, w) = (got.to_vec_f64().unwrap(), want.to_vec_f64().unwrap());
    assert_eq!(g.len(), w.len());
    let scale = w.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for (i, (a, b)) in g.iter().zip(&w).enumerate() {
        assert!(
            (a - b).abs() <= 1e-4 * b.abs() + 1e-4 * scale,
            "{key}[{i}]: {a} vs {b}"
        );
    }
}

#[test]
fn spectrogram_and_mel_losses_backpropagate_like_torchaudio() {
    let g = load_golden(env!("CARGO_MANIFEST_DIR"), "transforms").unwrap();
    let so = SpectrogramOptions {
        n_fft: 64,
        hop_length: Some(16),
        ..Default::default()
    };
    let x = speech400().requires_grad_(true).unwrap();
    let loss = Spectrogram::new(so)
        .unwrap()
        .forward(&x)
        .unwrap()
        .sqrt()
        .unwrap()
        .sum()
        .unwrap();
    loss.backward().unwrap();
    assert_grad("grad.spec", &x.grad().unwrap(), &g["grad.spec"]);

    let x = speech400().requires_grad_(true).unwrap();
    let mel = MelSpectrogram::new(
        so,
        MelScaleOptions {
            n_mels: 8,
            ..Default::default()
        },
    )
    .unwrap();
    let loss = mel
        .forward(&x)
        .unwrap()
        .add_scalar(1e-6)
        .unwrap()
        .log()
        .unwrap()
        .mean()
        .unwrap();
    loss.backward().unwrap();
    assert_grad(
        "grad.mel_logmean",
        &x.grad().unwrap(),
        &g["grad.mel_logmean"],
    );
}

#[test]
fn spectrogram_and_mel_pass_finite_difference_checks() {
    // Steps of 1e-3 on O(1) inputs keep f32 rounding (~1e-7 relative) well below the
    // differences; 1e-2 tolerances then bound the second-order error.
    let opts = GradcheckOptions {
        eps: 1e-3,
        atol: 1e-2,
        rtol: 1e-2,
    };
    let x: Vec<f64> = (0..48)
        .map(|i| ((i as f64) * 0.37).sin() + 0.3 * ((i as f64) * 1.3).cos())
        .collect();
    let x = Tensor::from_vec(x, &[2, 24]).unwrap();
    let window = F::hann_window(16, true).unwrap();
    let args = SpectrogramArgs {
        pad: 0,
        window: &window,
        n_fft: 16,
        hop_length: 4,
        win_length: 16,
        power: Some(2.0),
        normalized: Normalized::False,
        center: true,
        pad_mode: "reflect",
        onesided: true,
    };
    gradcheck(
        |i| F::spectrogram(&i[0], &args)?.to_dtype(DType::F64),
        std::slice::from_ref(&x),
        opts,
    )
    .unwrap();
    // Transposed (non-contiguous) input, magnitude with window normalisation.
    let xt = x.reshape(&[24, 2]).unwrap().t().unwrap();
    let args1 = SpectrogramArgs {
        power: Some(1.0),
        normalized: Normalized::Window,
        ..args
    };
    gradcheck(
        |i| F::spectrogram(&i[0], &args1)?.to_dtype(DType::F64),
        &[xt],
        opts,
    )
    .unwrap();
    let fb = F::melscale_fbanks(9, 0.0, 4000.0, 4, 8000, true, MelScaleType::Slaney).unwrap();
    gradcheck(
        |i| {
            let s = F::spectrogram(&i[0], &args)?;
            s.transpose(-1, -2)?
                .matmul(&fb)?
                .transpose(-1, -2)?
                .to_dtype(DType::F64)
        },
        &[x],
        opts,
    )
    .unwrap();
}
