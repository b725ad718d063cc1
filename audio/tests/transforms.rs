//! torch-audio functional and transforms against torchaudio 2.11 goldens made by
//! `scripts/golden/audio_transforms.py` on two 75 ms excerpts of a LibriVox recording.
//! Tolerances: rtol 1e-4 with an atol of 1e-4 of each output's largest magnitude (f32
//! FFTs and sums of hundreds of terms differ in the last bits); decibels within 1e-3 dB.

use std::collections::HashMap;

use torch_audio::functional::{
    self as F, FadeShape, MelScaleType, Normalized, ResampleOptions, ResamplingMethod,
};
use torch_audio::io::{LoadOptions, load};
use torch_audio::transforms::*;
use torch_core::testing::{load_golden, shared_data};
use torch_core::{DType, Result, Tensor};
use torch_nn::{Forward, Module};

fn golden() -> HashMap<String, Tensor> {
    load_golden(env!("CARGO_MANIFEST_DIR"), "transforms").unwrap()
}

/// The script's input: samples 16000..17200 and 24000..25200 of -0880.wav, `(2, 1200)`.
fn speech() -> Tensor {
    let path = shared_data().join("audio/librivox/sense_and_sensibility_01_austen_64kb-0880.wav");
    let (y, _) = load(path, LoadOptions::default()).unwrap();
    let a = y.narrow(1, 16000, 1200).unwrap();
    let b = y.narrow(1, 24000, 1200).unwrap();
    Tensor::cat(&[&a, &b], 0).unwrap()
}

fn max_abs(t: &Tensor) -> f64 {
    t.to_vec_f64()
        .unwrap()
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()))
}

/// `|a - e| <= 1e-4 |e| + 1e-4 max|e|` (complex as (re, im) pairs), shapes and dtypes equal.
fn check(g: &HashMap<String, Tensor>, key: &str, actual: Result<Tensor>) {
    let e = g.get(key).unwrap_or_else(|| panic!("missing golden {key}"));
    let a = actual.unwrap_or_else(|err| panic!("{key}: {err}"));
    assert_eq!(a.dtype(), e.dtype(), "{key}: dtype");
    assert_eq!(a.shape(), e.shape(), "{key}: shape");
    let (a, e) = if a.dtype().is_complex() {
        (a.view_as_real().unwrap(), e.view_as_real().unwrap())
    } else {
        (a, e.clone())
    };
    let atol = 1e-4 * max_abs(&e);
    close(key, &a, &e, 1e-4, atol);
}

fn close(key: &str, a: &Tensor, e: &Tensor, rtol: f64, atol: f64) {
    let (av, ev) = (a.to_vec_f64().unwrap(), e.to_vec_f64().unwrap());
    for (i, (x, y)) in av.iter().zip(&ev).enumerate() {
        assert!(
            (x - y).abs() <= atol + rtol * y.abs(),
            "{key}[{i}]: {x} vs {y} (atol {atol})"
        );
    }
}

/// Decibel outputs: absolute dB.
fn check_db(g: &HashMap<String, Tensor>, key: &str, actual: Result<Tensor>) {
    let a = actual.unwrap();
    assert_eq!(a.shape(), g[key].shape(), "{key}");
    close(key, &a, &g[key], 0.0, 1e-3);
}

fn spec(o: SpectrogramOptions) -> Spectrogram {
    Spectrogram::new(o).unwrap()
}

#[test]
fn spectrogram_variants_match_torchaudio() {
    let (g, x) = (golden(), speech());
    check(&g, "spec.default", spec(Default::default()).forward(&x));
    let so = |n_fft, hop| SpectrogramOptions {
        n_fft,
        hop_length: Some(hop),
        ..Default::default()
    };
    check(
        &g,
        "spec.complex_norm",
        spec(SpectrogramOptions {
            power: None,
            normalized: Normalized::Window,
            ..so(256, 64)
        })
        .forward(&x),
    );
    let hamming = |n| F::hamming_window(n, true);
    check(
        &g,
        "spec.hamming_p1_nocenter",
        spec(SpectrogramOptions {
            win_length: Some(100),
            window_fn: hamming,
            power: Some(1.0),
            center: false,
            ..so(128, 50)
        })
        .forward(&x),
    );
    check(
        &g,
        "spec.pad_const_framelen",
        spec(SpectrogramOptions {
            n_fft: 64,
            pad: 10,
            pad_mode: "constant",
            normalized: Normalized::FrameLength,
            ..Default::default()
        })
        .forward(&x),
    );
    // [..., time] batching: a 3-D input gives the same rows.
    let s3 = spec(Default::default())
        .forward(&x.unsqueeze(0).unwrap())
        .unwrap();
    assert_eq!(s3.shape(), &[1, 2, 201, 7]);
}

#[test]
fn inverse_spectrogram_and_griffinlim_match_torchaudio() {
    let (g, x) = (golden(), speech());
    let so = SpectrogramOptions {
        n_fft: 256,
        hop_length: Some(64),
        power: None,
        ..Default::default()
    };
    let cplx = spec(so).forward(&x).unwrap();
    check(
        &g,
        "inverse.len1200",
        InverseSpectrogram::new(so)
            .unwrap()
            .forward_length(&cplx, Some(1200)),
    );
    let sn = SpectrogramOptions {
        normalized: Normalized::Window,
        pad: 10,
        ..so
    };
    let c2 = spec(sn).forward(&x).unwrap();
    check(
        &g,
        "inverse.norm_pad",
        InverseSpectrogram::new(sn)
            .unwrap()
            .forward_length(&c2, Some(1200)),
    );
    let gl = |o: GriffinLimOptions| GriffinLim::new(o).unwrap();
    let go = GriffinLimOptions {
        n_fft: 256,
        hop_length: Some(64),
        rand_init: false,
        ..Default::default()
    };
    let power = cplx.abs().unwrap().pow_scalar(2.0).unwrap();
    check(
        &g,
        "griffinlim",
        gl(GriffinLimOptions {
            n_iter: 8,
            length: Some(1200),
            ..go
        })
        .forward(&power),
    );
    check(
        &g,
        "griffinlim.nomomentum_p1",
        gl(GriffinLimOptions {
            n_iter: 4,
            momentum: 0.0,
            power: 1.0,
            ..go
        })
        .forward(&cplx.abs().unwrap()),
    );
}

#[test]
fn filterbanks_and_dct_match_torchaudio() {
    let g = golden();
    check(
        &g,
        "fb.htk",
        F::melscale_fbanks(129, 0.0, 8000.0, 40, 16000, false, MelScaleType::Htk),
    );
    check(
        &g,
        "fb.slaney",
        F::melscale_fbanks(129, 50.0, 7600.0, 64, 16000, true, MelScaleType::Slaney),
    );
    check(
        &g,
        "fb.linear",
        F::linear_fbanks(129, 0.0, 8000.0, 20, 16000),
    );
    check(&g, "dct.ortho", F::create_dct(13, 40, Some("ortho")));
    check(&g, "dct.none", F::create_dct(13, 40, None));
    assert!(F::create_dct(13, 40, Some("forward")).is_err());
}

fn mel_opts(n_fft: usize, hop: usize) -> SpectrogramOptions {
    SpectrogramOptions {
        n_fft,
        hop_length: Some(hop),
        ..Default::default()
    }
}

#[test]
fn mel_mfcc_lfcc_match_torchaudio() {
    let (g, x) = (golden(), speech());
    let mel80 = MelScaleOptions {
        n_mels: 80,
        ..Default::default()
    };
    let m = MelSpectrogram::new(mel_opts(400, 160), mel80).unwrap();
    check(&g, "mel.80", m.forward(&x));
    let keys: Vec<String> = m.state_dict().keys().map(String::from).collect();
    assert_eq!(
        keys,
        vec!["spectrogram.window".to_string(), "mel_scale.fb".to_string()]
    );
    let slaney = MelScaleOptions {
        n_mels: 64,
        f_min: 50.0,
        f_max: Some(7000.0),
        slaney_norm: true,
        mel_scale: MelScaleType::Slaney,
        ..Default::default()
    };
    let so = SpectrogramOptions {
        power: Some(1.0),
        ..mel_opts(512, 128)
    };
    check(
        &g,
        "mel.slaney",
        MelSpectrogram::new(so, slaney).unwrap().forward(&x),
    );
    check(
        &g,
        "mfcc.40",
        MFCC::new(CepstralOptions::default(), mel_opts(400, 160), mel80)
            .unwrap()
            .forward(&x),
    );
    let logmel = CepstralOptions {
        n_coeffs: 13,
        ortho: false,
        log: true,
        ..Default::default()
    };
    check(
        &g,
        "mfcc.logmels",
        MFCC::new(logmel, Default::default(), Default::default())
            .unwrap()
            .forward(&x),
    );
    let lf = CepstralOptions {
        n_coeffs: 20,
        ..Default::default()
    };
    check(
        &g,
        "lfcc.20",
        LFCC::new(16000, 64, 0.0, None, lf, mel_opts(400, 160))
            .unwrap()
            .forward(&x),
    );
    let too_many = CepstralOptions {
        n_coeffs: 100,
        ..Default::default()
    };
    assert!(MFCC::new(too_many, Default::default(), mel80).is_err());
}

#[test]
fn amplitude_to_db_matches_torchaudio_in_absolute_db() {
    let g = golden();
    check_db(
        &g,
        "db.power_top80",
        AmplitudeToDB::new("power", Some(80.0))
            .unwrap()
            .forward(&g["spec.default"]),
    );
    check_db(
        &g,
        "db.magnitude",
        AmplitudeToDB::new("magnitude", None)
            .unwrap()
            .forward(&g["spec.hamming_p1_nocenter"]),
    );
    let mel4 = g["mel.80"].reshape(&[2, 1, 80, -1]).unwrap();
    check_db(
        &g,
        "db.batched_top40",
        AmplitudeToDB::new("power", Some(40.0))
            .unwrap()
            .forward(&mel4),
    );
    let back = F::DB_to_amplitude(&g["db.magnitude"], 1.0, 0.5).unwrap();
    let floor = g["spec.hamming_p1_nocenter"]
        .clamp(Some(1e-10), None)
        .unwrap();
    close("DB_to_amplitude", &back, &floor, 1e-5, 1e-12);
}

#[test]
fn resample_matches_torchaudio() {
    let (g, x) = (golden(), speech());
    check(
        &g,
        "resample.8000",
        F::resample(&x, 16000, 8000, ResampleOptions::default()),
    );
    let x600 = x.narrow(1, 0, 600).unwrap();
    let kaiser = ResampleOptions {
        lowpass_filter_width: 16,
        rolloff: 0.95,
        resampling_method: ResamplingMethod::SincInterpKaiser { beta: None },
    };
    check(
        &g,
        "resample.44100_kaiser",
        F::resample(&x600, 16000, 44100, kaiser),
    );
    let beta8 = ResampleOptions {
        resampling_method: ResamplingMethod::SincInterpKaiser { beta: Some(8.0) },
        ..Default::default()
    };
    check(
        &g,
        "resample.22050_beta8",
        F::resample(&x600, 16000, 22050, beta8),
    );
    check(
        &g,
        "Resample.12000",
        Resample::new(16000, 12000, ResampleOptions::default())
            .unwrap()
            .forward(&x),
    );
    assert!(F::resample(&x, 0, 8000, ResampleOptions::default()).is_err());
}

#[test]
fn pointwise_transforms_match_torchaudio() {
    let (g, x) = (golden(), speech());
    check(
        &g,
        "vol.amp2",
        Vol::new(2.0, "amplitude").unwrap().forward(&x),
    );
    check(&g, "vol.db6", Vol::new(6.0, "db").unwrap().forward(&x));
    check(
        &g,
        "vol.power0.5",
        Vol::new(0.5, "power").unwrap().forward(&x),
    );
    assert!(Vol::new(-1.0, "amplitude").is_err());
    for (name, shape) in [
        ("linear", FadeShape::Linear),
        ("exponential", FadeShape::Exponential),
        ("logarithmic", FadeShape::Logarithmic),
        ("quarter_sine", FadeShape::QuarterSine),
        ("half_sine", FadeShape::HalfSine),
    ] {
        check(
            &g,
            &format!("fade.{name}"),
            Fade::new(500, 800, shape).forward(&x),
        );
    }
    let enc = F::mu_law_encoding(&x, 256).unwrap();
    assert_eq!(enc.dtype(), DType::I64);
    assert_eq!(
        enc.to_vec::<i64>().unwrap(),
        g["mulaw.enc"].to_vec::<i64>().unwrap()
    );
    check(
        &g,
        "mulaw.dec",
        MuLawDecoding::new(256).forward(&g["mulaw.enc"]),
    );
    assert_eq!(
        MuLawEncoding::new(16)
            .forward(&x)
            .unwrap()
            .to_vec::<i64>()
            .unwrap(),
        g["mulaw.enc16"].to_vec::<i64>().unwrap()
    );
    check(
        &g,
        "deltas.5",
        ComputeDeltas::new(5, "replicate").forward(&g["mel.80"]),
    );
    check(
        &g,
        "deltas.7",
        F::compute_deltas(&g["mel.80"], 7, "replicate"),
    );
    assert!(F::compute_deltas(&g["mel.80"], 2, "replicate").is_err());
}

#[test]
fn filters_match_torchaudio() {
    let (g, x) = (golden(), speech());
    check(&g, "preemphasis", F::preemphasis(&x, 0.97));
    check(
        &g,
        "deemphasis",
        F::deemphasis(&x.mul_scalar(0.2).unwrap(), 0.95),
    );
    let t = |v: Vec<f32>, s: &[usize]| Tensor::from_vec(v, s).unwrap();
    let (a3, b3) = (t(vec![1.0, -1.2, 0.5], &[3]), t(vec![0.3, 0.2, 0.1], &[3]));
    check(&g, "lfilter.3", F::lfilter(&x, &a3, &b3, true, true));
    let a2 = t(vec![1.0, -0.9, 1.0, 0.5], &[2, 2]);
    let b2 = t(vec![0.5, 0.5, 1.0, -1.0], &[2, 2]);
    check(&g, "lfilter.batched", F::lfilter(&x, &a2, &b2, false, true));
    check(&g, "lfilter.stacked", F::lfilter(&x, &a2, &b2, true, false));
    check(
        &g,
        "lowpass.1000",
        F::lowpass_biquad(&x, 16000, 1000.0, 0.707),
    );
    check(
        &g,
        "highpass.2000_q0.5",
        F::highpass_biquad(&x, 16000, 2000.0, 0.5),
    );
    check(
        &g,
        "bandpass.1500",
        F::bandpass_biquad(&x, 16000, 1500.0, 0.707, false),
    );
    check(
        &g,
        "bandpass.1500_skirt",
        F::bandpass_biquad(&x, 16000, 1500.0, 2.0, true),
    );
    assert!(F::lfilter(&x, &a3, &b2, true, true).is_err());
    let x3 = x.unsqueeze(0).unwrap();
    assert!(F::lfilter(&x3.narrow(1, 0, 1).unwrap(), &a2, &b2, true, true).is_err());
}

#[test]
fn masking_fills_one_band_below_the_limit() {
    let g = golden();
    let s = g["spec.default"].unsqueeze(0).unwrap(); // (1, 2, 201, 7)
    let mut fm = FrequencyMasking(30, false);
    fm.generator = Some(torch_core::Generator::new(3));
    for _ in 0..5 {
        let m = fm.forward(&s).unwrap();
        let v = m.to_vec_f64().unwrap();
        let orig = s.to_vec_f64().unwrap();
        // The same masked rows for both channels; a contiguous band shorter than 30.
        let masked_rows = |c: usize| -> Vec<usize> {
            (0..201)
                .filter(|&f| {
                    (0..7).all(|t| {
                        v[c * 1407 + f * 7 + t] == 0.0 && orig[c * 1407 + f * 7 + t] != 0.0
                    })
                })
                .collect()
        };
        let (r0, r1) = (masked_rows(0), masked_rows(1));
        assert_eq!(r0, r1);
        assert!(r0.len() < 30);
        if let (Some(a), Some(b)) = (r0.first(), r0.last()) {
            assert_eq!(b - a + 1, r0.len());
        }
        let changed = v.iter().zip(&orig).filter(|(a, b)| a != b).count();
        assert_eq!(changed, 2 * 7 * r0.len());
    }
    let mut tm = TimeMasking(4, true, 1.0);
    tm.generator = Some(torch_core::Generator::new(5));
    let m = tm.forward(&s).unwrap();
    assert_eq!(m.shape(), s.shape());
    let direct = F::mask_range(&g["spec.default"], 2, 5, -1.0, -1)
        .unwrap()
        .to_vec_f64()
        .unwrap();
    for (i, v) in direct.iter().enumerate() {
        let t = i % 7;
        assert_eq!(*v == -1.0, (2..5).contains(&t));
    }
}
