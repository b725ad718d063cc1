//! A spectrogram loss backpropagates: gradients of spectrogram and mel-spectrogram losses
//! against torchaudio's (goldens from `scripts/golden/audio_transforms.py`) and against finite
//! differences. The core's stft computes in f32/complex64 (there is no complex128), so the
//! finite-difference check uses f32-sized steps and tolerances instead of R17's f64 ones.
//! `lfilter` (f64 throughout) gets R17's default gradcheck and torchaudio's gradients.

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

#[test]
fn lfilter_gradients_match_torchaudio_and_finite_differences() {
    let g = load_golden(env!("CARGO_MANIFEST_DIR"), "transforms").unwrap();
    let path = shared_data().join("audio/librivox/sense_and_sensibility_01_austen_64kb-0880.wav");
    let (y, _) = load(path, LoadOptions::default()).unwrap();
    let x = Tensor::cat(
        &[
            &y.narrow(1, 16000, 1200).unwrap(),
            &y.narrow(1, 24000, 1200).unwrap(),
        ],
        0,
    )
    .unwrap();
    let x = x.requires_grad_(true).unwrap();
    let a = Tensor::from_vec(vec![1.0f32, -1.2, 0.5], &[3])
        .unwrap()
        .requires_grad_(true)
        .unwrap();
    let b = Tensor::from_vec(vec![0.3f32, 0.2, 0.1], &[3])
        .unwrap()
        .requires_grad_(true)
        .unwrap();
    let out = F::lfilter(&x, &a, &b, false, true).unwrap();
    out.pow_scalar(2.0)
        .unwrap()
        .sum()
        .unwrap()
        .backward()
        .unwrap();
    assert_grad("grad.lfilter.x", &x.grad().unwrap(), &g["grad.lfilter.x"]);
    assert_grad("grad.lfilter.a", &a.grad().unwrap(), &g["grad.lfilter.a"]);
    assert_grad("grad.lfilter.b", &b.grad().unwrap(), &g["grad.lfilter.b"]);

    // f64 end to end, so R17's tolerances apply: 1-D and 2-D (batched and stacked)
    // coefficients, a transposed waveform, and the clamp.
    let opts = GradcheckOptions::default();
    let w: Vec<f64> = (0..40).map(|i| 0.4 * ((i as f64) * 0.7).sin()).collect();
    let w = Tensor::from_vec(w, &[2, 20]).unwrap();
    let a1 = Tensor::from_vec(vec![1.1f64, -0.6, 0.2], &[3]).unwrap();
    let b1 = Tensor::from_vec(vec![0.5f64, 0.3, -0.2], &[3]).unwrap();
    gradcheck(
        |i| F::lfilter(&i[0], &i[1], &i[2], false, true),
        &[w.clone(), a1.clone(), b1.clone()],
        opts,
    )
    .unwrap();
    let wt = w.reshape(&[20, 2]).unwrap().t().unwrap();
    gradcheck(|i| F::lfilter(&i[0], &a1, &b1, true, true), &[wt], opts).unwrap();
    let a2 = Tensor::from_vec(vec![1.0f64, -0.5, 0.9, 0.3], &[2, 2]).unwrap();
    let b2 = Tensor::from_vec(vec![0.5f64, 0.5, 1.0, -1.0], &[2, 2]).unwrap();
    gradcheck(
        |i| F::lfilter(&i[0], &i[1], &i[2], false, true),
        &[w.clone(), a2.clone(), b2.clone()],
        opts,
    )
    .unwrap();
    gradcheck(
        |i| F::lfilter(&i[0], &i[1], &i[2], false, false),
        &[w, a2, b2],
        opts,
    )
    .unwrap();
}
