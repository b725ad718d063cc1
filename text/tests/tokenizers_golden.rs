//! Tokenizers against HuggingFace transformers (goldens from
//! `scripts/golden/text_tokenizers.py`): MiniLM's BERT WordPiece from `tokenizer.json` and
//! from `vocab.txt`, GPT-2 byte-level BPE from `vocab.json` + `merges.txt`.

use std::path::PathBuf;

use serde_json::Value;
use torch_core::testing::shared_data;
use torch_text::{BertTokenizerOptions, Padding, TokenizeOptions, Tokenizer};

fn golden() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/tokenizers.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn models() -> PathBuf {
    shared_data().join("models")
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect()
}

fn rows(v: &Value) -> Vec<Vec<i64>> {
    v.as_array().unwrap().iter().map(ints).collect()
}

fn tensor_rows(t: &torch_core::Tensor) -> Vec<Vec<i64>> {
    let cols = t.shape()[1];
    let flat = t.to_vec::<i64>().unwrap();
    if cols == 0 {
        return vec![vec![]; t.shape()[0]];
    }
    flat.chunks(cols).map(<[i64]>::to_vec).collect()
}

/// Checks single texts (ids, tokens, segment ids, decoding), the same texts as one batch
/// (`encode_batch`, `batch_decode`) and the truncated Hamlet passage.
fn check_singles(tok: &Tokenizer, g: &Value) {
    let cases = g["single"].as_array().unwrap();
    let texts: Vec<&str> = cases.iter().map(|c| c["text"].as_str().unwrap()).collect();
    let batch = tok.encode_batch(&texts, true).unwrap();
    assert_eq!(batch.len(), cases.len());
    let batch_ids: Vec<Vec<i64>> = batch.iter().map(|e| e.ids.clone()).collect();
    let decoded = tok.batch_decode(&batch_ids, true).unwrap();
    for ((case, enc), text) in cases.iter().zip(&batch).zip(decoded) {
        assert_eq!(enc.ids, ints(&case["input_ids"]), "batch ids");
        assert_eq!(text, case["decoded_skip_special"].as_str().unwrap());
    }
    for case in cases {
        let text = case["text"].as_str().unwrap();
        let enc = tok.encode(text, true).unwrap();
        assert_eq!(enc.ids, ints(&case["input_ids"]), "ids of {text:?}");
        let tokens: Vec<String> = case["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect();
        assert_eq!(enc.tokens, tokens, "tokens of {text:?}");
        if !case["token_type_ids"].is_null() {
            assert_eq!(enc.type_ids, ints(&case["token_type_ids"]));
        }
        assert_eq!(
            tok.encode(text, false).unwrap().ids,
            ints(&case["no_special_ids"])
        );
        assert_eq!(
            tok.decode(&enc.ids, false).unwrap(),
            case["decoded"].as_str().unwrap(),
            "decode of {text:?}"
        );
        assert_eq!(
            tok.decode(&enc.ids, true).unwrap(),
            case["decoded_skip_special"].as_str().unwrap()
        );
    }
    let hamlet = golden()["hamlet"].as_str().unwrap().to_string();
    let o = TokenizeOptions {
        truncation: Some(true),
        max_length: Some(16),
        ..Default::default()
    };
    let b = tok.call(&[&hamlet], &o).unwrap();
    assert_eq!(b.input_ids.shape(), &[1, 16]);
    assert_eq!(tensor_rows(&b.input_ids)[0], ints(&g["truncated_16"]));
}

/// Checks the padded batches (and the padded pair batch).
fn check_batches(tok: &Tokenizer, g: &Value) {
    let all = golden();
    let sentences: Vec<&str> = all["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let cases = [
        (
            "longest",
            TokenizeOptions {
                padding: Padding::Longest,
                ..Default::default()
            },
        ),
        (
            "max_length_24_truncate",
            TokenizeOptions {
                padding: Padding::MaxLength,
                truncation: Some(true),
                max_length: Some(24),
                ..Default::default()
            },
        ),
        (
            "longest_truncate_12",
            TokenizeOptions {
                padding: Padding::Longest,
                truncation: Some(true),
                max_length: Some(12),
                ..Default::default()
            },
        ),
    ];
    for (name, o) in cases {
        let b = tok.call(&sentences, &o).unwrap();
        let want = &g["batch"][name];
        assert_eq!(
            tensor_rows(&b.input_ids),
            rows(&want["input_ids"]),
            "{name} input_ids"
        );
        assert_eq!(
            tensor_rows(&b.attention_mask),
            rows(&want["attention_mask"]),
            "{name} attention_mask"
        );
        if !want["token_type_ids"].is_null() {
            assert_eq!(
                tensor_rows(&b.token_type_ids),
                rows(&want["token_type_ids"]),
                "{name} token_type_ids"
            );
        }
        assert_eq!(b.input_ids.dtype(), torch_core::DType::I64);
    }
    let pairs = [
        ("How old are you?", "I am six."),
        (
            "Where is the station?",
            "Next to the big old church on the hill.",
        ),
    ];
    let b = tok
        .call_pairs(
            &pairs,
            &TokenizeOptions {
                padding: Padding::Longest,
                ..Default::default()
            },
        )
        .unwrap();
    let want = &g["batch"]["pairs_longest"];
    assert_eq!(tensor_rows(&b.input_ids), rows(&want["input_ids"]));
    assert_eq!(
        tensor_rows(&b.attention_mask),
        rows(&want["attention_mask"])
    );
    if !want["token_type_ids"].is_null() {
        assert_eq!(
            tensor_rows(&b.token_type_ids),
            rows(&want["token_type_ids"])
        );
    }
}

#[test]
fn minilm_tokenizer_json_matches_transformers() {
    let tok = Tokenizer::from_file(models().join("all-MiniLM-L6-v2/tokenizer.json")).unwrap();
    assert_eq!(tok.model_max_length, Some(512));
    assert_eq!(tok.pad_token_id(), Some(0));
    let g = &golden()["minilm_tokenizer_json"];
    check_singles(&tok, g);
    check_batches(&tok, g);
}

#[test]
fn minilm_vocab_txt_wordpiece_matches_transformers() {
    let tok = Tokenizer::from_vocab_txt(
        models().join("all-MiniLM-L6-v2/vocab.txt"),
        BertTokenizerOptions::default(),
    )
    .unwrap();
    assert_eq!(tok.vocab_size(), 30522);
    assert_eq!(tok.token_to_id("[MASK]"), Some(103));
    let g = &golden()["minilm_vocab_txt"];
    check_singles(&tok, g);
    check_batches(&tok, g);
}

#[test]
fn gpt2_bpe_matches_transformers() {
    let dir = models().join("gpt2-tokenizer");
    let mut tok =
        Tokenizer::from_bpe_files(dir.join("vocab.json"), dir.join("merges.txt")).unwrap();
    assert_eq!(tok.vocab_size(), 50257);
    assert_eq!(tok.token_to_id("<|endoftext|>"), Some(50256));
    check_singles(&tok, &golden()["gpt2"]);
    // GPT-2 has no pad token: padding is an error, as in transformers.
    let err = tok
        .call(
            &["a", "b c"],
            &TokenizeOptions {
                padding: Padding::Longest,
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("does not have a padding token"),
        "{err}"
    );
    tok.set_pad_token("<|endoftext|>").unwrap();
    let g = &golden()["gpt2_pad_eos"];
    check_singles(&tok, g);
    check_batches(&tok, g);
}

#[test]
fn gpt2_from_pretrained_dir_and_left_padding() {
    let mut tok = Tokenizer::from_pretrained(models().join("gpt2-tokenizer")).unwrap();
    tok.set_pad_token("<|endoftext|>").unwrap();
    tok.padding_side = torch_text::Side::Left;
    let b = tok
        .call(
            &["Hello, world!", "Hi"],
            &TokenizeOptions {
                padding: Padding::Longest,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        tensor_rows(&b.input_ids),
        vec![vec![15496, 11, 995, 0], vec![50256, 50256, 50256, 17250]]
    );
    assert_eq!(
        tensor_rows(&b.attention_mask),
        vec![vec![1, 1, 1, 1], vec![0, 0, 0, 1]]
    );
}

#[test]
fn unpadded_batch_of_unequal_lengths_is_an_error() {
    let tok = Tokenizer::from_pretrained(models().join("all-MiniLM-L6-v2")).unwrap();
    let err = tok
        .call(&["one", "two words"], &TokenizeOptions::default())
        .unwrap_err();
    assert!(err.to_string().contains("Unable to create tensor"), "{err}");
    // max_length without truncation or padding truncates, as transformers does.
    let b = tok
        .call(
            &["one two three four five"],
            &TokenizeOptions {
                max_length: Some(4),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(tensor_rows(&b.input_ids), vec![vec![101, 2028, 2048, 102]]);
}
