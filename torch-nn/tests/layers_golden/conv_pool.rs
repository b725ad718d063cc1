//! Convolution, transposed convolution, pooling and fold layers against PyTorch, and their
//! reprs and argument checks.

use super::*;

#[test]
fn conv_layers_match_torch_with_double_backward() -> Result<()> {
    let pad = |p: usize| ConvOptions {
        padding: p.into(),
        ..Default::default()
    };
    check(
        "conv1d",
        Conv1d::with_options(
            3,
            4,
            3,
            ConvOptions {
                stride: [2],
                ..pad(1)
            },
        )?,
        one,
        true,
    );
    check(
        "conv2d",
        Conv2d::with_options(
            3,
            4,
            [3, 2],
            ConvOptions {
                stride: [2, 1],
                padding: [1, 0].into(),
                dilation: [1, 2],
                ..Default::default()
            },
        )?,
        one,
        true,
    );
    check(
        "conv2d_groups_nobias",
        Conv2d::with_options(
            4,
            6,
            3,
            ConvOptions {
                groups: 2,
                bias: false,
                ..Default::default()
            },
        )?,
        one,
        false,
    );
    for (name, padding, mode) in [
        ("conv2d_same_reflect", Padding::Same, PaddingMode::Reflect),
        ("conv2d_circular", 1.into(), PaddingMode::Circular),
        ("conv2d_replicate", 2.into(), PaddingMode::Replicate),
    ] {
        let k = if mode == PaddingMode::Reflect { 4 } else { 3 };
        let o = ConvOptions {
            padding,
            padding_mode: mode,
            ..Default::default()
        };
        check(name, Conv2d::with_options(2, 3, k, o)?, one, false);
    }
    Ok(())
}

/// `ConvTranspose2d` under the key prefix `up.`, called with an output size.
#[derive(Module)]
struct TransposeToSize {
    up: ConvTranspose2d,
}

#[test]
fn conv_transpose_layers_match_torch() -> Result<()> {
    let o = ConvTransposeOptions {
        stride: [2],
        padding: [1],
        output_padding: [1],
        ..Default::default()
    };
    check(
        "conv_transpose1d",
        ConvTranspose1d::with_options(3, 2, 3, o)?,
        one,
        false,
    );
    let o = ConvTransposeOptions {
        stride: [2, 2],
        padding: [1, 1],
        output_padding: [1, 1],
        groups: 2,
        ..Default::default()
    };
    let m = ConvTranspose2d::with_options(4, 6, 3, o)?;
    check("conv_transpose2d", m, one, true);
    let o = ConvTransposeOptions {
        stride: [3, 3],
        ..Default::default()
    };
    let m = TransposeToSize {
        up: ConvTranspose2d::with_options(2, 3, 3, o)?,
    };
    let to_size =
        |m: &TransposeToSize, xs: &[Tensor]| m.up.forward_with_output_size(&xs[0], &[11, 12]);
    check("conv_transpose2d_output_size", m, to_size, false);
    let err = TransposeToSize {
        up: ConvTranspose2d::with_options(2, 3, 3, o)?,
    }
    .up
    .forward_with_output_size(
        &Tensor::zeros(&[1, 2, 3, 4], Default::default())?,
        &[14, 12],
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("valid sizes range from 9 to 11"), "{err}");
    Ok(())
}

#[test]
fn pooling_and_fold_layers_match_torch() -> Result<()> {
    let o = MaxPool2dOptions {
        stride: Some([2, 2]),
        padding: [1, 1],
        ceil_mode: true,
        ..Default::default()
    };
    check("max_pool2d", MaxPool2d::with_options(3, o), one, true);
    check("max_pool1d", MaxPool1d::new(2), one, false);
    let o = AvgPool2dOptions {
        stride: Some([2, 2]),
        padding: [1, 1],
        count_include_pad: false,
        ..Default::default()
    };
    check("avg_pool2d", AvgPool2d::with_options(3, o), one, true);
    let o = AvgPool1dOptions {
        stride: Some(2),
        ..Default::default()
    };
    check("avg_pool1d", AvgPool1d::with_options(3, o), one, false);
    check(
        "adaptive_avg_pool2d",
        AdaptiveAvgPool2d::new([2, 3]),
        one,
        false,
    );
    check("adaptive_max_pool2d", AdaptiveMaxPool2d::new(3), one, false);
    check("adaptive_avg_pool1d", AdaptiveAvgPool1d::new(4), one, false);
    check("adaptive_max_pool1d", AdaptiveMaxPool1d::new(4), one, false);
    let o = FoldOptions {
        stride: [2, 2],
        padding: [1, 1],
        ..Default::default()
    };
    check("unfold", Unfold::new(2, o), one, false);
    check(
        "fold",
        Fold::new([4, 5], 2, FoldOptions::default()),
        one,
        false,
    );
    Ok(())
}

#[test]
fn conv_and_pool_reprs_match_torch() -> Result<()> {
    let reprs: Vec<(String, &str)> = vec![
        (
            Conv1d::with_options(
                3,
                4,
                3,
                ConvOptions {
                    stride: [2],
                    padding: 1.into(),
                    ..Default::default()
                },
            )?
            .to_string(),
            "Conv1d(3, 4, kernel_size=(3,), stride=(2,), padding=(1,))",
        ),
        (
            Conv2d::with_options(
                4,
                6,
                3,
                ConvOptions {
                    groups: 2,
                    bias: false,
                    ..Default::default()
                },
            )?
            .to_string(),
            "Conv2d(4, 6, kernel_size=(3, 3), stride=(1, 1), groups=2, bias=False)",
        ),
        (
            Conv2d::with_options(
                2,
                3,
                4,
                ConvOptions {
                    padding: Padding::Same,
                    padding_mode: PaddingMode::Reflect,
                    ..Default::default()
                },
            )?
            .to_string(),
            "Conv2d(2, 3, kernel_size=(4, 4), stride=(1, 1), padding=same, padding_mode=reflect)",
        ),
        (
            ConvTranspose2d::with_options(
                4,
                6,
                3,
                ConvTransposeOptions {
                    stride: [2, 2],
                    padding: [1, 1],
                    output_padding: [1, 1],
                    groups: 2,
                    ..Default::default()
                },
            )?
            .to_string(),
            "ConvTranspose2d(4, 6, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1), groups=2)",
        ),
        (
            MaxPool2d::with_options(
                3,
                MaxPool2dOptions {
                    stride: Some([2, 2]),
                    padding: [1, 1],
                    ceil_mode: true,
                    ..Default::default()
                },
            )
            .to_string(),
            "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=True)",
        ),
        (
            MaxPool1d::new(2).to_string(),
            "MaxPool1d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
        ),
        (
            AvgPool2d::new(2).to_string(),
            "AvgPool2d(kernel_size=2, stride=2, padding=0)",
        ),
        (
            AvgPool1d::with_options(
                3,
                AvgPool1dOptions {
                    stride: Some(2),
                    ..Default::default()
                },
            )
            .to_string(),
            "AvgPool1d(kernel_size=(3,), stride=(2,), padding=(0,))",
        ),
        (
            AdaptiveAvgPool2d::new(1).to_string(),
            "AdaptiveAvgPool2d(output_size=1)",
        ),
        (
            AdaptiveMaxPool1d::new(4).to_string(),
            "AdaptiveMaxPool1d(output_size=4)",
        ),
        (
            Unfold::new(
                2,
                FoldOptions {
                    stride: [2, 2],
                    padding: [1, 1],
                    ..Default::default()
                },
            )
            .to_string(),
            "Unfold(kernel_size=2, dilation=1, padding=1, stride=2)",
        ),
        (
            Fold::new([4, 5], 2, FoldOptions::default()).to_string(),
            "Fold(output_size=(4, 5), kernel_size=2, dilation=1, padding=0, stride=1)",
        ),
    ];
    for (ours, torch) in reprs {
        assert_eq!(ours, torch);
    }
    Ok(())
}

#[test]
fn conv_layer_arguments_are_checked_like_torch() {
    let groups = ConvOptions {
        groups: 2,
        ..Default::default()
    };
    let err = Conv2d::with_options(3, 4, 3, groups)
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("in_channels must be divisible by groups"),
        "{err}"
    );
    let strided_same = ConvOptions {
        stride: [2, 2],
        padding: Padding::Same,
        ..Default::default()
    };
    let err = Conv2d::with_options(3, 4, 3, strided_same)
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("padding='same' is not supported for strided convolutions"),
        "{err}"
    );
    let conv = Conv2d::new(3, 4, 3).unwrap();
    assert_eq!(conv.weight.shape(), &[4, 3, 3, 3]);
    let bound = 1.0 / 27f64.sqrt();
    let w = conv.weight.abs().unwrap().max().unwrap().item().unwrap();
    assert!(
        w <= bound && w > 0.5 * bound,
        "weights should fill U(-{bound}, {bound}), max |w| = {w}"
    );
    let t = ConvTranspose2d::new(4, 6, 3).unwrap();
    assert_eq!(t.weight.shape(), &[4, 6, 3, 3]);
    let err = Conv2d::new(3, 4, 3)
        .unwrap()
        .forward(&Tensor::zeros(&[1, 2, 8, 8], Default::default()).unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("conv2d"), "{err}");
}
