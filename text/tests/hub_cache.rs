//! `from_pretrained(repo_id)` offline from a hub cache laid out as `huggingface_hub` writes it
//! (`models--org--name/{blobs,refs,snapshots}`, snapshot files linking to blobs named by
//! hash): the same models as the local folders, sharded and `.bin` weights, and errors that
//! name the repository and the missing file.

mod common;

use std::fs;

use common::{
    assert_same, check_tiny_bert, commit, err_text, gpt2_ids_and_logits, minilm_dir, options,
    repo_files, sharded_bert, test_dir, write_cache,
};
use torch_text::hub::{self, Want};
use torch_text::{BertForSequenceClassification, GPT2LMHeadModel, SentenceTransformer, Tokenizer};

const NOWHERE: &str = "http://127.0.0.1:9";

#[test]
fn minilm_from_an_offline_cache_gives_the_local_dirs_embeddings() {
    let tmp = tempfile::tempdir().unwrap();
    let id = "sentence-transformers/all-MiniLM-L6-v2";
    let c = commit("minilm");
    let snap = write_cache(tmp.path(), id, &c, &repo_files(&minilm_dir()));
    let o = options(tmp.path(), NOWHERE, true);
    // The snapshot files are links into blobs/, as the hub cache holds them.
    #[cfg(unix)]
    assert!(
        fs::symlink_metadata(snap.join("model.safetensors"))
            .unwrap()
            .is_symlink()
    );

    let sentences = ["A man is eating food.", "A man is riding a horse.", "Hello"];
    let cached = SentenceTransformer::from_pretrained_with(id, &o).unwrap();
    let local = SentenceTransformer::from_pretrained(minilm_dir()).unwrap();
    assert_eq!(cached.max_seq_length, local.max_seq_length);
    assert_eq!(cached.normalize, local.normalize);
    let (a, b) = (
        cached.encode(&sentences, 8).unwrap(),
        local.encode(&sentences, 8).unwrap(),
    );
    assert_eq!(a.shape(), &[3, 384]);
    assert_same(&a, &b);
    // One resolver: the folder it gives is the snapshot of refs/main.
    let dir = hub::resolve(id, &[hub::CONFIG, hub::WEIGHTS], &o).unwrap();
    assert_eq!(dir, snap);
}

#[test]
fn tiny_gpt2_from_an_offline_cache_matches_the_local_dir_at_main_and_at_a_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let (id, c) = ("test-org/tiny-gpt2", commit("gpt2"));
    let fixture = test_dir("fixtures/tiny-gpt2");
    write_cache(tmp.path(), id, &c, &repo_files(&fixture));
    let local = gpt2_ids_and_logits(
        &GPT2LMHeadModel::from_pretrained(&fixture).unwrap(),
        &Tokenizer::from_pretrained(&fixture).unwrap(),
    );
    for revision in ["main".to_string(), c.clone()] {
        let o = options(tmp.path(), NOWHERE, true).revision(revision);
        let cached = gpt2_ids_and_logits(
            &GPT2LMHeadModel::from_pretrained_with(id, &o).unwrap(),
            &Tokenizer::from_pretrained_with(id, &o).unwrap(),
        );
        assert_eq!(cached.0, local.0);
        assert_same(&cached.1, &local.1);
    }
    // A revision the cache does not hold is an error naming the repository and revision.
    let o = options(tmp.path(), NOWHERE, true).revision("v2");
    let err = err_text(GPT2LMHeadModel::from_pretrained_with(id, &o));
    assert!(
        err.contains("test-org/tiny-gpt2/config.json") && err.contains("\"v2\""),
        "{err}"
    );
}

#[test]
fn offline_errors_name_the_repository_and_the_missing_file() {
    let tmp = tempfile::tempdir().unwrap();
    let (id, c) = ("test-org/tiny-gpt2", commit("gpt2"));
    let snap = write_cache(
        tmp.path(),
        id,
        &c,
        &repo_files(&test_dir("fixtures/tiny-gpt2")),
    );
    let o = options(tmp.path(), NOWHERE, true);
    fs::remove_file(snap.join("model.safetensors")).unwrap();
    let err = err_text(GPT2LMHeadModel::from_pretrained_with(id, &o));
    assert!(
        err.contains("test-org/tiny-gpt2/model.safetensors or")
            && err.contains("offline")
            && err.contains(&tmp.path().display().to_string()),
        "{err}"
    );
    // A repository that was never downloaded: the first file needed is named.
    let err = err_text(Tokenizer::from_pretrained_with("org/never-seen", &o));
    assert!(err.contains("org/never-seen/tokenizer.json"), "{err}");
    // A missing path that is not a repo id is a plain "not found".
    let err = err_text(Tokenizer::from_pretrained_with("no/such/local/dir", &o));
    assert!(
        err.contains("not a directory, nor a hub repository id"),
        "{err}"
    );
}

#[test]
fn sharded_and_bin_checkpoints_load_through_the_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let o = options(tmp.path(), NOWHERE, true);
    let snap = write_cache(tmp.path(), "t/sharded", &commit("s"), &sharded_bert());
    check_tiny_bert(&BertForSequenceClassification::from_pretrained_with("t/sharded", &o).unwrap());
    let bin = repo_files(&test_dir("fixtures/tiny-bert-cls-bin"));
    write_cache(tmp.path(), "t/bin", &commit("b"), &bin);
    check_tiny_bert(&BertForSequenceClassification::from_pretrained_with("t/bin", &o).unwrap());

    // A shard the index names but the cache lacks is named.
    fs::remove_file(snap.join("model-00002-of-00002.safetensors")).unwrap();
    let err = hub::resolve("t/sharded", &[hub::WEIGHTS], &o)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("t/sharded/model-00002-of-00002.safetensors"),
        "{err}"
    );
    // Optional files are skipped when absent; required ones are not.
    let wants = [Want::Required("config.json"), Want::Optional("nope.json")];
    assert_eq!(
        hub::resolve("t/bin", &wants, &o).unwrap(),
        hub::snapshot_dir(tmp.path(), "t/bin", "main").unwrap()
    );
}
