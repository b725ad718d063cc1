//! Logits of every architecture equal torchvision's for the same parameters and buffers
//! (every state-dict tensor filled by the golden script's formula) on the same input, in eval
//! mode (goldens `golden/models/outputs.safetensors`).

mod models_common;

use models_common::{fill, goldens, make_input, max_abs_diff};
use torch_nn::Forward;
use torch_vision::models::*;

/// f32 logits after tens of layers: the sums are ordered differently from PyTorch's (gemm
/// blocking, im2col), so allow 1e-4 of the largest logit plus 1e-4.
const REL: f64 = 1e-4;

fn check(arch: &str, model: torch_core::Result<impl Forward>) {
    let model = model.unwrap_or_else(|e| panic!("{arch}: {e}"));
    let g = goldens("outputs");
    let shape: Vec<usize> = g[&format!("{arch}.shape")]
        .to_vec::<i64>()
        .expect("shape")
        .into_iter()
        .map(|d| d as usize)
        .collect();
    fill(&model).expect("fill");
    model.eval();
    let x = make_input(&shape).expect("input");
    let y = {
        let _g = torch_core::autograd::no_grad();
        model.call(&x).unwrap_or_else(|e| panic!("{arch}: {e}"))
    };
    let expected = &g[&format!("{arch}.logits")];
    let (diff, scale) = max_abs_diff(&y, expected);
    eprintln!("{arch}: max |ours - torchvision| = {diff:.2e} (max |logit| {scale:.2})");
    assert!(
        diff <= REL * scale + 1e-4,
        "{arch}: logits differ by {diff} (max |logit| {scale})"
    );
}

#[test]
fn lenet_matches_tutorial_net() {
    check("lenet", lenet(None));
}

#[test]
fn alexnet_matches_torchvision() {
    check("alexnet", alexnet(None, Default::default()));
}

#[test]
fn vgg11_matches_torchvision() {
    check("vgg11", vgg11(None, Default::default()));
}

#[test]
fn vgg11_bn_matches_torchvision() {
    check("vgg11_bn", vgg11_bn(None, Default::default()));
}

#[test]
fn vgg16_matches_torchvision() {
    check("vgg16", vgg16(None, Default::default()));
}

#[test]
fn vgg16_bn_matches_torchvision() {
    check("vgg16_bn", vgg16_bn(None, Default::default()));
}

#[test]
fn resnet18_matches_torchvision() {
    check("resnet18", resnet18(None, Default::default()));
}

#[test]
fn resnet34_matches_torchvision() {
    check("resnet34", resnet34(None, Default::default()));
}

#[test]
fn resnet50_matches_torchvision() {
    check("resnet50", resnet50(None, Default::default()));
}

#[test]
fn resnet101_matches_torchvision() {
    check("resnet101", resnet101(None, Default::default()));
}

#[test]
fn resnet152_matches_torchvision() {
    check("resnet152", resnet152(None, Default::default()));
}

#[test]
fn resnext50_32x4d_matches_torchvision() {
    check("resnext50_32x4d", resnext50_32x4d(None, Default::default()));
}

#[test]
fn mobilenet_v2_matches_torchvision() {
    check("mobilenet_v2", mobilenet_v2(None, Default::default()));
}
