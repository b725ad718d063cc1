//! `BertModel` (embeddings, encoder, optional pooler) with HF's attention-mask handling.

use torch_core::{DType, Error, Result, Tensor};
use torch_nn::{Forward, Linear, Module, ModuleBase};

use super::BertConfig;
use super::layers::{BertEmbeddings, BertLayer};
use crate::models::weights::batch_and_len;

/// The stack of encoder layers (`BertEncoder`, keys `layer.{i}.*`).
#[derive(Module)]
pub struct BertEncoder {
    base: ModuleBase,
    pub layer: Vec<BertLayer>,
}

/// `tanh(dense(h[:, 0]))`: the first token's hidden state, transformed (`BertPooler`).
#[derive(Module)]
pub struct BertPooler {
    base: ModuleBase,
    pub dense: Linear,
}

impl Forward for BertPooler {
    fn forward(&self, hidden: &Tensor) -> Result<Tensor> {
        self.dense.forward(&hidden.select(1, 0)?)?.tanh()
    }
}

/// What [`BertModel::forward`] returns (HF's `BaseModelOutputWithPooling`).
#[derive(Clone, Debug)]
pub struct BertOutput {
    /// `(B, T, H)`: the last layer's hidden states.
    pub last_hidden_state: Tensor,
    /// `(B, H)`: the pooler's output (`None` without a pooler).
    pub pooler_output: Option<Tensor>,
}

/// `transformers.BertModel`: token, position and segment embeddings, then
/// `num_hidden_layers` encoder layers, then (optionally) the pooler. Keys as HF's
/// (`embeddings.word_embeddings.weight`, `encoder.layer.0.attention.self.query.weight`,
/// `pooler.dense.weight`).
#[derive(Module)]
pub struct BertModel {
    base: ModuleBase,
    pub embeddings: BertEmbeddings,
    pub encoder: BertEncoder,
    pub pooler: Option<BertPooler>,
    #[module(skip)]
    pub config: BertConfig,
}

/// HF's extended attention mask as a bool mask: `(B, T)` of 0/1 → `(B, 1, 1, T)`, true where
/// a key may be attended to (HF adds `finfo.min` where false; the softmax is the same).
pub(crate) fn extended_attention_mask(mask: &Tensor, input_shape: &[usize]) -> Result<Tensor> {
    if mask.shape() != input_shape {
        return Err(Error::shape(
            "BertModel.forward (attention_mask)",
            mask.shape(),
            input_shape,
        ));
    }
    mask.to_dtype(DType::Bool)?.unsqueeze(1)?.unsqueeze(1)
}

impl BertModel {
    /// `BertModel(config, add_pooling_layer)`, randomly initialised (load weights with
    /// `from_pretrained` or `load_state_dict`); in eval mode, as `from_pretrained` leaves it.
    pub fn new(config: &BertConfig, add_pooling_layer: bool) -> Result<BertModel> {
        config.validate()?;
        let layer = (0..config.num_hidden_layers)
            .map(|_| BertLayer::new(config))
            .collect::<Result<Vec<_>>>()?;
        let pooler = if add_pooling_layer {
            Some(BertPooler {
                base: ModuleBase::default(),
                dense: Linear::new(config.hidden_size, config.hidden_size)?,
            })
        } else {
            None
        };
        let m = BertModel {
            base: ModuleBase::default(),
            embeddings: BertEmbeddings::new(config)?,
            encoder: BertEncoder {
                base: ModuleBase::default(),
                layer,
            },
            pooler,
            config: config.clone(),
        };
        m.eval();
        Ok(m)
    }

    /// `model(input_ids, attention_mask, token_type_ids)`: `input_ids` `(B, T)` i64;
    /// `attention_mask` `(B, T)` (1 = token, 0 = padding; default all ones);
    /// `token_type_ids` `(B, T)` (default zeros).
    pub fn forward(
        &self,
        input_ids: &Tensor,
        attention_mask: Option<&Tensor>,
        token_type_ids: Option<&Tensor>,
    ) -> Result<BertOutput> {
        const OP: &str = "BertModel.forward";
        let (_, t) = batch_and_len(OP, input_ids)?;
        if t > self.config.max_position_embeddings {
            return Err(Error::invalid(
                OP,
                format!(
                    "sequence length {t} exceeds max_position_embeddings {}",
                    self.config.max_position_embeddings
                ),
            ));
        }
        if let Some(tt) = token_type_ids
            && tt.shape() != input_ids.shape()
        {
            return Err(Error::shape(
                "BertModel.forward (token_type_ids)",
                tt.shape(),
                input_ids.shape(),
            ));
        }
        let mask = attention_mask
            .map(|m| extended_attention_mask(m, input_ids.shape()))
            .transpose()?;
        let mut h = self.embeddings.forward(input_ids, token_type_ids)?;
        for layer in &self.encoder.layer {
            h = layer.forward(&h, mask.as_ref())?;
        }
        let pooler_output = self.pooler.as_ref().map(|p| p.forward(&h)).transpose()?;
        Ok(BertOutput {
            last_hidden_state: h,
            pooler_output,
        })
    }
}
