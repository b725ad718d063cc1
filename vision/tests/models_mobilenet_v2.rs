//! The real ImageNet MobileNetV2 (torchvision's IMAGENET1K_V1 checkpoint in
//! `shared/data/models/mobilenet_v2`, as the legacy `.pth` and its safetensors twin) gives
//! torchvision's logits on two photos, and the right top-1 class. The preprocessed uint8
//! crops and torchvision's logits come from scripts/golden/vision_models.py.

mod models_common;

use std::path::PathBuf;

use models_common::{goldens, max_abs_diff};
use torch_core::testing::shared_data;
use torch_core::{DType, Tensor};
use torch_nn::{Forward, Module};
use torch_vision::models::{MobileNetV2, imagenet_classes, mobilenet_v2};

fn checkpoint(file: &str) -> PathBuf {
    shared_data().join("models/mobilenet_v2").join(file)
}

/// `Normalize(IMAGENET mean, std)` of `crop / 255`, as a batch of one: (1, 3, 224, 224).
fn normalise(crop: &Tensor) -> Tensor {
    let mean = Tensor::from_vec(vec![0.485f32, 0.456, 0.406], &[3, 1, 1]).unwrap();
    let std = Tensor::from_vec(vec![0.229f32, 0.224, 0.225], &[3, 1, 1]).unwrap();
    let x = crop
        .to_dtype(DType::F32)
        .unwrap()
        .div_scalar(255.0)
        .unwrap();
    x.sub(&mean)
        .unwrap()
        .div(&std)
        .unwrap()
        .unsqueeze(0)
        .unwrap()
}

fn check(net: &MobileNetV2) {
    net.eval();
    let g = goldens("mobilenet_v2_images");
    let classes = imagenet_classes();
    for (img, label) in [("chelsea", "Egyptian cat"), ("coffee", "espresso")] {
        let crop = &g[&format!("{img}.crop")];
        assert_eq!(crop.shape(), &[3, 224, 224]);
        assert_eq!(crop.dtype(), DType::U8);
        let logits = {
            let _g = torch_core::autograd::no_grad();
            net.call(&normalise(crop)).unwrap()
        };
        let expected = &g[&format!("{img}.logits")];
        let (diff, scale) = max_abs_diff(&logits, expected);
        eprintln!("{img}: max |ours - torchvision| = {diff:.2e} (max |logit| {scale:.2})");
        assert!(
            diff <= 1e-4 * scale + 1e-4,
            "{img}: logits differ by {diff}"
        );
        let top1 = logits.argmax(Some(1), false).unwrap().item().unwrap() as usize;
        assert_eq!(classes[top1], label, "{img}: top-1 class");
    }
}

#[test]
fn mobilenet_v2_legacy_pth_classifies_cat_and_espresso() {
    let net = mobilenet_v2(
        Some(&checkpoint("mobilenet_v2-b0353104.pth")),
        Default::default(),
    )
    .unwrap();
    check(&net);
}

#[test]
fn mobilenet_v2_safetensors_classifies_cat_and_espresso() {
    let path = checkpoint("mobilenet_v2_imagenet1k_v1.safetensors");
    let net = mobilenet_v2(Some(&path), Default::default()).unwrap();
    check(&net);
    // Both files hold the same tensors.
    let from_pth = torch_nn::StateDict::load(checkpoint("mobilenet_v2-b0353104.pth")).unwrap();
    let ours = net.state_dict();
    assert_eq!(from_pth.len(), ours.len());
    for (k, t) in from_pth.iter() {
        let (diff, _) = max_abs_diff(
            &ours.get(k).unwrap().to_dtype(DType::F64).unwrap(),
            &t.to_dtype(DType::F64).unwrap(),
        );
        assert_eq!(diff, 0.0, "{k}");
    }
}

#[test]
fn imagenet_classes_has_1000_names() {
    let c = imagenet_classes();
    assert_eq!(c.len(), 1000);
    assert_eq!(c[0], "tench");
    assert_eq!(c[285], "Egyptian cat");
    assert_eq!(c[967], "espresso");
    assert_eq!(c[999], "toilet tissue");
}
