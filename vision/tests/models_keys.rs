//! Every architecture's state_dict keys, shapes and dtypes equal torchvision 0.26's, in order
//! (goldens `golden/models/keys_<arch>.json` from scripts/golden/vision_models.py).

mod models_common;

use torch_core::Result;
use torch_nn::Module;
use torch_vision::models::*;

/// The torchvision state dict of `arch`: `(key, shape, dtype)`.
fn golden_keys(arch: &str) -> Vec<(String, Vec<usize>, String)> {
    let path = models_common::golden_path(&format!("keys_{arch}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(json["arch"], arch);
    json["state_dict"]
        .as_array()
        .expect("state_dict list")
        .iter()
        .map(|e| {
            let shape = e[1].as_array().expect("shape");
            (
                e[0].as_str().expect("key").to_string(),
                shape
                    .iter()
                    .map(|d| d.as_u64().expect("dim") as usize)
                    .collect(),
                e[2].as_str().expect("dtype").to_string(),
            )
        })
        .collect()
}

fn ours(model: &dyn Module) -> Vec<(String, Vec<usize>, String)> {
    model
        .state_dict()
        .into_iter()
        .map(|(k, t)| {
            let dtype = match t.dtype() {
                torch_core::DType::F32 => "float32",
                torch_core::DType::I64 => "int64",
                other => panic!("{k}: unexpected dtype {other:?}"),
            };
            (k, t.shape().to_vec(), dtype.to_string())
        })
        .collect()
}

fn check(arch: &str, model: Result<impl Module>) {
    let model = model.unwrap_or_else(|e| panic!("{arch}: {e}"));
    let expected = golden_keys(arch);
    let actual = ours(&model);
    for (i, (a, e)) in actual.iter().zip(&expected).enumerate() {
        assert_eq!(a, e, "{arch}: state_dict entry {i}");
    }
    assert_eq!(actual.len(), expected.len(), "{arch}: number of entries");
}

#[test]
fn lenet_keys_match_tutorial_net() {
    check("lenet", lenet(None));
}

#[test]
fn alexnet_keys_match_torchvision() {
    check("alexnet", alexnet(None, Default::default()));
}

#[test]
fn vgg_keys_match_torchvision() {
    check("vgg11", vgg11(None, Default::default()));
    check("vgg11_bn", vgg11_bn(None, Default::default()));
    check("vgg13", vgg13(None, Default::default()));
    check("vgg16", vgg16(None, Default::default()));
    check("vgg16_bn", vgg16_bn(None, Default::default()));
    check("vgg19_bn", vgg19_bn(None, Default::default()));
}

#[test]
fn resnet_keys_match_torchvision() {
    check("resnet18", resnet18(None, Default::default()));
    check("resnet34", resnet34(None, Default::default()));
    check("resnet50", resnet50(None, Default::default()));
    check("resnet101", resnet101(None, Default::default()));
    check("resnet152", resnet152(None, Default::default()));
    check("resnext50_32x4d", resnext50_32x4d(None, Default::default()));
    check("wide_resnet50_2", wide_resnet50_2(None, Default::default()));
}

#[test]
fn mobilenet_v2_keys_match_torchvision() {
    check("mobilenet_v2", mobilenet_v2(None, Default::default()));
}
