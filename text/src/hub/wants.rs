//! Which files a loader needs from a model repository ([`Want`]) and choosing them from what
//! a repository (remote listing or cache snapshot) holds.

use torch_core::{Error, Result};

/// A file, or a choice of files, a loader reads from a model repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// A file the loader cannot do without (`config.json`).
    Required(&'static str),
    /// A file read when the repository has it (`tokenizer_config.json`).
    Optional(&'static str),
    /// Alternatives in order of preference: the first whose files the repository all has is
    /// used (`model.safetensors`, else the sharded index, else `pytorch_model.bin`).
    OneOf(&'static [&'static [&'static str]]),
}

/// A model's `config.json`.
pub const CONFIG: Want = Want::Required("config.json");

/// The weights, in HF's order of preference. A `model.safetensors.index.json` brings the
/// shards its `weight_map` names.
pub const WEIGHTS: Want = Want::OneOf(&[
    &["model.safetensors"],
    &["model.safetensors.index.json"],
    &["pytorch_model.bin"],
]);

/// What `Tokenizer::from_pretrained` reads: `tokenizer.json`, else BERT's `vocab.txt`, else
/// GPT-2's `vocab.json` + `merges.txt`; plus `tokenizer_config.json` when present.
pub const TOKENIZER: &[Want] = &[
    Want::OneOf(&[
        &["tokenizer.json"],
        &["vocab.txt"],
        &["vocab.json", "merges.txt"],
    ]),
    Want::Optional("tokenizer_config.json"),
];

/// The files of `wants` that a repository holding the files `has` accepts, or an error naming
/// `repo` and the first required file (or set of alternatives) it lacks. `source` says where
/// the listing came from ("the hub", "the cache ...") for that error.
pub(crate) fn select(
    wants: &[Want],
    has: impl Fn(&str) -> bool,
    repo: &str,
    source: &str,
) -> Result<Vec<&'static str>> {
    let mut files: Vec<&'static str> = Vec::new();
    let mut add = |f: &'static str| {
        if !files.contains(&f) {
            files.push(f);
        }
    };
    for want in wants {
        match *want {
            Want::Required(f) => {
                if !has(f) {
                    return Err(missing(repo, source, f));
                }
                add(f);
            }
            Want::Optional(f) => {
                if has(f) {
                    add(f);
                }
            }
            Want::OneOf(alternatives) => {
                let chosen = alternatives
                    .iter()
                    .find(|alt| alt.iter().all(|f| has(f)))
                    .ok_or_else(|| {
                        let names: Vec<String> =
                            alternatives.iter().map(|a| a.join(" + ")).collect();
                        missing(repo, source, &names.join(" or "))
                    })?;
                chosen.iter().for_each(|f| add(f));
            }
        }
    }
    Ok(files)
}

/// "`repo/file`: not found in SOURCE" as an error.
pub(crate) fn missing(repo: &str, source: &str, file: &str) -> Error {
    Error::io(
        format!("{repo}/{file}"),
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("not found in {source}"),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_prefers_the_first_complete_alternative() {
        let repo = [
            "config.json",
            "pytorch_model.bin",
            "vocab.json",
            "merges.txt",
        ];
        let has = |f: &str| repo.contains(&f);
        let mut wants = vec![CONFIG, WEIGHTS];
        wants.extend_from_slice(TOKENIZER);
        let files = select(&wants, has, "gpt2", "the hub").unwrap();
        assert_eq!(
            files,
            [
                "config.json",
                "pytorch_model.bin",
                "vocab.json",
                "merges.txt"
            ]
        );
        let repo2 = [
            "config.json",
            "model.safetensors",
            "pytorch_model.bin",
            "tokenizer.json",
        ];
        let files = select(&wants, |f| repo2.contains(&f), "x/y", "the hub").unwrap();
        assert_eq!(
            files,
            ["config.json", "model.safetensors", "tokenizer.json"]
        );
    }

    #[test]
    fn select_names_the_repo_and_the_missing_file() {
        let err = select(&[CONFIG], |_| false, "org/name", "the hub").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("org/name") && msg.contains("config.json"),
            "{msg}"
        );
        let err = select(&[WEIGHTS], |f| f == "vocab.json", "org/name", "the cache").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("model.safetensors or model.safetensors.index.json or pytorch_model.bin"),
            "{msg}"
        );
    }
}
