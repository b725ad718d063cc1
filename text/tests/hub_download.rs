//! `from_pretrained(repo_id)` downloading from a hub server on 127.0.0.1 (the endpoint set as
//! `HF_ENDPOINT` would set it) into an empty cache, in the real layout; then, with the server
//! stopped, loading again from the cache alone.

mod common;
mod hub_server;

use std::fs;

use common::{
    assert_same, blob_name, check_tiny_bert, commit, err_text, gpt2_ids_and_logits, options,
    repo_files, sharded_bert, test_dir,
};
use hub_server::{HubServer, ServedRepo};
use torch_text::hub::{self, Want};
use torch_text::{BertForSequenceClassification, GPT2LMHeadModel, Tokenizer};

/// How many requests fetched a file (`/resolve/` or the CDN), not the listing.
fn downloads(server: &HubServer) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.contains("/resolve/") || r.contains("/cdn-lfs/"))
        .count()
}

#[test]
fn downloads_fill_an_empty_cache_that_a_later_run_uses_without_the_server() {
    let fixture = test_dir("fixtures/tiny-gpt2");
    let files = repo_files(&fixture);
    let (id, c) = ("test-org/tiny-gpt2", commit("tiny-gpt2 v1"));
    let server = HubServer::start(vec![ServedRepo {
        id: id.into(),
        commit: c.clone(),
        files: files.clone(),
    }]);
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("hub");
    let online = options(&cache, &server.endpoint(), false);
    let local = gpt2_ids_and_logits(
        &GPT2LMHeadModel::from_pretrained(&fixture).unwrap(),
        &Tokenizer::from_pretrained(&fixture).unwrap(),
    );

    let model = GPT2LMHeadModel::from_pretrained_with(id, &online).unwrap();
    let tok = Tokenizer::from_pretrained_with(id, &online).unwrap();
    let got = gpt2_ids_and_logits(&model, &tok);
    assert_eq!(got.0, local.0);
    assert_same(&got.1, &local.1);

    // The cache is laid out as huggingface_hub lays it out.
    let repo = hub::repo_dir(&cache, id);
    assert_eq!(repo, cache.join("models--test-org--tiny-gpt2"));
    assert_eq!(fs::read_to_string(repo.join("refs/main")).unwrap(), c);
    for name in [
        "config.json",
        "model.safetensors",
        "vocab.json",
        "merges.txt",
    ] {
        let data = &files.iter().find(|(n, _)| n == name).unwrap().1;
        let blob = repo.join("blobs").join(blob_name(name, data));
        assert_eq!(&fs::read(&blob).unwrap(), data, "{name}");
        let link = repo.join("snapshots").join(&c).join(name);
        assert_eq!(
            fs::canonicalize(&link).unwrap(),
            fs::canonicalize(&blob).unwrap()
        );
    }
    // The weights came through the LFS redirect to the CDN address.
    let reqs = server.requests();
    assert!(
        reqs.iter().any(|r| r.starts_with("GET /cdn-lfs/")),
        "{reqs:?}"
    );
    assert!(
        reqs.iter()
            .any(|r| r == &format!("GET /api/models/{id}/revision/main")),
        "{reqs:?}"
    );
    // Files already in the snapshot are not fetched again (only the listing is asked for).
    let before = downloads(&server);
    GPT2LMHeadModel::from_pretrained_with(id, &online).unwrap();
    assert_eq!(downloads(&server), before);
    // A file the repository lacks is an error naming it (never a panic).
    let err = hub::resolve(id, &[Want::Required("nope.bin")], &online).unwrap_err();
    assert!(
        err.to_string().contains("test-org/tiny-gpt2/nope.bin"),
        "{err}"
    );

    server.stop();
    let offline = options(&cache, &online.endpoint, true);
    let again = gpt2_ids_and_logits(
        &GPT2LMHeadModel::from_pretrained_with(id, &offline).unwrap(),
        &Tokenizer::from_pretrained_with(id, &offline).unwrap(),
    );
    assert_same(&again.1, &local.1);
    // Online with the server gone falls back to the complete cached snapshot, as
    // transformers does on a connection error.
    let fallback = GPT2LMHeadModel::from_pretrained_with(id, &online).unwrap();
    assert_same(&gpt2_ids_and_logits(&fallback, &tok).1, &local.1);
    // ... but what the cache never got is an error naming the endpoint's failure.
    let err = err_text(BertForSequenceClassification::from_pretrained_with(
        "test-org/other",
        &online,
    ));
    assert!(
        err.contains(&online.endpoint) && err.contains("test-org/other"),
        "{err}"
    );
}

#[test]
fn sharded_and_bin_checkpoints_download_with_their_shards() {
    let (sharded, bin) = (commit("sharded"), commit("bin"));
    let server = HubServer::start(vec![
        ServedRepo {
            id: "t/sharded".into(),
            commit: sharded.clone(),
            files: sharded_bert(),
        },
        ServedRepo {
            id: "t/bin".into(),
            commit: bin.clone(),
            files: repo_files(&test_dir("fixtures/tiny-bert-cls-bin")),
        },
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let o = options(tmp.path(), &server.endpoint(), false);
    check_tiny_bert(&BertForSequenceClassification::from_pretrained_with("t/sharded", &o).unwrap());
    check_tiny_bert(&BertForSequenceClassification::from_pretrained_with("t/bin", &o).unwrap());
    let snap = hub::snapshot_dir(tmp.path(), "t/sharded", "main").unwrap();
    assert!(snap.ends_with(&sharded));
    for shard in [
        "model-00001-of-00002.safetensors",
        "model-00002-of-00002.safetensors",
    ] {
        assert!(snap.join(shard).is_file(), "{shard}");
    }
    let bin_snap = hub::snapshot_dir(tmp.path(), "t/bin", &bin).unwrap();
    assert!(bin_snap.join("pytorch_model.bin").is_file());
}
