//! Missing and corrupt tokenizer files give errors naming the file.

use std::fs;

use torch_text::{BertTokenizerOptions, Tokenizer};

fn check_names(err: torch_core::Error, path: &std::path::Path) {
    let msg = err.to_string();
    assert!(
        msg.contains(&path.display().to_string()),
        "{msg} does not name {}",
        path.display()
    );
}

#[test]
fn missing_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("tokenizer.json");
    check_names(Tokenizer::from_file(&p).err().unwrap(), &p);
    let v = dir.path().join("vocab.txt");
    check_names(
        Tokenizer::from_vocab_txt(&v, BertTokenizerOptions::default())
            .err()
            .unwrap(),
        &v,
    );
    let j = dir.path().join("vocab.json");
    check_names(
        Tokenizer::from_bpe_files(&j, dir.path().join("merges.txt"))
            .err()
            .unwrap(),
        &j,
    );
    let err = Tokenizer::from_pretrained(dir.path()).err().unwrap();
    assert!(err.to_string().contains("no tokenizer.json"), "{err}");
}

#[test]
fn corrupt_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("tokenizer.json");
    fs::write(&p, "{\"model\": 3").unwrap();
    check_names(Tokenizer::from_file(&p).err().unwrap(), &p);

    let v = dir.path().join("vocab.txt");
    fs::write(&v, "[PAD]\nhello\n").unwrap();
    let err = Tokenizer::from_vocab_txt(&v, BertTokenizerOptions::default())
        .err()
        .unwrap();
    check_names(err, &v);

    let j = dir.path().join("vocab.json");
    let m = dir.path().join("merges.txt");
    fs::write(&j, "[1, 2]").unwrap();
    fs::write(&m, "#version: 0.2\na b\n").unwrap();
    check_names(Tokenizer::from_bpe_files(&j, &m).err().unwrap(), &j);

    fs::write(&j, "{\"a\": 0, \"b\": 1, \"ab\": 2}").unwrap();
    fs::write(&m, "#version: 0.2\na b c\n").unwrap();
    let err = Tokenizer::from_bpe_files(&j, &m).err().unwrap();
    assert!(err.to_string().contains("line 2"), "{err}");
    check_names(err, &m);

    // A merge of tokens the vocabulary lacks.
    fs::write(&m, "a z\n").unwrap();
    check_names(Tokenizer::from_bpe_files(&j, &m).err().unwrap(), &m);

    let sub = dir.path().join("bert");
    fs::create_dir(&sub).unwrap();
    let cfg = sub.join("tokenizer_config.json");
    fs::write(
        sub.join("vocab.txt"),
        "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhi\n",
    )
    .unwrap();
    fs::write(&cfg, "{not json").unwrap();
    check_names(Tokenizer::from_pretrained(&sub).err().unwrap(), &cfg);
}

#[test]
fn tiny_vocab_txt_tokenizes_with_wordpiece() {
    let dir = tempfile::tempdir().unwrap();
    let v = dir.path().join("vocab.txt");
    fs::write(
        &v,
        "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n##ing\nplay\n,\n",
    )
    .unwrap();
    let tok = Tokenizer::from_vocab_txt(&v, BertTokenizerOptions::default()).unwrap();
    let e = tok.encode("Hello, PLAYING zzz [MASK]", true).unwrap();
    assert_eq!(e.ids, vec![2, 5, 8, 7, 6, 1, 4, 3]);
    assert_eq!(
        e.tokens,
        [
            "[CLS]", "hello", ",", "play", "##ing", "[UNK]", "[MASK]", "[SEP]"
        ]
    );
    assert_eq!(tok.decode(&e.ids, true).unwrap(), "hello, playing");
    assert!(tok.decode(&[-1], false).is_err());
}
