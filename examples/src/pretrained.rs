//! What the examples that load a pretrained model by name share: the `--model DIR|REPO_ID`,
//! `--revision REV` and `--threads N` options, and loading under a spinner (a hub id shows
//! hf-hub's download bars instead).

use torch_text::HubOptions;

use crate::cli::parse_value;
use crate::progress::spinner;

/// `--model`, `--revision` and `--threads`.
pub struct ModelArgs {
    /// A local model directory or a hub repository id.
    pub model: String,
    /// The hub revision (`None`: main).
    pub revision: Option<String>,
    /// Intra-op threads (`None`: all cores).
    pub threads: Option<usize>,
}

impl ModelArgs {
    /// The options with model `default_model`.
    pub fn new(default_model: &str) -> ModelArgs {
        ModelArgs {
            model: default_model.to_string(),
            revision: None,
            threads: None,
        }
    }

    /// Takes `flag value` when it is one of these options (`Ok(true)`), else `Ok(false)`.
    pub fn take(&mut self, flag: &str, value: &str) -> Result<bool, String> {
        match flag {
            "--model" => self.model = value.to_string(),
            "--revision" => self.revision = Some(value.to_string()),
            "--threads" => self.threads = Some(parse_value(flag, value)?),
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Sets the thread count, then runs `load(model, hub settings)` (environment settings plus
    /// `--revision`) under a spinner when the model is a local directory.
    pub fn load<T>(&self, load: impl FnOnce(&str, &HubOptions) -> T) -> T {
        if let Some(t) = self.threads {
            torch_core::set_num_threads(t);
        }
        let mut hub = HubOptions::default();
        if let Some(rev) = &self.revision {
            hub = hub.revision(rev.clone());
        }
        let bar = std::path::Path::new(&self.model)
            .is_dir()
            .then(|| spinner(format!("loading {}", self.model)));
        let out = load(&self.model, &hub);
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        out
    }
}
