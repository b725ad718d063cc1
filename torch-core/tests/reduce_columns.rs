//! Reducing the leading dims of row-major data (a bias gradient's `sum(0)`) folds whole rows
//! into a row of accumulators; the results must equal the per-column fold of the same values
//! taken from a transposed copy, for sums (integer-valued, so exact in any order), means,
//! maxima with NaN, argmax ties, on one thread and split across threads.

use torch_core::{DType, Tensor};

/// `rows x cols` integer-valued f32 in [-50, 50), with a NaN and repeated maxima.
fn data(rows: usize, cols: usize) -> Tensor {
    let mut v: Vec<f32> = (0..rows * cols)
        .map(|i| ((i * 7919 + 13) % 100) as f32 - 50.0)
        .collect();
    v[cols + 3] = f32::NAN; // column 3 has a NaN in row 1
    Tensor::from_vec(v, &[rows, cols]).unwrap()
}

fn check(rows: usize, cols: usize) {
    let x = data(rows, cols);
    let xt = x.t().unwrap().contiguous().unwrap(); // each column a contiguous row
    let same = |a: Tensor, b: Tensor, what: &str| {
        let (a, b) = (a.to_vec_f64().unwrap(), b.to_vec_f64().unwrap());
        assert_eq!(a.len(), b.len(), "{what}");
        for (i, (p, q)) in a.iter().zip(&b).enumerate() {
            assert!(
                p == q || (p.is_nan() && q.is_nan()),
                "{what} [{rows}x{cols}] column {i}: {p} vs {q}"
            );
        }
    };
    same(
        x.sum_dim(&[0], false).unwrap(),
        xt.sum_dim(&[1], false).unwrap(),
        "sum",
    );
    same(
        x.amax(&[0], false).unwrap(),
        xt.amax(&[1], false).unwrap(),
        "amax",
    );
    same(
        x.argmax(Some(0), false).unwrap(),
        xt.argmax(Some(1), false).unwrap(),
        "argmax",
    );
    let ints = x
        .nan_to_num(0.0, None, None)
        .unwrap()
        .to_dtype(DType::F64)
        .unwrap();
    let ints_t = ints.t().unwrap().contiguous().unwrap();
    same(
        ints.mean_dim(&[0], true).unwrap().reshape(&[-1]).unwrap(),
        ints_t.mean_dim(&[1], false).unwrap(),
        "mean",
    );
    // Three leading dims reduced at once: (2, rows/2, cols) over (0, 1).
    let x3 = x.reshape(&[2, (rows / 2) as i64, cols as i64]).unwrap();
    same(
        x3.sum_dim(&[0, 1], false).unwrap(),
        xt.sum_dim(&[1], false).unwrap(),
        "sum over (0, 1)",
    );
}

#[test]
fn leading_dim_reductions_equal_the_per_column_fold() {
    for threads in [1, 2] {
        torch_core::set_num_threads(threads);
        check(6, 5);
        check(128, 512); // the MLP's bias gradient
        check(64, 40_000); // many outputs: split across threads
    }
}
