//! Bad GPT-2 configs, checkpoints and inputs give errors naming the file, the field or the
//! shapes.

use std::fs;
use std::path::{Path, PathBuf};

use torch_core::{DType, Tensor, TensorOptions};
use torch_text::{GPT2Config, GPT2LMHeadModel};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-gpt2")
}

/// The error `GPT2LMHeadModel::from_pretrained` gives for `dir`.
fn load_err(dir: &Path) -> String {
    GPT2LMHeadModel::from_pretrained(dir)
        .err()
        .expect("loading should fail")
        .to_string()
}

#[test]
fn bad_config_json_names_the_file_and_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("config.json");
    fs::copy(
        fixture().join("model.safetensors"),
        dir.path().join("model.safetensors"),
    )
    .unwrap();
    // Truncated JSON, through from_pretrained as a user meets it.
    fs::write(&p, "{\"n_embd\": 16, \"n_head\":").unwrap();
    let err = load_err(dir.path());
    assert!(
        err.contains(&p.display().to_string()) && err.contains("invalid config"),
        "{err}"
    );
    fs::write(&p, "{\"n_embd\": 18, \"n_head\": 4}").unwrap();
    let err = GPT2Config::from_json_file(&p).unwrap_err().to_string();
    assert!(
        err.contains("n_embd (18) is not a multiple of n_head (4)")
            && err.contains(&p.display().to_string()),
        "{err}"
    );
    fs::write(&p, "{\"n_head\": 0}").unwrap();
    assert!(
        GPT2Config::from_json_file(&p)
            .unwrap_err()
            .to_string()
            .contains("n_head (0)")
    );
    fs::write(&p, "{\"activation_function\": \"swish9\"}").unwrap();
    let err = GPT2Config::from_json_file(&p).unwrap_err().to_string();
    assert!(err.contains("swish9"), "{err}");
    // A field of the wrong type: serde's message, with the file.
    fs::write(&p, "{\"n_layer\": \"two\"}").unwrap();
    let err = GPT2Config::from_json_file(&p).unwrap_err().to_string();
    assert!(
        err.contains("invalid type: string \"two\", expected usize")
            && err.contains(&p.display().to_string()),
        "{err}"
    );
}

#[test]
fn missing_corrupt_or_mismatched_weights_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = fs::read_to_string(fixture().join("config.json")).unwrap();
    fs::write(dir.path().join("config.json"), &cfg).unwrap();
    assert!(load_err(dir.path()).contains("model.safetensors"));

    // A truncated safetensors file.
    let st = fs::read(fixture().join("model.safetensors")).unwrap();
    let p = dir.path().join("model.safetensors");
    fs::write(&p, &st[..st.len() / 2]).unwrap();
    let err = load_err(dir.path());
    assert!(err.contains(&p.display().to_string()), "{err}");
    fs::remove_file(&p).unwrap();

    // A corrupt pytorch_model.bin (not a zip archive) is named too.
    let bin = dir.path().join("pytorch_model.bin");
    fs::write(&bin, b"PK\x03\x04 not really a zip").unwrap();
    let err = load_err(dir.path());
    assert!(err.contains(&bin.display().to_string()), "{err}");
    fs::remove_file(&bin).unwrap();

    // The config asks for a third block the checkpoint lacks.
    fs::write(
        dir.path().join("config.json"),
        cfg.replace("\"n_layer\": 2", "\"n_layer\": 3"),
    )
    .unwrap();
    fs::write(&p, &st).unwrap();
    let err = load_err(dir.path());
    assert!(
        err.contains("missing weights") && err.contains("h.2."),
        "{err}"
    );
    // A wider model than the checkpoint: the shape mismatch names the parameter.
    fs::write(
        dir.path().join("config.json"),
        cfg.replace("\"n_embd\": 16", "\"n_embd\": 32"),
    )
    .unwrap();
    let err = load_err(dir.path());
    assert!(err.contains("wte.weight") && err.contains("16"), "{err}");
}

#[test]
fn bad_inputs_are_errors() {
    let m = GPT2LMHeadModel::from_pretrained(fixture()).unwrap();
    let i64o = TensorOptions::default().dtype(DType::I64);
    // Longer than n_positions (64).
    let long = Tensor::zeros(&[1, 65], i64o).unwrap();
    let err = m.forward(&long, None, None, None).unwrap_err().to_string();
    assert!(err.contains("exceeds n_positions 64"), "{err}");
    // Token ids past the vocabulary.
    let oob = Tensor::full(&[1, 3], 50257.0, i64o).unwrap();
    assert!(m.forward(&oob, None, None, None).is_err());
    // A mask whose shape differs from the ids'.
    let ids = Tensor::zeros(&[2, 5], i64o).unwrap();
    let mask = Tensor::ones(&[2, 4], i64o).unwrap();
    let err = m
        .forward(&ids, Some(&mask), None, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("attention_mask"), "{err}");
    // Float ids are refused.
    let f = Tensor::zeros(&[1, 3], TensorOptions::default()).unwrap();
    assert!(m.forward(&f, None, None, None).is_err());
}
