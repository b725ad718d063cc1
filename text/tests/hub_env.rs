//! `from_pretrained(repo_id)` with its settings from the environment (`HF_HOME`,
//! `HF_ENDPOINT`, `HF_HUB_OFFLINE`, `HF_HUB_DISABLE_PROGRESS_BARS`). Environment variables
//! are process-wide, so this binary holds a single test.

mod common;
mod hub_server;

use common::{assert_same, commit, err_text, gpt2_ids_and_logits, repo_files, test_dir};
use hub_server::{HubServer, ServedRepo};
use torch_text::{GPT2LMHeadModel, HubOptions, Tokenizer};

fn set(name: &str, value: &str) {
    // SAFETY: this binary's only test sets variables before anything reads them from
    // another thread (the server threads never read the environment).
    unsafe { std::env::set_var(name, value) };
}

#[test]
fn hf_home_endpoint_and_offline_variables_are_honoured() {
    let fixture = test_dir("fixtures/tiny-gpt2");
    let id = "env-org/tiny-gpt2";
    let server = HubServer::start(vec![ServedRepo {
        id: id.into(),
        commit: commit("env"),
        files: repo_files(&fixture),
    }]);
    let home = tempfile::tempdir().unwrap();
    set("HF_HOME", &home.path().display().to_string());
    set("HF_ENDPOINT", &server.endpoint());
    set("HF_HUB_OFFLINE", "0");
    set("HF_HUB_DISABLE_PROGRESS_BARS", "1");
    unsafe { std::env::remove_var("HF_HUB_CACHE") };
    let o = HubOptions::default();
    assert_eq!(o.cache_dir, home.path().join("hub"));
    assert_eq!(o.endpoint, server.endpoint());

    let local = gpt2_ids_and_logits(
        &GPT2LMHeadModel::from_pretrained(&fixture).unwrap(),
        &Tokenizer::from_pretrained(&fixture).unwrap(),
    );
    let model = GPT2LMHeadModel::from_pretrained(id).unwrap();
    let tok = Tokenizer::from_pretrained(id).unwrap();
    assert_same(&gpt2_ids_and_logits(&model, &tok).1, &local.1);
    assert!(
        home.path()
            .join("hub/models--env-org--tiny-gpt2/refs/main")
            .is_file()
    );
    assert!(!server.requests().is_empty());

    server.stop();
    set("HF_HUB_OFFLINE", "1");
    let model = GPT2LMHeadModel::from_pretrained(id).unwrap();
    assert_same(&gpt2_ids_and_logits(&model, &tok).1, &local.1);
    let err = err_text(GPT2LMHeadModel::from_pretrained("env-org/missing"));
    assert!(
        err.contains("env-org/missing/config.json") && err.contains("HF_HUB_OFFLINE"),
        "{err}"
    );
}
