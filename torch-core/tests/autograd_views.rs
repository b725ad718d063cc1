//! In-place writes through views update the base's history (PyTorch's CopySlices), views
//! regenerate their history after their base is written, constant writes cut the gradient,
//! and a view of a leaf that requires grad refuses in-place writes. Goldens from
//! `scripts/golden/autograd_views.py`, which runs the same steps in PyTorch.

use std::collections::HashMap;

use torch_core::autograd::{self, GradcheckOptions, gradcheck, gradgradcheck};
use torch_core::testing::{assert_close, load_golden};
use torch_core::{DType, Result, Tensor, TensorOptions};

fn goldens() -> HashMap<String, Tensor> {
    load_golden(env!("CARGO_MANIFEST_DIR"), "autograd_views").expect("golden file")
}

/// A fresh leaf that requires grad, with the values of golden `key`.
fn leaf(g: &HashMap<String, Tensor>, key: &str) -> Tensor {
    g[key].deep_clone().unwrap().requires_grad_(true).unwrap()
}

/// `t.sum().backward()`.
fn sum_backward(t: Result<Tensor>) {
    t.and_then(|t| t.sum()).and_then(|s| s.backward()).unwrap();
}

fn grad(t: &Tensor) -> Tensor {
    t.grad().expect("a gradient")
}

#[test]
fn mul_through_a_strided_slice_updates_the_base() {
    let g = goldens();
    let (x, w) = (leaf(&g, "x"), leaf(&g, "w"));
    let b = x.mul_scalar(2.0).unwrap();
    let v = b
        .slice(0, Some(1), Some(3), 1)
        .and_then(|v| v.slice(1, None, None, 2))
        .unwrap();
    assert!(v.is_view() && !b.is_view());
    v.mul_(&w).unwrap();
    assert_eq!(b.grad_fn().unwrap().name(), "CopySlices");
    assert_eq!(v.grad_fn().unwrap().name(), "AsStridedBackward");
    assert_close(&b.detach(), &g["slice_mul.b"]);
    sum_backward(b.mul(&g["c"]));
    assert_close(&grad(&x), &g["slice_mul.x"]);
    assert_close(&grad(&w), &g["slice_mul.w"]);
}

#[test]
fn copy_into_a_row_of_the_transpose() {
    let g = goldens();
    let (x, y) = (leaf(&g, "x"), leaf(&g, "y"));
    let b = x.mul_scalar(2.0).unwrap();
    b.t().unwrap().select(0, 1).unwrap().copy_(&y).unwrap();
    sum_backward(b.pow_scalar(2.0));
    assert_close(&grad(&x), &g["t_copy.x"]);
    assert_close(&grad(&y), &g["t_copy.y"]);
}

#[test]
fn a_view_sees_its_base_written_after_it_was_taken() {
    let g = goldens();
    let x = leaf(&g, "x");
    let b = x.mul_scalar(1.0).unwrap();
    let v = b.narrow(0, 0, 2).unwrap();
    b.mul_scalar_(3.0).unwrap();
    sum_backward(v.mul(&v));
    assert_close(&grad(&x), &g["stale_view.x"]);
}

#[test]
fn constant_writes_cut_the_gradient_of_what_they_overwrite() {
    let g = goldens();
    let x = leaf(&g, "x");
    let b = x.mul_scalar(2.0).unwrap();
    b.narrow(1, 0, 1).unwrap().zero_().unwrap();
    sum_backward(b.mul(&b));
    assert_close(&grad(&x), &g["view_zero.x"]);

    let x = leaf(&g, "x");
    let b = x.mul_scalar(2.0).unwrap();
    b.fill_(1.5).unwrap();
    assert!(
        b.requires_grad(),
        "fill_ keeps requires_grad, as in PyTorch"
    );
    sum_backward(b.mul(&x));
    assert_close(&grad(&x), &g["fill.x"]);
}

#[test]
fn filling_a_buffer_that_does_not_require_grad() {
    let g = goldens();
    let y = leaf(&g, "y");
    let buf = Tensor::zeros(&[3, 4], TensorOptions::default().dtype(DType::F64)).unwrap();
    assert!(!buf.requires_grad());
    buf.select(0, 1).unwrap().copy_(&y).unwrap();
    assert!(buf.requires_grad() && !buf.is_leaf());
    sum_backward(buf.exp());
    assert_close(&grad(&y), &g["buffer.y"]);
}

#[test]
fn add_through_a_view_of_a_view() {
    let g = goldens();
    let x = leaf(&g, "x");
    let y = leaf(&g, "y").narrow(0, 0, 3).unwrap().detach();
    let y = y.requires_grad_(true).unwrap();
    let b = x.mul_scalar(1.0).unwrap();
    let v = b.slice(0, Some(1), None, 1).unwrap();
    let u = v.select(1, 1).unwrap();
    assert_eq!(
        u.view_base().unwrap().id(),
        b.id(),
        "the base of a view of a view is the root"
    );
    u.add_(&y).unwrap();
    sum_backward(b.pow_scalar(2.0));
    assert_close(&grad(&x), &g["view_of_view.x"]);
    assert_close(&grad(&y), &g["view_of_view.y"]);
}

#[test]
fn in_place_on_a_view_of_a_leaf_that_requires_grad_is_refused() {
    let g = goldens();
    let x = leaf(&g, "x");
    let err = x
        .narrow(0, 0, 1)
        .unwrap()
        .mul_scalar_(2.0)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "a view of a leaf Variable that requires grad is being used in an in-place operation"
        ),
        "{err}"
    );
    // Under no_grad (initialisers, optimizers) it is allowed and writes the leaf.
    let _g = autograd::no_grad();
    x.narrow(0, 0, 1).unwrap().fill_(7.0).unwrap();
    assert_eq!(x.to_vec::<f64>().unwrap()[..3], [7.0, 7.0, 7.0]);
}

/// `b = x * x; b[1:3] *= y; sum(sin(b))`, differentiated once and twice.
fn through_copy_slices(t: &[Tensor]) -> Result<Tensor> {
    let b = t[0].mul(&t[0])?;
    b.narrow(0, 1, 2)?.mul_(&t[1])?;
    b.sin()?.sum()
}

#[test]
fn copy_slices_passes_gradcheck_and_gradgradcheck() {
    let g = goldens();
    let x = leaf(&g, "x");
    let w = leaf(&g, "c").narrow(0, 0, 2).unwrap().detach();
    let w = w.requires_grad_(true).unwrap();
    let inputs = [x, w];
    gradcheck(through_copy_slices, &inputs, GradcheckOptions::default()).unwrap();
    gradgradcheck(through_copy_slices, &inputs, GradcheckOptions::default()).unwrap();
}

#[test]
fn writes_into_a_base_with_a_non_contiguous_layout() {
    let g = goldens();
    let y = leaf(&g, "y");
    let w = g["c"].select(0, 0).unwrap().deep_clone().unwrap();
    let w = w.requires_grad_(true).unwrap();
    let d = g["x"].deep_clone().unwrap().t().unwrap().detach();
    assert!(!d.is_view() && !d.is_contiguous());
    d.select(0, 1).unwrap().copy_(&y).unwrap();
    d.select(1, 0).unwrap().mul_(&w).unwrap();
    let c = g["c"].t().unwrap();
    sum_backward(d.mul(&c));
    assert_close(&grad(&y), &g["strided_base.y"]);
    assert_close(&grad(&w), &g["strided_base.w"]);
}
