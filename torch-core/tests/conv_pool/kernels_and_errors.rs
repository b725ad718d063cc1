//! The blocked and threaded kernel paths (too large for the goldens) against composites of
//! `unfold`/`fold` and `matmul`; half-precision and unsupported dtypes; error messages.

use super::*;

fn randn(g: &Generator, shape: &[usize]) -> Tensor {
    g.randn(shape, TensorOptions::default().dtype(DType::F64))
        .expect("randn")
        .requires_grad_(true)
        .expect("leaf")
}

/// Gradients of `sum(y * gy)` with respect to `leaves`.
fn grads(y: &Tensor, gy: &Tensor, leaves: &[&Tensor]) -> Vec<Tensor> {
    for l in leaves {
        l.set_grad(None);
    }
    y.backward_with(Some(gy), false, false).expect("backward");
    leaves.iter().map(|l| l.grad().expect("grad")).collect()
}

fn assert_all_close(a: &[Tensor], b: &[Tensor]) {
    for (x, y) in a.iter().zip(b) {
        assert_close_tol(x, y, 1e-10, 1e-10);
    }
}

/// conv2d (groups 1) as `w.view(O, C*k*k) @ unfold(x)`, with autograd through the composite.
fn conv_reference(x: &Tensor, w: &Tensor, pad: usize) -> Result<Tensor> {
    let s = w.shape();
    let (o, ck) = (s[0] as i64, (s[1] * s[2] * s[3]) as i64);
    let opts = FoldOptions {
        padding: [pad, pad],
        ..Default::default()
    };
    let cols = unfold(x, [s[2], s[3]], opts)?;
    let y = w.reshape(&[o, ck])?.matmul(&cols)?;
    let oh = x.shape()[2] + 2 * pad + 1 - s[2];
    let ow = x.shape()[3] + 2 * pad + 1 - s[3];
    y.reshape(&[x.shape()[0] as i64, o, oh as i64, ow as i64])
}

#[test]
fn conv2d_threaded_and_blocked_paths_match_unfold_matmul() {
    torch_core::set_num_threads(2);
    let g = Generator::new(3);
    // Many (sample, block) tasks; then a single task (gemm threads inside it).
    for (xs, ws) in [
        ([3, 16, 40, 40], [32, 16, 3, 3]),
        ([1, 64, 8, 8], [64, 64, 3, 3]),
    ] {
        let (x, w) = (randn(&g, &xs), randn(&g, &ws));
        let o = Conv2dOptions {
            padding: 1.into(),
            ..Default::default()
        };
        let y = x.conv2d(&w, None, o).expect("conv2d");
        let r = conv_reference(&x, &w, 1).expect("reference");
        assert_close_tol(&y, &r, 1e-10, 1e-10);
        let gy = g
            .randn(y.shape(), TensorOptions::default().dtype(DType::F64))
            .expect("gy");
        assert_all_close(&grads(&y, &gy, &[&x, &w]), &grads(&r, &gy, &[&x, &w]));
    }
}

#[test]
fn conv2d_threaded_weight_gradient_repeats_bit_for_bit() {
    // The weight gradient sums over samples on several threads; which thread takes which
    // sample must not change the rounding (a training run repeats exactly, as in PyTorch).
    torch_core::set_num_threads(2);
    let g = Generator::new(5);
    let opts = TensorOptions::default();
    let x = g.randn(&[16, 16, 24, 24], opts).expect("x");
    let w = g
        .randn(&[32, 16, 3, 3], opts)
        .and_then(|w| w.requires_grad_(true))
        .expect("w");
    let o = Conv2dOptions {
        padding: 1.into(),
        ..Default::default()
    };
    let gy = g.randn(&[16, 32, 24, 24], opts).expect("gy");
    let weight_grad_bits = || -> Vec<u32> {
        let gw = grads(&x.conv2d(&w, None, o).expect("conv2d"), &gy, &[&w]);
        let gw = gw[0].to_vec::<f32>().expect("grad");
        gw.iter().map(|v| v.to_bits()).collect()
    };
    let first = weight_grad_bits();
    for _ in 0..10 {
        let again = weight_grad_bits();
        assert!(
            first == again,
            "the weight gradient changed between identical runs"
        );
    }
}

#[test]
fn conv_transpose2d_threaded_col2im_path_matches_fold_matmul() {
    torch_core::set_num_threads(2);
    let g = Generator::new(4);
    let (x, w) = (randn(&g, &[3, 32, 20, 20]), randn(&g, &[32, 16, 3, 3]));
    let o = ConvTranspose2dOptions {
        stride: [2, 2],
        padding: [1, 1],
        output_padding: [1, 1],
        ..Default::default()
    };
    let y = x.conv_transpose2d(&w, None, o).expect("conv_transpose2d");
    assert_eq!(y.shape(), &[3, 16, 40, 40]);
    // col[n] = w.view(Cin, Cout*k)^T @ x[n].view(Cin, HW), then fold (col2im).
    let cols = w
        .reshape(&[32, 16 * 9])
        .and_then(|w| w.t())
        .and_then(|wt| wt.matmul(&x.reshape(&[3, 32, 400])?))
        .expect("cols");
    let fo = FoldOptions {
        padding: [1, 1],
        stride: [2, 2],
        ..Default::default()
    };
    // fold needs the output size whose block grid is 20 x 20: 39 (+1 output padding row).
    let r = fold(&cols, [40, 40], [3, 3], fo).expect("fold");
    assert_close_tol(&y, &r, 1e-10, 1e-10);
    let gy = g
        .randn(y.shape(), TensorOptions::default().dtype(DType::F64))
        .expect("gy");
    assert_all_close(&grads(&y, &gy, &[&x, &w]), &grads(&r, &gy, &[&x, &w]));
}

#[test]
fn half_precision_runs_through_f32_and_ints_are_refused() {
    let g = Generator::new(5);
    let x = g.randn(&[2, 3, 6, 6], TensorOptions::default()).expect("x");
    let w = g.randn(&[4, 3, 3, 3], TensorOptions::default()).expect("w");
    let y32 = x.conv2d(&w, None, Conv2dOptions::default()).expect("f32");
    for dt in [DType::F16, DType::BF16] {
        let (xh, wh) = (x.to_dtype(dt).expect("x"), w.to_dtype(dt).expect("w"));
        let y = xh
            .conv2d(&wh, None, Conv2dOptions::default())
            .expect("half conv");
        assert_eq!(y.dtype(), dt);
        // Inputs rounded to 8 (bf16) or 11 (f16) bits, 27-term sums.
        assert_close_tol(&y.to_dtype(DType::F32).expect("f32"), &y32, 5e-2, 2e-1);
        let p = xh
            .max_pool2d([2, 2], MaxPool2dOptions::default())
            .expect("half pool");
        assert_eq!(p.dtype(), dt);
        let a = xh
            .avg_pool2d([2, 2], AvgPool2dOptions::default())
            .expect("half avg");
        assert_eq!(a.dtype(), dt);
    }
    let xi = x.to_dtype(DType::I64).expect("ints");
    let wi = w.to_dtype(DType::I64).expect("ints");
    let e = xi
        .conv2d(&wi, None, Conv2dOptions::default())
        .expect_err("ints");
    assert!(
        e.to_string().contains("conv2d") && e.to_string().contains("I64"),
        "{e}"
    );
    let e = xi
        .max_pool2d([2, 2], MaxPool2dOptions::default())
        .expect_err("ints");
    assert!(e.to_string().contains("max_pool2d"), "{e}");
}

#[test]
fn max_pool_matches_torch_tie_and_nan_rules() {
    // Ties keep the first index; a NaN wins (the last NaN of the window), as PyTorch's CPU
    // kernel does.
    let x = Tensor::from_vec(
        vec![1.0f32, 1.0, 0.0, f32::NAN, 2.0, f32::NAN, 2.0, 2.0],
        &[1, 1, 2, 4],
    )
    .expect("x");
    let (v, i) = x
        .max_pool2d_with_indices([2, 2], MaxPool2dOptions::default())
        .expect("pool");
    let v = v.to_vec::<f32>().expect("values");
    assert!(v[0].is_nan() && v[1].is_nan());
    assert_eq!(i.to_vec::<i64>().expect("indices"), vec![5, 3]);
    // The values-only kernel (no grad needed) agrees, NaN included.
    let vals = x
        .max_pool2d([2, 2], MaxPool2dOptions::default())
        .expect("values");
    let vals = vals.to_vec::<f32>().expect("values");
    assert!(vals[0].is_nan() && vals[1].is_nan());
    let g = Generator::new(9);
    let mut r = g
        .randn(&[2, 3, 9, 11], TensorOptions::default())
        .and_then(|t| t.to_vec::<f32>())
        .expect("randn");
    r[5] = f32::NAN;
    r[40] = f32::NEG_INFINITY;
    r[41] = f32::NEG_INFINITY;
    let r = Tensor::from_vec(r, &[2, 3, 9, 11]).expect("r");
    let o = MaxPool2dOptions {
        stride: Some([2, 3]),
        padding: [1, 1],
        dilation: [1, 2],
        ceil_mode: true,
    };
    let only = r.max_pool2d([3, 2], o).expect("values only");
    let (with, _) = r.max_pool2d_with_indices([3, 2], o).expect("with indices");
    assert_close(&only, &with);
    let y = Tensor::from_vec(vec![1.0f64, 3.0, 3.0, 2.0], &[1, 1, 4]).expect("y");
    let (_, i) = y
        .max_pool1d_with_indices(4, MaxPool1dOptions::default())
        .expect("pool");
    assert_eq!(i.to_vec::<i64>().expect("indices"), vec![1]);
}

fn err_text(r: Result<Tensor>) -> String {
    r.expect_err("expected an error").to_string()
}

fn assert_mentions(msg: &str, parts: &[&str]) {
    for p in parts {
        assert!(msg.contains(p), "{msg:?} should mention {p:?}");
    }
}

fn zeros(shape: &[usize]) -> Tensor {
    Tensor::zeros(shape, TensorOptions::default()).expect("zeros")
}

#[test]
fn conv_errors_name_the_op_and_the_shapes() {
    let d = Conv2dOptions::default();
    let m = err_text(zeros(&[1, 4, 5, 5]).conv2d(&zeros(&[2, 3, 3, 3]), None, d));
    assert_mentions(
        &m,
        &[
            "conv2d",
            "[1, 4, 5, 5]",
            "[2, 3, 3, 3]",
            "to have 3 channels, but got 4",
        ],
    );
    let g2 = Conv2dOptions { groups: 2, ..d };
    let m = err_text(zeros(&[1, 4, 5, 5]).conv2d(&zeros(&[3, 2, 3, 3]), None, g2));
    assert_mentions(&m, &["conv2d", "groups=2", "[1, 4, 5, 5]", "[3, 2, 3, 3]"]);
    let g3 = Conv2dOptions { groups: 3, ..d };
    let m = err_text(zeros(&[1, 4, 5, 5]).conv2d(&zeros(&[3, 1, 3, 3]), None, g3));
    assert_mentions(
        &m,
        &[
            "conv2d",
            "[1, 4, 5, 5]",
            "[3, 1, 3, 3]",
            "to have 3 channels",
        ],
    );
    let m = err_text(zeros(&[1, 1, 2, 2]).conv2d(&zeros(&[1, 1, 3, 3]), None, d));
    assert_mentions(
        &m,
        &[
            "conv2d",
            "[1, 1, 2, 2]",
            "[1, 1, 3, 3]",
            "Kernel size can't be greater",
        ],
    );
    let m = err_text(zeros(&[4, 5]).conv2d(&zeros(&[1, 1, 3, 3]), None, d));
    assert_mentions(&m, &["conv2d", "[4, 5]", "3D (unbatched) or 4D (batched)"]);
    let m = err_text(zeros(&[1, 1, 5, 5]).conv2d(&zeros(&[1, 1, 3]), None, d));
    assert_mentions(&m, &["conv2d", "[1, 1, 3]", "[1, 1, 5, 5]"]);
    let m = err_text(zeros(&[1, 1, 5, 5]).conv2d(&zeros(&[2, 1, 3, 3]), Some(&zeros(&[3])), d));
    assert_mentions(&m, &["conv2d", "[2, 1, 3, 3]", "[3]", "bias"]);
    let same = Conv2dOptions {
        stride: [2, 2],
        padding: Padding::Same,
        ..d
    };
    let m = err_text(zeros(&[1, 1, 5, 5]).conv2d(&zeros(&[1, 1, 3, 3]), None, same));
    assert_mentions(&m, &["conv2d", "padding='same'"]);
    let m = err_text(zeros(&[2, 5, 5]).conv1d(&zeros(&[1, 2, 3]), None, Conv1dOptions::default()));
    assert_mentions(&m, &["conv1d", "[2, 5, 5]", "[1, 2, 3]", "channels"]);
    let m = err_text(zeros(&[1, 2, 2]).conv1d(&zeros(&[1, 2, 3]), None, Conv1dOptions::default()));
    assert_mentions(
        &m,
        &["conv1d", "Kernel size can't be greater", "[2]", "[3]"],
    );
}

#[test]
fn conv_transpose_errors_name_the_op_and_the_shapes() {
    let d = ConvTranspose2dOptions::default();
    let m = err_text(zeros(&[1, 3, 4, 4]).conv_transpose2d(&zeros(&[2, 3, 3, 3]), None, d));
    assert_mentions(
        &m,
        &[
            "conv_transpose2d",
            "[1, 3, 4, 4]",
            "[2, 3, 3, 3]",
            "to have 2 channels, but got 3",
        ],
    );
    let g = ConvTranspose2dOptions { groups: 2, ..d };
    let m = err_text(zeros(&[1, 3, 4, 4]).conv_transpose2d(&zeros(&[3, 1, 3, 3]), None, g));
    assert_mentions(&m, &["conv_transpose2d", "groups=2", "[3, 1, 3, 3]"]);
    let op = ConvTranspose2dOptions {
        stride: [2, 2],
        output_padding: [2, 0],
        ..d
    };
    let m = err_text(zeros(&[1, 2, 4, 4]).conv_transpose2d(&zeros(&[2, 3, 3, 3]), None, op));
    assert_mentions(&m, &["conv_transpose2d", "output padding must be smaller"]);
    let m = err_text(zeros(&[1, 2, 4, 4]).conv_transpose2d(&zeros(&[2, 3, 3]), None, d));
    assert_mentions(&m, &["conv_transpose2d", "[2, 3, 3]", "[1, 2, 4, 4]"]);
    let m = err_text(zeros(&[2, 4, 4, 4]).conv_transpose1d(
        &zeros(&[4, 3, 3]),
        None,
        ConvTranspose1dOptions::default(),
    ));
    assert_mentions(&m, &["conv_transpose1d", "[2, 4, 4, 4]"]);
}

#[test]
fn pool_and_fold_errors_name_the_op_and_the_shapes() {
    let m = err_text(zeros(&[5, 5]).max_pool2d([2, 2], MaxPool2dOptions::default()));
    assert_mentions(&m, &["max_pool2d", "[5, 5]"]);
    let p = MaxPool2dOptions {
        padding: [2, 2],
        ..Default::default()
    };
    let m = err_text(zeros(&[1, 1, 5, 5]).max_pool2d([2, 2], p));
    assert_mentions(
        &m,
        &["max_pool2d", "pad should be at most half", "[1, 1, 5, 5]"],
    );
    let m = err_text(zeros(&[1, 1, 2, 2]).avg_pool2d([3, 3], AvgPool2dOptions::default()));
    assert_mentions(
        &m,
        &["avg_pool2d", "Output size is too small", "[1, 1, 2, 2]"],
    );
    let dz = AvgPool2dOptions {
        divisor_override: Some(0),
        ..Default::default()
    };
    let m = err_text(zeros(&[1, 1, 4, 4]).avg_pool2d([2, 2], dz));
    assert_mentions(&m, &["avg_pool2d", "divisor"]);
    let m = err_text(zeros(&[3, 2]).adaptive_avg_pool2d([1, 1]));
    assert_mentions(&m, &["adaptive_avg_pool2d", "[3, 2]"]);
    let m = err_text(fold(
        &zeros(&[1, 8, 5]),
        [4, 3],
        [2, 2],
        FoldOptions::default(),
    ));
    assert_mentions(&m, &["fold", "[1, 8, 5]", "sliding blocks 3 * 2 = 6"]);
    let m = err_text(unfold(&zeros(&[4, 5]), [2, 2], FoldOptions::default()));
    assert_mentions(&m, &["unfold", "[4, 5]"]);
    // Zero-sized non-batch dims are refused like PyTorch; an empty batch is fine.
    let m = err_text(zeros(&[1, 0, 4, 4]).avg_pool2d([2, 2], AvgPool2dOptions::default()));
    assert_mentions(&m, &["avg_pool2d", "[1, 0, 4, 4]"]);
    let e = zeros(&[0, 2, 4, 4])
        .max_pool2d([2, 2], MaxPool2dOptions::default())
        .expect("empty batch");
    assert_eq!(e.shape(), &[0, 2, 2, 2]);
    let c = zeros(&[0, 2, 4, 4])
        .conv2d(&zeros(&[3, 2, 3, 3]), None, Conv2dOptions::default())
        .expect("empty batch");
    assert_eq!(c.shape(), &[0, 3, 2, 2]);
    assert_close(&c, &zeros(&[0, 3, 2, 2]));
}
