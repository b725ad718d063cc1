//! `Vocab` and the basic_english tokenizer against torchtext's own functions run on Hamlet
//! (goldens from `scripts/golden/text_vocab.py`).

use std::path::PathBuf;

use serde_json::Value;
use torch_core::testing::shared_data;
use torch_text::data_utils::{basic_english, character, get_tokenizer};
use torch_text::{BuildVocabOptions, Vocab};

fn golden() -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/vocab.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn hamlet_tokens() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(shared_data().join("text/hamlet.txt")).unwrap();
    text.lines().map(basic_english).collect()
}

#[test]
fn basic_english_matches_torchtext() {
    let g = golden();
    for (line, want) in g["extra"]
        .as_array()
        .unwrap()
        .iter()
        .zip(g["extra_tokens"].as_array().unwrap())
    {
        assert_eq!(basic_english(line.as_str().unwrap()), strings(want));
    }
    let tokens: Vec<String> = hamlet_tokens().into_iter().flatten().collect();
    assert_eq!(
        tokens.len() as u64,
        g["hamlet_token_count"].as_u64().unwrap()
    );
    assert_eq!(tokens[..300], strings(&g["hamlet_first_tokens"])[..]);
    assert_eq!(
        get_tokenizer("basic_english").unwrap()("A, b."),
        ["a", ",", "b", "."]
    );
    assert_eq!(
        get_tokenizer("split").unwrap()(" a  b\tc "),
        ["a", "b", "c"]
    );
    assert_eq!(character("añ😀"), ["a", "ñ", "😀"]);
    assert!(get_tokenizer("spacy").is_err());
}

#[test]
fn build_vocab_matches_torchtext() {
    let g = golden();
    let toks = hamlet_tokens();
    let v = Vocab::build_from_iterator(&toks, &BuildVocabOptions::default()).unwrap();
    assert_eq!(v.get_itos(), strings(&g["vocab_default"]));
    let o = BuildVocabOptions {
        min_freq: 3,
        specials: vec!["<unk>".into(), "<pad>".into(), "the".into()],
        ..Default::default()
    };
    let v = Vocab::build_from_iterator(&toks, &o).unwrap();
    assert_eq!(v.get_itos(), strings(&g["vocab_min3_specials"]));
    let o = BuildVocabOptions {
        specials: vec!["<unk>".into()],
        special_first: false,
        max_tokens: Some(100),
        ..Default::default()
    };
    let v = Vocab::build_from_iterator(&toks, &o).unwrap();
    assert_eq!(v.get_itos(), strings(&g["vocab_max100_last"]));
}

#[test]
fn vocab_lookup_and_default_index() {
    let mut v = Vocab::new(["<unk>", "to", "be", "to"]);
    assert_eq!(v.len(), 3);
    assert_eq!(v.get("be").unwrap(), 2);
    let err = v.get("not").unwrap_err().to_string();
    assert!(
        err.contains("Token not not found and default index is not set"),
        "{err}"
    );
    v.set_default_index(Some(0));
    assert_eq!(
        v.lookup_indices(&["to", "or", "not", "to", "be"]).unwrap(),
        [1, 0, 0, 1, 2]
    );
    assert_eq!(v.lookup_tokens(&[2, 1]).unwrap(), ["be", "to"]);
    assert!(v.lookup_token(3).is_err());
    v.append_token("or".into());
    assert!(v.contains("or") && v.get_stoi()["or"] == 3);
    assert!(
        Vocab::build_from_iterator(
            [["a"]],
            &BuildVocabOptions {
                min_freq: 0,
                ..Default::default()
            }
        )
        .is_err()
    );
}
