//! The hub cache as `huggingface_hub` writes it, read without the network:
//! `<cache>/models--org--name/{blobs/<etag>, refs/<revision>, snapshots/<commit>/<file>}`, the
//! snapshot files being links into `blobs/` (or copies where links are not possible).

use std::path::{Path, PathBuf};

use torch_core::Result;

use super::wants::{Want, missing, select};

/// `<cache>/models--org--name`: the folder of model repository `repo_id`.
pub fn repo_dir(cache_dir: &Path, repo_id: &str) -> PathBuf {
    cache_dir.join(format!("models--{}", repo_id.replace('/', "--")))
}

/// The snapshot folder `revision` names: `snapshots/<commit>` for the commit `refs/<revision>`
/// holds, or `snapshots/<revision>` when `revision` is itself a cached commit hash.
pub fn snapshot_dir(cache_dir: &Path, repo_id: &str, revision: &str) -> Option<PathBuf> {
    let repo = repo_dir(cache_dir, repo_id);
    let snapshots = repo.join("snapshots");
    if let Ok(commit) = std::fs::read_to_string(repo.join("refs").join(revision)) {
        let dir = snapshots.join(commit.trim());
        if dir.is_dir() {
            return Some(dir);
        }
    }
    let direct = snapshots.join(revision);
    (is_commit_hash(revision) && direct.is_dir()).then_some(direct)
}

/// Whether `s` looks like a full git commit hash (40 hex digits).
fn is_commit_hash(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The files of a sharded index that must sit beside it (its `weight_map` values).
pub(crate) fn index_shards(index: &Path) -> Result<Vec<String>> {
    crate::models::weights::shard_names(index)
}

/// The cached snapshot of `repo_id` at `options`' revision holding every file `wants` needs
/// (and the shards of a selected index), or an error naming the repository and the first
/// missing file. `why` says why only the cache is used (offline mode, a failed request).
pub(crate) fn resolve(
    repo_id: &str,
    wants: &[Want],
    cache_dir: &Path,
    revision: &str,
    why: &str,
) -> Result<PathBuf> {
    let source = format!(
        "the cache {} at revision {revision:?} ({why})",
        cache_dir.display()
    );
    let snapshot = snapshot_dir(cache_dir, repo_id, revision);
    let has = |f: &str| snapshot.as_ref().is_some_and(|s| s.join(f).is_file());
    let files = select(wants, has, repo_id, &source)?;
    let Some(snapshot) = snapshot else {
        // Only optional files were wanted; nothing to read from a repository not cached.
        return Err(missing(repo_id, &source, "(any file)"));
    };
    for file in files.iter().filter(|f| f.ends_with(".index.json")) {
        for shard in index_shards(&snapshot.join(file))? {
            if !snapshot.join(&shard).is_file() {
                return Err(missing(repo_id, &source, &shard));
            }
        }
    }
    Ok(snapshot)
}
