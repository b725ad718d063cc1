//! Bad BERT configs, checkpoints and inputs give errors naming the file or the shapes.

use std::fs;
use std::path::PathBuf;

use torch_core::{DType, Tensor, TensorOptions};
use torch_text::{BertConfig, BertForMaskedLM, BertModel};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-bert-mlm")
}

#[test]
fn bad_config_json_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("config.json");
    fs::write(&p, "{\"hidden_size\": 32,").unwrap();
    let err = BertConfig::from_json_file(&p).unwrap_err().to_string();
    assert!(
        err.contains(&p.display().to_string()) && err.contains("invalid config"),
        "{err}"
    );
    fs::write(&p, "{\"hidden_size\": 30, \"num_attention_heads\": 4}").unwrap();
    let err = BertConfig::from_json_file(&p).unwrap_err().to_string();
    assert!(err.contains("not a multiple"), "{err}");
    fs::write(&p, "{\"hidden_act\": \"mish2\"}").unwrap();
    assert!(
        BertConfig::from_json_file(&p)
            .unwrap_err()
            .to_string()
            .contains("mish2")
    );
    let missing = dir.path().join("nope/config.json");
    assert!(
        BertConfig::from_json_file(&missing)
            .unwrap_err()
            .to_string()
            .contains("nope")
    );
}

#[test]
fn missing_or_wrong_weights_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(
        fixture().join("config.json"),
        dir.path().join("config.json"),
    )
    .unwrap();
    let err = BertForMaskedLM::from_pretrained(dir.path())
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("model.safetensors"), "{err}");
    fs::write(dir.path().join("model.safetensors"), b"garbage").unwrap();
    let err = BertForMaskedLM::from_pretrained(dir.path())
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("model.safetensors"), "{err}");
    // A checkpoint lacking layers: the missing keys are listed.
    let cfg = fs::read_to_string(fixture().join("config.json"))
        .unwrap()
        .replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3");
    fs::write(dir.path().join("config.json"), cfg).unwrap();
    fs::copy(
        fixture().join("model.safetensors"),
        dir.path().join("model.safetensors"),
    )
    .unwrap();
    let err = BertForMaskedLM::from_pretrained(dir.path())
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("missing weights") && err.contains("bert.encoder.layer.2."),
        "{err}"
    );
}

#[test]
fn bad_inputs_are_errors() {
    let m = BertModel::from_pretrained(fixture()).unwrap();
    let i64o = TensorOptions::default().dtype(DType::I64);
    let ids = Tensor::zeros(&[2, 5], i64o).unwrap();
    assert!(
        m.forward(&Tensor::zeros(&[5], i64o).unwrap(), None, None)
            .is_err()
    );
    let err = m
        .forward(&ids, Some(&Tensor::ones(&[2, 4], i64o).unwrap()), None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("attention_mask"), "{err}");
    let long = Tensor::zeros(&[1, 65], i64o).unwrap();
    assert!(
        m.forward(&long, None, None)
            .unwrap_err()
            .to_string()
            .contains("max_position_embeddings")
    );
    let oob = Tensor::full(&[1, 3], 500.0, i64o).unwrap();
    assert!(m.forward(&oob, None, None).is_err());
}
