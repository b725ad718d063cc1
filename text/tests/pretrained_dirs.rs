//! `from_pretrained(local dir)` over every weight layout HF writes: one safetensors file, a
//! sharded safetensors index, and a PyTorch `pytorch_model.bin`.

use std::collections::HashMap;
use std::fs;
use std::path::PathBuf;

use torch_core::io::load_safetensors_map;
use torch_core::testing::assert_close_tol;
use torch_core::{Tensor, autograd::no_grad};
use torch_nn::{Module, StateDict};
use torch_text::BertForSequenceClassification;

fn dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(name)
}

fn golden() -> HashMap<String, Tensor> {
    load_safetensors_map(dir("golden/tiny_bert.safetensors")).unwrap()
}

fn check(m: &BertForSequenceClassification) {
    let g = golden();
    let _ng = no_grad();
    let logits = m
        .forward(
            &g["input_ids"],
            Some(&g["attention_mask"]),
            Some(&g["token_type_ids"]),
        )
        .unwrap();
    assert_close_tol(&logits, &g["cls_logits"], 1e-5, 1e-5);
}

#[test]
fn pytorch_model_bin_loads() {
    check(
        &BertForSequenceClassification::from_pretrained(dir("fixtures/tiny-bert-cls-bin")).unwrap(),
    );
}

#[test]
fn sharded_safetensors_index_loads() {
    let src = dir("fixtures/tiny-bert-cls");
    let tmp = tempfile::tempdir().unwrap();
    fs::copy(src.join("config.json"), tmp.path().join("config.json")).unwrap();
    let all = StateDict::load_safetensors(src.join("model.safetensors")).unwrap();
    let (mut a, mut b) = (StateDict::new(), StateDict::new());
    let mut map = serde_json::Map::new();
    for (i, (k, t)) in all.iter().enumerate() {
        let file = if i % 2 == 0 {
            "model-00001-of-00002.safetensors"
        } else {
            "model-00002-of-00002.safetensors"
        };
        map.insert(k.to_string(), file.into());
        if i % 2 == 0 {
            a.insert(k, t.clone())
        } else {
            b.insert(k, t.clone())
        }
    }
    a.save_safetensors(tmp.path().join("model-00001-of-00002.safetensors"))
        .unwrap();
    b.save_safetensors(tmp.path().join("model-00002-of-00002.safetensors"))
        .unwrap();
    let index = serde_json::json!({"metadata": {"total_size": 0}, "weight_map": map});
    fs::write(
        tmp.path().join("model.safetensors.index.json"),
        index.to_string(),
    )
    .unwrap();
    let m = BertForSequenceClassification::from_pretrained(tmp.path()).unwrap();
    check(&m);
    assert_eq!(m.state_dict().len(), all.len());

    // A shard the index names but the directory lacks is an error naming it.
    fs::remove_file(tmp.path().join("model-00002-of-00002.safetensors")).unwrap();
    let err = BertForSequenceClassification::from_pretrained(tmp.path())
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("model-00002-of-00002.safetensors"), "{err}");
    fs::write(
        tmp.path().join("model.safetensors.index.json"),
        "{\"weights\": {}}",
    )
    .unwrap();
    let err = BertForSequenceClassification::from_pretrained(tmp.path())
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("weight_map"), "{err}");
}

#[test]
fn assigned_weights_are_copied_on_first_in_place_write() {
    // from_pretrained assigns the memory-mapped tensors; an optimiser's in-place update
    // must copy them first and leave the file alone.
    let m = BertForSequenceClassification::from_pretrained(dir("fixtures/tiny-bert-cls")).unwrap();
    let before = m.classifier.weight.to_vec_f64().unwrap();
    {
        let _g = no_grad();
        m.classifier.weight.add_scalar_(1.0).unwrap();
    }
    let after = m.classifier.weight.to_vec_f64().unwrap();
    assert!(
        before
            .iter()
            .zip(&after)
            .all(|(b, a)| (a - b - 1.0).abs() < 1e-6)
    );
    assert!(m.classifier.weight.requires_grad());
    let again =
        BertForSequenceClassification::from_pretrained(dir("fixtures/tiny-bert-cls")).unwrap();
    assert_eq!(again.classifier.weight.to_vec_f64().unwrap(), before);
    check(&again);
}
