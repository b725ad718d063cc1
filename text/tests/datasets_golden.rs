//! Datasets against Python (goldens from `scripts/golden/text_datasets.py`): the Rotten
//! Tomatoes reviews from the bz2 CSV, character-level Hamlet blocks, `pad_sequence`, and the
//! padding collate functions through a DataLoader.

use std::collections::HashMap;
use std::fs;
use std::path::PathBuf;

use serde_json::Value;
use torch_core::data::{DataLoader, DataLoaderOptions, Dataset};
use torch_core::io::load_safetensors_map;
use torch_core::testing::{assert_close, shared_data};
use torch_core::{Tensor, TensorOptions};
use torch_text::data_utils::{basic_english, character};
use torch_text::datasets::{
    CsvOptions, LanguageModelingDataset, TextClassificationDataset, pad_sequence,
    tokenizer_collate, vocab_collate,
};
use torch_text::{BuildVocabOptions, Padding, TokenizeOptions, Tokenizer, Vocab};

fn gold_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn golden() -> Value {
    serde_json::from_str(&fs::read_to_string(gold_dir().join("datasets.json")).unwrap()).unwrap()
}

fn rotten() -> TextClassificationDataset {
    TextClassificationDataset::rotten_tomatoes(
        shared_data().join("text/rotten_tomatoes_corpus_full.csv.bz2"),
    )
    .unwrap()
}

#[test]
fn rotten_tomatoes_reviews_match_python_csv() {
    let g = golden();
    let ds = rotten();
    assert_eq!(ds.len() as u64, g["rt_len"].as_u64().unwrap());
    assert_eq!(ds.classes, ["rotten", "fresh"]);
    assert_eq!(
        ds.labels.iter().sum::<i64>() as u64,
        g["rt_fresh"].as_u64().unwrap()
    );
    assert_eq!(
        ds.labels[..1000].iter().sum::<i64>() as u64,
        g["rt_label_sum_first_1000"].as_u64().unwrap()
    );
    let chars: usize = ds.texts.iter().map(|t| t.chars().count()).sum();
    assert_eq!(chars as u64, g["rt_total_chars"].as_u64().unwrap());
    for (i, row) in g["rt_first"].as_array().unwrap().iter().enumerate() {
        let (text, label) = ds.get(i).unwrap();
        assert_eq!(text, row[0].as_str().unwrap());
        assert_eq!(label, i64::from(row[1].as_str().unwrap() == "fresh"));
    }
    assert_eq!(
        ds.get(ds.len() - 1).unwrap().0,
        g["rt_last"][0].as_str().unwrap()
    );
    assert!(ds.get(ds.len()).is_err());
}

#[test]
fn tsv_jsonl_and_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = dir.path().join("d.tsv");
    fs::write(
        &tsv,
        "label\ttext\npos\t\"multi\nline\"\nneg\tbad\npos\tgood\n",
    )
    .unwrap();
    let o = CsvOptions {
        delimiter: b'\t',
        ..Default::default()
    };
    let ds = TextClassificationDataset::from_csv(&tsv, &o).unwrap();
    assert_eq!(ds.texts, ["multi\nline", "bad", "good"]);
    assert_eq!(
        (ds.labels.clone(), ds.classes.clone()),
        (vec![0, 1, 0], vec!["pos".to_string(), "neg".to_string()])
    );
    let err = TextClassificationDataset::from_csv(
        &tsv,
        &CsvOptions {
            text_column: "body".into(),
            ..o.clone()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("d.tsv") && err.contains("body"), "{err}");
    fs::write(&tsv, "label\ttext\npos\tgood\textra\n").unwrap();
    assert!(
        TextClassificationDataset::from_csv(&tsv, &o)
            .unwrap_err()
            .to_string()
            .contains("d.tsv")
    );

    let jl = dir.path().join("d.jsonl");
    fs::write(&jl, "{\"text\": \"a\", \"label\": 1}\n\n{\"text\": \"b\", \"label\": 0}\n{\"text\": \"c\", \"label\": 2}\n").unwrap();
    let ds = TextClassificationDataset::from_jsonl(&jl, "text", "label", &["0".into(), "1".into()])
        .unwrap();
    assert_eq!(
        (ds.texts.clone(), ds.labels.clone()),
        (vec!["a".to_string(), "b".to_string()], vec![1, 0])
    );
    fs::write(&jl, "{\"text\": \"a\"}\n").unwrap();
    let err = TextClassificationDataset::from_jsonl(&jl, "text", "label", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("d.jsonl") && err.contains("line 1"), "{err}");
    assert!(
        TextClassificationDataset::from_jsonl(dir.path().join("none.jsonl"), "t", "l", &[])
            .is_err()
    );
}

#[test]
fn hamlet_character_blocks_match_python() {
    let g = golden();
    let path = shared_data().join("text/hamlet.txt");
    let text = fs::read_to_string(&path).unwrap();
    let mut chars: Vec<String> = character(&text);
    chars.sort();
    chars.dedup();
    let vocab = Vocab::new(chars.clone());
    assert_eq!(
        vocab.get_itos(),
        g["hamlet_chars"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    );
    let ds = LanguageModelingDataset::from_text_file(&path, 64, |t| {
        Ok(vocab
            .lookup_indices(&character(t))?
            .into_iter()
            .map(|i| i as i64)
            .collect())
    })
    .unwrap();
    assert_eq!(ds.len() as u64, g["hamlet_blocks"].as_u64().unwrap());
    let (x, y) = ds.get(7).unwrap();
    let want = |k: usize| {
        g["hamlet_block_7"][k]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        (x.to_vec::<i64>().unwrap(), y.to_vec::<i64>().unwrap()),
        (want(0), want(1))
    );
    assert!(ds.get(ds.len()).is_err());
    assert!(LanguageModelingDataset::new(vec![1, 2], 0).is_err());
}

#[test]
fn pad_sequence_matches_torch() {
    let g: HashMap<String, Tensor> =
        load_safetensors_map(gold_dir().join("pad_sequence.safetensors")).unwrap();
    let seqs = [g["seq0"].clone(), g["seq1"].clone(), g["seq2"].clone()];
    assert_close(&pad_sequence(&seqs, true, -1.5).unwrap(), &g["batch_first"]);
    assert_close(&pad_sequence(&seqs, false, 0.0).unwrap(), &g["time_first"]);
    assert!(pad_sequence(&[], true, 0.0).is_err());
    let bad = [
        Tensor::zeros(&[2, 3], TensorOptions::default()).unwrap(),
        Tensor::zeros(&[2, 4], TensorOptions::default()).unwrap(),
    ];
    assert!(pad_sequence(&bad, true, 0.0).is_err());
}

#[test]
fn collate_functions_pad_batches_from_a_dataloader() {
    let ds = rotten();
    let toks: Vec<Vec<String>> = ds.texts.iter().map(|t| basic_english(t)).collect();
    let o = BuildVocabOptions {
        min_freq: 2,
        specials: vec!["<unk>".into(), "<pad>".into()],
        ..Default::default()
    };
    let mut vocab = Vocab::build_from_iterator(&toks, &o).unwrap();
    vocab.set_default_index(Some(0));
    let opts = DataLoaderOptions {
        batch_size: 8,
        ..Default::default()
    };
    let loader = DataLoader::with_collate_fn(
        ds.clone(),
        opts.clone(),
        vocab_collate(vocab.clone(), basic_english, 1),
    )
    .unwrap();
    let (ids, lengths, labels) = loader.iter().next().unwrap().unwrap();
    let lengths = lengths.to_vec::<i64>().unwrap();
    let max = *lengths.iter().max().unwrap() as usize;
    assert_eq!(ids.shape(), &[8, max]);
    assert_eq!(labels.to_vec::<i64>().unwrap(), ds.labels[..8]);
    let rows = ids.to_vec::<i64>().unwrap();
    for (r, &len) in lengths.iter().enumerate() {
        let row = &rows[r * max..(r + 1) * max];
        let want: Vec<i64> = vocab
            .lookup_indices(&toks[r])
            .unwrap()
            .into_iter()
            .map(|i| i as i64)
            .collect();
        assert_eq!(row[..len as usize], want[..]);
        assert!(row[len as usize..].iter().all(|&p| p == 1));
    }

    let tok = Tokenizer::from_pretrained(shared_data().join("models/all-MiniLM-L6-v2")).unwrap();
    let topts = TokenizeOptions {
        padding: Padding::Longest,
        truncation: Some(true),
        max_length: Some(32),
        ..Default::default()
    };
    let loader = DataLoader::with_collate_fn(
        ds.clone(),
        opts,
        tokenizer_collate(tok.clone(), topts.clone()),
    )
    .unwrap();
    let (enc, labels) = loader.iter().next().unwrap().unwrap();
    let texts: Vec<&str> = ds.texts[..8].iter().map(String::as_str).collect();
    let direct = tok.call(&texts, &topts).unwrap();
    assert_eq!(
        enc.input_ids.to_vec::<i64>().unwrap(),
        direct.input_ids.to_vec::<i64>().unwrap()
    );
    assert!(enc.input_ids.shape()[1] <= 32);
    assert_eq!(labels.shape(), &[8]);
}
