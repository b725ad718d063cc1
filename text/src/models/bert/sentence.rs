//! Sentence embeddings as sentence-transformers computes them for BERT models such as
//! all-MiniLM-L6-v2: tokenize (truncating to `max_seq_length`), `BertModel`, mean pooling over
//! the attention mask, L2 normalisation.

use std::path::Path;

use serde_json::Value;
use torch_core::{DType, Error, Result, Tensor, autograd::no_grad};
use torch_nn::functional as F;

use super::BertModel;
use crate::hub::{self, HubOptions, Want};
use crate::tokenizer::{Padding, TokenizeOptions, Tokenizer};

/// Mean of the token embeddings `(B, T, H)` over the tokens where `attention_mask` `(B, T)`
/// is 1 (sentence-transformers' `Pooling(pooling_mode_mean_tokens=True)`): `(B, H)`.
pub fn mean_pooling(token_embeddings: &Tensor, attention_mask: &Tensor) -> Result<Tensor> {
    let mask = attention_mask
        .to_dtype(token_embeddings.dtype())?
        .unsqueeze(-1)?; // (B, T, 1)
    let summed = token_embeddings.mul(&mask)?.sum_dim(&[1], false)?;
    let counts = mask.sum_dim(&[1], false)?.clamp(Some(1e-9), None)?;
    summed.div(&counts)
}

/// Cosine similarities of every row of `a` `(N, H)` with every row of `b` `(M, H)`: `(N, M)`,
/// as `SentenceTransformer.similarity` / `util.cos_sim`.
pub fn cos_sim(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let a = F::normalize(a, 2.0, 1, 1e-12)?;
    let b = F::normalize(b, 2.0, 1, 1e-12)?;
    a.matmul(&b.t()?)
}

/// The sentence-transformers files read beside the model's own.
const SENTENCE_FILES: [&str; 3] = [
    "sentence_bert_config.json",
    "modules.json",
    "1_Pooling/config.json",
];

/// A BERT sentence-embedding model as `sentence_transformers.SentenceTransformer` runs it
/// (Transformer → mean Pooling → Normalize).
pub struct SentenceTransformer {
    /// The tokenizer.
    pub tokenizer: Tokenizer,
    /// The encoder.
    pub model: BertModel,
    /// Longest input in tokens; longer texts are truncated (`max_seq_length`).
    pub max_seq_length: usize,
    /// L2-normalise the pooled embeddings (a `Normalize` module in `modules.json`).
    pub normalize: bool,
}

impl SentenceTransformer {
    /// Loads a sentence-transformers model (`SentenceTransformer(name)`): `name` is a local
    /// directory or a hub repository id (hub settings from the environment,
    /// [`HubOptions::default`]); reads the tokenizer, the `BertModel` weights,
    /// `sentence_bert_config.json` (`max_seq_length`) and `modules.json` (whether to
    /// normalise). Only mean pooling is supported.
    pub fn from_pretrained(name: impl AsRef<Path>) -> Result<SentenceTransformer> {
        SentenceTransformer::from_pretrained_with(name, &HubOptions::default())
    }

    /// [`SentenceTransformer::from_pretrained`] with explicit hub settings (`revision`,
    /// `cache_folder`, `local_files_only`, ...).
    pub fn from_pretrained_with(
        name: impl AsRef<Path>,
        options: &HubOptions,
    ) -> Result<SentenceTransformer> {
        let mut wants = vec![hub::CONFIG, hub::WEIGHTS];
        wants.extend_from_slice(hub::TOKENIZER);
        wants.extend(SENTENCE_FILES.map(Want::Optional));
        // One resolution for every file, so the parts below read one local folder.
        let dir = &hub::resolve(name, &wants, options)?;
        let tokenizer = Tokenizer::from_pretrained(dir)?;
        let model = BertModel::from_pretrained(dir)?;
        let read = |name: &str| -> Result<Option<Value>> {
            let p = dir.join(name);
            if !p.is_file() {
                return Ok(None);
            }
            let text = std::fs::read_to_string(&p).map_err(|e| Error::io(&p, e))?;
            serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| Error::format(&p, format!("invalid JSON: {e}")))
        };
        let max_seq_length = read("sentence_bert_config.json")?
            .and_then(|v| v["max_seq_length"].as_u64())
            .map(|n| n as usize)
            .or(tokenizer.model_max_length)
            .unwrap_or(model.config.max_position_embeddings)
            .min(model.config.max_position_embeddings);
        let normalize = read("modules.json")?.is_some_and(|v| {
            v.as_array().is_some_and(|mods| {
                mods.iter()
                    .any(|m| m["type"].as_str().is_some_and(|t| t.ends_with("Normalize")))
            })
        });
        if let Some(p) = read("1_Pooling/config.json")?
            && p["pooling_mode_mean_tokens"].as_bool() == Some(false)
        {
            return Err(Error::format(
                dir.join("1_Pooling/config.json"),
                "only mean pooling is supported",
            ));
        }
        Ok(SentenceTransformer {
            tokenizer,
            model,
            max_seq_length,
            normalize,
        })
    }

    /// Embeds `sentences` (`model.encode(sentences, convert_to_tensor=True)`): `(N, H)` f32,
    /// unit rows when `normalize`. Runs `batch_size` sentences at a time.
    pub fn encode(&self, sentences: &[&str], batch_size: usize) -> Result<Tensor> {
        let _g = no_grad();
        let opts = TokenizeOptions {
            padding: Padding::Longest,
            truncation: Some(true),
            max_length: Some(self.max_seq_length),
            ..Default::default()
        };
        let mut out = Vec::new();
        for chunk in sentences.chunks(batch_size.max(1)) {
            let b = self.tokenizer.call(chunk, &opts)?;
            let h = self
                .model
                .forward(
                    &b.input_ids,
                    Some(&b.attention_mask),
                    Some(&b.token_type_ids),
                )?
                .last_hidden_state;
            let pooled = mean_pooling(&h, &b.attention_mask)?;
            out.push(if self.normalize {
                F::normalize(&pooled, 2.0, 1, 1e-12)?
            } else {
                pooled
            });
        }
        if out.is_empty() {
            return Tensor::zeros(
                &[0, self.model.config.hidden_size],
                torch_core::TensorOptions::default().dtype(DType::F32),
            );
        }
        let refs: Vec<&Tensor> = out.iter().collect();
        Tensor::cat(&refs, 0)
    }

    /// `model.similarity(a, b)`: cosine similarities `(N, M)`.
    pub fn similarity(&self, a: &Tensor, b: &Tensor) -> Result<Tensor> {
        cos_sim(a, b)
    }
}
