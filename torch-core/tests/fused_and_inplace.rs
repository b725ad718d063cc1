//! The fused `addmm` (gemm accumulating onto the bias) and the direct in-place arithmetic path
//! (ops written straight into `self` when nothing is recorded): both must give what the
//! composite, out-of-place formulations give.

use torch_core::autograd::{GradcheckOptions, gradcheck, gradgradcheck, no_grad};
use torch_core::testing::assert_close_tol;
use torch_core::{DType, Generator, Result, Tensor, TensorOptions};

fn rand(g: &Generator, shape: &[usize], dtype: DType) -> Tensor {
    g.uniform(shape, -1.0, 1.0, TensorOptions::default().dtype(dtype))
        .unwrap()
}

/// `beta * c + alpha * a @ b` from separate ops.
fn composite(c: &Tensor, a: &Tensor, b: &Tensor, beta: f64, alpha: f64) -> Tensor {
    c.mul_scalar(beta)
        .unwrap()
        .add(&a.mm(b).unwrap().mul_scalar(alpha).unwrap())
        .unwrap()
}

#[test]
fn addmm_matches_the_composite_for_every_bias_shape() {
    let g = Generator::new(3);
    for dtype in [DType::F32, DType::F64] {
        let tol = if dtype == DType::F32 { 1e-5 } else { 1e-12 };
        let a = rand(&g, &[7, 33], dtype);
        // A transposed right operand, as `Linear` passes `weight.t()`.
        let b = rand(&g, &[5, 33], dtype).t().unwrap();
        for shape in [&[5][..], &[1, 5], &[7, 1], &[7, 5], &[]] {
            let c = rand(&g, shape, dtype);
            for (beta, alpha) in [(1.0, 1.0), (0.5, -2.0)] {
                let y = c.addmm(&a, &b, beta, alpha).unwrap();
                assert_eq!(y.shape(), &[7, 5]);
                assert_eq!(y.dtype(), dtype);
                assert_close_tol(&y, &composite(&c, &a, &b, beta, alpha), tol, tol);
            }
        }
    }
}

#[test]
fn addmm_with_zero_beta_ignores_nan_in_self() {
    let g = Generator::new(4);
    let (a, b) = (rand(&g, &[3, 4], DType::F32), rand(&g, &[4, 2], DType::F32));
    let c = Tensor::full(&[2], f64::NAN, TensorOptions::default()).unwrap();
    let y = c.addmm(&a, &b, 0.0, 1.0).unwrap();
    assert_close_tol(&y, &a.mm(&b).unwrap(), 1e-6, 1e-6);
}

#[test]
fn addmm_keeps_the_bias_tensor_unchanged_and_checks_shapes() {
    let g = Generator::new(5);
    let (a, b) = (rand(&g, &[4, 3], DType::F32), rand(&g, &[3, 4], DType::F32));
    let c = rand(&g, &[4, 4], DType::F32);
    let before = c.to_vec::<f32>().unwrap();
    c.addmm(&a, &b, 1.0, 1.0).unwrap();
    assert_eq!(c.to_vec::<f32>().unwrap(), before);
    let err = c.addmm(&a, &a, 1.0, 1.0).unwrap_err().to_string();
    assert!(err.contains("mm") && err.contains("[4, 3]"), "{err}");
    let err = rand(&g, &[3], DType::F32)
        .addmm(&a, &b, 1.0, 1.0)
        .unwrap_err()
        .to_string();
    assert!(err.contains("[3]") && err.contains("[4, 4]"), "{err}");
}

#[test]
fn addmm_backward_matches_finite_differences() {
    let g = Generator::new(6);
    let opts = TensorOptions::default().dtype(DType::F64);
    let inputs = [
        g.uniform(&[4], -1.0, 1.0, opts).unwrap(),
        g.uniform(&[3, 5], -1.0, 1.0, opts).unwrap(),
        g.uniform(&[4, 5], -1.0, 1.0, opts).unwrap(),
    ];
    let f = |t: &[Tensor]| -> Result<Tensor> { t[0].addmm(&t[1], &t[2].t()?, 0.7, -1.3) };
    gradcheck(f, &inputs, GradcheckOptions::default()).unwrap();
    gradgradcheck(f, &inputs, GradcheckOptions::default()).unwrap();
    let row = |t: &[Tensor]| -> Result<Tensor> {
        t[0].unsqueeze(1)?
            .narrow(0, 0, 3)?
            .addmm(&t[1], &t[2].t()?, 1.0, 1.0)
    };
    gradcheck(row, &inputs, GradcheckOptions::default()).unwrap();
}

type InPlace = fn(&Tensor, &Tensor) -> Result<()>;
type OutOfPlace = fn(&Tensor, &Tensor) -> Result<Tensor>;

const OPS: &[(&str, InPlace, OutOfPlace)] = &[
    ("add_", |x, y| x.add_(y), |x, y| x.add(y)),
    ("sub_", |x, y| x.sub_(y), |x, y| x.sub(y)),
    ("mul_", |x, y| x.mul_(y), |x, y| x.mul(y)),
    ("div_", |x, y| x.div_(y), |x, y| x.div(y)),
    (
        "add_alpha_",
        |x, y| x.add_alpha_(y, -0.37),
        |x, y| x.add_alpha(y, -0.37),
    ),
];

#[test]
fn direct_inplace_ops_equal_the_out_of_place_ops_bit_for_bit() {
    let g = Generator::new(7);
    for dtype in [DType::F32, DType::F64, DType::F16, DType::BF16] {
        let others = [
            rand(&g, &[6, 9], dtype),
            rand(&g, &[9], dtype),
            rand(&g, &[6, 1], dtype),
            rand(&g, &[9, 6], dtype).t().unwrap(),
            rand(&g, &[], dtype),
        ];
        for (name, inplace, outofplace) in OPS {
            for y in &others {
                let x = rand(&g, &[6, 9], dtype).add_scalar(2.0).unwrap();
                let expected = outofplace(&x, y).unwrap();
                let v = x.version();
                inplace(&x, y).unwrap();
                assert!(x.version() > v, "{name} bumps the version");
                assert_eq!(
                    x.to_dtype(DType::F64).unwrap().to_vec::<f64>().unwrap(),
                    expected
                        .to_dtype(DType::F64)
                        .unwrap()
                        .to_vec::<f64>()
                        .unwrap(),
                    "{name} {dtype:?} with other {:?}",
                    y.shape()
                );
            }
        }
    }
}

#[test]
fn inplace_ops_on_views_aliases_and_leaves_keep_their_semantics() {
    let g = Generator::new(8);
    // Aliased operands: `x += x`.
    let x = rand(&g, &[4, 4], DType::F32);
    let doubled = x.mul_scalar(2.0).unwrap();
    x.add_(&x.clone()).unwrap();
    assert_eq!(x.to_vec::<f32>().unwrap(), doubled.to_vec::<f32>().unwrap());
    // A non-contiguous view writes through to its base.
    let base = Tensor::zeros(&[3, 4], TensorOptions::default()).unwrap();
    base.t().unwrap().add_scalar_(1.5).unwrap();
    base.select(1, 2).unwrap().mul_scalar_(2.0).unwrap();
    let v = base.to_vec::<f32>().unwrap();
    assert_eq!(v[2], 3.0);
    assert_eq!(v[3], 1.5);
    // A leaf that requires grad: refused in grad mode, allowed under no_grad.
    let w = rand(&g, &[3], DType::F32).requires_grad_(true).unwrap();
    let err = w.mul_scalar_(2.0).unwrap_err().to_string();
    assert!(err.contains("leaf Variable"), "{err}");
    let before = w.to_vec::<f32>().unwrap();
    {
        let _g = no_grad();
        w.mul_scalar_(2.0).unwrap();
    }
    let after = w.to_vec::<f32>().unwrap();
    assert!(before.iter().zip(&after).all(|(b, a)| *a == 2.0 * b));
    assert!(w.requires_grad() && w.is_leaf());
    // Broadcasting may not grow `self`.
    let err = rand(&g, &[3], DType::F32)
        .add_(&rand(&g, &[2, 3], DType::F32))
        .unwrap_err()
        .to_string();
    assert!(err.contains("[3]") && err.contains("[2, 3]"), "{err}");
}

#[test]
fn a_transposed_weight_gets_a_contiguous_gradient_of_the_right_values() {
    let g = Generator::new(9);
    let x = rand(&g, &[6, 4], DType::F64);
    let gy = rand(&g, &[6, 3], DType::F64);
    // With a bias (addmm) and without (matmul through bmm), as `Linear` runs.
    for with_bias in [true, false] {
        let w = rand(&g, &[3, 4], DType::F64).requires_grad_(true).unwrap();
        let b = Tensor::zeros(&[3], TensorOptions::default().dtype(DType::F64)).unwrap();
        let y = if with_bias {
            b.addmm(&x, &w.t().unwrap(), 1.0, 1.0).unwrap()
        } else {
            x.matmul(&w.t().unwrap()).unwrap()
        };
        y.backward_with(Some(&gy), false, false).unwrap();
        let gw = w.grad().unwrap();
        assert!(
            gw.is_contiguous(),
            "bias {with_bias}: stride {:?}",
            gw.stride()
        );
        assert_close_tol(&gw, &gy.t().unwrap().mm(&x).unwrap(), 1e-12, 1e-12);
    }
}

/// `zip_inplace` with the SGD-momentum update `b = 0.9 b + g; p -= 0.1 b`.
fn momentum_step(p: &Tensor, b: &Tensor, g: &Tensor) -> Result<bool> {
    torch_core::cpu::zip_inplace::<f32, 2, 1>([p, b], [g], |[p, b], [g]| {
        *b = *b * 0.9 + g;
        *p += -0.1 * *b;
    })
}

#[test]
fn zip_inplace_updates_every_element_once_at_any_thread_count() {
    let g = Generator::new(5);
    // Above the parallel threshold, with an odd length so the last piece is short.
    let n = 200_003;
    for threads in [1, 2] {
        torch_core::set_num_threads(threads);
        let (p, b, gr) = (
            rand(&g, &[n], DType::F32),
            rand(&g, &[n], DType::F32),
            rand(&g, &[n], DType::F32),
        );
        let want_b = b.mul_scalar(0.9).unwrap().add(&gr).unwrap();
        let want_p = p.add_alpha(&want_b, -0.1).unwrap();
        let version = p.version();
        assert!(momentum_step(&p, &b, &gr).unwrap());
        assert_eq!(b.to_vec::<f32>().unwrap(), want_b.to_vec::<f32>().unwrap());
        assert_eq!(p.to_vec::<f32>().unwrap(), want_p.to_vec::<f32>().unwrap());
        assert_eq!(p.version(), version + 1);
    }
}

#[test]
fn zip_inplace_declines_what_it_cannot_update_directly() {
    let g = Generator::new(6);
    let t = |shape: &[usize]| rand(&g, shape, DType::F32);
    let (p, b, gr) = (t(&[4, 3]), t(&[4, 3]), t(&[4, 3]));
    let before = p.to_vec::<f32>().unwrap();
    // Non-contiguous, another shape, another dtype, a written operand aliased by another.
    assert!(!momentum_step(&p, &b, &t(&[3, 4]).t().unwrap()).unwrap());
    assert!(!momentum_step(&p, &b, &t(&[12])).unwrap());
    assert!(!momentum_step(&p, &b, &gr.to_dtype(DType::F64).unwrap()).unwrap());
    assert!(!momentum_step(&p, &p.view(&[4, 3]).unwrap(), &gr).unwrap());
    // Autograd recording an operand that requires grad; under no_grad it runs.
    let leaf = p.detach().requires_grad_(true).unwrap();
    assert!(!momentum_step(&leaf, &b, &gr).unwrap());
    assert_eq!(p.to_vec::<f32>().unwrap(), before);
    let guard = no_grad();
    assert!(momentum_step(&leaf, &b, &gr).unwrap());
    drop(guard);
    assert_ne!(p.to_vec::<f32>().unwrap(), before);
}

#[test]
fn zip_inplace_reads_one_tensor_twice() {
    let g = Generator::new(7);
    let (p, x) = (rand(&g, &[5], DType::F32), rand(&g, &[5], DType::F32));
    let want = p.add(&x.mul(&x).unwrap()).unwrap();
    let done = torch_core::cpu::zip_inplace::<f32, 1, 2>([&p], [&x, &x], |[p], [a, b]| {
        *p += a * b;
    });
    assert!(done.unwrap());
    assert_eq!(p.to_vec::<f32>().unwrap(), want.to_vec::<f32>().unwrap());
}
