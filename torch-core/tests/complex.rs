//! Complex helpers (`view_as_real`, `view_as_complex`, `real`, `imag`, `angle`, `complex`,
//! `polar`, complex `abs`) against PyTorch goldens made by `scripts/golden/fft.py`, including
//! gradients under PyTorch's conjugate Wirtinger convention, plus view semantics.

use std::collections::HashMap;

use num_complex::Complex32;
use torch_core::testing::load_golden;
use torch_core::{DType, Result, Tensor};

const RTOL: f64 = 1e-5;
const ATOL: f64 = 1e-5;

fn golden() -> HashMap<String, Tensor> {
    load_golden(env!("CARGO_MANIFEST_DIR"), "fft").expect("golden file")
}

/// Compares dtype and values; complex tensors are compared as (real, imag) pairs.
fn check(g: &HashMap<String, Tensor>, key: &str, actual: Result<Tensor>) {
    torch_core::testing::assert_golden_tol(g, key, actual, RTOL, ATOL);
}

fn leaf(x: &Tensor) -> Tensor {
    x.deep_clone().unwrap().requires_grad_(true).unwrap()
}

fn grad_of(x: &Tensor, f: impl Fn(&Tensor) -> Result<Tensor>) -> Result<Tensor> {
    let t = leaf(x);
    f(&t)?.backward()?;
    Ok(t.grad().expect("gradient"))
}

#[test]
fn complex_helpers_match_torch() {
    let g = golden();
    let (z, a, b) = (&g["z"], &g["a"], &g["b"]);
    check(&g, "cplx.real", z.real());
    check(&g, "cplx.imag", z.imag());
    check(&g, "cplx.angle", z.angle());
    let r = Tensor::from_vec(vec![-2.0f32, -0.0, 0.0, 3.0, f32::NAN], &[5]).unwrap();
    check(&g, "cplx.angle_real", r.angle());
    check(&g, "cplx.view_as_real", z.view_as_real());
    check(&g, "cplx.complex", Tensor::complex(a, b));
    check(&g, "cplx.polar", Tensor::polar(&a.abs().unwrap(), b));
    check(&g, "z", z.view_as_real().unwrap().view_as_complex());
}

#[test]
fn complex_gradients_match_torch() {
    let g = golden();
    let (z, w34, w342, a, b) = (&g["z"], &g["w34"], &g["w342"], &g["a"], &g["b"]);
    check(
        &g,
        "grad.view_as_real",
        grad_of(z, |t| t.view_as_real()?.mul(w342)?.sum()),
    );
    check(
        &g,
        "grad.real_imag",
        grad_of(z, |t| {
            t.real()?
                .mul(w34)?
                .sum()?
                .add(&t.imag()?.pow_scalar(2.0)?.sum()?)
        }),
    );
    check(&g, "grad.angle", grad_of(z, |t| t.angle()?.mul(w34)?.sum()));
    check(&g, "grad.abs", grad_of(z, |t| t.abs()?.mul(w34)?.sum()));
    check(
        &g,
        "grad.view_as_complex",
        grad_of(w342, |t| t.view_as_complex()?.abs()?.sum()),
    );
    let (ta, tb) = (leaf(a), leaf(b));
    Tensor::complex(&ta, &tb)
        .unwrap()
        .mul(z)
        .unwrap()
        .abs()
        .unwrap()
        .sum()
        .unwrap()
        .backward()
        .unwrap();
    check(&g, "grad.complex_a", Ok(ta.grad().unwrap()));
    check(&g, "grad.complex_b", Ok(tb.grad().unwrap()));
    let (pa, pb) = (leaf(&a.abs().unwrap()), leaf(b));
    let w = w342.select(0, 0).unwrap().select(0, 0).unwrap();
    Tensor::polar(&pa, &pb)
        .unwrap()
        .view_as_real()
        .unwrap()
        .mul(&w)
        .unwrap()
        .sum()
        .unwrap()
        .backward()
        .unwrap();
    check(&g, "grad.polar_abs", Ok(pa.grad().unwrap()));
    check(&g, "grad.polar_angle", Ok(pb.grad().unwrap()));
}

#[test]
fn view_as_real_is_a_view_of_the_same_storage() {
    let z = Tensor::from_vec(
        vec![
            Complex32::new(1.0, 2.0),
            Complex32::new(3.0, 4.0),
            Complex32::new(5.0, 6.0),
        ],
        &[3],
    )
    .unwrap();
    let r = z.view_as_real().unwrap();
    assert!(r.shares_storage(&z));
    assert_eq!(
        (r.shape(), r.stride(), r.dtype()),
        (&[3, 2][..], &[2, 1][..], DType::F32)
    );
    assert_eq!(
        r.to_vec::<f32>().unwrap(),
        vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    );
    // A write through the real view is seen by the complex tensor (shared storage and version).
    let v0 = z.version();
    r.select(0, 1)
        .unwrap()
        .select(0, 1)
        .unwrap()
        .fill_(9.0)
        .unwrap();
    assert!(z.version() > v0);
    assert_eq!(
        z.to_vec::<Complex32>().unwrap()[1],
        Complex32::new(3.0, 9.0)
    );
    // Strided and offset views map to doubled strides and offsets.
    let s = z.slice(0, Some(1), None, 2).unwrap();
    let rs = s.view_as_real().unwrap();
    assert_eq!((rs.stride(), rs.storage_offset()), (&[4, 1][..], 2));
    assert_eq!(rs.to_vec::<f32>().unwrap(), vec![3.0, 9.0]);
    let back = rs.view_as_complex().unwrap();
    assert_eq!((back.stride(), back.storage_offset()), (&[2][..], 1));
    // real/imag are views too.
    assert!(z.real().unwrap().shares_storage(&z));
    assert_eq!(
        z.imag().unwrap().to_vec::<f32>().unwrap(),
        vec![2.0, 9.0, 6.0]
    );
}

#[test]
fn view_as_complex_rejects_bad_layouts() {
    let x = Tensor::from_vec((0..12).map(|v| v as f32).collect::<Vec<_>>(), &[3, 4]).unwrap();
    let msg = |t: Tensor| t.view_as_complex().unwrap_err().to_string();
    assert!(msg(x.clone()).contains("last dimension of size 2"));
    assert!(
        msg(x
            .narrow(1, 0, 2)
            .unwrap()
            .t()
            .unwrap()
            .t()
            .unwrap()
            .transpose(0, 1)
            .unwrap())
        .contains("last dimension")
    );
    assert!(
        msg(x
            .reshape(&[2, 6])
            .unwrap()
            .t()
            .unwrap()
            .narrow(1, 0, 2)
            .unwrap()
            .t()
            .unwrap())
        .contains("last dimension")
    );
    assert!(msg(x.narrow(1, 1, 2).unwrap()).contains("storage_offset divisible by 2"));
    let odd = Tensor::from_vec((0..6).map(|v| v as f32).collect::<Vec<_>>(), &[3, 2]).unwrap();
    assert!(msg(odd.as_strided(&[1, 2], &[3, 1], 0).unwrap()).contains("stride divisible by 2"));
    let f64x = Tensor::zeros(&[2], torch_core::TensorOptions::default().dtype(DType::F64)).unwrap();
    assert!(msg(f64x).contains("complex64"));
    // An even-strided view of an even-sized buffer works.
    let ok = x.reshape(&[3, 2, 2]).unwrap().select(1, 1).unwrap();
    let c = ok.view_as_complex().unwrap();
    assert_eq!(
        c.to_vec::<Complex32>().unwrap()[2],
        Complex32::new(10.0, 11.0)
    );
}

#[test]
fn complex_and_imag_check_dtypes_like_torch() {
    let f = Tensor::from_vec(vec![1.0f32, 2.0], &[2]).unwrap();
    let d = f.to_dtype(DType::F64).unwrap();
    let e = Tensor::complex(&f, &d).unwrap_err().to_string();
    assert!(e.contains("Expected object of scalar type"), "{e}");
    assert!(f.imag().unwrap_err().to_string().contains("non-complex"));
    assert!(
        f.view_as_real()
            .unwrap_err()
            .to_string()
            .contains("only supported for complex")
    );
    // real() of a real tensor is the tensor itself.
    assert!(f.real().unwrap().shares_storage(&f));
}

#[test]
fn real_input_of_complex_op_gets_real_gradient() {
    type C = Complex32;
    let x = Tensor::new([1.0f32, 2.0]).requires_grad_(true).unwrap();
    let c = Tensor::new([C::new(0.0, 1.0), C::new(2.0, -1.0)]);
    // loss = sum |x c|^2 = sum x^2 |c|^2, so dL/dx = 2 x |c|^2.
    let loss = x
        .mul(&c)
        .unwrap()
        .abs()
        .unwrap()
        .pow_scalar(2.0)
        .unwrap()
        .sum()
        .unwrap();
    loss.backward().unwrap();
    let g = x.grad().unwrap();
    assert_eq!(g.dtype(), DType::F32);
    let v = g.to_vec::<f32>().unwrap();
    assert!(
        (v[0] - 2.0).abs() < 1e-5 && (v[1] - 20.0).abs() < 1e-4,
        "{v:?}"
    );
}
