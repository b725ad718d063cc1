//! Helpers shared by the transform tests: the torchaudio goldens, the speech excerpts they
//! were computed on, and the comparison with per-output tolerances.
#![allow(dead_code)]

use std::collections::HashMap;

use torch_audio::io::{LoadOptions, load};
use torch_core::testing::{load_golden, shared_data};
use torch_core::{Result, Tensor};

pub fn golden() -> HashMap<String, Tensor> {
    load_golden(env!("CARGO_MANIFEST_DIR"), "transforms").unwrap()
}

/// The script's input: samples 16000..17200 and 24000..25200 of -0880.wav, `(2, 1200)`.
pub fn speech() -> Tensor {
    let path = shared_data().join("audio/librivox/sense_and_sensibility_01_austen_64kb-0880.wav");
    let (y, _) = load(path, LoadOptions::default()).unwrap();
    let a = y.narrow(1, 16000, 1200).unwrap();
    let b = y.narrow(1, 24000, 1200).unwrap();
    Tensor::cat(&[&a, &b], 0).unwrap()
}

pub fn max_abs(t: &Tensor) -> f64 {
    t.to_vec_f64()
        .unwrap()
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()))
}

/// `|a - e| <= 1e-4 |e| + 1e-4 max|e|` (complex as (re, im) pairs), shapes and dtypes equal.
pub fn check(g: &HashMap<String, Tensor>, key: &str, actual: Result<Tensor>) {
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

pub fn close(key: &str, a: &Tensor, e: &Tensor, rtol: f64, atol: f64) {
    let (av, ev) = (a.to_vec_f64().unwrap(), e.to_vec_f64().unwrap());
    for (i, (x, y)) in av.iter().zip(&ev).enumerate() {
        assert!(
            (x - y).abs() <= atol + rtol * y.abs(),
            "{key}[{i}]: {x} vs {y} (atol {atol})"
        );
    }
}

/// Decibel outputs: absolute dB.
pub fn check_db(g: &HashMap<String, Tensor>, key: &str, actual: Result<Tensor>) {
    let a = actual.unwrap();
    assert_eq!(a.shape(), g[key].shape(), "{key}");
    close(key, &a, &g[key], 0.0, 1e-3);
}
