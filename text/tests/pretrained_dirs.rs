//! `from_pretrained(local dir)` over every weight layout HF writes: one safetensors file, a
//! sharded safetensors index, and a PyTorch `pytorch_model.bin`.

mod common;

use std::fs;

use common::{check_tiny_bert as check, sharded_bert, test_dir as dir};
use torch_core::autograd::no_grad;
use torch_nn::{Module, StateDict};
use torch_text::BertForSequenceClassification;

#[test]
fn pytorch_model_bin_loads() {
    check(
        &BertForSequenceClassification::from_pretrained(dir("fixtures/tiny-bert-cls-bin")).unwrap(),
    );
}

#[test]
fn sharded_safetensors_index_loads() {
    let src = dir("fixtures/tiny-bert-cls");
    let all = StateDict::load_safetensors(src.join("model.safetensors")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    for (name, data) in sharded_bert() {
        fs::write(tmp.path().join(name), data).unwrap();
    }
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
