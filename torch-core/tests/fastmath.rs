//! The branch-free f32 `erf` (behind `Tensor::erf` and exact `gelu`) and the fast softmax
//! row (`exp` + vectorised sum) against the same ops computed in f64 (libm).

use torch_core::testing::assert_close_tol;
use torch_core::{DType, Result, Tensor, TensorOptions};

fn grid(lo: f64, hi: f64, n: usize) -> Result<Tensor> {
    Tensor::linspace(lo, hi, n, TensorOptions::default())
}

#[test]
fn f32_erf_and_gelu_match_f64() -> Result<()> {
    let x = grid(-7.0, 7.0, 20001)?;
    let x64 = x.to_dtype(DType::F64)?;
    // The approximation's absolute error is below 5e-7 (a few f32 ulp near 1).
    let want = x64.erf()?.to_dtype(DType::F32)?;
    assert_close_tol(&x.erf()?, &want, 0.0, 1e-6);
    let want = x64.gelu("none")?.to_dtype(DType::F32)?;
    assert_close_tol(&x.gelu("none")?, &want, 1.3e-6, 1e-5);
    let special = Tensor::from_vec(vec![f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.0], &[4])?;
    let got = special.erf()?.to_vec::<f32>()?;
    assert!(got[0].is_nan());
    assert_eq!(&got[1..], &[1.0, -1.0, 0.0]);
    Ok(())
}

#[test]
fn f32_softmax_rows_match_f64() -> Result<()> {
    for n in [1usize, 7, 8, 33, 128, 1000] {
        // Values spread over +-90 so exp covers its whole range after the max is taken off.
        let x = grid(-90.0, 90.0, 3 * n)?
            .reshape(&[3, n as i64])?
            .flip(&[1])?
            .contiguous()?;
        let x64 = x.to_dtype(DType::F64)?;
        for log in [false, true] {
            let (got, want) = if log {
                (x.log_softmax(-1)?, x64.log_softmax(-1)?)
            } else {
                (x.softmax(-1)?, x64.softmax(-1)?)
            };
            assert_close_tol(&got, &want.to_dtype(DType::F32)?, 1e-5, 1e-6);
        }
    }
    // Masked (-inf) entries get exactly 0; a NaN spreads over its row, as in PyTorch.
    let x = Tensor::from_vec(
        vec![1.0f32, f32::NEG_INFINITY, 2.0, 0.5, f32::NAN, 0.0],
        &[2, 3],
    )?;
    let y = x.softmax(-1)?.to_vec::<f32>()?;
    assert_eq!(y[1], 0.0);
    assert!((y[0] + y[2] - 1.0).abs() < 1e-6 && (y[2] / y[0] - 1f32.exp()).abs() < 1e-5);
    assert!(y[3..].iter().all(|v| v.is_nan()));
    // A +inf makes the whole row NaN (torch.softmax([inf, 1, -inf]) = [nan, nan, nan]), in f32
    // and f64, softmax and log_softmax.
    let x = Tensor::from_vec(vec![f32::INFINITY, 1.0, f32::NEG_INFINITY], &[3])?;
    for x in [x.clone(), x.to_dtype(DType::F64)?] {
        for y in [x.softmax(-1)?, x.log_softmax(-1)?] {
            let y = y.to_dtype(DType::F32)?.to_vec::<f32>()?;
            assert!(y.iter().all(|v| v.is_nan()), "{y:?}");
        }
    }
    Ok(())
}
