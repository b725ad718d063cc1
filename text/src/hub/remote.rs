//! Downloading a model repository's files into the hub cache through `hf-hub`'s blocking
//! client: the repository listing (`/api/models/{repo}/revision/{rev}`), then each file not
//! yet in the snapshot (`/{repo}/resolve/{rev}/{file}`, ETag / X-Repo-Commit / Content-Range,
//! redirects), with `hf-hub`'s progress bar.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use hf_hub::api::sync::{ApiBuilder, ApiRepo};
use hf_hub::{Cache, Repo, RepoType};
use torch_core::{Error, Result};

use super::HubOptions;
use super::cache::{index_shards, repo_dir};
use super::wants::{Want, select};

/// An `hf-hub` error on `url` as an I/O error naming it.
fn request_error(url: &str, e: impl std::fmt::Display) -> Error {
    Error::io(url, std::io::Error::other(e.to_string()))
}

/// Downloads what `wants` needs of `repo_id` (files already in the commit's snapshot are not
/// fetched again) and returns the snapshot folder `snapshots/<commit>`.
pub(crate) fn resolve(repo_id: &str, wants: &[Want], options: &HubOptions) -> Result<PathBuf> {
    let cache_dir =
        std::path::absolute(&options.cache_dir).map_err(|e| Error::io(&options.cache_dir, e))?;
    let mut builder = ApiBuilder::from_cache(Cache::new(cache_dir.clone()))
        .with_endpoint(options.endpoint.clone())
        .with_progress(options.progress);
    if let Some(token) = &options.token {
        builder = builder.with_token(Some(token.clone()));
    }
    let api = builder
        .build()
        .map_err(|e| request_error(&options.endpoint, e))?;
    let repo = api.repo(Repo::with_revision(
        repo_id.to_string(),
        RepoType::Model,
        options.revision.clone(),
    ));
    let info_url = format!(
        "{}/api/models/{repo_id}/revision/{}",
        options.endpoint,
        options.revision.replace('/', "%2F")
    );
    let info = repo.info().map_err(|e| request_error(&info_url, e))?;
    let listed: HashSet<String> = info.siblings.into_iter().map(|s| s.rfilename).collect();
    let source = format!("{} at revision {:?}", options.endpoint, options.revision);
    let files = select(wants, |f| listed.contains(f), repo_id, &source)?;
    let snapshot = repo_dir(&cache_dir, repo_id)
        .join("snapshots")
        .join(&info.sha);
    for file in files {
        let path = fetch(&repo, &snapshot, file)?;
        if file.ends_with(".index.json") {
            for shard in index_shards(&path)? {
                fetch(&repo, &snapshot, &shard)?;
            }
        }
    }
    Ok(snapshot)
}

/// `snapshot/file`, downloaded first unless it is already there.
fn fetch(repo: &ApiRepo, snapshot: &Path, file: &str) -> Result<PathBuf> {
    let local = snapshot.join(file);
    if local.is_file() {
        return Ok(local);
    }
    let got = repo
        .download(file)
        .map_err(|e| request_error(&repo.url(file), e))?;
    if got != local {
        return Err(request_error(
            &repo.url(file),
            format!(
                "the repository changed while downloading (got {}, expected {}); run again",
                got.display(),
                local.display()
            ),
        ));
    }
    Ok(local)
}
