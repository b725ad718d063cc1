//! Construction without weights follows torchvision's initialisation; checkpoints load
//! strictly (round trip, mismatches reported with the file and key); bad options and inputs
//! are errors, not panics.

use std::path::Path;

use torch_core::Tensor;
use torch_nn::{Forward, Module, StateDict};
use torch_vision::models::*;

fn param(m: &dyn Module, name: &str) -> Vec<f64> {
    let sd = m.state_dict();
    sd.get(name)
        .unwrap_or_else(|| panic!("no {name}"))
        .to_vec_f64()
        .unwrap()
}

fn std_of(v: &[f64]) -> f64 {
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64).sqrt()
}

/// Sample std within 5% of `expected` (thousands of draws: the sampling error is ~1%).
fn assert_std(v: &[f64], expected: f64, what: &str) {
    let s = std_of(v);
    assert!(
        (s / expected - 1.0).abs() < 0.05,
        "{what}: std {s}, expected {expected}"
    );
}

#[test]
fn resnet_init_is_kaiming_fan_out_and_unit_batchnorm() {
    let net = resnet18(None, Default::default()).unwrap();
    // conv1: (64, 3, 7, 7), fan_out = 64 * 49.
    assert_std(
        &param(&net, "conv1.weight"),
        (2.0 / (64.0 * 49.0f64)).sqrt(),
        "conv1",
    );
    // layer3.0.conv2: (256, 256, 3, 3), fan_out = 256 * 9.
    assert_std(
        &param(&net, "layer3.0.conv2.weight"),
        (2.0 / 2304.0f64).sqrt(),
        "layer3.0.conv2",
    );
    assert!(param(&net, "layer1.0.bn2.weight").iter().all(|&w| w == 1.0));
    assert!(
        param(&net, "layer2.0.downsample.1.bias")
            .iter()
            .all(|&b| b == 0.0)
    );
    // fc keeps nn.Linear's default U(-1/sqrt(512), 1/sqrt(512)).
    let fc = param(&net, "fc.weight");
    let bound = 1.0 / 512f64.sqrt();
    assert!(fc.iter().all(|w| w.abs() <= bound));
    assert_std(&fc, bound / 3f64.sqrt(), "fc");
}

#[test]
fn resnet_zero_init_residual_zeroes_last_bn_of_each_block() {
    let o = ResNetOptions {
        zero_init_residual: true,
        ..Default::default()
    };
    let net = resnet18(None, o.clone()).unwrap();
    assert!(param(&net, "layer1.1.bn2.weight").iter().all(|&w| w == 0.0));
    assert!(param(&net, "layer1.1.bn1.weight").iter().all(|&w| w == 1.0));
    let net = resnet50(None, o).unwrap();
    assert!(param(&net, "layer4.2.bn3.weight").iter().all(|&w| w == 0.0));
    assert!(param(&net, "layer4.2.bn2.weight").iter().all(|&w| w == 1.0));
}

#[test]
fn vgg_and_mobilenet_init_linear_normal_001() {
    let net = vgg11(
        None,
        VGGOptions {
            num_classes: 10,
            ..Default::default()
        },
    )
    .unwrap();
    assert_std(
        &param(&net, "classifier.3.weight"),
        0.01,
        "vgg classifier.3",
    );
    assert!(param(&net, "classifier.6.bias").iter().all(|&b| b == 0.0));
    assert!(param(&net, "features.3.bias").iter().all(|&b| b == 0.0));
    // features.3: (128, 64, 3, 3), fan_out = 128 * 9.
    assert_std(
        &param(&net, "features.3.weight"),
        (2.0 / 1152.0f64).sqrt(),
        "vgg features.3",
    );

    let net = mobilenet_v2(None, Default::default()).unwrap();
    assert_std(
        &param(&net, "classifier.1.weight"),
        0.01,
        "mobilenet classifier.1",
    );
    assert!(param(&net, "classifier.1.bias").iter().all(|&b| b == 0.0));
    // features.18.0: (1280, 320, 1, 1), fan_out = 1280.
    assert_std(
        &param(&net, "features.18.0.weight"),
        (2.0 / 1280.0f64).sqrt(),
        "features.18.0",
    );
    // Depthwise features.2.conv.1.0: (96, 1, 3, 3); PyTorch ignores groups, so fan_out =
    // size(0) * receptive field = 864.
    assert_std(
        &param(&net, "features.2.conv.1.0.weight"),
        (2.0 / 864.0f64).sqrt(),
        "depthwise",
    );
}

#[test]
fn checkpoint_round_trip_reproduces_outputs() {
    let dir = std::env::temp_dir().join(format!("vmodels-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let o = ResNetOptions {
        num_classes: 7,
        ..Default::default()
    };
    let net = resnet18(None, o.clone()).unwrap();
    net.eval();
    let x = Tensor::randn(&[1, 3, 32, 32], Default::default()).unwrap();
    let y = net.call(&x).unwrap();
    assert_eq!(y.shape(), &[1, 7]);
    for file in ["r18.safetensors", "r18.pth"] {
        let path = dir.join(file);
        let sd = net.state_dict();
        if file.ends_with(".pth") {
            sd.save_pt(&path).unwrap();
        } else {
            sd.save_safetensors(&path).unwrap();
        }
        let loaded = resnet18(Some(&path), o.clone()).unwrap();
        loaded.eval();
        let y2 = loaded.call(&x).unwrap();
        assert_eq!(y.to_vec_f64().unwrap(), y2.to_vec_f64().unwrap(), "{file}");
        // The default 1000 classes do not fit: strict loading names the file and the key.
        let err = resnet18(Some(&path), Default::default())
            .err()
            .expect("mismatch");
        let msg = err.to_string();
        assert!(msg.contains(file) && msg.contains("fc.weight"), "{msg}");
    }
    // A ResNet checkpoint is not a MobileNetV2 one.
    let err = mobilenet_v2(Some(&dir.join("r18.safetensors")), Default::default()).err();
    assert!(
        err.expect("wrong model")
            .to_string()
            .contains("Missing key(s)")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn missing_checkpoint_file_is_an_error_naming_it() {
    let path = Path::new("/nonexistent/resnet18.pth");
    let err = resnet18(Some(path), Default::default())
        .err()
        .expect("missing file");
    assert!(
        err.to_string().contains("/nonexistent/resnet18.pth"),
        "{err}"
    );
    let empty = StateDict::new();
    assert!(lenet(None).unwrap().load_state_dict(&empty, true).is_err());
}

#[test]
fn invalid_options_and_inputs_are_errors() {
    // torchvision: "BasicBlock only supports groups=1 and base_width=64".
    let o = ResNetOptions {
        groups: 2,
        ..Default::default()
    };
    let err = resnet18(None, o).err().expect("groups with BasicBlock");
    assert!(
        err.to_string()
            .contains("BasicBlock only supports groups=1"),
        "{err}"
    );
    let o = ResNetOptions {
        replace_stride_with_dilation: [false, false, true],
        ..Default::default()
    };
    assert!(resnet34(None, o.clone()).is_err());
    // Bottleneck supports dilation (as for segmentation backbones): layer4 keeps 2x2 at 64x64.
    let net = resnet50(
        None,
        ResNetOptions {
            num_classes: 3,
            ..o
        },
    )
    .unwrap();
    assert_eq!(net.layer4.len(), 3);
    assert!(InvertedResidual::new(16, 16, 3, 6).is_err());
    let o = MobileNetV2Options {
        width_mult: 0.0,
        ..Default::default()
    };
    assert!(mobilenet_v2(None, o).is_err());

    let net = lenet(None).unwrap();
    // Three channels where LeNet takes one; too small an image; a 2-D input.
    for shape in [&[1, 3, 32, 32][..], &[1, 1, 8, 8], &[32, 32]] {
        let x = Tensor::zeros(shape, Default::default()).unwrap();
        assert!(net.call(&x).is_err(), "{shape:?}");
    }
    let net = mobilenet_v2(
        None,
        MobileNetV2Options {
            num_classes: 5,
            ..Default::default()
        },
    )
    .unwrap();
    net.eval();
    let y = net
        .call(&Tensor::zeros(&[2, 3, 32, 32], Default::default()).unwrap())
        .unwrap();
    assert_eq!(y.shape(), &[2, 5]);
    assert!(
        net.call(&Tensor::zeros(&[2, 4, 32, 32], Default::default()).unwrap())
            .is_err()
    );
}

#[test]
fn width_mult_and_resnext_widths_follow_torchvision() {
    // _make_divisible(32 * 0.5, 8) = 16; last channel stays 1280 below width 1.
    let net = mobilenet_v2(
        None,
        MobileNetV2Options {
            width_mult: 0.5,
            ..Default::default()
        },
    )
    .unwrap();
    let sd = net.state_dict();
    assert_eq!(
        sd.get("features.0.0.weight").unwrap().shape(),
        &[16, 3, 3, 3]
    );
    assert_eq!(
        sd.get("features.18.0.weight").unwrap().shape(),
        &[1280, 160, 1, 1]
    );
    assert_eq!(net.last_channel, 1280);
    // ResNeXt-50 32x4d: layer1 width = 64 * 4 / 64 * 32 = 128, grouped 3x3.
    let net = resnext50_32x4d(None, Default::default()).unwrap();
    let sd = net.state_dict();
    assert_eq!(
        sd.get("layer1.0.conv2.weight").unwrap().shape(),
        &[128, 4, 3, 3]
    );
}

#[test]
fn repr_names_torchvision_modules() {
    let net = mobilenet_v2(None, Default::default()).unwrap();
    let s = net.to_string();
    assert!(
        s.starts_with("MobileNetV2(\n  (features): Sequential(\n    (0): Conv2dNormActivation(\n"),
        "{s}"
    );
    assert!(
        s.contains("(1): InvertedResidual(\n      (conv): Sequential("),
        "{s}"
    );
    let net = resnet18(None, Default::default()).unwrap();
    assert!(net.to_string().contains("(downsample): Sequential("));
}
