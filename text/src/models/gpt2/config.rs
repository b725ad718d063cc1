//! `GPT2Config`: the fields of a GPT-2 `config.json`, with `transformers.GPT2Config`'s
//! defaults (the 124M "gpt2" model).

use std::path::Path;

use serde::Deserialize;
use torch_core::{Error, Result};

use crate::models::Activation;
use crate::models::config::read_config;

/// `transformers.GPT2Config` (unknown fields are ignored; absent ones take HF's defaults).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default)]
pub struct GPT2Config {
    /// Vocabulary size (50257).
    pub vocab_size: usize,
    /// Number of positions (1024): the longest sequence.
    pub n_positions: usize,
    /// Width of the hidden states (768).
    pub n_embd: usize,
    /// Number of blocks (12).
    pub n_layer: usize,
    /// Attention heads (12); must divide `n_embd`.
    pub n_head: usize,
    /// Width of the MLP (`None`: 4 * n_embd).
    pub n_inner: Option<usize>,
    /// MLP activation ("gelu_new": the tanh approximation).
    pub activation_function: String,
    /// Dropout on residual branches (0.1).
    pub resid_pdrop: f64,
    /// Dropout on the embeddings (0.1).
    pub embd_pdrop: f64,
    /// Dropout on attention probabilities (0.1).
    pub attn_pdrop: f64,
    /// LayerNorm epsilon (1e-5).
    pub layer_norm_epsilon: f64,
    /// Divide attention scores by sqrt(head_dim) (true).
    pub scale_attn_weights: bool,
    /// Also divide by (layer index + 1) (false).
    pub scale_attn_by_inverse_layer_idx: bool,
    /// Beginning-of-text token (50256).
    pub bos_token_id: Option<i64>,
    /// End-of-text token (50256): `generate` stops on it.
    pub eos_token_id: Option<i64>,
    /// Padding token (none for GPT-2).
    pub pad_token_id: Option<i64>,
    /// The LM head shares the token-embedding matrix (true).
    pub tie_word_embeddings: bool,
}

impl Default for GPT2Config {
    fn default() -> Self {
        GPT2Config {
            vocab_size: 50257,
            n_positions: 1024,
            n_embd: 768,
            n_layer: 12,
            n_head: 12,
            n_inner: None,
            activation_function: "gelu_new".into(),
            resid_pdrop: 0.1,
            embd_pdrop: 0.1,
            attn_pdrop: 0.1,
            layer_norm_epsilon: 1e-5,
            scale_attn_weights: true,
            scale_attn_by_inverse_layer_idx: false,
            bos_token_id: Some(50256),
            eos_token_id: Some(50256),
            pad_token_id: None,
            tie_word_embeddings: true,
        }
    }
}

impl GPT2Config {
    /// Reads and checks a `config.json` (`GPT2Config.from_json_file(path)`).
    pub fn from_json_file(path: impl AsRef<Path>) -> Result<GPT2Config> {
        let path = path.as_ref();
        let c: GPT2Config = read_config(path)?;
        c.validate()
            .map_err(|e| Error::format(path, e.to_string()))?;
        Ok(c)
    }

    /// Checks the sizes fit together and the activation is known.
    pub fn validate(&self) -> Result<()> {
        if self.n_head == 0 || !self.n_embd.is_multiple_of(self.n_head) {
            return Err(Error::invalid(
                "GPT2Config",
                format!(
                    "n_embd ({}) is not a multiple of n_head ({})",
                    self.n_embd, self.n_head
                ),
            ));
        }
        Activation::from_name(&self.activation_function)?;
        Ok(())
    }

    /// The MLP width (`n_inner`, else 4 * n_embd).
    pub fn inner_dim(&self) -> usize {
        self.n_inner.unwrap_or(4 * self.n_embd)
    }
}
