//! `GPT2Model` and `GPT2LMHeadModel` (tied LM head) with a key/value cache, and
//! `from_pretrained(dir or hub id)` with HF's keys (`transformer.h.0.attn.c_attn.weight`, ...).

use std::path::Path;

use torch_core::{DType, Error, Result, Tensor, TensorOptions};
use torch_nn::functional as F;
use torch_nn::{Dropout, Embedding, Forward, LayerNorm, Linear, LinearOptions, Module, ModuleBase};

use super::GPT2Config;
use super::layers::{GPT2Block, LayerCache};
use crate::hub::HubOptions;
use crate::models::weights::{batch_and_len, load_pretrained};

/// The keys and values of every layer for the tokens seen so far (HF's `past_key_values`),
/// so each new token costs one position of attention instead of the whole sequence.
#[derive(Clone, Default)]
pub struct KvCache {
    layers: Vec<LayerCache>,
}

impl KvCache {
    /// An empty cache.
    pub fn new() -> KvCache {
        KvCache::default()
    }

    /// Number of cached positions.
    pub fn seq_len(&self) -> usize {
        self.layers
            .first()
            .and_then(|l| l.as_ref())
            .map_or(0, |(k, _)| k.shape()[2])
    }
}

/// `transformers.GPT2Model`: token and position embeddings (`wte`, `wpe`), `n_layer` blocks
/// (`h.{i}`), final LayerNorm (`ln_f`).
#[derive(Module)]
pub struct GPT2Model {
    base: ModuleBase,
    pub wte: Embedding,
    pub wpe: Embedding,
    pub drop: Dropout,
    pub h: Vec<GPT2Block>,
    pub ln_f: LayerNorm,
    #[module(skip)]
    pub config: GPT2Config,
}

fn i64_opts() -> TensorOptions {
    TensorOptions::default().dtype(DType::I64)
}

/// `(B or 1, 1, T, S)` bool: query `i` (absolute position `past + i`) sees key `j <= past + i`
/// where `attention_mask` `(B, S)` is 1.
fn attention_mask_4d(t: usize, past: usize, attention_mask: Option<&Tensor>) -> Result<Tensor> {
    let s = past + t;
    let keep: Vec<bool> = (0..t)
        .flat_map(|i| (0..s).map(move |j| j <= past + i))
        .collect();
    let causal = Tensor::from_vec(keep, &[1, 1, t, s])?;
    match attention_mask {
        None => Ok(causal),
        Some(m) => {
            if m.dim() != 2 || m.shape()[1] != s {
                return Err(Error::invalid(
                    "GPT2Model.forward",
                    format!(
                        "attention_mask must be (batch, past + seq_len) = (B, {s}), got {:?}",
                        m.shape()
                    ),
                ));
            }
            causal.logical_and(&m.to_dtype(DType::Bool)?.unsqueeze(1)?.unsqueeze(1)?)
        }
    }
}

impl GPT2Model {
    /// `GPT2Model(config)`, randomly initialised, in eval mode.
    pub fn new(config: &GPT2Config) -> Result<GPT2Model> {
        config.validate()?;
        let m = GPT2Model {
            base: ModuleBase::default(),
            wte: Embedding::new(config.vocab_size, config.n_embd, None)?,
            wpe: Embedding::new(config.n_positions, config.n_embd, None)?,
            drop: Dropout::new(config.embd_pdrop),
            h: (0..config.n_layer)
                .map(|i| GPT2Block::new(config, i))
                .collect::<Result<_>>()?,
            ln_f: LayerNorm::with_options(&[config.n_embd], config.layer_norm_epsilon, true, true)?,
            config: config.clone(),
        };
        m.eval();
        Ok(m)
    }

    /// Hidden states `(B, T, C)` for `input_ids` `(B, T)`. `attention_mask` `(B, past + T)`
    /// marks real tokens (1) and padding (0); `position_ids` `(B, T)` default to
    /// `past..past + T`; `cache` supplies the past and receives this step's keys/values.
    pub fn forward(
        &self,
        input_ids: &Tensor,
        attention_mask: Option<&Tensor>,
        position_ids: Option<&Tensor>,
        cache: Option<&mut KvCache>,
    ) -> Result<Tensor> {
        const OP: &str = "GPT2Model.forward";
        let (_, t) = batch_and_len(OP, input_ids)?;
        let past = cache.as_ref().map_or(0, |c| c.seq_len());
        if past + t > self.config.n_positions {
            return Err(Error::invalid(
                OP,
                format!(
                    "sequence length {} exceeds n_positions {}",
                    past + t,
                    self.config.n_positions
                ),
            ));
        }
        let positions = match position_ids {
            Some(p) => p.clone(),
            None => {
                Tensor::arange(past as f64, (past + t) as f64, 1.0, i64_opts())?.unsqueeze(0)?
            }
        };
        let mask = attention_mask_4d(t, past, attention_mask)?;
        let mut x = self.drop.forward(
            &self
                .wte
                .forward(input_ids)?
                .add(&self.wpe.forward(&positions)?)?,
        )?;
        match cache {
            Some(cache) => {
                cache.layers.resize(self.h.len(), None);
                for (block, layer_cache) in self.h.iter().zip(cache.layers.iter_mut()) {
                    x = block.forward(&x, &mask, Some(layer_cache))?;
                }
            }
            None => {
                for block in &self.h {
                    x = block.forward(&x, &mask, None)?;
                }
            }
        }
        self.ln_f.forward(&x)
    }

    /// `GPT2Model.from_pretrained(name)`: `config.json` and the weights (a
    /// `transformer.`-prefixed checkpoint loads too); `name` is a local directory or a hub
    /// repository id (hub settings from the environment, [`HubOptions::default`]).
    pub fn from_pretrained(name: impl AsRef<Path>) -> Result<GPT2Model> {
        GPT2Model::from_pretrained_with(name, &HubOptions::default())
    }

    /// [`GPT2Model::from_pretrained`] with explicit hub settings (`revision`, `cache_dir`,
    /// `local_files_only`, ...).
    pub fn from_pretrained_with(name: impl AsRef<Path>, options: &HubOptions) -> Result<GPT2Model> {
        load_pretrained(
            name.as_ref(),
            options,
            |p| GPT2Config::from_json_file(p),
            "transformer",
            |c, _| GPT2Model::new(c),
        )
    }
}

/// `transformers.GPT2LMHeadModel`: `transformer` (a [`GPT2Model`]) and the LM head, tied to
/// `transformer.wte` (no `lm_head.weight` of its own unless `tie_word_embeddings` is false).
#[derive(Module)]
pub struct GPT2LMHeadModel {
    base: ModuleBase,
    pub transformer: GPT2Model,
    pub lm_head: Option<Linear>,
}

impl GPT2LMHeadModel {
    /// `GPT2LMHeadModel(config)`, randomly initialised, in eval mode.
    pub fn new(config: &GPT2Config) -> Result<GPT2LMHeadModel> {
        let lm_head = if config.tie_word_embeddings {
            None
        } else {
            Some(Linear::with_options(
                config.n_embd,
                config.vocab_size,
                LinearOptions { bias: false },
            )?)
        };
        let m = GPT2LMHeadModel {
            base: ModuleBase::default(),
            transformer: GPT2Model::new(config)?,
            lm_head,
        };
        m.eval();
        Ok(m)
    }

    /// The model's config.
    pub fn config(&self) -> &GPT2Config {
        &self.transformer.config
    }

    /// Logits `(B, T, vocab_size)`; arguments as [`GPT2Model::forward`].
    pub fn forward(
        &self,
        input_ids: &Tensor,
        attention_mask: Option<&Tensor>,
        position_ids: Option<&Tensor>,
        cache: Option<&mut KvCache>,
    ) -> Result<Tensor> {
        let h = self
            .transformer
            .forward(input_ids, attention_mask, position_ids, cache)?;
        match &self.lm_head {
            Some(head) => head.forward(&h),
            None => F::linear(&h, &self.transformer.wte.weight, None),
        }
    }

    /// `GPT2LMHeadModel.from_pretrained(name)`: `config.json` and the weights; `name` as in
    /// [`GPT2Model::from_pretrained`].
    pub fn from_pretrained(name: impl AsRef<Path>) -> Result<GPT2LMHeadModel> {
        GPT2LMHeadModel::from_pretrained_with(name, &HubOptions::default())
    }

    /// [`GPT2LMHeadModel::from_pretrained`] with explicit hub settings.
    pub fn from_pretrained_with(
        name: impl AsRef<Path>,
        options: &HubOptions,
    ) -> Result<GPT2LMHeadModel> {
        load_pretrained(
            name.as_ref(),
            options,
            |p| GPT2Config::from_json_file(p),
            "transformer",
            |c, _| GPT2LMHeadModel::new(c),
        )
    }
}
