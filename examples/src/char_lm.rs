//! The `char_lm` example's logic: a small character-level transformer (token and position
//! embeddings, pre-norm `TransformerEncoderLayer`s under a causal mask, final LayerNorm, a
//! linear head over the characters) and sampling from it with a temperature and a seed.

use torch_core::{DType, Error, Generator, Result, Tensor, TensorOptions, autograd};
use torch_nn::{
    Embedding, EncoderMasks, Forward, LayerNorm, Linear, Module, ModuleBase, TransformerActivation,
    TransformerEncoder, TransformerEncoderLayer, TransformerLayerOptions,
    generate_square_subsequent_mask,
};

/// The model's sizes.
#[derive(Clone, Debug, PartialEq)]
pub struct CharLmConfig {
    /// Characters in the vocabulary.
    pub vocab_size: usize,
    /// Longest context (positions embedded).
    pub block_size: usize,
    /// Width of the residual stream.
    pub d_model: usize,
    /// Attention heads per layer.
    pub nhead: usize,
    /// Encoder layers.
    pub num_layers: usize,
    /// Hidden width of the feed-forward blocks.
    pub dim_feedforward: usize,
    /// Dropout inside the layers while training.
    pub dropout: f64,
}

impl CharLmConfig {
    /// The example's default sizes (about 0.8M parameters) for `vocab_size` characters.
    pub fn small(vocab_size: usize) -> CharLmConfig {
        CharLmConfig {
            vocab_size,
            block_size: 128,
            d_model: 128,
            nhead: 4,
            num_layers: 4,
            dim_feedforward: 512,
            dropout: 0.1,
        }
    }
}

/// A GPT-style character model built from torch-nn's encoder layers (causal mask).
#[derive(Module)]
pub struct CharTransformer {
    base: ModuleBase,
    pub tok_emb: Embedding,
    pub pos_emb: Embedding,
    pub encoder: TransformerEncoder,
    pub ln_f: LayerNorm,
    pub head: Linear,
    #[module(skip)]
    pub config: CharLmConfig,
}

impl CharTransformer {
    /// A randomly initialised model.
    pub fn new(config: &CharLmConfig) -> Result<CharTransformer> {
        let layer = TransformerEncoderLayer::with_options(
            config.d_model,
            config.nhead,
            TransformerLayerOptions {
                dim_feedforward: config.dim_feedforward,
                dropout: config.dropout,
                activation: TransformerActivation::Gelu,
                batch_first: true,
                norm_first: true,
                ..Default::default()
            },
        )?;
        Ok(CharTransformer {
            base: ModuleBase::default(),
            tok_emb: Embedding::new(config.vocab_size, config.d_model, None)?,
            pos_emb: Embedding::new(config.block_size, config.d_model, None)?,
            encoder: TransformerEncoder::new(&layer, config.num_layers, None)?,
            ln_f: LayerNorm::new(&[config.d_model])?,
            head: Linear::new(config.d_model, config.vocab_size)?,
            config: config.clone(),
        })
    }

    /// Logits `(B, T, vocab_size)` for ids `(B, T)`, `T <= block_size`; position `t` sees
    /// positions `0..=t` only.
    pub fn forward(&self, ids: &Tensor) -> Result<Tensor> {
        if ids.dim() != 2 || ids.shape()[1] == 0 || ids.shape()[1] > self.config.block_size {
            return Err(Error::invalid(
                "CharTransformer.forward",
                format!(
                    "ids must be (B, T) with 0 < T <= block_size {}, got {:?}",
                    self.config.block_size,
                    ids.shape()
                ),
            ));
        }
        let t = ids.shape()[1];
        let pos = Tensor::arange(
            0.0,
            t as f64,
            1.0,
            TensorOptions::default().dtype(DType::I64),
        )?;
        let x = self
            .tok_emb
            .forward(ids)?
            .add(&self.pos_emb.forward(&pos)?)?; // (B, T, C)
        let mask = generate_square_subsequent_mask(t)?;
        let masks = EncoderMasks {
            src_mask: Some(&mask),
            is_causal: true,
            ..Default::default()
        };
        let h = self.encoder.forward(&x, masks)?;
        self.head.forward(&self.ln_f.forward(&h)?)
    }

    /// Mean cross-entropy of predicting `targets` `(B, T)` from `ids` `(B, T)`.
    pub fn loss(&self, ids: &Tensor, targets: &Tensor) -> Result<Tensor> {
        let logits = self.forward(ids)?;
        let v = self.config.vocab_size as i64;
        torch_nn::functional::cross_entropy(
            &logits.reshape(&[-1, v])?,
            &targets.reshape(&[-1])?,
            &Default::default(),
        )
    }

    /// `n` new ids after `prompt` (non-empty), each drawn from `softmax(logits / temperature)`
    /// over the last `block_size` ids with `generator`; `temperature` must be positive.
    pub fn sample(
        &self,
        prompt: &[i64],
        n: usize,
        temperature: f64,
        generator: &Generator,
    ) -> Result<Vec<i64>> {
        if prompt.is_empty() || temperature <= 0.0 || !temperature.is_finite() {
            return Err(Error::invalid(
                "CharTransformer.sample",
                format!(
                    "needs a non-empty prompt and a positive temperature, got {} ids and {temperature}",
                    prompt.len()
                ),
            ));
        }
        let _g = autograd::no_grad();
        let mut ids = prompt.to_vec();
        for _ in 0..n {
            let ctx = &ids[ids.len().saturating_sub(self.config.block_size)..];
            let x = Tensor::from_slice(ctx, &[1, ctx.len()])?;
            let last = self.forward(&x)?.select(1, -1)?; // (1, V)
            let probs = last.div_scalar(temperature)?.softmax(-1)?;
            let next = generator.multinomial(&probs, 1, false)?;
            ids.push(next.to_dtype(DType::I64)?.reshape(&[])?.item()? as i64);
        }
        Ok(ids[prompt.len()..].to_vec())
    }
}
