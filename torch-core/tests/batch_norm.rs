//! The fused `batch_norm` primitive against the composite definition (means, biased variance,
//! rsqrt), its fused backward against the differentiable rule it switches to under
//! `create_graph`, finite differences in f64 for first and second derivatives, the running
//! statistics update, and its errors. (PyTorch goldens: torch-nn's `layers_golden.rs`.)

use torch_core::autograd::{self, GradOptions, GradcheckOptions, gradcheck, gradgradcheck};
use torch_core::ops::batch_norm::RunningStats;
use torch_core::testing::assert_close_tol;
use torch_core::{DType, Generator, Result, Tensor, TensorOptions};

fn rand(g: &Generator, shape: &[usize], dtype: DType) -> Tensor {
    g.uniform(shape, -1.0, 2.0, TensorOptions::default().dtype(dtype))
        .unwrap()
}

/// `(x - mean) / sqrt(var + eps) * w + b` from separate ops, batch statistics.
fn composite(x: &Tensor, w: &Tensor, b: &Tensor, eps: f64) -> Result<Tensor> {
    let dims: Vec<i64> = (0..x.dim() as i64).filter(|&d| d != 1).collect();
    let mut shape = vec![1i64; x.dim()];
    shape[1] = x.shape()[1] as i64;
    let mean = x.mean_dim(&dims, true)?;
    let xc = x.sub(&mean)?;
    let var = xc.mul(&xc)?.mean_dim(&dims, true)?;
    xc.mul(&var.add_scalar(eps)?.rsqrt()?)?
        .mul(&w.reshape(&shape)?)?
        .add(&b.reshape(&shape)?)
}

#[test]
fn training_forward_matches_the_composite_for_every_rank() {
    let g = Generator::new(1);
    for dtype in [DType::F32, DType::F64] {
        let tol = if dtype == DType::F32 { 2e-5 } else { 1e-12 };
        for shape in [&[37, 5][..], &[6, 4, 9], &[8, 3, 7, 11]] {
            let x = rand(&g, shape, dtype);
            let (w, b) = (rand(&g, &[shape[1]], dtype), rand(&g, &[shape[1]], dtype));
            let y = x
                .batch_norm(Some(&w), Some(&b), None, true, 0.1, 1e-5)
                .unwrap();
            assert_close_tol(&y, &composite(&x, &w, &b, 1e-5).unwrap(), tol, tol);
            // A transposed (non-contiguous) input gives the same result.
            let xt = x
                .transpose(0, 1)
                .unwrap()
                .contiguous()
                .unwrap()
                .transpose(0, 1)
                .unwrap();
            let yt = xt
                .batch_norm(Some(&w), Some(&b), None, true, 0.1, 1e-5)
                .unwrap();
            assert_close_tol(&yt, &y, tol, tol);
        }
    }
}

#[test]
fn running_statistics_update_and_eval_mode_use_them() {
    let g = Generator::new(2);
    let x = rand(&g, &[10, 3, 4], DType::F32);
    let (rm, rv) = (
        Tensor::zeros(&[3], Default::default()).unwrap(),
        Tensor::ones(&[3], Default::default()).unwrap(),
    );
    let stats = Some(RunningStats {
        mean: &rm,
        var: &rv,
    });
    x.batch_norm(None, None, stats, true, 0.1, 1e-5).unwrap();
    let mean = x.mean_dim(&[0, 2], false).unwrap();
    let var = x.var_dim(&[0, 2], 1.0, false).unwrap(); // unbiased
    assert_close_tol(&rm, &mean.mul_scalar(0.1).unwrap(), 1e-6, 1e-6);
    assert_close_tol(
        &rv,
        &var.mul_scalar(0.1).unwrap().add_scalar(0.9).unwrap(),
        1e-6,
        1e-6,
    );
    let y = x.batch_norm(None, None, stats, false, 0.1, 1e-5).unwrap();
    let want = x
        .sub(&rm.reshape(&[1, 3, 1]).unwrap())
        .unwrap()
        .div(
            &rv.add_scalar(1e-5)
                .unwrap()
                .sqrt()
                .unwrap()
                .reshape(&[1, 3, 1])
                .unwrap(),
        )
        .unwrap();
    assert_close_tol(&y, &want, 1e-6, 1e-6);
}

#[test]
fn gradients_match_finite_differences_to_second_order() {
    let g = Generator::new(3);
    let opts = GradcheckOptions::default();
    let inputs = [
        rand(&g, &[4, 3, 5], DType::F64),
        rand(&g, &[3], DType::F64),
        rand(&g, &[3], DType::F64),
    ];
    let train = |t: &[Tensor]| t[0].batch_norm(Some(&t[1]), Some(&t[2]), None, true, 0.1, 1e-5);
    gradcheck(train, &inputs, opts).unwrap();
    gradgradcheck(train, &inputs, opts).unwrap();
    let (rm, rv) = (
        rand(&g, &[3], DType::F64),
        rand(&g, &[3], DType::F64).add_scalar(1.5).unwrap(),
    );
    let eval = |t: &[Tensor]| {
        let stats = Some(RunningStats {
            mean: &rm,
            var: &rv,
        });
        t[0].batch_norm(Some(&t[1]), Some(&t[2]), stats, false, 0.1, 1e-5)
    };
    gradcheck(eval, &inputs, opts).unwrap();
    gradgradcheck(eval, &inputs, opts).unwrap();
    let plain = |t: &[Tensor]| t[0].batch_norm(None, None, None, true, 0.1, 1e-3);
    gradcheck(plain, &inputs[..1], opts).unwrap();
    gradgradcheck(plain, &inputs[..1], opts).unwrap();
}

#[test]
fn fused_backward_equals_the_differentiable_rule() {
    let g = Generator::new(4);
    let x = rand(&g, &[16, 6, 5, 5], DType::F32)
        .requires_grad_(true)
        .unwrap();
    let w = rand(&g, &[6], DType::F32).requires_grad_(true).unwrap();
    let b = rand(&g, &[6], DType::F32).requires_grad_(true).unwrap();
    let go = rand(&g, &[16, 6, 5, 5], DType::F32);
    let grads = |create_graph| {
        let y = x
            .batch_norm(Some(&w), Some(&b), None, true, 0.1, 1e-5)
            .unwrap();
        let opts = GradOptions {
            grad_outputs: Some(vec![go.clone()]),
            create_graph,
            ..Default::default()
        };
        autograd::grad(&[y], &[x.clone(), w.clone(), b.clone()], opts).unwrap()
    };
    let (fused, rule) = (grads(false), grads(true));
    for (i, (f, r)) in fused.iter().zip(&rule).enumerate() {
        let (f, r) = (f.as_ref().unwrap(), r.as_ref().unwrap());
        // The bias gradient (a sum of the constant `go`) has nothing to differentiate.
        assert_eq!(r.requires_grad(), i < 2);
        assert!(!f.requires_grad());
        assert_close_tol(f, r, 1e-4, 1e-5);
    }
}

#[test]
fn half_precision_computes_in_f32() {
    let g = Generator::new(5);
    let x = rand(&g, &[8, 4, 3], DType::F32);
    let y32 = x.batch_norm(None, None, None, true, 0.1, 1e-5).unwrap();
    for dtype in [DType::F16, DType::BF16] {
        let y = x
            .to_dtype(dtype)
            .unwrap()
            .batch_norm(None, None, None, true, 0.1, 1e-5)
            .unwrap();
        assert_eq!(y.dtype(), dtype);
        assert_close_tol(&y.to_dtype(DType::F32).unwrap(), &y32, 3e-2, 3e-2);
    }
}

#[test]
fn bad_shapes_and_modes_are_errors() {
    let x = Tensor::zeros(&[4, 3, 2], Default::default()).unwrap();
    let w = Tensor::ones(&[5], Default::default()).unwrap();
    let err = x
        .batch_norm(Some(&w), None, None, true, 0.1, 1e-5)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("batch_norm") && err.contains("[4, 3, 2]") && err.contains("[5]"),
        "{err}"
    );
    let err = x
        .batch_norm(None, None, None, false, 0.1, 1e-5)
        .unwrap_err()
        .to_string();
    assert!(err.contains("running_mean"), "{err}");
    let one = Tensor::zeros(&[1, 3], Default::default()).unwrap();
    let err = one
        .batch_norm(None, None, None, true, 0.1, 1e-5)
        .unwrap_err()
        .to_string();
    assert!(err.contains("more than 1 value per channel"), "{err}");
    let ints = Tensor::zeros(&[4, 3], TensorOptions::default().dtype(DType::I64)).unwrap();
    assert!(ints.batch_norm(None, None, None, true, 0.1, 1e-5).is_err());
}
