//! Test helpers: `shared_data()` (the one way tests find `../shared/data`), `assert_close`
//! with per-dtype tolerances, and golden loading.

use std::path::PathBuf;

use std::collections::HashMap;

use crate::{DType, Result, Tensor};

/// The shared data folder: `$TORCH_SHARED_DATA`, else `<workspace>/../shared/data`.
pub fn shared_data() -> PathBuf {
    if let Ok(p) = std::env::var("TORCH_SHARED_DATA") {
        return PathBuf::from(p);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data")
}

/// `(rtol, atol)` per dtype, as `torch.testing.assert_close` uses.
pub fn tolerances(dtype: DType) -> (f64, f64) {
    match dtype {
        DType::F16 => (1e-3, 1e-5),
        DType::BF16 => (1.6e-2, 1e-5),
        DType::F32 | DType::C64 => (1.3e-6, 1e-5),
        DType::F64 => (1e-7, 1e-7),
        _ => (0.0, 0.0),
    }
}

/// Checks shape and values (`|a - e| <= atol + rtol |e|`, NaN equal to NaN) with the
/// default tolerances of `actual`'s dtype; the message names the first mismatch.
pub fn assert_close(actual: &Tensor, expected: &Tensor) {
    let (rtol, atol) = tolerances(actual.dtype());
    assert_close_tol(actual, expected, rtol, atol);
}

/// `assert_close` with explicit tolerances.
pub fn assert_close_tol(actual: &Tensor, expected: &Tensor, rtol: f64, atol: f64) {
    assert_eq!(actual.shape(), expected.shape(), "shape mismatch");
    let (a, e) = (
        actual.to_vec_f64().expect("readable tensor"),
        expected.to_vec_f64().expect("readable tensor"),
    );
    for (i, (x, y)) in a.iter().zip(&e).enumerate() {
        let ok = (x.is_nan() && y.is_nan()) || x == y || (x - y).abs() <= atol + rtol * y.abs();
        assert!(
            ok,
            "mismatch at flat index {i}: actual {x}, expected {y} (rtol {rtol}, atol {atol})"
        );
    }
}

/// Loads the golden tensors of a test file from `<crate>/tests/golden/<name>.safetensors`.
pub fn load_golden(
    crate_dir: &str,
    name: &str,
) -> Result<std::collections::HashMap<String, Tensor>> {
    let path = PathBuf::from(crate_dir)
        .join("tests/golden")
        .join(format!("{name}.safetensors"));
    crate::io::load_safetensors_map(path)
}

/// Compares `actual` with the golden tensor `key`: dtype, shape and values within the
/// tolerances of its dtype (complex tensors as `(re, im)` pairs); panics naming `key`.
pub fn assert_golden(goldens: &HashMap<String, Tensor>, key: &str, actual: Result<Tensor>) {
    let dtype = goldens.get(key).map_or(DType::F32, |t| t.dtype());
    let (rtol, atol) = tolerances(dtype.to_real());
    assert_golden_tol(goldens, key, actual, rtol, atol);
}

/// `assert_golden` with explicit tolerances.
pub fn assert_golden_tol(
    goldens: &HashMap<String, Tensor>,
    key: &str,
    actual: Result<Tensor>,
    rtol: f64,
    atol: f64,
) {
    let expected = goldens
        .get(key)
        .unwrap_or_else(|| panic!("missing golden {key}"));
    let actual = actual.unwrap_or_else(|e| panic!("{key}: {e}"));
    assert_eq!(actual.dtype(), expected.dtype(), "{key}: dtype");
    assert_eq!(actual.shape(), expected.shape(), "{key}: shape");
    let (a, e) = if actual.dtype().is_complex() {
        (
            actual.view_as_real().expect("complex view"),
            expected.view_as_real().expect("complex view"),
        )
    } else {
        (actual, expected.clone())
    };
    if std::panic::catch_unwind(|| assert_close_tol(&a, &e, rtol, atol)).is_err() {
        panic!("{key}: values differ\nactual {a}\nexpected {e}");
    }
}
