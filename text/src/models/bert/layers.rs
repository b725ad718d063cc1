//! BERT's building blocks with HuggingFace's module names (`BertEmbeddings`,
//! `BertSelfAttention`, `BertSelfOutput`, `BertAttention`, `BertIntermediate`, `BertOutput`,
//! `BertLayer`), so their state-dict keys are HF's (`attention.self.query.weight`, ...).

use torch_core::{DType, Result, Tensor, TensorOptions};
use torch_nn::functional as F;
use torch_nn::{
    Dropout, Embedding, Forward, LayerNorm, Linear, Member, MemberMut, Module, ModuleBase, Visit,
};

use super::BertConfig;
use crate::models::Activation;

fn layer_norm(c: &BertConfig) -> Result<LayerNorm> {
    LayerNorm::with_options(&[c.hidden_size], c.layer_norm_eps, true, true)
}

/// Word + position + token-type embeddings, LayerNorm, dropout (`BertEmbeddings`).
#[allow(non_snake_case)]
#[derive(Module)]
pub struct BertEmbeddings {
    base: ModuleBase,
    pub word_embeddings: Embedding,
    pub position_embeddings: Embedding,
    pub token_type_embeddings: Embedding,
    pub LayerNorm: LayerNorm,
    pub dropout: Dropout,
}

impl BertEmbeddings {
    /// `BertEmbeddings(config)`.
    pub fn new(c: &BertConfig) -> Result<Self> {
        Ok(BertEmbeddings {
            base: ModuleBase::default(),
            word_embeddings: Embedding::new(c.vocab_size, c.hidden_size, c.pad_token_id)?,
            position_embeddings: Embedding::new(c.max_position_embeddings, c.hidden_size, None)?,
            token_type_embeddings: Embedding::new(c.type_vocab_size, c.hidden_size, None)?,
            LayerNorm: layer_norm(c)?,
            dropout: Dropout::new(c.hidden_dropout_prob),
        })
    }

    /// `input_ids` `(B, T)` i64, `token_type_ids` `(B, T)` (default zeros) → `(B, T, H)`;
    /// positions `0..T`.
    pub fn forward(&self, input_ids: &Tensor, token_type_ids: Option<&Tensor>) -> Result<Tensor> {
        let t = input_ids.shape()[1];
        let positions = Tensor::arange(
            0.0,
            t as f64,
            1.0,
            TensorOptions::default().dtype(DType::I64),
        )?
        .unsqueeze(0)?;
        let types = match token_type_ids {
            Some(tt) => tt.clone(),
            None => Tensor::zeros(
                input_ids.shape(),
                TensorOptions::default().dtype(DType::I64),
            )?,
        };
        let x = self
            .word_embeddings
            .forward(input_ids)?
            .add(&self.token_type_embeddings.forward(&types)?)?
            .add(&self.position_embeddings.forward(&positions)?)?;
        self.dropout.forward(&self.LayerNorm.forward(&x)?)
    }
}

/// Multi-head scaled dot-product self-attention (`BertSelfAttention`): `query`, `key`,
/// `value` Linear layers, heads split from the hidden size.
#[derive(Module)]
pub struct BertSelfAttention {
    base: ModuleBase,
    pub query: Linear,
    pub key: Linear,
    pub value: Linear,
    pub dropout: Dropout,
    num_attention_heads: usize,
}

impl BertSelfAttention {
    /// `BertSelfAttention(config)`.
    pub fn new(c: &BertConfig) -> Result<Self> {
        Ok(BertSelfAttention {
            base: ModuleBase::default(),
            query: Linear::new(c.hidden_size, c.hidden_size)?,
            key: Linear::new(c.hidden_size, c.hidden_size)?,
            value: Linear::new(c.hidden_size, c.hidden_size)?,
            dropout: Dropout::new(c.attention_probs_dropout_prob),
            num_attention_heads: c.num_attention_heads,
        })
    }

    /// `x` `(B, T, H)`, `mask` a bool `(B, 1, 1, T)` (true = attend) → `(B, T, H)`.
    pub fn forward(&self, x: &Tensor, mask: Option<&Tensor>) -> Result<Tensor> {
        let (b, t, h) = (x.shape()[0], x.shape()[1], x.shape()[2]);
        let nh = self.num_attention_heads;
        // (B, T, H) -> (B, nh, T, hs)
        let heads = |l: &Linear| {
            l.forward(x)?
                .reshape(&[b as i64, t as i64, nh as i64, (h / nh) as i64])?
                .transpose(1, 2)
        };
        let (q, k, v) = (heads(&self.query)?, heads(&self.key)?, heads(&self.value)?);
        let p = if self.is_training() {
            self.dropout.p
        } else {
            0.0
        };
        let ctx = F::scaled_dot_product_attention(&q, &k, &v, mask, p, false, None)?;
        // (B, nh, T, hs) -> (B, T, H)
        ctx.transpose(1, 2)?
            .reshape(&[b as i64, t as i64, h as i64])
    }
}

/// `dense`, dropout, then `LayerNorm(x + residual)`: BERT's `BertSelfOutput` and `BertOutput`.
#[allow(non_snake_case)]
#[derive(Module)]
pub struct BertResidualOutput {
    base: ModuleBase,
    pub dense: Linear,
    pub LayerNorm: LayerNorm,
    pub dropout: Dropout,
}

impl BertResidualOutput {
    /// `dense: Linear(in_features, hidden_size)`.
    pub fn new(c: &BertConfig, in_features: usize) -> Result<Self> {
        Ok(BertResidualOutput {
            base: ModuleBase::default(),
            dense: Linear::new(in_features, c.hidden_size)?,
            LayerNorm: layer_norm(c)?,
            dropout: Dropout::new(c.hidden_dropout_prob),
        })
    }

    /// `LayerNorm(dropout(dense(x)) + residual)`.
    pub fn forward(&self, x: &Tensor, residual: &Tensor) -> Result<Tensor> {
        let y = self.dropout.forward(&self.dense.forward(x)?)?;
        self.LayerNorm.forward(&y.add(residual)?)
    }
}

/// Self-attention and its output block (`BertAttention`): keys `self.*` and `output.*`.
/// `self` is a Rust keyword, so `Module` is written out here instead of derived.
pub struct BertAttention {
    base: ModuleBase,
    /// HF's `attention.self`.
    pub self_attention: BertSelfAttention,
    /// HF's `attention.output`.
    pub output: BertResidualOutput,
}

impl Module for BertAttention {
    fn visit<'a>(&'a self, f: &mut dyn FnMut(&str, Member<'a>)) {
        self.base.visit_field("base", f);
        self.self_attention.visit_field("self", f);
        self.output.visit_field("output", f);
    }
    fn visit_mut(&mut self, f: &mut dyn FnMut(&str, MemberMut<'_>)) {
        self.base.visit_field_mut("base", f);
        self.self_attention.visit_field_mut("self", f);
        self.output.visit_field_mut("output", f);
    }
    fn type_name(&self) -> &str {
        "BertAttention"
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn as_module(&self) -> &dyn Module {
        self
    }
}

impl BertAttention {
    /// `BertAttention(config)`.
    pub fn new(c: &BertConfig) -> Result<Self> {
        Ok(BertAttention {
            base: ModuleBase::default(),
            self_attention: BertSelfAttention::new(c)?,
            output: BertResidualOutput::new(c, c.hidden_size)?,
        })
    }

    /// `output(self(x, mask), x)`.
    pub fn forward(&self, x: &Tensor, mask: Option<&Tensor>) -> Result<Tensor> {
        self.output
            .forward(&self.self_attention.forward(x, mask)?, x)
    }
}

/// The feed-forward expansion (`BertIntermediate`): `act(dense(x))`.
#[derive(Module)]
pub struct BertIntermediate {
    base: ModuleBase,
    pub dense: Linear,
    #[module(skip)]
    act: Activation,
}

impl BertIntermediate {
    /// `BertIntermediate(config)`.
    pub fn new(c: &BertConfig) -> Result<Self> {
        Ok(BertIntermediate {
            base: ModuleBase::default(),
            dense: Linear::new(c.hidden_size, c.intermediate_size)?,
            act: Activation::from_name(&c.hidden_act)?,
        })
    }
}

impl Forward for BertIntermediate {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.act.forward(&self.dense.forward(x)?)
    }
}

/// One encoder layer (`BertLayer`): attention, intermediate, output.
#[derive(Module)]
pub struct BertLayer {
    base: ModuleBase,
    pub attention: BertAttention,
    pub intermediate: BertIntermediate,
    pub output: BertResidualOutput,
}

impl BertLayer {
    /// `BertLayer(config)`.
    pub fn new(c: &BertConfig) -> Result<Self> {
        Ok(BertLayer {
            base: ModuleBase::default(),
            attention: BertAttention::new(c)?,
            intermediate: BertIntermediate::new(c)?,
            output: BertResidualOutput::new(c, c.intermediate_size)?,
        })
    }

    /// `(B, T, H)` → `(B, T, H)`.
    pub fn forward(&self, x: &Tensor, mask: Option<&Tensor>) -> Result<Tensor> {
        let a = self.attention.forward(x, mask)?;
        self.output.forward(&self.intermediate.forward(&a)?, &a)
    }
}
