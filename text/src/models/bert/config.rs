//! `BertConfig`: the fields of a BERT `config.json`, with `transformers.BertConfig`'s
//! defaults (bert-base-uncased).

use std::path::Path;

use serde::Deserialize;
use torch_core::{Error, Result};

use crate::models::Activation;
use crate::models::config::read_config;

/// `transformers.BertConfig`: the architecture of a BERT model, read from `config.json`
/// (unknown fields are ignored; absent ones take HF's defaults).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default)]
pub struct BertConfig {
    /// Vocabulary size (30522).
    pub vocab_size: usize,
    /// Width of the hidden states (768).
    pub hidden_size: usize,
    /// Number of encoder layers (12).
    pub num_hidden_layers: usize,
    /// Attention heads per layer (12); must divide `hidden_size`.
    pub num_attention_heads: usize,
    /// Width of the feed-forward layer (3072).
    pub intermediate_size: usize,
    /// Feed-forward and MLM-head activation ("gelu", exact erf).
    pub hidden_act: String,
    /// Dropout on embeddings and sub-layer outputs (0.1).
    pub hidden_dropout_prob: f64,
    /// Dropout on attention probabilities (0.1).
    pub attention_probs_dropout_prob: f64,
    /// Number of learned positions (512).
    pub max_position_embeddings: usize,
    /// Number of segment types (2).
    pub type_vocab_size: usize,
    /// LayerNorm epsilon (1e-12).
    pub layer_norm_eps: f64,
    /// Padding token id (0).
    pub pad_token_id: Option<i64>,
    /// Only "absolute" is supported.
    pub position_embedding_type: String,
    /// Classes of `BertForSequenceClassification` (from `num_labels` or `id2label`; 2).
    pub num_labels: Option<usize>,
    /// Class names by index, as HF's `id2label`.
    pub id2label: Option<std::collections::BTreeMap<String, String>>,
    /// Dropout before the classifier (`None`: `hidden_dropout_prob`).
    pub classifier_dropout: Option<f64>,
}

impl Default for BertConfig {
    fn default() -> Self {
        BertConfig {
            vocab_size: 30522,
            hidden_size: 768,
            num_hidden_layers: 12,
            num_attention_heads: 12,
            intermediate_size: 3072,
            hidden_act: "gelu".into(),
            hidden_dropout_prob: 0.1,
            attention_probs_dropout_prob: 0.1,
            max_position_embeddings: 512,
            type_vocab_size: 2,
            layer_norm_eps: 1e-12,
            pad_token_id: Some(0),
            position_embedding_type: "absolute".into(),
            num_labels: None,
            id2label: None,
            classifier_dropout: None,
        }
    }
}

impl BertConfig {
    /// Reads and checks a `config.json` (`BertConfig.from_json_file(path)`).
    pub fn from_json_file(path: impl AsRef<Path>) -> Result<BertConfig> {
        let path = path.as_ref();
        let c: BertConfig = read_config(path)?;
        c.validate()
            .map_err(|e| Error::format(path, e.to_string()))?;
        Ok(c)
    }

    /// Checks the sizes fit together and the activation is known.
    pub fn validate(&self) -> Result<()> {
        const OP: &str = "BertConfig";
        if self.num_attention_heads == 0
            || !self.hidden_size.is_multiple_of(self.num_attention_heads)
        {
            return Err(Error::invalid(
                OP,
                format!(
                    "The hidden size ({}) is not a multiple of the number of attention heads ({})",
                    self.hidden_size, self.num_attention_heads
                ),
            ));
        }
        if self.position_embedding_type != "absolute" {
            return Err(Error::invalid(
                OP,
                format!(
                    "position_embedding_type {:?} is not supported (only \"absolute\")",
                    self.position_embedding_type
                ),
            ));
        }
        Activation::from_name(&self.hidden_act)?;
        Ok(())
    }

    /// Number of classes: `num_labels`, else the size of `id2label`, else 2 (HF's default).
    pub fn num_labels(&self) -> usize {
        self.num_labels
            .or_else(|| self.id2label.as_ref().map(|m| m.len()))
            .unwrap_or(2)
    }
}
