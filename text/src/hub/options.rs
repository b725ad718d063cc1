//! Where and how `from_pretrained` reaches the HuggingFace Hub: [`HubOptions`] (revision,
//! cache folder, endpoint, offline mode, token, progress bar), read from the environment
//! variables `huggingface_hub` reads.

use std::path::PathBuf;

/// The hub's address when `HF_ENDPOINT` is not set.
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";

/// Hub settings of `from_pretrained(repo_id, revision=..., cache_dir=..., local_files_only=...,
/// token=...)`. `Default` reads the environment as `huggingface_hub` does (see
/// [`HubOptions::from_vars`]); set fields to override it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubOptions {
    /// Branch, tag or commit hash to load (`revision`, default `"main"`).
    pub revision: String,
    /// The hub cache folder holding `models--org--name/` (`cache_dir`): `$HF_HUB_CACHE`, else
    /// `$HF_HOME/hub`, else `~/.cache/huggingface/hub`.
    pub cache_dir: PathBuf,
    /// The server (`$HF_ENDPOINT`, default `https://huggingface.co`), without a trailing `/`.
    pub endpoint: String,
    /// Use the cache only, never the network (`local_files_only=True`, `HF_HUB_OFFLINE=1`,
    /// `TRANSFORMERS_OFFLINE=1`).
    pub offline: bool,
    /// Access token for private repositories (`$HF_TOKEN`); when `None`, the `token` file
    /// beside the cache folder is used if there is one (as `huggingface-cli login` writes it).
    pub token: Option<String>,
    /// Show a progress bar on stderr while a file downloads (off with
    /// `HF_HUB_DISABLE_PROGRESS_BARS=1`; hidden anyway when stderr is not a terminal).
    pub progress: bool,
}

impl Default for HubOptions {
    /// The settings the process environment gives.
    fn default() -> HubOptions {
        HubOptions::from_vars(|name| std::env::var(name).ok())
    }
}

/// `huggingface_hub`'s truth test for boolean variables (`1`, `ON`, `YES`, `TRUE`, any case).
fn is_true(value: Option<String>) -> bool {
    value.is_some_and(|v| {
        matches!(
            v.trim().to_uppercase().as_str(),
            "1" | "ON" | "YES" | "TRUE"
        )
    })
}

impl HubOptions {
    /// The settings given by the variables `var` returns (`std::env::var` for the process
    /// environment): `HF_HUB_CACHE`, `HF_HOME` (cache at `$HF_HOME/hub`), `XDG_CACHE_HOME`,
    /// `HOME`, `HF_ENDPOINT`, `HF_HUB_OFFLINE`, `TRANSFORMERS_OFFLINE`, `HF_TOKEN`,
    /// `HF_HUB_DISABLE_PROGRESS_BARS`. Empty values count as unset.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> HubOptions {
        let var = |name: &str| var(name).filter(|v| !v.is_empty());
        let hf_home = var("HF_HOME").map(PathBuf::from).unwrap_or_else(|| {
            let cache = var("XDG_CACHE_HOME").map(PathBuf::from).unwrap_or_else(|| {
                var("HOME")
                    .or_else(|| var("USERPROFILE"))
                    .map(PathBuf::from)
                    .unwrap_or_default()
                    .join(".cache")
            });
            cache.join("huggingface")
        });
        let cache_dir = var("HF_HUB_CACHE")
            .map(PathBuf::from)
            .unwrap_or_else(|| hf_home.join("hub"));
        let endpoint = var("HF_ENDPOINT").unwrap_or_else(|| DEFAULT_ENDPOINT.to_string());
        HubOptions {
            revision: "main".to_string(),
            cache_dir,
            endpoint: endpoint.trim_end_matches('/').to_string(),
            offline: is_true(var("HF_HUB_OFFLINE")) || is_true(var("TRANSFORMERS_OFFLINE")),
            token: var("HF_TOKEN"),
            progress: !is_true(var("HF_HUB_DISABLE_PROGRESS_BARS")),
        }
    }

    /// These settings with `revision` (builder style).
    pub fn revision(mut self, revision: impl Into<String>) -> HubOptions {
        self.revision = revision.into();
        self
    }

    /// These settings with the cache folder `cache_dir`.
    pub fn cache_dir(mut self, cache_dir: impl Into<PathBuf>) -> HubOptions {
        self.cache_dir = cache_dir.into();
        self
    }

    /// These settings with the server `endpoint`.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> HubOptions {
        self.endpoint = endpoint.into().trim_end_matches('/').to_string();
        self
    }

    /// These settings with offline mode on or off.
    pub fn offline(mut self, offline: bool) -> HubOptions {
        self.offline = offline;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(pairs: &[(&str, &str)]) -> HubOptions {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        HubOptions::from_vars(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_follow_huggingface_hub() {
        let o = from(&[("HOME", "/home/u")]);
        assert_eq!(o.cache_dir, PathBuf::from("/home/u/.cache/huggingface/hub"));
        assert_eq!(o.endpoint, "https://huggingface.co");
        assert_eq!(o.revision, "main");
        assert!(!o.offline);
        assert!(o.progress);
        assert_eq!(o.token, None);
    }

    #[test]
    fn hf_home_hub_cache_and_xdg_choose_the_cache_folder() {
        let o = from(&[("HOME", "/h"), ("XDG_CACHE_HOME", "/x")]);
        assert_eq!(o.cache_dir, PathBuf::from("/x/huggingface/hub"));
        let o = from(&[("HOME", "/h"), ("HF_HOME", "/data/hf")]);
        assert_eq!(o.cache_dir, PathBuf::from("/data/hf/hub"));
        let o = from(&[("HF_HOME", "/data/hf"), ("HF_HUB_CACHE", "/c")]);
        assert_eq!(o.cache_dir, PathBuf::from("/c"));
        // An empty variable counts as unset.
        let o = from(&[("HOME", "/h"), ("HF_HOME", "")]);
        assert_eq!(o.cache_dir, PathBuf::from("/h/.cache/huggingface/hub"));
    }

    #[test]
    fn offline_endpoint_token_and_progress_variables() {
        for (v, want) in [
            ("1", true),
            ("true", true),
            ("YES", true),
            ("on", true),
            ("0", false),
        ] {
            assert_eq!(from(&[("HF_HUB_OFFLINE", v)]).offline, want, "{v}");
        }
        assert!(from(&[("TRANSFORMERS_OFFLINE", "1")]).offline);
        let o = from(&[
            ("HF_ENDPOINT", "http://127.0.0.1:8080/"),
            ("HF_TOKEN", "hf_x"),
            ("HF_HUB_DISABLE_PROGRESS_BARS", "1"),
        ]);
        assert_eq!(o.endpoint, "http://127.0.0.1:8080");
        assert_eq!(o.token.as_deref(), Some("hf_x"));
        assert!(!o.progress);
        let o = o.revision("v1.0").offline(true).endpoint("http://h/");
        assert_eq!((o.revision.as_str(), o.offline), ("v1.0", true));
        assert_eq!(o.endpoint, "http://h");
    }
}
