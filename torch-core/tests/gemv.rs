//! The f32 matrix-vector fast path (`ops/matmul/gemv.rs`, taken when a product has one row)
//! against gemm: the same row computed inside a two-row product (which gemm runs) must agree,
//! for row- and column-major weights, addmm's bias and scales, batches, a strided row, odd
//! sizes and one or two threads.

use torch_core::testing::assert_close_tol;
use torch_core::{Result, Tensor, TensorOptions};

fn randn(shape: &[usize]) -> Result<Tensor> {
    Tensor::randn(shape, TensorOptions::default())
}

/// `x (1, K)` stacked over a second random row: gemm's input for the same first row.
fn with_second_row(x: &Tensor) -> Result<Tensor> {
    Tensor::cat(&[x, &randn(x.shape())?], 0)
}

// Sums of up to 3072 f32 products in another order than gemm's: rounding differs by a few
// ulp of the partial sums (whose size grows with K), above assert_close's f32 default.
const RTOL: f64 = 1e-5;
const ATOL: f64 = 1e-4;

/// The absolute tolerance for sums of `k` products: partial sums of N(0, 1) products reach
/// about sqrt(k), and their rounding errors add up over the k steps.
fn atol(k: usize) -> f64 {
    ATOL * (k as f64 / 256.0).max(1.0)
}

const SIZES: [(usize, usize); 5] = [(1, 1), (7, 5), (33, 2049), (768, 3072), (3072, 768)];

#[test]
fn gemv_matches_gemm_row_and_column_major_weights() -> Result<()> {
    for threads in [1, 2] {
        torch_core::set_num_threads(threads);
        for (k, n) in SIZES {
            let x = randn(&[1, k])?;
            let x2 = with_second_row(&x)?;
            // Row-major (K, N), as GPT-2's Conv1D weight.
            let b = randn(&[k, n])?;
            let got = x.mm(&b)?;
            assert_close_tol(&got, &x2.mm(&b)?.narrow(0, 0, 1)?, RTOL, atol(k));
            // Column-major: a Linear weight (N, K) through .t().
            let w = randn(&[n, k])?;
            let got = x.mm(&w.t()?)?;
            assert_close_tol(&got, &x2.mm(&w.t()?)?.narrow(0, 0, 1)?, RTOL, atol(k));
            let mut expect = vec![0.0f64; n];
            let (xv, wv) = (x.to_vec_f64()?, w.to_vec_f64()?);
            for (j, e) in expect.iter_mut().enumerate() {
                *e = (0..k).map(|p| xv[p] * wv[j * k + p]).sum();
            }
            let expect = Tensor::from_vec(expect, &[1, n])?.to_dtype(got.dtype())?;
            assert_close_tol(&got, &expect, RTOL, atol(k));
        }
    }
    Ok(())
}

#[test]
fn gemv_addmm_bias_and_scales_match_gemm() -> Result<()> {
    for threads in [1, 2] {
        torch_core::set_num_threads(threads);
        for (k, n) in SIZES {
            let (x, w, bias) = (randn(&[1, k])?, randn(&[n, k])?, randn(&[n])?);
            let x2 = with_second_row(&x)?;
            let got = bias.addmm(&x, &w.t()?, 0.5, 2.0)?;
            let want = bias.addmm(&x2, &w.t()?, 0.5, 2.0)?.narrow(0, 0, 1)?;
            assert_close_tol(&got, &want, RTOL, atol(k));
            let b = randn(&[k, n])?;
            let got = bias.addmm(&x, &b, 1.0, 1.0)?;
            let want = bias.addmm(&x2, &b, 1.0, 1.0)?.narrow(0, 0, 1)?;
            assert_close_tol(&got, &want, RTOL, atol(k));
        }
    }
    Ok(())
}

#[test]
fn gemv_batched_and_strided_rows_match_gemm() -> Result<()> {
    for threads in [1, 2] {
        torch_core::set_num_threads(threads);
        // Decoding attention: q (B, 1, hs) @ k^T (B, hs, S), k (B, S, hs) contiguous.
        let (q, keys) = (randn(&[12, 1, 64])?, randn(&[12, 37, 64])?);
        let q2 = Tensor::cat(&[&q, &randn(&[12, 1, 64])?], 1)?;
        let got = q.bmm(&keys.transpose(1, 2)?)?;
        let want = q2.bmm(&keys.transpose(1, 2)?)?.narrow(1, 0, 1)?;
        assert_close_tol(&got, &want, RTOL, ATOL);
        // A row read with a stride (a column of a matrix, transposed).
        let m = randn(&[300, 4])?;
        let row = m.narrow(1, 1, 1)?.t()?; // (1, 300), stride 4 along K
        let b = randn(&[300, 513])?;
        let want = row.contiguous()?.mm(&b)?;
        assert_close_tol(&row.mm(&b)?, &want, RTOL, ATOL);
        let want = with_second_row(&row.contiguous()?)?
            .mm(&b)?
            .narrow(0, 0, 1)?;
        assert_close_tol(&row.mm(&b)?, &want, RTOL, ATOL);
    }
    Ok(())
}
