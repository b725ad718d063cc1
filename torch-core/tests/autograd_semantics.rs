//! Autograd behaviour users rely on, with PyTorch's errors: accumulation, retain_graph,
//! non-scalar backward, no_grad, hooks, retain_grad, in-place safety, anomaly mode, custom
//! functions, graph memory release, dot dump.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use torch_core::autograd::{self, BackwardCtx, GradFn, GradOptions};
use torch_core::{DType, Result, Tensor, TensorOptions};

fn leaf(v: &[f64]) -> Tensor {
    Tensor::from_slice(v, &[v.len()])
        .unwrap()
        .requires_grad_(true)
        .unwrap()
}

#[test]
fn gradients_accumulate_until_zeroed() {
    let x = leaf(&[1.0, 2.0]);
    for _ in 0..2 {
        x.mul(&x).unwrap().sum().unwrap().backward().unwrap();
    }
    assert_eq!(x.grad().unwrap().to_vec::<f64>().unwrap(), vec![4.0, 8.0]);
    x.set_grad(None);
    x.mul_scalar(3.0)
        .unwrap()
        .sum()
        .unwrap()
        .backward()
        .unwrap();
    assert_eq!(x.grad().unwrap().to_vec::<f64>().unwrap(), vec![3.0, 3.0]);
}

#[test]
fn second_backward_needs_retain_graph() {
    let x = leaf(&[1.0, 2.0]);
    let y = x.exp().unwrap().sum().unwrap();
    y.backward_with(None, true, false).unwrap();
    y.backward().unwrap();
    let err = y.backward().unwrap_err().to_string();
    assert!(
        err.contains("Trying to backward through the graph a second time"),
        "{err}"
    );
    let e = 1f64.exp();
    assert!((x.grad().unwrap().to_vec::<f64>().unwrap()[0] - 2.0 * e).abs() < 1e-12);
}

#[test]
fn backward_on_non_scalar_needs_a_gradient() {
    let x = leaf(&[1.0, 2.0]);
    let y = x.mul_scalar(2.0).unwrap();
    let err = y.backward().unwrap_err().to_string();
    assert!(
        err.contains("grad can be implicitly created only for scalar outputs"),
        "{err}"
    );
    y.backward_with(Some(&Tensor::new([1.0f64, 10.0])), false, false)
        .unwrap();
    assert_eq!(x.grad().unwrap().to_vec::<f64>().unwrap(), vec![2.0, 20.0]);
}

#[test]
fn backward_without_grad_fn_is_refused() {
    let x = Tensor::new([1.0f32]);
    let err = x.sum().unwrap().backward().unwrap_err().to_string();
    assert!(
        err.contains("does not require grad and does not have a grad_fn"),
        "{err}"
    );
}

#[test]
fn no_grad_records_nothing_and_nests() {
    let x = leaf(&[1.0]);
    {
        let _g = autograd::no_grad();
        let y = x.mul_scalar(2.0).unwrap();
        assert!(!y.requires_grad() && y.grad_fn().is_none());
        {
            let _e = autograd::enable_grad();
            assert!(x.mul_scalar(2.0).unwrap().requires_grad());
        }
        assert!(!autograd::is_grad_enabled());
    }
    assert!(autograd::is_grad_enabled());
    let prev = autograd::set_grad_enabled(false);
    assert!(prev);
    assert!(!x.exp().unwrap().requires_grad());
    autograd::set_grad_enabled(true);
}

#[test]
fn grad_mode_is_thread_local() {
    let _g = autograd::no_grad();
    let on_other = std::thread::spawn(autograd::is_grad_enabled)
        .join()
        .unwrap();
    assert!(on_other);
    assert!(!autograd::is_grad_enabled());
}

#[test]
fn hooks_see_and_replace_gradients() {
    let x = leaf(&[1.0, 2.0]);
    let seen = Arc::new(AtomicUsize::new(0));
    let s = seen.clone();
    x.register_hook(move |g| {
        s.fetch_add(1, Ordering::SeqCst);
        Some(g.mul_scalar(10.0).unwrap())
    })
    .unwrap();
    let y = x.mul_scalar(3.0).unwrap();
    y.register_hook(|g| Some(g.add_scalar(1.0).unwrap()))
        .unwrap();
    y.sum().unwrap().backward().unwrap();
    assert_eq!(seen.load(Ordering::SeqCst), 1);
    // dy = 1 + 1 = 2, dx = 3 * 2 = 6, hook x10 = 60.
    assert_eq!(x.grad().unwrap().to_vec::<f64>().unwrap(), vec![60.0, 60.0]);
}

#[test]
fn retain_grad_keeps_non_leaf_gradients() {
    let x = leaf(&[1.0, 2.0]);
    let y = x.mul(&x).unwrap();
    y.retain_grad().unwrap();
    let z = x.mul(&x).unwrap();
    y.mul_scalar(2.0)
        .unwrap()
        .sum()
        .unwrap()
        .backward()
        .unwrap();
    assert_eq!(y.grad().unwrap().to_vec::<f64>().unwrap(), vec![2.0, 2.0]);
    assert!(z.grad().is_none());
    assert!(!y.is_leaf() && x.is_leaf());
}

#[test]
fn in_place_modification_of_saved_tensor_is_caught() {
    let x = leaf(&[1.0, 2.0]);
    let y = x.mul_scalar(1.0).unwrap();
    let z = y.mul(&y).unwrap(); // saves y
    y.add_scalar_(1.0).unwrap();
    let err = z.sum().unwrap().backward().unwrap_err().to_string();
    assert!(
        err.contains("modified by an inplace operation")
            && err.contains("is at version 1; expected version 0"),
        "{err}"
    );
}

#[test]
fn in_place_on_leaf_requiring_grad_is_refused() {
    let x = leaf(&[1.0]);
    let err = x.add_scalar_(1.0).unwrap_err().to_string();
    assert!(
        err.contains("a leaf Variable that requires grad is being used in an in-place operation"),
        "{err}"
    );
    // Allowed under no_grad (the optimizer update), and it bumps the version.
    let _g = autograd::no_grad();
    let v = x.version();
    x.add_scalar_(1.0).unwrap();
    assert_eq!(x.version(), v + 1);
    assert_eq!(x.to_vec::<f64>().unwrap(), vec![2.0]);
}

#[test]
fn in_place_ops_rebase_history() {
    let x = leaf(&[1.0, 2.0]);
    let w = leaf(&[3.0, 4.0]);
    let y = x.mul_scalar(1.0).unwrap();
    y.mul_(&w).unwrap(); // y = x * w, recorded
    y.sum().unwrap().backward().unwrap();
    assert_eq!(x.grad().unwrap().to_vec::<f64>().unwrap(), vec![3.0, 4.0]);
    assert_eq!(w.grad().unwrap().to_vec::<f64>().unwrap(), vec![1.0, 2.0]);
}

#[test]
fn anomaly_mode_names_the_op_that_made_nan() {
    let x = leaf(&[0.0]);
    let _a = autograd::detect_anomaly();
    let y = x
        .sqrt()
        .unwrap()
        .mul(&Tensor::new([0.0f64]))
        .unwrap()
        .sum()
        .unwrap();
    let err = y.backward().unwrap_err().to_string();
    assert!(err.contains("SqrtBackward") && err.contains("nan"), "{err}");
}

/// y = x^3 as a user-defined op.
struct Cube(Tensor);
impl GradFn for Cube {
    fn name(&self) -> &'static str {
        "CubeBackward"
    }
    fn backward(&self, _: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some(
            g.mul(&self.0.pow_scalar(2.0)?.mul_scalar(3.0)?)?,
        )])
    }
}

#[test]
fn custom_grad_fn_takes_part_in_backward() {
    let x = leaf(&[2.0, -1.0]);
    let y = {
        let _g = autograd::no_grad();
        x.pow_scalar(3.0).unwrap()
    };
    let y = y.attach_grad_fn(&[&x], Box::new(Cube(x.clone()))).unwrap();
    assert_eq!(y.grad_fn().unwrap().name(), "CubeBackward");
    y.sum().unwrap().backward().unwrap();
    assert_eq!(x.grad().unwrap().to_vec::<f64>().unwrap(), vec![12.0, 3.0]);
}

#[test]
fn grad_returns_gradients_without_touching_dot_grad() {
    let x = leaf(&[1.0, 2.0]);
    let w = leaf(&[3.0, 4.0]);
    let y = x.mul(&w).unwrap().sum().unwrap();
    let g = autograd::grad(&[y], std::slice::from_ref(&x), GradOptions::default()).unwrap();
    assert_eq!(
        g[0].as_ref().unwrap().to_vec::<f64>().unwrap(),
        vec![3.0, 4.0]
    );
    assert!(x.grad().is_none() && w.grad().is_none());
    let unused = leaf(&[1.0]);
    let y = x.sum().unwrap();
    let err = autograd::grad(&[y], &[unused], GradOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("appears to not have been used in the graph"),
        "{err}"
    );
}

#[test]
fn hessian_vector_product_matches_closed_form() {
    // f(x) = sum(x^2 * sin(x)); H = diag(2 sin x + 4x cos x - x^2 sin x).
    let xs = [0.3f64, -1.2, 2.0];
    let x = leaf(&xs);
    let f = x
        .mul(&x)
        .unwrap()
        .mul(&x.sin().unwrap())
        .unwrap()
        .sum()
        .unwrap();
    let opts = GradOptions {
        create_graph: true,
        ..Default::default()
    };
    let g = autograd::grad(&[f], std::slice::from_ref(&x), opts).unwrap()[0]
        .clone()
        .unwrap();
    let v = Tensor::new([1.0f64, 2.0, 3.0]);
    let hv = autograd::grad(
        &[g.mul(&v).unwrap().sum().unwrap()],
        &[x],
        GradOptions::default(),
    )
    .unwrap()[0]
        .clone()
        .unwrap()
        .to_vec::<f64>()
        .unwrap();
    for (i, &t) in xs.iter().enumerate() {
        let h = 2.0 * t.sin() + 4.0 * t * t.cos() - t * t * t.sin();
        assert!(
            (hv[i] - h * (i + 1) as f64).abs() < 1e-10,
            "{i}: {} vs {}",
            hv[i],
            h
        );
    }
}

#[test]
fn graph_memory_is_released() {
    let w = Tensor::randn(&[8, 8], TensorOptions::default().dtype(DType::F64))
        .unwrap()
        .requires_grad_(true)
        .unwrap();
    let x = Tensor::randn(&[4, 8], TensorOptions::default().dtype(DType::F64)).unwrap();
    let step = || {
        let loss = x
            .matmul(&w)
            .unwrap()
            .tanh()
            .unwrap()
            .pow_scalar(2.0)
            .unwrap()
            .mean()
            .unwrap();
        loss.backward().unwrap();
        w.set_grad(None);
        // A graph that is built and dropped without backward is released too.
        let _ = x.matmul(&w).unwrap().sigmoid().unwrap().sum().unwrap();
    };
    step();
    let before = torch_core::live_tensors();
    for _ in 0..2000 {
        step();
    }
    // Other tests run in parallel threads and create tensors too: allow their noise, but a
    // leak of even one tensor per step would show as thousands.
    let after = torch_core::live_tensors();
    assert!(
        after < before + 500,
        "live tensors grew from {before} to {after}"
    );
}

#[test]
fn dot_dump_names_ops_and_shapes() {
    let x = Tensor::randn(&[2, 3], TensorOptions::default())
        .unwrap()
        .requires_grad_(true)
        .unwrap();
    let y = x.exp().unwrap().sum().unwrap();
    let dot = autograd::to_dot(&y);
    assert!(dot.starts_with("digraph"));
    assert!(
        dot.contains("ExpBackward") && dot.contains("SumBackward") && dot.contains("[2, 3]"),
        "{dot}"
    );
}

#[test]
fn integer_tensors_cannot_require_grad() {
    let err = Tensor::new([1i64])
        .requires_grad_(true)
        .unwrap_err()
        .to_string();
    assert!(err.contains("only Tensors of floating point and complex dtype can require gradients"));
}
