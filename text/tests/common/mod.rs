//! Test helpers for the hub tests: the files of a model folder, HF's blob names (SHA-256 for
//! LFS files, git blob SHA-1 for the rest) and a hub cache laid out as `huggingface_hub`
//! writes it.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use std::collections::HashMap;

use torch_core::Tensor;
use torch_core::autograd::no_grad;
use torch_core::io::load_safetensors_map;
use torch_core::testing::assert_close_tol;
use torch_nn::StateDict;
use torch_text::{BertForSequenceClassification, GPT2LMHeadModel, HubOptions, Tokenizer};

/// A repository's files: (path inside the repository with `/`, content).
pub type RepoFiles = Vec<(String, Vec<u8>)>;

/// A folder of the crate's `tests/`.
pub fn test_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(name)
}

/// The shared all-MiniLM-L6-v2 folder.
pub fn minilm_dir() -> PathBuf {
    torch_core::testing::shared_data().join("models/all-MiniLM-L6-v2")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of `data` in hex (the ETag of an LFS file).
pub fn sha256_hex(data: &[u8]) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, data).as_ref())
}

/// Git's blob id of `data` (SHA-1 of `blob <len>\0<data>`; the ETag of a non-LFS file).
pub fn git_blob_sha1(data: &[u8]) -> String {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY);
    ctx.update(format!("blob {}\0", data.len()).as_bytes());
    ctx.update(data);
    hex(ctx.finish().as_ref())
}

/// Whether the hub stores `name` through LFS (weights), as the hub's `.gitattributes` does.
pub fn is_lfs(name: &str) -> bool {
    name.ends_with(".safetensors") || name.ends_with(".bin")
}

/// The name of `name`'s blob in the cache (its ETag without quotes).
pub fn blob_name(name: &str, data: &[u8]) -> String {
    if is_lfs(name) {
        sha256_hex(data)
    } else {
        git_blob_sha1(data)
    }
}

/// Every file under `dir` (recursively, README.md excluded), in name order.
pub fn repo_files(dir: &Path) -> RepoFiles {
    fn walk(dir: &Path, prefix: &str, out: &mut RepoFiles) {
        for entry in fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type().unwrap().is_dir() {
                walk(&entry.path(), &format!("{name}/"), out);
            } else if name != "README.md" {
                out.push((name, fs::read(entry.path()).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, "", &mut out);
    out.sort();
    out
}

/// A made-up commit hash for `seed` (40 hex digits).
pub fn commit(seed: &str) -> String {
    git_blob_sha1(seed.as_bytes())
}

/// Writes `files` into `cache/models--org--name` as `huggingface_hub` does: `blobs/<etag>`,
/// `refs/main` = `commit`, `snapshots/<commit>/<file>` relative links to the blobs. Returns
/// the snapshot folder.
pub fn write_cache(cache: &Path, repo_id: &str, commit: &str, files: &RepoFiles) -> PathBuf {
    let repo = cache.join(format!("models--{}", repo_id.replace('/', "--")));
    let snapshot = repo.join("snapshots").join(commit);
    fs::create_dir_all(repo.join("blobs")).unwrap();
    fs::create_dir_all(repo.join("refs")).unwrap();
    fs::write(repo.join("refs/main"), commit).unwrap();
    for (name, data) in files {
        let blob = blob_name(name, data);
        fs::write(repo.join("blobs").join(&blob), data).unwrap();
        let link = snapshot.join(name);
        fs::create_dir_all(link.parent().unwrap()).unwrap();
        let depth = name.matches('/').count() + 2;
        let target = format!("{}blobs/{blob}", "../".repeat(depth));
        #[cfg(unix)]
        std::os::unix::fs::symlink(target, &link).unwrap();
        #[cfg(not(unix))]
        fs::copy(repo.join("blobs").join(&blob), &link)
            .map(|_| ())
            .unwrap();
    }
    snapshot
}

/// Hub settings for a test: cache `cache`, server `endpoint`, no progress bar, no token.
pub fn options(cache: &Path, endpoint: &str, offline: bool) -> HubOptions {
    HubOptions {
        revision: "main".into(),
        cache_dir: cache.to_path_buf(),
        endpoint: endpoint.into(),
        offline,
        token: None,
        progress: false,
    }
}

/// The prompt the GPT-2 checks encode.
pub const PROMPT: &str = "Hello, my dog is cute and";

/// Token ids of [`PROMPT`] and the logits `model` gives for them.
pub fn gpt2_ids_and_logits(model: &GPT2LMHeadModel, tok: &Tokenizer) -> (Vec<i64>, Tensor) {
    let ids = tok.encode(PROMPT, true).unwrap().ids;
    let _g = no_grad();
    let input = Tensor::from_slice(&ids, &[1, ids.len()]).unwrap();
    (ids, model.forward(&input, None, None, None).unwrap())
}

/// Asserts two tensors hold the same values exactly (same weights, same computation).
pub fn assert_same(a: &Tensor, b: &Tensor) {
    assert_eq!(a.shape(), b.shape());
    let (a, b) = (a.to_vec::<f32>().unwrap(), b.to_vec::<f32>().unwrap());
    assert_eq!(a, b);
}

/// Splits tiny-bert-cls's weights over two shards and an index, as `save_pretrained` with
/// `max_shard_size` writes them.
pub fn sharded_bert() -> RepoFiles {
    let src = test_dir("fixtures/tiny-bert-cls");
    let all = StateDict::load_safetensors(src.join("model.safetensors")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut shards = [StateDict::new(), StateDict::new()];
    let mut map = serde_json::Map::new();
    for (i, (k, t)) in all.iter().enumerate() {
        map.insert(
            k.to_string(),
            format!("model-0000{}-of-00002.safetensors", i % 2 + 1).into(),
        );
        shards[i % 2].insert(k, t.clone());
    }
    let mut files = vec![(
        "config.json".to_string(),
        fs::read(src.join("config.json")).unwrap(),
    )];
    for (i, s) in shards.iter().enumerate() {
        let name = format!("model-0000{}-of-00002.safetensors", i + 1);
        s.save_safetensors(tmp.path().join(&name)).unwrap();
        files.push((name.clone(), fs::read(tmp.path().join(&name)).unwrap()));
    }
    let index = serde_json::json!({"metadata": {"total_size": 0}, "weight_map": map});
    files.push((
        "model.safetensors.index.json".into(),
        index.to_string().into_bytes(),
    ));
    files
}

/// Checks a tiny BERT classifier against the committed golden logits.
pub fn check_tiny_bert(m: &BertForSequenceClassification) {
    let g: HashMap<String, Tensor> =
        load_safetensors_map(test_dir("golden/tiny_bert.safetensors")).unwrap();
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

/// The message of the error `r` must be (the models have no `Debug`, so no `unwrap_err`).
pub fn err_text<T>(r: torch_core::Result<T>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}
