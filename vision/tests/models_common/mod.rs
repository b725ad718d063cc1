//! Helpers shared by the model tests: the deterministic fill and input of
//! scripts/golden/vision_models.py, and the goldens' paths.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;

use torch_core::autograd::no_grad;
use torch_core::{Result, Tensor};
use torch_nn::Module;

/// `vision/tests/golden/models/<file>`.
pub fn golden_path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/models")
        .join(file)
}

/// The golden tensors of `<file>.safetensors`.
pub fn goldens(file: &str) -> HashMap<String, Tensor> {
    torch_core::io::load_safetensors_map(golden_path(&format!("{file}.safetensors")))
        .unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The script's `formula(name, k, shape)`: s_i = sin(i + 7k) over the flat index, scaled by
/// the kind of tensor the name and rank say it is.
fn formula(name: &str, k: usize, shape: &[usize]) -> Vec<f32> {
    let n: usize = shape.iter().product();
    let fan_in = if shape.is_empty() { 1 } else { n / shape[0] };
    (0..n)
        .map(|i| {
            let s = (i as f64 + 7.0 * k as f64).sin();
            let v = if name.ends_with("running_var") {
                1.0 + 0.5 * s.abs()
            } else if name.ends_with("running_mean") || name.ends_with("bias") {
                0.1 * s
            } else if shape.len() == 1 {
                1.0 + 0.2 * s
            } else {
                s * (3.0 / fan_in as f64).sqrt()
            };
            v as f32
        })
        .collect()
}

/// Overwrites every state-dict tensor of `model` but `num_batches_tracked` with `formula`,
/// in place (the state dict shares the model's storage).
pub fn fill(model: &dyn Module) -> Result<()> {
    let _g = no_grad();
    for (k, (name, t)) in model.state_dict().into_iter().enumerate() {
        if name.ends_with("num_batches_tracked") {
            continue;
        }
        let values = Tensor::from_vec(formula(&name, k, t.shape()), t.shape())?;
        t.copy_(&values)?;
    }
    Ok(())
}

/// The script's `make_input(shape)`: `sin(0.05 i) + 0.3 cos(0.71 i)` over the flat index.
pub fn make_input(shape: &[usize]) -> Result<Tensor> {
    let n: usize = shape.iter().product();
    let v: Vec<f32> = (0..n)
        .map(|i| {
            let i = i as f64;
            ((0.05 * i).sin() + 0.3 * (0.71 * i).cos()) as f32
        })
        .collect();
    Tensor::from_vec(v, shape)
}

/// Largest `|a - e|` and largest `|e|`.
pub fn max_abs_diff(actual: &Tensor, expected: &Tensor) -> (f64, f64) {
    assert_eq!(actual.shape(), expected.shape(), "shape");
    let a = actual.to_vec_f64().expect("readable");
    let e = expected.to_vec_f64().expect("readable");
    let diff = a
        .iter()
        .zip(&e)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    let scale = e.iter().map(|y| y.abs()).fold(0.0, f64::max);
    (diff, scale)
}
