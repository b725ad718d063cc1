//! Task heads over `BertModel`: `BertForMaskedLM` (decoder tied to the word embeddings) and
//! `BertForSequenceClassification`, with HF's keys (`bert.*`, `cls.predictions.*`,
//! `classifier.*`).

use torch_core::{Result, Tensor, TensorOptions};
use torch_nn::functional as F;
use torch_nn::{Dropout, Forward, LayerNorm, Linear, Module, ModuleBase, Parameter};

use super::{BertConfig, BertModel};
use crate::models::Activation;

/// `dense`, activation, `LayerNorm` before the MLM decoder (`BertPredictionHeadTransform`).
#[allow(non_snake_case)]
#[derive(Module)]
pub struct BertPredictionHeadTransform {
    base: ModuleBase,
    pub dense: Linear,
    pub LayerNorm: LayerNorm,
    #[module(skip)]
    act: Activation,
}

/// The MLM prediction head (`BertLMPredictionHead`): `transform`, then the decoder, whose
/// weight is the word-embedding matrix (tied, as HF's `tie_word_embeddings`) and whose bias is
/// `bias`.
#[derive(Module)]
pub struct BertLMPredictionHead {
    base: ModuleBase,
    pub transform: BertPredictionHeadTransform,
    pub bias: Parameter,
}

/// `BertOnlyMLMHead`: the `cls.predictions` holder.
#[derive(Module)]
pub struct BertOnlyMLMHead {
    base: ModuleBase,
    pub predictions: BertLMPredictionHead,
}

/// `transformers.BertForMaskedLM`: `BertModel` without pooler, then the MLM head; logits
/// `(B, T, vocab_size)`.
#[derive(Module)]
pub struct BertForMaskedLM {
    base: ModuleBase,
    pub bert: BertModel,
    pub cls: BertOnlyMLMHead,
}

impl BertForMaskedLM {
    /// `BertForMaskedLM(config)`, randomly initialised, in eval mode.
    pub fn new(config: &BertConfig) -> Result<Self> {
        let h = config.hidden_size;
        let m = BertForMaskedLM {
            base: ModuleBase::default(),
            bert: BertModel::new(config, false)?,
            cls: BertOnlyMLMHead {
                base: ModuleBase::default(),
                predictions: BertLMPredictionHead {
                    base: ModuleBase::default(),
                    transform: BertPredictionHeadTransform {
                        base: ModuleBase::default(),
                        dense: Linear::new(h, h)?,
                        LayerNorm: LayerNorm::with_options(
                            &[h],
                            config.layer_norm_eps,
                            true,
                            true,
                        )?,
                        act: Activation::from_name(&config.hidden_act)?,
                    },
                    bias: Parameter::new(Tensor::zeros(
                        &[config.vocab_size],
                        TensorOptions::default(),
                    )?)?,
                },
            },
        };
        m.eval();
        Ok(m)
    }

    /// Token logits `(B, T, vocab_size)` for `model(input_ids, attention_mask, token_type_ids)`.
    pub fn forward(
        &self,
        input_ids: &Tensor,
        attention_mask: Option<&Tensor>,
        token_type_ids: Option<&Tensor>,
    ) -> Result<Tensor> {
        let h = self
            .bert
            .forward(input_ids, attention_mask, token_type_ids)?
            .last_hidden_state;
        let p = &self.cls.predictions;
        let t = &p.transform;
        let h = t
            .LayerNorm
            .forward(&t.act.forward(&t.dense.forward(&h)?)?)?;
        F::linear(
            &h,
            &self.bert.embeddings.word_embeddings.weight,
            Some(&p.bias),
        )
    }
}

/// `transformers.BertForSequenceClassification`: the pooled output, dropout, then
/// `classifier: Linear(hidden_size, num_labels)`; logits `(B, num_labels)`.
#[derive(Module)]
pub struct BertForSequenceClassification {
    base: ModuleBase,
    pub bert: BertModel,
    pub dropout: Dropout,
    pub classifier: Linear,
}

impl BertForSequenceClassification {
    /// `BertForSequenceClassification(config)` with `config.num_labels()` classes, randomly
    /// initialised, in eval mode.
    pub fn new(config: &BertConfig) -> Result<Self> {
        let m = BertForSequenceClassification {
            base: ModuleBase::default(),
            bert: BertModel::new(config, true)?,
            dropout: Dropout::new(
                config
                    .classifier_dropout
                    .unwrap_or(config.hidden_dropout_prob),
            ),
            classifier: Linear::new(config.hidden_size, config.num_labels())?,
        };
        m.eval();
        Ok(m)
    }

    /// Class logits `(B, num_labels)`.
    pub fn forward(
        &self,
        input_ids: &Tensor,
        attention_mask: Option<&Tensor>,
        token_type_ids: Option<&Tensor>,
    ) -> Result<Tensor> {
        let out = self
            .bert
            .forward(input_ids, attention_mask, token_type_ids)?;
        let pooled = out.pooler_output.ok_or_else(|| {
            torch_core::Error::invalid(
                "BertForSequenceClassification.forward",
                "the model has no pooler",
            )
        })?;
        self.classifier.forward(&self.dropout.forward(&pooled)?)
    }
}
