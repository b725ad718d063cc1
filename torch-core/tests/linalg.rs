//! `torch_core::linalg` forward values against PyTorch goldens (`scripts/golden/linalg.py`),
//! invariants of the factorizations (reconstruction, orthogonality; vectors compared
//! gauge-fixed), and PyTorch's errors for bad input.

// Tests fail by panicking: unwrap is the assertion.
#![allow(clippy::unwrap_used)]

mod linalg_common;

use linalg_common::*;
use torch_core::linalg::{self, NormOrd};
use torch_core::testing::{assert_close, assert_close_tol};
use torch_core::{DType, Error, Result, Tensor, TensorOptions};

#[test]
fn lu_family_matches_torch() {
    let g = golden();
    let (a, ab, neg) = (&g["a"], &g["ab"], &g["neg"]);
    let at_t = mt(&g["at"]);
    assert!(!at_t.is_contiguous());
    check(&g, "inv.a", linalg::inv(a));
    check(&g, "inv.at_t", linalg::inv(&at_t));
    check(&g, "inv.ab", linalg::inv(ab));
    check(&g, "det.a", linalg::det(a));
    check(&g, "det.at_t", linalg::det(&at_t));
    check(&g, "det.ab", linalg::det(ab));
    check(&g, "det.neg", linalg::det(neg));
    for (k, x) in [("a", a), ("ab", ab), ("neg", neg)] {
        let (s, l) = linalg::slogdet(x).unwrap();
        check(&g, &format!("slogdet.{k}.sign"), Ok(s));
        check(&g, &format!("slogdet.{k}.logabsdet"), Ok(l));
    }
    check(&g, "solve.vec", linalg::solve(a, &g["b_vec"]));
    check(&g, "solve.mat", linalg::solve(a, &g["b_mat"]));
    check(&g, "solve.at_t", linalg::solve(&at_t, &g["b_mat"]));
    check(&g, "solve.batch_vecs", linalg::solve(ab, &g["bb_vecs"]));
    check(&g, "solve.batch_bcast_vec", linalg::solve(ab, &g["w3"]));
    check(&g, "solve.batch_bcast_mat", linalg::solve(ab, &g["bb_mat"]));
}

#[test]
fn cholesky_matches_torch() {
    let g = golden();
    check(&g, "cholesky.spd", linalg::cholesky(&g["spd"], false));
    check(&g, "cholesky.spd_upper", linalg::cholesky(&g["spd"], true));
    check(&g, "cholesky.spd_b", linalg::cholesky(&g["spd_b"], false));
}

#[test]
fn qr_matches_torch_up_to_sign_and_reconstructs() {
    let g = golden();
    let at_t = mt(&g["at"]);
    let cases = [
        ("tall", &g["tall"], "reduced"),
        ("tall_complete", &g["tall"], "complete"),
        ("wide", &g["wide"], "reduced"),
        ("rect_b", &g["rect_b"], "reduced"),
        ("at_t", &at_t, "reduced"),
    ];
    for (k, x, mode) in cases {
        let (q, r) = linalg::qr(x, mode).unwrap();
        assert_close_tol(&q.matmul(&r).unwrap(), x, RECON_TOL, RECON_TOL);
        let kq = q.shape()[q.dim() - 1];
        let qtq = mt(&q).matmul(&q).unwrap();
        let eye = Tensor::eye(kq, None, TensorOptions::default().dtype(DType::F64)).unwrap();
        let eye = eye.broadcast_to(qtq.shape()).unwrap();
        assert_close_tol(&qtq, &eye, RECON_TOL, RECON_TOL);
        let (q, r) = fix_qr(&q, &r).unwrap();
        let expected_q = &g[&format!("qr.{k}.Q")];
        // Complete mode: the extra columns only span the orthogonal complement (not unique).
        let kk = expected_q.shape()[1].min(r.shape()[1]);
        check(&g, &format!("qr.{k}.R"), Ok(r));
        assert_close(
            &q.narrow(-1, 0, kk).unwrap(),
            &expected_q.narrow(-1, 0, kk).unwrap(),
        );
    }
    let (q, r) = linalg::qr(&g["tall"], "r").unwrap();
    assert_eq!(q.shape(), &[0]);
    assert_eq!(r.shape(), &[3, 3]);
}

#[test]
fn svd_matches_torch_up_to_sign_and_reconstructs() {
    let g = golden();
    let at_t = mt(&g["at"]);
    let cases = [
        ("tall", &g["tall"], false),
        ("tall_full", &g["tall"], true),
        ("wide", &g["wide"], false),
        ("rect_b", &g["rect_b"], false),
        ("at_t", &at_t, false),
    ];
    for (k, x, full) in cases {
        let (u, s, vh) = linalg::svd(x, full).unwrap();
        let (m, n) = (x.shape()[x.dim() - 2], x.shape()[x.dim() - 1]);
        if full {
            assert_eq!((u.shape()[u.dim() - 1], vh.shape()[vh.dim() - 2]), (m, n));
        }
        let (u, s, vh) = fix_svd(&u, &s, &vh).unwrap();
        let recon = u
            .mul(&s.unsqueeze(-2).unwrap())
            .unwrap()
            .matmul(&vh)
            .unwrap();
        assert_close_tol(&recon, x, RECON_TOL, RECON_TOL);
        check(&g, &format!("svd.{k}.U"), Ok(u));
        check(&g, &format!("svd.{k}.S"), Ok(s));
        check(&g, &format!("svd.{k}.Vh"), Ok(vh));
        check(&g, &format!("svdvals.{k}"), linalg::svdvals(x));
    }
}

#[test]
fn eigh_matches_torch_up_to_sign_and_reconstructs() {
    let g = golden();
    let cases = [
        ("sym", &g["sym"], "L"),
        ("sym_b", &g["sym_b"], "L"),
        ("sym_upper", &g["sym"], "U"),
        ("spd", &g["spd"], "L"),
    ];
    for (k, x, uplo) in cases {
        let (l, v) = linalg::eigh(x, uplo).unwrap();
        let recon = v
            .mul(&l.unsqueeze(-2).unwrap())
            .unwrap()
            .matmul(&mt(&v))
            .unwrap();
        assert_close_tol(&recon, x, RECON_TOL, RECON_TOL);
        check(&g, &format!("eigh.{k}.L"), Ok(l));
        check(&g, &format!("eigh.{k}.V"), fix_eigh(&v));
        check(&g, &format!("eigvalsh.{k}"), linalg::eigvalsh(x, uplo));
    }
    // Only the named triangle is read.
    check(
        &g,
        "eigh.lower_only.L",
        Ok(linalg::eigh(&g["w44"], "L").unwrap().0),
    );
    check(
        &g,
        "eigh.upper_only.L",
        Ok(linalg::eigh(&g["w44"], "U").unwrap().0),
    );
    // Symmetric and transposed: the same values through a non-contiguous layout.
    let st = mt(&g["sym"]);
    check(&g, "eigh.sym.L", Ok(linalg::eigh(&st, "L").unwrap().0));
}

#[test]
fn norms_match_torch() {
    let g = golden();
    let (a, rb, tall) = (&g["a"], &g["rect_b"], &g["tall"]);
    let inf = f64::INFINITY;
    let ords: [(&str, NormOrd); 8] = [
        ("fro", NormOrd::Fro),
        ("nuc", NormOrd::Nuc),
        ("inf", inf.into()),
        ("ninf", (-inf).into()),
        ("1", 1.into()),
        ("n1", (-1).into()),
        ("2", 2.into()),
        ("n2", (-2).into()),
    ];
    for (name, o) in ords {
        check(
            &g,
            &format!("matrix_norm.a.{name}"),
            linalg::matrix_norm(a, o, [-2, -1], false),
        );
        check(
            &g,
            &format!("matrix_norm.rect_b.{name}"),
            linalg::matrix_norm(rb, o, [-2, -1], false),
        );
        check(
            &g,
            &format!("matrix_norm.rect_b_dim02_keep.{name}"),
            linalg::matrix_norm(rb, o, [2, 0], true),
        );
        check(
            &g,
            &format!("norm.tall.{name}"),
            linalg::norm(tall, Some(o), None, false),
        );
    }
    for (name, p) in [
        ("2", 2.0),
        ("1", 1.0),
        ("inf", inf),
        ("ninf", -inf),
        ("3_5", 3.5),
        ("0", 0.0),
    ] {
        check(
            &g,
            &format!("vector_norm.rect_b.{name}"),
            linalg::vector_norm(rb, p, None, false),
        );
        check(
            &g,
            &format!("vector_norm.rect_b_dim1.{name}"),
            linalg::vector_norm(rb, p, Some(&[1]), false),
        );
        check(
            &g,
            &format!("vector_norm.rect_b_dim02_keep.{name}"),
            linalg::vector_norm(rb, p, Some(&[0, 2]), true),
        );
    }
    check(
        &g,
        "norm.rect_b.default",
        linalg::norm(rb, None, None, false),
    );
    check(
        &g,
        "norm.rect_b.dim1_ord3",
        linalg::norm(rb, Some(3.0.into()), Some(&[1]), false),
    );
    check(
        &g,
        "norm.rect_b.dim12_nuc",
        linalg::norm(rb, Some(NormOrd::Nuc), Some(&[1, 2]), false),
    );
    check(
        &g,
        "norm.b_vec.inf",
        linalg::norm(&g["b_vec"], Some(inf.into()), None, false),
    );
    // String orders as PyTorch spells them.
    check(
        &g,
        "matrix_norm.a.nuc",
        linalg::matrix_norm(a, "nuc", [-2, -1], false),
    );
}

#[test]
fn f32_matches_torch() {
    let g = golden();
    let f = |k: &str| &g[&format!("f32.{k}")];
    assert_eq!(f("a").dtype(), DType::F32);
    check(&g, "f32.inv", linalg::inv(f("a")));
    check(&g, "f32.det", linalg::det(f("a")));
    check(
        &g,
        "f32.solve",
        linalg::solve(f("a"), &g["b_vec"].to_dtype(DType::F32).unwrap()),
    );
    check(&g, "f32.cholesky", linalg::cholesky(f("spd"), false));
    check(&g, "f32.eigvalsh", linalg::eigvalsh(f("sym"), "L"));
    check(&g, "f32.svdvals", linalg::svdvals(f("tall")));
    check(
        &g,
        "f32.matrix_norm_nuc",
        linalg::matrix_norm(f("tall"), "nuc", [-2, -1], false),
    );
}

// ---- Errors ----------------------------------------------------------------------------

fn err(r: Result<Tensor>) -> String {
    r.expect_err("expected an error").to_string()
}

#[test]
fn bad_inputs_give_torch_errors() {
    let f64o = TensorOptions::default().dtype(DType::F64);
    let singular = Tensor::new([[1.0f64, 2.0], [2.0, 4.0]]);
    assert_eq!(
        err(linalg::inv(&singular)),
        "linalg.inv: The diagonal element 2 is zero, the inversion could not be completed because the input matrix is singular."
    );
    let batch = Tensor::stack(&[&Tensor::eye(2, None, f64o).unwrap(), &singular], 0).unwrap();
    assert_eq!(
        err(linalg::inv(&batch)),
        "linalg.inv: (Batch element 1): The diagonal element 2 is zero, the inversion could not be completed because the input matrix is singular."
    );
    assert_eq!(
        err(linalg::inv(&Tensor::zeros(&[3, 3], f64o).unwrap())),
        "linalg.inv: The diagonal element 1 is zero, the inversion could not be completed because the input matrix is singular."
    );
    let rect = Tensor::ones(&[2, 3], f64o).unwrap();
    for (op, r) in [
        ("linalg.inv", linalg::inv(&rect)),
        ("linalg.det", linalg::det(&rect)),
        ("linalg.slogdet", linalg::slogdet(&rect).map(|p| p.0)),
        ("linalg.cholesky", linalg::cholesky(&rect, false)),
        ("linalg.eigh", linalg::eigh(&rect, "L").map(|p| p.0)),
    ] {
        assert_eq!(
            err(r),
            format!("{op}: A must be batches of square matrices, but they are 2 by 3 matrices")
        );
    }
    assert_eq!(
        err(linalg::det(&Tensor::ones(&[3], f64o).unwrap())),
        "linalg.det: The input tensor A must have at least 2 dimensions."
    );
    let ints = Tensor::new([[1i64, 2], [3, 4]]);
    for r in [
        linalg::inv(&ints),
        linalg::det(&ints),
        linalg::svdvals(&ints),
        linalg::qr(&ints, "reduced").map(|p| p.0),
        linalg::vector_norm(&ints, 2.0, None, false),
        linalg::matrix_norm(&ints, "fro", [-2, -1], false),
    ] {
        assert!(matches!(
            r,
            Err(Error::UnsupportedDType {
                dtype: DType::I64,
                ..
            })
        ));
    }
    assert_eq!(
        err(linalg::solve(&singular, &Tensor::new([1.0f64, 1.0]))),
        "torch.linalg.solve: The solver failed because the input matrix is singular."
    );
    assert_eq!(
        err(linalg::solve(
            &Tensor::eye(2, None, f64o).unwrap(),
            &Tensor::ones(&[3], f64o).unwrap()
        )),
        "linalg.solve: Incompatible shapes of A and B for the equation AX = B (2x2 and 3x1)"
    );
    assert_eq!(
        err(linalg::cholesky(&singular, false)),
        "linalg.cholesky: The factorization could not be completed because the input is not positive-definite (the leading minor of order 2 is not positive-definite)."
    );
    assert_eq!(
        err(linalg::cholesky(
            &Tensor::eye(3, None, f64o).unwrap().neg().unwrap(),
            false
        )),
        "linalg.cholesky: The factorization could not be completed because the input is not positive-definite (the leading minor of order 1 is not positive-definite)."
    );
    assert_eq!(
        err(linalg::cholesky(&batch, false)),
        "linalg.cholesky: (Batch element 1): The factorization could not be completed because the input is not positive-definite (the leading minor of order 2 is not positive-definite)."
    );
    assert_eq!(
        err(linalg::qr(&rect, "foo").map(|p| p.0)),
        "linalg.qr: qr received unrecognized mode 'foo' but expected one of 'reduced' (default), 'r', or 'complete'"
    );
    assert_eq!(
        err(linalg::eigh(&singular, "X").map(|p| p.0)),
        "linalg.eigh: Expected UPLO argument to be 'L' or 'U', but got X"
    );
    assert_eq!(
        err(linalg::matrix_norm(&rect, 3, [-2, -1], false)),
        "linalg.matrix_norm: Order 3 not supported."
    );
    assert_eq!(
        err(linalg::matrix_norm(&rect, "foo", [-2, -1], false)),
        "linalg.matrix_norm: Order foo not supported."
    );
    assert_eq!(
        err(linalg::matrix_norm(&rect, "fro", [0, 0], false)),
        "linalg.matrix_norm: dims must be different. Got (0, 0)"
    );
    assert_eq!(
        err(linalg::norm(
            &Tensor::ones(&[2, 2, 2], f64o).unwrap(),
            Some(NormOrd::Fro),
            None,
            false
        )),
        "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got 3D."
    );
}

#[test]
fn singular_values_of_degenerate_inputs() {
    let f64o = TensorOptions::default().dtype(DType::F64);
    let singular = Tensor::new([[1.0f64, 2.0], [2.0, 4.0]]);
    assert_eq!(linalg::det(&singular).unwrap().item().unwrap(), 0.0);
    let (s, l) = linalg::slogdet(&singular).unwrap();
    assert_eq!(
        (s.item().unwrap(), l.item().unwrap()),
        (0.0, f64::NEG_INFINITY)
    );
    // Empty matrices: det 1, inverse empty.
    // (Built as a view: a zero-length storage is misaligned for f64 in storage.rs.)
    let e = Tensor::zeros(&[1, 1], f64o)
        .unwrap()
        .narrow(0, 0, 0)
        .unwrap()
        .narrow(1, 0, 0)
        .unwrap();
    assert_eq!(linalg::det(&e).unwrap().item().unwrap(), 1.0);
    assert_eq!(linalg::inv(&e).unwrap().shape(), &[0, 0]);
    // The backward of mode "r" and of complete mode with m > n is PyTorch's error.
    let x = Tensor::ones(&[3, 2], f64o)
        .unwrap()
        .requires_grad_(true)
        .unwrap();
    let (_, r) = linalg::qr(&x, "r").unwrap();
    assert!(
        r.sum()
            .unwrap()
            .backward()
            .unwrap_err()
            .to_string()
            .contains("mode='r'")
    );
    let (q, _) = linalg::qr(&x, "complete").unwrap();
    assert!(
        q.sum()
            .unwrap()
            .backward()
            .unwrap_err()
            .to_string()
            .contains("nrows > ncols")
    );
}
