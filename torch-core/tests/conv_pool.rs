//! Convolution, pooling, unfold and fold: forward values, indices and input/weight/bias
//! gradients against PyTorch goldens (`scripts/golden/conv_pool.py`), on the stored
//! contiguous inputs and on non-contiguous views of them; f64 finite-difference gradchecks
//! (first and second order); the parallel and blocked kernels against a composite; errors.

use std::collections::HashMap;

use torch_core::autograd::{GradcheckOptions, gradcheck, gradgradcheck};
use torch_core::testing::{
    assert_close, assert_close_tol, assert_golden_tol, load_golden, tolerances,
};
use torch_core::{
    AvgPool1dOptions, AvgPool2dOptions, Conv1dOptions, Conv2dOptions, ConvTranspose1dOptions,
    ConvTranspose2dOptions, DType, FoldOptions, Generator, MaxPool1dOptions, MaxPool2dOptions,
    Padding, Result, Tensor, TensorOptions, fold, unfold,
};

type Goldens = HashMap<String, Tensor>;
/// An op under test: `(x, w, b) -> (output, indices)`.
type Op =
    Box<dyn Fn(&Tensor, Option<&Tensor>, Option<&Tensor>) -> Result<(Tensor, Option<Tensor>)>>;

fn golden() -> Goldens {
    load_golden(env!("CARGO_MANIFEST_DIR"), "conv_pool").expect("golden file")
}

/// The same values as `x` in a non-contiguous layout (last two dims stored transposed).
fn non_contiguous(x: &Tensor) -> Tensor {
    let d = x.dim() as i64;
    let v = x
        .transpose(d - 1, d - 2)
        .and_then(|t| t.contiguous())
        .and_then(|t| t.transpose(d - 1, d - 2))
        .expect("transposed copy");
    assert!(!v.is_contiguous());
    v
}

/// Compares with the golden's own dtype tolerances; f32 results get `1e-5` because PyTorch
/// (oneDNN) and gemm sum the products in different orders.
fn check_key(g: &Goldens, key: &str, actual: Result<Tensor>) {
    let dtype = g.get(key).map_or(DType::F64, Tensor::dtype);
    let (rtol, atol) = match dtype {
        DType::F32 => (1e-5, 1e-5),
        d => tolerances(d),
    };
    assert_golden_tol(g, key, actual, rtol, atol);
}

/// Runs `op` on the case's inputs (x contiguous, then a non-contiguous view of it), compares
/// the output (and indices), back-propagates the stored `gy` and compares the gradients.
fn check_case(g: &Goldens, case: &str, op: &Op) {
    let leaf = |k: &str| {
        g.get(&format!("{case}.{k}"))
            .map(|t| t.detach().requires_grad_(true).expect("leaf"))
    };
    for contiguous in [true, false] {
        let (x, w, b) = (
            leaf("x").unwrap_or_else(|| panic!("{case}: no input")),
            leaf("w"),
            leaf("b"),
        );
        let xin = if contiguous {
            x.clone()
        } else {
            non_contiguous(&x)
        };
        let (y, idx) = op(&xin, w.as_ref(), b.as_ref()).unwrap_or_else(|e| panic!("{case}: {e}"));
        let what = if contiguous {
            ""
        } else {
            " (non-contiguous input)"
        };
        println!("{case}{what}");
        check_key(g, &format!("{case}.out"), Ok(y.clone()));
        if let Some(idx) = idx {
            check_key(g, &format!("{case}.idx"), Ok(idx));
        }
        y.backward_with(Some(&g[&format!("{case}.gy")]), false, false)
            .unwrap_or_else(|e| panic!("{case} backward: {e}"));
        for (name, t) in [("x", Some(&x)), ("w", w.as_ref()), ("b", b.as_ref())] {
            if let Some(t) = t {
                let grad = t
                    .grad()
                    .ok_or_else(|| torch_core::Error::invalid("test", "no grad"));
                check_key(g, &format!("{case}.g{name}"), grad);
            }
        }
    }
}

fn run_cases(cases: Vec<(&str, Op)>) {
    let g = golden();
    for (case, op) in &cases {
        check_case(&g, case, op);
    }
}

fn one(r: Result<Tensor>) -> Result<(Tensor, Option<Tensor>)> {
    r.map(|t| (t, None))
}

fn two(r: Result<(Tensor, Tensor)>) -> Result<(Tensor, Option<Tensor>)> {
    r.map(|(t, i)| (t, Some(i)))
}

fn conv2d(o: Conv2dOptions) -> Op {
    Box::new(move |x, w, b| one(x.conv2d(w.expect("weight"), b, o)))
}

fn conv1d(o: Conv1dOptions) -> Op {
    Box::new(move |x, w, b| one(x.conv1d(w.expect("weight"), b, o)))
}

fn convt2d(o: ConvTranspose2dOptions) -> Op {
    Box::new(move |x, w, b| one(x.conv_transpose2d(w.expect("weight"), b, o)))
}

fn convt1d(o: ConvTranspose1dOptions) -> Op {
    Box::new(move |x, w, b| one(x.conv_transpose1d(w.expect("weight"), b, o)))
}

#[test]
fn conv2d_matches_torch() {
    let d = Conv2dOptions::default();
    run_cases(vec![
        ("conv2d_basic", conv2d(d)),
        (
            "conv2d_stride2_pad1_nonsquare",
            conv2d(Conv2dOptions {
                stride: [2, 2],
                padding: Padding::Explicit([1, 1]),
                ..d
            }),
        ),
        (
            "conv2d_stride_2x1_pad_0x2",
            conv2d(Conv2dOptions {
                stride: [2, 1],
                padding: Padding::Explicit([0, 2]),
                ..d
            }),
        ),
        (
            "conv2d_dilation2",
            conv2d(Conv2dOptions {
                padding: Padding::Explicit([2, 1]),
                dilation: [2, 2],
                ..d
            }),
        ),
        (
            "conv2d_groups2",
            conv2d(Conv2dOptions {
                padding: 1.into(),
                groups: 2,
                ..d
            }),
        ),
        (
            "conv2d_depthwise",
            conv2d(Conv2dOptions {
                stride: [2, 2],
                padding: 1.into(),
                groups: 4,
                ..d
            }),
        ),
        (
            "conv2d_same_even",
            conv2d(Conv2dOptions {
                padding: Padding::Same,
                dilation: [1, 2],
                ..d
            }),
        ),
        (
            "conv2d_valid",
            Box::new(move |x, w, _| {
                let o = Conv2dOptions {
                    padding: Padding::Valid,
                    ..d
                };
                one(x.conv2d(w.expect("weight"), None, o))
            }),
        ),
        ("conv2d_1x1", conv2d(d)),
        (
            "conv2d_1x1_stride2",
            conv2d(Conv2dOptions {
                stride: [2, 2],
                ..d
            }),
        ),
        (
            "conv2d_unbatched",
            conv2d(Conv2dOptions {
                padding: 1.into(),
                ..d
            }),
        ),
        (
            "conv2d_shifted_groups_dilation",
            conv2d(Conv2dOptions {
                padding: Padding::Explicit([2, 0]),
                dilation: [2, 1],
                groups: 2,
                ..d
            }),
        ),
        (
            "conv2d_shifted_same_even",
            conv2d(Conv2dOptions {
                padding: Padding::Same,
                ..d
            }),
        ),
        (
            "conv2d_basic_f32",
            conv2d(Conv2dOptions {
                padding: 1.into(),
                ..d
            }),
        ),
    ]);
}

#[test]
fn conv1d_matches_torch() {
    let d = Conv1dOptions::default();
    run_cases(vec![
        ("conv1d_basic", conv1d(d)),
        (
            "conv1d_stride2_pad1_dil2",
            conv1d(Conv1dOptions {
                stride: 2,
                padding: 1.into(),
                dilation: 2,
                ..d
            }),
        ),
        (
            "conv1d_groups",
            conv1d(Conv1dOptions {
                padding: 1.into(),
                groups: 3,
                ..d
            }),
        ),
        (
            "conv1d_same_even",
            conv1d(Conv1dOptions {
                padding: Padding::Same,
                ..d
            }),
        ),
        ("conv1d_unbatched", conv1d(Conv1dOptions { stride: 2, ..d })),
    ]);
}

#[test]
fn conv_transpose_matches_torch() {
    let d = ConvTranspose2dOptions::default();
    let d1 = ConvTranspose1dOptions::default();
    run_cases(vec![
        ("convt2d_basic", convt2d(d)),
        (
            "convt2d_stride2_pad1_outpad1",
            convt2d(ConvTranspose2dOptions {
                stride: [2, 2],
                padding: [1, 1],
                output_padding: [1, 1],
                ..d
            }),
        ),
        (
            "convt2d_groups2",
            convt2d(ConvTranspose2dOptions {
                stride: [2, 2],
                groups: 2,
                ..d
            }),
        ),
        (
            "convt2d_dilation2",
            convt2d(ConvTranspose2dOptions {
                padding: [1, 1],
                dilation: [2, 2],
                ..d
            }),
        ),
        (
            "convt2d_stride_3x2_nonsquare",
            convt2d(ConvTranspose2dOptions {
                stride: [3, 2],
                padding: [1, 0],
                output_padding: [2, 1],
                ..d
            }),
        ),
        (
            "convt2d_stride1_bigpad",
            convt2d(ConvTranspose2dOptions {
                padding: [2, 2],
                ..d
            }),
        ),
        (
            "convt2d_unbatched",
            convt2d(ConvTranspose2dOptions {
                stride: [2, 2],
                padding: [1, 1],
                ..d
            }),
        ),
        (
            "convt2d_shifted_crop",
            convt2d(ConvTranspose2dOptions {
                padding: [3, 3],
                ..d
            }),
        ),
        (
            "convt2d_shifted_groups_dilation",
            convt2d(ConvTranspose2dOptions {
                padding: [1, 1],
                groups: 2,
                dilation: [2, 2],
                ..d
            }),
        ),
        (
            "convt2d_f32",
            convt2d(ConvTranspose2dOptions {
                stride: [2, 2],
                padding: [1, 1],
                output_padding: [1, 1],
                ..d
            }),
        ),
        (
            "convt1d_stride2_outpad1",
            convt1d(ConvTranspose1dOptions {
                stride: 2,
                padding: 1,
                output_padding: 1,
                ..d1
            }),
        ),
        (
            "convt1d_groups",
            convt1d(ConvTranspose1dOptions {
                groups: 3,
                dilation: 2,
                ..d1
            }),
        ),
        (
            "convt1d_unbatched",
            convt1d(ConvTranspose1dOptions { stride: 3, ..d1 }),
        ),
    ]);
}

#[test]
fn max_pool_values_indices_and_grads_match_torch() {
    let d = MaxPool2dOptions::default();
    let mp2 = |k: [usize; 2], o: MaxPool2dOptions| -> Op {
        Box::new(move |x, _, _| two(x.max_pool2d_with_indices(k, o)))
    };
    let mp1 = |k: usize, o: MaxPool1dOptions| -> Op {
        Box::new(move |x, _, _| two(x.max_pool1d_with_indices(k, o)))
    };
    run_cases(vec![
        ("maxpool2d_k2", mp2([2, 2], d)),
        ("maxpool2d_k2_wide_ties_nan_f32", mp2([2, 2], d)),
        (
            "maxpool2d_k2_s1_wide_ties_nan_f32",
            mp2(
                [2, 2],
                MaxPool2dOptions {
                    stride: Some([1, 1]),
                    ..d
                },
            ),
        ),
        (
            "maxpool2d_k3_s2_p1",
            mp2(
                [3, 3],
                MaxPool2dOptions {
                    stride: Some([2, 2]),
                    padding: [1, 1],
                    ..d
                },
            ),
        ),
        (
            "maxpool2d_dilation2",
            mp2(
                [2, 2],
                MaxPool2dOptions {
                    stride: Some([1, 1]),
                    padding: [1, 1],
                    dilation: [2, 2],
                    ..d
                },
            ),
        ),
        (
            "maxpool2d_ceil",
            mp2(
                [3, 3],
                MaxPool2dOptions {
                    stride: Some([2, 2]),
                    ceil_mode: true,
                    ..d
                },
            ),
        ),
        (
            "maxpool2d_nonsquare",
            mp2(
                [3, 2],
                MaxPool2dOptions {
                    stride: Some([2, 1]),
                    padding: [1, 0],
                    ..d
                },
            ),
        ),
        ("maxpool2d_unbatched", mp2([2, 2], d)),
        (
            "maxpool1d_k3_s2_p1_ceil",
            mp1(
                3,
                MaxPool1dOptions {
                    stride: Some(2),
                    padding: 1,
                    ceil_mode: true,
                    ..Default::default()
                },
            ),
        ),
        (
            "maxpool1d_dilation",
            mp1(
                2,
                MaxPool1dOptions {
                    dilation: 3,
                    ..Default::default()
                },
            ),
        ),
    ]);
}

#[test]
fn avg_pool_matches_torch() {
    let d = AvgPool2dOptions::default();
    let ap2 = |k: [usize; 2], o: AvgPool2dOptions| -> Op {
        Box::new(move |x, _, _| one(x.avg_pool2d(k, o)))
    };
    let ap1 =
        |k: usize, o: AvgPool1dOptions| -> Op { Box::new(move |x, _, _| one(x.avg_pool1d(k, o))) };
    let s2p1 = AvgPool2dOptions {
        stride: Some([2, 2]),
        padding: [1, 1],
        ..d
    };
    run_cases(vec![
        ("avgpool2d_k3_s2_p1", ap2([3, 3], s2p1)),
        (
            "avgpool2d_exclude_pad",
            ap2(
                [3, 3],
                AvgPool2dOptions {
                    count_include_pad: false,
                    ..s2p1
                },
            ),
        ),
        (
            "avgpool2d_ceil",
            ap2(
                [3, 3],
                AvgPool2dOptions {
                    ceil_mode: true,
                    ..s2p1
                },
            ),
        ),
        (
            "avgpool2d_ceil_exclude",
            ap2(
                [2, 2],
                AvgPool2dOptions {
                    stride: Some([2, 2]),
                    ceil_mode: true,
                    count_include_pad: false,
                    ..d
                },
            ),
        ),
        (
            "avgpool2d_divisor",
            ap2(
                [3, 2],
                AvgPool2dOptions {
                    stride: Some([1, 2]),
                    padding: [1, 1],
                    divisor_override: Some(5),
                    ..d
                },
            ),
        ),
        ("avgpool2d_unbatched", ap2([2, 2], d)),
        (
            "avgpool1d_k3_s2_p1_ceil",
            ap1(
                3,
                AvgPool1dOptions {
                    stride: Some(2),
                    padding: 1,
                    ceil_mode: true,
                    ..Default::default()
                },
            ),
        ),
        (
            "avgpool1d_exclude_pad",
            ap1(
                4,
                AvgPool1dOptions {
                    stride: Some(3),
                    padding: 2,
                    count_include_pad: false,
                    ..Default::default()
                },
            ),
        ),
    ]);
}

#[test]
fn adaptive_pools_match_torch() {
    run_cases(vec![
        (
            "adaptive_avg2d_3x4",
            Box::new(|x, _, _| one(x.adaptive_avg_pool2d([3, 4]))),
        ),
        (
            "adaptive_avg2d_up",
            Box::new(|x, _, _| one(x.adaptive_avg_pool2d([5, 3]))),
        ),
        (
            "adaptive_avg1d",
            Box::new(|x, _, _| one(x.adaptive_avg_pool1d(4))),
        ),
        (
            "adaptive_max2d_3x4",
            Box::new(|x, _, _| two(x.adaptive_max_pool2d_with_indices([3, 4]))),
        ),
        (
            "adaptive_max2d_unbatched",
            Box::new(|x, _, _| two(x.adaptive_max_pool2d_with_indices([2, 2]))),
        ),
        (
            "adaptive_max1d",
            Box::new(|x, _, _| two(x.adaptive_max_pool1d_with_indices(3))),
        ),
    ]);
}

#[test]
fn unfold_and_fold_match_torch() {
    run_cases(vec![
        (
            "unfold_k2x3_d12_p1_s21",
            Box::new(|x, _, _| {
                let o = FoldOptions {
                    dilation: [1, 2],
                    padding: [1, 1],
                    stride: [2, 1],
                };
                one(unfold(x, [2, 3], o))
            }),
        ),
        (
            "unfold_unbatched",
            Box::new(|x, _, _| {
                let o = FoldOptions {
                    stride: [2, 2],
                    ..Default::default()
                };
                one(unfold(x, [2, 2], o))
            }),
        ),
        (
            "fold_k3_p1_s2",
            Box::new(|x, _, _| {
                let o = FoldOptions {
                    padding: [1, 1],
                    stride: [2, 2],
                    ..Default::default()
                };
                one(fold(x, [7, 6], [3, 3], o))
            }),
        ),
        (
            "fold_unbatched",
            Box::new(|x, _, _| {
                let o = FoldOptions {
                    dilation: [2, 1],
                    ..Default::default()
                };
                one(fold(x, [4, 5], [2, 2], o))
            }),
        ),
    ]);
}

#[path = "conv_pool/gradients.rs"]
mod gradients;
#[path = "conv_pool/kernels_and_errors.rs"]
mod kernels_and_errors;
