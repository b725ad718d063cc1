//! `scatter`/`scatter_add` along the last dim with contiguous operands (max pooling's
//! backward) run rows in parallel: the values must equal the strided path's, bit for bit,
//! and a bad index must give the same error.

use torch_core::{DType, Generator, Tensor, TensorOptions};

/// A non-contiguous tensor with `t`'s values.
fn strided(t: &Tensor) -> Tensor {
    Tensor::stack(&[t, t], -1).unwrap().select(-1, 0).unwrap()
}

#[test]
fn last_dim_scatter_equals_the_strided_path_at_any_thread_count() {
    let g = Generator::new(11);
    // 64 x 32 planes of 26 x 26 positions pooled to 13 x 13, as the CNN step's first pool;
    // indices repeat within a row so additions into one slot must keep their order.
    let (rows, size, l) = (64 * 32, 26 * 26, 13 * 13);
    let opts = TensorOptions::default();
    let index = g
        .randint(0, size as i64, &[64, 32, l], opts.dtype(DType::I64))
        .unwrap();
    let src = g.uniform(&[64, 32, l], -1.0, 1.0, opts).unwrap();
    let base = g.uniform(&[64, 32, size], -1.0, 1.0, opts).unwrap();
    assert_eq!(index.numel(), rows * l);
    for threads in [1, 2] {
        torch_core::set_num_threads(threads);
        for add in [true, false] {
            let run = |s: &Tensor| {
                if add {
                    base.scatter_add(2, &index, s).unwrap()
                } else {
                    base.scatter(2, &index, s).unwrap()
                }
            };
            let fast = run(&src).to_vec::<f32>().unwrap();
            let general = run(&strided(&src)).to_vec::<f32>().unwrap();
            assert!(
                fast.iter()
                    .zip(&general)
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            );
            assert_ne!(fast, base.to_vec::<f32>().unwrap());
        }
    }
}

#[test]
fn last_dim_scatter_reports_a_bad_index_like_the_strided_path() {
    let base = Tensor::zeros(&[3, 4], TensorOptions::default()).unwrap();
    let src = Tensor::ones(&[3, 2], TensorOptions::default()).unwrap();
    let index = Tensor::from_slice(&[0i64, 1, 2, 7, 3, -9], &[3, 2]).unwrap();
    let fast = base.scatter_add(1, &index, &src).unwrap_err().to_string();
    let general = base
        .scatter_add(1, &index, &strided(&src))
        .unwrap_err()
        .to_string();
    assert_eq!(fast, general);
    assert!(fast.contains('7'), "{fast}");
}
