//! `from_pretrained(repo_id or local dir)`: [`resolve`] turns a model name into a local folder
//! holding the files a loader needs: an existing directory as it is, else a HuggingFace Hub
//! repository id whose files come from the hub cache (`HF_HOME`, the real
//! `models--org--name/snapshots/<commit>/` layout) and, unless offline, are downloaded into it
//! through `hf-hub` (`HF_ENDPOINT`, revision, progress bar).

mod cache;
mod options;
mod remote;
mod wants;

use std::path::{Path, PathBuf};

use torch_core::{Error, Result};

pub use cache::{repo_dir, snapshot_dir};
pub use options::{DEFAULT_ENDPOINT, HubOptions};
pub use wants::{CONFIG, TOKENIZER, WEIGHTS, Want};

/// Whether `id` is a valid hub repository id, `name` or `namespace/name`, as
/// `huggingface_hub.utils.validate_repo_id` checks it: letters, digits, `-`, `_`, `.`; no `--`
/// or `..`; not starting or ending with `-` or `.`; at most 96 characters.
pub fn is_repo_id(id: &str) -> bool {
    let part_ok = |p: &str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && !p.starts_with(['-', '.'])
            && !p.ends_with(['-', '.'])
    };
    let parts: Vec<&str> = id.split('/').collect();
    id.len() <= 96
        && !id.contains("--")
        && !id.contains("..")
        && parts.len() <= 2
        && parts.iter().all(|p| part_ok(p))
}

/// The local folder holding what `wants` needs of the model `name`, as `from_pretrained`
/// finds it: an existing directory `name` wins (returned as it is, its files not checked);
/// otherwise `name` is a hub repository id and the folder is its cached snapshot at
/// `options.revision`, after downloading what the cache lacks (never when `options.offline`;
/// if the hub cannot be reached, a cached snapshot holding every wanted file is used).
/// Errors name the repository and the missing file.
pub fn resolve(name: impl AsRef<Path>, wants: &[Want], options: &HubOptions) -> Result<PathBuf> {
    let name = name.as_ref();
    if name.is_dir() {
        return Ok(name.to_path_buf());
    }
    let id = name.to_str().filter(|s| is_repo_id(s)).ok_or_else(|| {
        Error::io(
            name,
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "not a directory, nor a hub repository id ('name' or 'namespace/name')",
            ),
        )
    })?;
    let cached = |why: &str| cache::resolve(id, wants, &options.cache_dir, &options.revision, why);
    if options.offline {
        return cached("offline: HF_HUB_OFFLINE=1 or HubOptions::offline");
    }
    remote::resolve(id, wants, options)
        .or_else(|e| cached(&format!("the hub request failed: {e}")).map_err(|_| e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_ids_are_validated_as_huggingface_hub_does() {
        for ok in [
            "gpt2",
            "sentence-transformers/all-MiniLM-L6-v2",
            "a.b_c/d-1",
        ] {
            assert!(is_repo_id(ok), "{ok}");
        }
        for bad in [
            "", "a/b/c", "/abs", "a--b", "a/../b", "-a", "a.", "x y", "org/",
        ] {
            assert!(!is_repo_id(bad), "{bad}");
        }
    }

    #[test]
    fn a_missing_path_that_is_no_repo_id_is_a_clear_error() {
        let err = resolve("./no/such/dir", &[CONFIG], &HubOptions::default()).unwrap_err();
        assert!(
            err.to_string().contains("./no/such/dir: not a directory"),
            "{err}"
        );
    }

    #[test]
    fn an_existing_directory_wins() {
        let dir = tempfile::tempdir().unwrap();
        let got = resolve(dir.path(), &[CONFIG], &HubOptions::default().offline(true)).unwrap();
        assert_eq!(got, dir.path());
    }
}
