//! Helpers shared by the io tests (io_npy.rs, io_safetensors.rs): the values the golden script
//! `scripts/golden/io.py` writes, sample tensors of every dtype, exact comparison and scratch
//! folders.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use half::{bf16, f16};
use num_complex::Complex32;
use torch_core::{DType, Element, Error, Tensor, TensorOptions};

/// The golden folder of these tests.
pub fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/io")
        .join(name)
}

/// A fresh, empty scratch folder for one test.
pub fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("io_tests")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch folder");
    dir
}

/// The 2x3 array io.py writes for each dtype (`base = arange(6).reshape(2, 3)`).
pub fn expected(dtype: DType) -> Tensor {
    let base = (0..6).map(f64::from);
    let shape = [2, 3];
    let t = match dtype {
        DType::F16 => Tensor::from_vec(
            base.map(|v| f16::from_f64(v * 0.25 - 0.5)).collect(),
            &shape,
        ),
        DType::BF16 => Tensor::from_vec(
            base.map(|v| bf16::from_f64(v * 0.25 - 0.5)).collect(),
            &shape,
        ),
        DType::F32 => Tensor::from_vec(base.map(|v| (v * 0.25 - 0.5) as f32).collect(), &shape),
        DType::F64 => Tensor::from_vec(base.map(|v| v * 0.25 - 0.5).collect(), &shape),
        DType::I8 => Tensor::from_vec(base.map(|v| (v - 3.0) as i8).collect(), &shape),
        DType::I16 => Tensor::from_vec(base.map(|v| (v - 3.0) as i16).collect(), &shape),
        DType::I32 => Tensor::from_vec(base.map(|v| (v - 3.0) as i32).collect(), &shape),
        DType::I64 => Tensor::from_vec(base.map(|v| (v - 3.0) as i64).collect(), &shape),
        DType::U8 => Tensor::from_vec(base.map(|v| (v * 40.0) as u8).collect(), &shape),
        DType::Bool => Tensor::from_vec(base.map(|v| v % 2.0 == 0.0).collect(), &shape),
        DType::C64 => Tensor::from_vec(
            base.map(|v| Complex32::new((v - 1.0) as f32, (v * 0.5) as f32))
                .collect(),
            &shape,
        ),
    };
    t.expect("expected tensor")
}

/// io.py's `a3 = arange(24).reshape(2, 3, 4) * 0.5 - 3` in f32.
pub fn a3() -> Tensor {
    let v: Vec<f32> = (0..24).map(|i| i as f32 * 0.5 - 3.0).collect();
    Tensor::from_vec(v, &[2, 3, 4]).expect("a3")
}

/// A tensor of `dtype` and `shape` with distinct, exactly representable values (negative ones
/// included where the dtype has them; complex parts differ).
pub fn sample(dtype: DType, shape: &[usize]) -> Tensor {
    let n: usize = shape.iter().product();
    if n == 0 {
        return Tensor::zeros(shape, TensorOptions::default().dtype(dtype)).expect("empty");
    }
    let vals = (0..n).map(|i| i as f64 * 0.75 - 3.0);
    torch_core::with_dtype!(dtype, T, {
        let v: Vec<T> = if dtype == DType::C64 {
            vals.map(|x| <T as Element>::from_c64(Complex32::new(x as f32, -2.0 * x as f32)))
                .collect()
        } else if dtype == DType::Bool {
            (0..n)
                .map(|i| <T as Element>::from_f64((i % 3 == 1) as u8 as f64))
                .collect()
        } else if dtype == DType::U8 {
            (0..n)
                .map(|i| <T as Element>::from_f64((i * 7 % 256) as f64))
                .collect()
        } else {
            vals.map(<T as Element>::from_f64).collect()
        };
        Tensor::from_vec(v, shape).expect("sample tensor")
    })
}

/// Asserts equal dtype, shape and bit-exact values.
pub fn assert_same(actual: &Tensor, expected: &Tensor) {
    assert_eq!(actual.dtype(), expected.dtype(), "dtype");
    assert_eq!(actual.shape(), expected.shape(), "shape");
    if expected.numel() == 0 {
        return; // nothing to compare
    }
    torch_core::with_dtype!(expected.dtype(), T, {
        let a = actual.to_vec::<T>().expect("actual values");
        let e = expected.to_vec::<T>().expect("expected values");
        assert_eq!(a, e, "values of {:?} tensor", expected.dtype());
    })
}

/// Asserts that `result` is `Error::Format` for `path` and that its message names the path and
/// contains every one of `needles`.
pub fn assert_format_error<T: std::fmt::Debug>(
    result: torch_core::Result<T>,
    path: &Path,
    needles: &[&str],
) {
    let err = result.expect_err("expected a Format error");
    let msg = err.to_string();
    match &err {
        Error::Format { path: p, .. } => assert_eq!(p, path, "{msg}"),
        other => panic!("expected Error::Format, got {other:?}"),
    }
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    for n in needles {
        assert!(msg.contains(n), "`{n}` missing from: {msg}");
    }
}

/// Writes `bytes` to `dir/name` and returns the path.
pub fn write_bytes(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write test file");
    p
}

/// Names of files in `dir` (to check that writers leave no temporary files behind).
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}
