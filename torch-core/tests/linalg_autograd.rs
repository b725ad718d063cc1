//! Gradients of `torch_core::linalg`: PyTorch's gradients of scalar losses (goldens from
//! `scripts/golden/linalg.py`), f64 finite differences (`gradcheck`, on contiguous and
//! transposed inputs, through gauge-invariant functions for QR, SVD and eigh) and second
//! derivatives (`gradgradcheck`).

// Tests fail by panicking: unwrap is the assertion.
#![allow(clippy::unwrap_used)]

mod linalg_common;

use std::collections::HashMap;

use linalg_common::*;
use torch_core::autograd::{GradcheckOptions, gradcheck, gradgradcheck};
use torch_core::linalg;
use torch_core::testing::assert_close;
use torch_core::{DType, Error, Generator, Result, Tensor, TensorOptions};

type Loss = Box<dyn Fn(&[Tensor]) -> Result<Tensor>>;

fn weighted(x: Tensor, w: &Tensor) -> Result<Tensor> {
    x.mul(w)?.sum()
}

fn qr_loss(x: &Tensor, wq: &Tensor, wr: &Tensor) -> Result<Tensor> {
    let (q, r) = linalg::qr(x, "reduced")?;
    let (q, r) = fix_qr(&q, &r)?;
    weighted(q, wq)?.add(&weighted(r, wr)?)
}

fn svd_loss(x: &Tensor, wu: &Tensor, ws: &Tensor, wv: &Tensor) -> Result<Tensor> {
    let (u, s, vh) = linalg::svd(x, false)?;
    let (u, s, vh) = fix_svd(&u, &s, &vh)?;
    weighted(u, wu)?
        .add(&weighted(s, ws)?)?
        .add(&weighted(vh, wv)?)
}

fn eigh_loss(x: &Tensor, wl: &Tensor, wv: &Tensor) -> Result<Tensor> {
    let (l, v) = linalg::eigh(x, "L")?;
    weighted(l, wl)?.add(&weighted(fix_eigh(&v)?, wv)?)
}

/// The losses of the golden script, by name, with the golden inputs they take.
fn losses(g: &HashMap<String, Tensor>) -> Vec<(&'static str, Vec<Tensor>, Loss)> {
    let w = |k: &str| g[k].clone();
    let inf = f64::INFINITY;
    let mut v: Vec<(&'static str, Vec<Tensor>, Loss)> = Vec::new();
    let w44 = w("w44");
    v.push((
        "inv",
        vec![w("a")],
        Box::new(move |x| weighted(linalg::inv(&x[0])?, &w44)),
    ));
    let w33 = w("w33");
    v.push((
        "inv_batched",
        vec![w("ab")],
        Box::new(move |x| weighted(linalg::inv(&x[0])?, &w33)),
    ));
    v.push((
        "det",
        vec![w("ab")],
        Box::new(|x| linalg::det(&x[0])?.sum()),
    ));
    v.push((
        "det_at",
        vec![w("at")],
        Box::new(|x| linalg::det(&mt(&x[0]))?.sum()),
    ));
    v.push((
        "slogdet",
        vec![w("ab")],
        Box::new(|x| linalg::slogdet(&x[0])?.1.sum()?.mul_scalar(2.0)),
    ));
    let w42 = w("w42");
    v.push((
        "solve",
        vec![w("a"), w("b_mat")],
        Box::new(move |x| weighted(linalg::solve(&x[0], &x[1])?, &w42)),
    ));
    v.push((
        "solve_vec_bcast",
        vec![w("ab"), w("w3")],
        Box::new(|x| linalg::solve(&x[0], &x[1])?.pow_scalar(2.0)?.sum()),
    ));
    let w44 = w("w44");
    v.push((
        "cholesky",
        vec![w("spd")],
        Box::new(move |x| weighted(linalg::cholesky(&x[0], false)?, &w44)),
    ));
    let w33 = w("w33");
    v.push((
        "cholesky_upper",
        vec![w("spd_b")],
        Box::new(move |x| weighted(linalg::cholesky(&x[0], true)?, &w33)),
    ));
    let (w53, w33) = (w("w53"), w("w33"));
    v.push((
        "qr_tall",
        vec![w("tall")],
        Box::new(move |x| qr_loss(&x[0], &w53, &w33)),
    ));
    let (w33, w35) = (w("w33"), w("w35"));
    v.push((
        "qr_wide",
        vec![w("wide")],
        Box::new(move |x| qr_loss(&x[0], &w33, &w35)),
    ));
    let (w53, w3, w33) = (w("w53"), w("w3"), w("w33"));
    v.push((
        "svd_tall",
        vec![w("tall")],
        Box::new(move |x| svd_loss(&x[0], &w53, &w3, &w33)),
    ));
    let (w33, w3, w35) = (w("w33"), w("w3"), w("w35"));
    v.push((
        "svd_wide",
        vec![w("wide")],
        Box::new(move |x| svd_loss(&x[0], &w33, &w3, &w35)),
    ));
    let w3 = w("w3");
    v.push((
        "svdvals",
        vec![w("rect_b")],
        Box::new(move |x| weighted(linalg::svdvals(&x[0])?, &w3)),
    ));
    let (w4, w44) = (w("w4"), w("w44"));
    v.push((
        "eigh",
        vec![w("sym")],
        Box::new(move |x| eigh_loss(&x[0], &w4, &w44)),
    ));
    let w3 = w("w3");
    v.push((
        "eigvalsh",
        vec![w("sym_b")],
        Box::new(move |x| weighted(linalg::eigvalsh(&x[0], "L")?, &w3)),
    ));
    v.push((
        "matrix_norm_nuc",
        vec![w("rect_b")],
        Box::new(|x| linalg::matrix_norm(&x[0], "nuc", [-2, -1], false)?.sum()),
    ));
    v.push((
        "matrix_norm_2",
        vec![w("rect_b")],
        Box::new(|x| linalg::matrix_norm(&x[0], 2, [-2, -1], false)?.sum()),
    ));
    v.push((
        "matrix_norm_inf",
        vec![w("rect_b")],
        Box::new(move |x| linalg::matrix_norm(&x[0], inf, [-2, -1], false)?.sum()),
    ));
    v
}

#[test]
fn gradients_match_torch() {
    let g = golden();
    for (name, inputs, f) in losses(&g) {
        let xs: Vec<Tensor> = inputs
            .iter()
            .map(|t| t.detach().requires_grad_(true).unwrap())
            .collect();
        let loss = f(&xs).unwrap_or_else(|e| panic!("{name}: {e}"));
        check(&g, &format!("grad.{name}.loss"), loss.reshape(&[1]));
        loss.backward()
            .unwrap_or_else(|e| panic!("{name} backward: {e}"));
        for (i, x) in xs.iter().enumerate() {
            check(
                &g,
                &format!("grad.{name}.{i}"),
                x.grad().ok_or_else(|| Error::invalid("test", "no grad")),
            );
        }
    }
}

#[test]
fn gradients_match_finite_differences() {
    let g = golden();
    for (name, inputs, f) in losses(&g) {
        // Cholesky and eigh read one triangle: perturb through a symmetric parametrization,
        // `sym(x) = (x + x^T) / 2`, as the input space of these ops is symmetric matrices.
        let symmetric = ["cholesky", "cholesky_upper", "eigh", "eigvalsh"].contains(&name);
        let h = |xs: &[Tensor]| -> Result<Tensor> {
            if symmetric {
                f(&[xs[0].add(&mt(&xs[0]))?.mul_scalar(0.5)?])
            } else {
                f(xs)
            }
        };
        gradcheck(h, &inputs, GradcheckOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

fn f64_input(g: &Generator, shape: &[usize]) -> Tensor {
    g.uniform(shape, -1.0, 1.0, TensorOptions::default().dtype(DType::F64))
        .unwrap()
}

/// Symmetric positive-definite from any square `x`: `x x^T + n I`.
fn make_spd(x: &Tensor) -> Result<Tensor> {
    let n = x.shape()[x.dim() - 1];
    let eye = Tensor::eye(n, None, TensorOptions::default().dtype(DType::F64))?;
    x.matmul(&mt(x))?.add(&eye.mul_scalar(n as f64)?)
}

#[test]
fn backward_matches_finite_differences_on_transposed_inputs() {
    let rng = Generator::new(7);
    let sq = f64_input(&rng, &[3, 3])
        .add(
            &Tensor::eye(3, None, TensorOptions::default().dtype(DType::F64))
                .unwrap()
                .mul_scalar(2.0)
                .unwrap(),
        )
        .unwrap();
    let sqt = mt(&sq);
    let tall_t = mt(&f64_input(&rng, &[3, 4]));
    let b = f64_input(&rng, &[3, 2]);
    let opts = GradcheckOptions::default();
    for x in [&sq, &sqt] {
        gradcheck(|x| linalg::inv(&x[0]), std::slice::from_ref(x), opts).unwrap();
        gradcheck(|x| linalg::det(&x[0]), std::slice::from_ref(x), opts).unwrap();
        gradcheck(
            |x| Ok(linalg::slogdet(&x[0])?.1),
            std::slice::from_ref(x),
            opts,
        )
        .unwrap();
        gradcheck(
            |x| linalg::solve(&x[0], &x[1]),
            &[x.clone(), b.clone()],
            opts,
        )
        .unwrap();
        gradcheck(
            |x| linalg::cholesky(&make_spd(&x[0])?, false),
            std::slice::from_ref(x),
            opts,
        )
        .unwrap();
        // eigh of a symmetric function of x: V diag(w) V^T is gauge-invariant.
        gradcheck(
            |x| {
                let s = x[0].add(&mt(&x[0]))?;
                let (l, v) = linalg::eigh(&s, "L")?;
                let w = Tensor::new([1.0f64, -2.0, 0.5]);
                v.mul(&l.mul(&w)?.unsqueeze(-2)?)?.matmul(&mt(&v))
            },
            std::slice::from_ref(x),
            opts,
        )
        .unwrap();
    }
    // QR and SVD on a transposed tall input, through gauge-invariant functions.
    gradcheck(
        |x| {
            let (q, r) = linalg::qr(&x[0], "reduced")?;
            let (q, r) = fix_qr(&q, &r)?;
            Tensor::cat(&[&q.reshape(&[-1])?, &r.reshape(&[-1])?], 0)
        },
        std::slice::from_ref(&tall_t),
        opts,
    )
    .unwrap();
    gradcheck(
        |x| {
            let (u, s, vh) = linalg::svd(&x[0], true)?;
            let (u, s, vh) = fix_svd(&u, &s, &vh)?;
            // U diag(w) U^T-like invariants plus the singular values.
            let w = Tensor::new([1.0f64, 0.3, -0.7]);
            let uu = u.mul(&w.unsqueeze(0)?)?.matmul(&mt(&u))?;
            let vv = mt(&vh).mul(&w.unsqueeze(0)?)?.matmul(&vh)?;
            Tensor::cat(&[&uu.reshape(&[-1])?, &s, &vv.reshape(&[-1])?], 0)
        },
        std::slice::from_ref(&tall_t),
        opts,
    )
    .unwrap();
}

#[test]
fn second_derivatives_match_finite_differences() {
    let rng = Generator::new(8);
    let eye = Tensor::eye(3, None, TensorOptions::default().dtype(DType::F64)).unwrap();
    let x = f64_input(&rng, &[3, 3])
        .add(&eye.mul_scalar(2.0).unwrap())
        .unwrap();
    let opts = GradcheckOptions::default();
    gradgradcheck(|x| linalg::inv(&x[0]), std::slice::from_ref(&x), opts).unwrap();
    gradgradcheck(|x| linalg::det(&x[0]), std::slice::from_ref(&x), opts).unwrap();
    gradgradcheck(
        |x| Ok(linalg::slogdet(&x[0])?.1),
        std::slice::from_ref(&x),
        opts,
    )
    .unwrap();
    let b = f64_input(&rng, &[3, 2]);
    gradgradcheck(|x| linalg::solve(&x[0], &x[1]), &[x.clone(), b], opts).unwrap();
    gradgradcheck(
        |x| {
            let (q, r) = linalg::qr(&x[0], "reduced")?;
            let (q, r) = fix_qr(&q, &r)?;
            Tensor::cat(&[&q.reshape(&[-1])?, &r.reshape(&[-1])?], 0)
        },
        std::slice::from_ref(&x),
        opts,
    )
    .unwrap();
    gradgradcheck(
        |x| linalg::cholesky(&make_spd(&x[0])?, false),
        std::slice::from_ref(&x),
        opts,
    )
    .unwrap();
    gradgradcheck(|x| linalg::svdvals(&x[0]), std::slice::from_ref(&x), opts).unwrap();
    gradgradcheck(
        |x| Ok(linalg::eigh(&x[0].add(&mt(&x[0]))?, "L")?.0),
        std::slice::from_ref(&x),
        opts,
    )
    .unwrap();
}

#[test]
fn repeated_eigenvalues_and_singular_values_give_finite_value_gradients() {
    // Only the values are used: like PyTorch, the eigenvector/singular-vector terms (which
    // divide by eigenvalue gaps) are skipped.
    let x = Tensor::eye(3, None, TensorOptions::default().dtype(DType::F64))
        .unwrap()
        .requires_grad_(true)
        .unwrap();
    linalg::eigvalsh(&x, "L")
        .unwrap()
        .sum()
        .unwrap()
        .backward()
        .unwrap();
    linalg::svd(&x, false)
        .unwrap()
        .1
        .sum()
        .unwrap()
        .backward()
        .unwrap();
    let gx = x.grad().unwrap();
    assert!(gx.to_vec::<f64>().unwrap().iter().all(|v| v.is_finite()));
    // d(trace)/dA + d(sum S)/dA = I + I at the identity.
    assert_close(
        &gx,
        &Tensor::eye(3, None, TensorOptions::default().dtype(DType::F64))
            .unwrap()
            .mul_scalar(2.0)
            .unwrap(),
    );
}
