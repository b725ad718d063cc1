//! torch-audio waveform ops against torchaudio 2.11 goldens (`scripts/golden/
//! audio_transforms.py`, same excerpts and tolerances as tests/transforms.rs): Vol, Fade,
//! mu-law, deltas, pre/de-emphasis, lfilter and biquads; masking by its properties (the
//! random stream differs from PyTorch's).

mod common;

use common::{check, golden, speech};
use torch_audio::functional::{self as F, FadeShape};
use torch_audio::transforms::*;
use torch_core::{DType, Tensor};
use torch_nn::Forward;

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
