//! Reading a HuggingFace `config.json` into a typed config; bad JSON or a missing field is an
//! error naming the file.

use std::path::Path;

use serde::de::DeserializeOwned;
use torch_core::{Error, Result};

/// Parses `config.json` at `path` into `T` (`XConfig.from_json_file(path)`).
pub(crate) fn read_config<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse_config(&text, path)
}

/// Parses config JSON text, naming `path` in errors.
pub(crate) fn parse_config<T: DeserializeOwned>(text: &str, path: &Path) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::format(path, format!("invalid config: {e}")))
}
