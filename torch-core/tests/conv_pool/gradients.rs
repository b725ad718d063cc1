//! f64 finite-difference checks (DESIGN R17: eps 1e-6, atol 1e-5, rtol 1e-3) of every conv
//! and pooling op, with the op's input contiguous and as a non-contiguous view (transposed or
//! sliced inside the checked function, so the op sees the strided layout); second derivatives
//! (`gradgradcheck`) for conv2d, conv_transpose2d, max_pool2d and avg_pool2d.

use super::*;

fn f64_opts() -> TensorOptions {
    TensorOptions::default().dtype(DType::F64)
}

fn input(g: &Generator, shape: &[usize]) -> Tensor {
    g.uniform(shape, -1.0, 1.0, f64_opts()).expect("input")
}

/// How the checked function hands `xs[0]` to the op.
#[derive(Clone, Copy, Debug)]
enum View {
    Contiguous,
    /// Stored with the last two dims swapped, transposed back inside.
    Transposed,
    /// A slice dropping the first element of the last dim (stored one longer).
    Sliced,
}

/// The stored shape for `shape` seen through `view`.
fn stored(shape: &[usize], view: View) -> Vec<usize> {
    let mut s = shape.to_vec();
    let n = s.len();
    match view {
        View::Contiguous => {}
        View::Transposed => s.swap(n - 1, n - 2),
        View::Sliced => s[n - 1] += 1,
    }
    s
}

fn apply(x: &Tensor, view: View) -> Result<Tensor> {
    let d = x.dim() as i64;
    match view {
        View::Contiguous => Ok(x.clone()),
        View::Transposed => x.transpose(d - 1, d - 2),
        View::Sliced => {
            let n = x.shape()[x.dim() - 1];
            x.narrow(d - 1, 1, n - 1)
        }
    }
}

/// gradcheck of `op(view(x), rest...)` for the contiguous, transposed and sliced views; with
/// `second`, gradgradcheck too.
fn check(
    name: &str,
    x_shape: &[usize],
    others: &[&[usize]],
    second: bool,
    op: impl Fn(&Tensor, &[Tensor]) -> Result<Tensor> + Copy,
) {
    let g = Generator::new(7);
    for view in [View::Contiguous, View::Transposed, View::Sliced] {
        let mut inputs = vec![input(&g, &stored(x_shape, view))];
        inputs.extend(others.iter().map(|s| input(&g, s)));
        let f = move |xs: &[Tensor]| -> Result<Tensor> {
            let x = apply(&xs[0], view)?;
            assert!(matches!(view, View::Contiguous) || !x.is_contiguous());
            op(&x, &xs[1..])
        };
        gradcheck(f, &inputs, GradcheckOptions::default())
            .unwrap_or_else(|e| panic!("{name} ({view:?}): {e}"));
        if second {
            gradgradcheck(f, &inputs, GradcheckOptions::default())
                .unwrap_or_else(|e| panic!("{name} ({view:?}, second order): {e}"));
        }
    }
}

#[test]
fn conv2d_backward_matches_finite_differences() {
    let o = Conv2dOptions {
        stride: [2, 1],
        padding: 1.into(),
        groups: 2,
        ..Default::default()
    };
    check(
        "conv2d",
        &[2, 4, 5, 4],
        &[&[4, 2, 3, 2], &[4]],
        false,
        move |x, r| x.conv2d(&r[0], Some(&r[1]), o),
    );
    let o = Conv2dOptions {
        padding: Padding::Same,
        dilation: [2, 1],
        ..Default::default()
    };
    check(
        "conv2d same dilated",
        &[1, 2, 5, 4],
        &[&[2, 2, 2, 3]],
        false,
        move |x, r| x.conv2d(&r[0], None, o),
    );
    check(
        "conv2d 1x1",
        &[2, 3, 3, 2],
        &[&[2, 3, 1, 1], &[2]],
        false,
        |x, r| x.conv2d(&r[0], Some(&r[1]), Conv2dOptions::default()),
    );
}

#[test]
fn conv2d_double_backward_matches_finite_differences() {
    let o = Conv2dOptions {
        stride: [2, 2],
        padding: 1.into(),
        ..Default::default()
    };
    check(
        "conv2d",
        &[1, 2, 4, 5],
        &[&[2, 2, 3, 3], &[2]],
        true,
        move |x, r| x.conv2d(&r[0], Some(&r[1]), o),
    );
}

#[test]
fn conv1d_backward_matches_finite_differences() {
    let o = Conv1dOptions {
        stride: 2,
        padding: 1.into(),
        dilation: 2,
        ..Default::default()
    };
    check(
        "conv1d",
        &[2, 2, 7],
        &[&[3, 2, 3], &[3]],
        false,
        move |x, r| x.conv1d(&r[0], Some(&r[1]), o),
    );
}

#[test]
fn conv_transpose2d_backward_matches_finite_differences() {
    let strided = ConvTranspose2dOptions {
        stride: [2, 2],
        padding: [1, 0],
        output_padding: [1, 1],
        ..Default::default()
    };
    check(
        "conv_transpose2d strided",
        &[1, 2, 3, 3],
        &[&[2, 2, 3, 2], &[2]],
        true,
        move |x, r| x.conv_transpose2d(&r[0], Some(&r[1]), strided),
    );
    let grouped = ConvTranspose2dOptions {
        padding: [1, 1],
        groups: 2,
        dilation: [1, 2],
        ..Default::default()
    };
    check(
        "conv_transpose2d stride 1",
        &[1, 4, 3, 3],
        &[&[4, 1, 2, 2]],
        true,
        move |x, r| x.conv_transpose2d(&r[0], None, grouped),
    );
}

#[test]
fn conv_transpose1d_backward_matches_finite_differences() {
    let o = ConvTranspose1dOptions {
        stride: 3,
        padding: 1,
        output_padding: 2,
        ..Default::default()
    };
    check(
        "conv_transpose1d",
        &[2, 2, 4],
        &[&[2, 3, 3], &[3]],
        false,
        move |x, r| x.conv_transpose1d(&r[0], Some(&r[1]), o),
    );
}

#[test]
fn max_pool_backward_matches_finite_differences() {
    let o = MaxPool2dOptions {
        stride: Some([2, 1]),
        padding: [1, 1],
        ceil_mode: true,
        ..Default::default()
    };
    check("max_pool2d", &[2, 2, 5, 4], &[], true, move |x, _| {
        x.max_pool2d([3, 2], o)
    });
    let o = MaxPool1dOptions {
        stride: Some(2),
        dilation: 2,
        ..Default::default()
    };
    check("max_pool1d", &[2, 2, 9], &[], false, move |x, _| {
        x.max_pool1d(2, o)
    });
    check("adaptive_max_pool2d", &[1, 2, 5, 7], &[], false, |x, _| {
        x.adaptive_max_pool2d([2, 3])
    });
    check("adaptive_max_pool1d", &[2, 2, 7], &[], false, |x, _| {
        x.adaptive_max_pool1d(3)
    });
}

#[test]
fn avg_pool_backward_matches_finite_differences() {
    let o = AvgPool2dOptions {
        stride: Some([2, 1]),
        padding: [1, 1],
        ceil_mode: true,
        count_include_pad: false,
        ..Default::default()
    };
    check("avg_pool2d", &[2, 2, 5, 4], &[], true, move |x, _| {
        x.avg_pool2d([3, 2], o)
    });
    let o = AvgPool2dOptions {
        divisor_override: Some(3),
        ..Default::default()
    };
    check(
        "avg_pool2d divisor",
        &[1, 2, 4, 4],
        &[],
        true,
        move |x, _| x.avg_pool2d([2, 2], o),
    );
    let o = AvgPool1dOptions {
        stride: Some(2),
        padding: 1,
        ..Default::default()
    };
    check("avg_pool1d", &[2, 2, 7], &[], false, move |x, _| {
        x.avg_pool1d(3, o)
    });
    check("adaptive_avg_pool2d", &[1, 2, 5, 7], &[], false, |x, _| {
        x.adaptive_avg_pool2d([2, 3])
    });
    check("adaptive_avg_pool1d", &[2, 2, 7], &[], false, |x, _| {
        x.adaptive_avg_pool1d(3)
    });
}

#[test]
fn unfold_and_fold_backward_match_finite_differences() {
    let o = FoldOptions {
        dilation: [1, 2],
        padding: [1, 0],
        stride: [2, 1],
    };
    check("unfold", &[1, 2, 4, 5], &[], true, move |x, _| {
        unfold(x, [2, 2], o)
    });
    // (C * kh * kw, L) = (2 * 4, 3 * 2) for a 4 x 3 output with a 2 x 2 kernel.
    check("fold", &[1, 8, 6], &[], true, |x, _| {
        fold(x, [4, 3], [2, 2], FoldOptions::default())
    });
}
