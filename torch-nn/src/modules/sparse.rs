//! `Embedding` and `EmbeddingBag` (torch.nn's).

use torch_core::{Result, Tensor, TensorOptions};

use crate::functional::{self as F, BagMode};
use crate::{Module, ModuleBase, Parameter};

fn normal_weight(num: usize, dim: usize, padding_idx: Option<i64>) -> Result<Parameter> {
    let w = Tensor::randn(&[num, dim], TensorOptions::default())?;
    if let Some(p) = padding_idx {
        let p = if p < 0 { p + num as i64 } else { p };
        w.select(0, p)?.fill_(0.0)?;
    }
    Parameter::new(w)
}

/// A lookup table of `num_embeddings` vectors of size `embedding_dim`, initialised N(0, 1)
/// (the `padding_idx` row zero), as `nn.Embedding(num_embeddings, embedding_dim,
/// padding_idx=None)`. Integer input, so it has its own `forward`.
#[derive(Module)]
#[module(repr)]
pub struct Embedding {
    base: ModuleBase,
    pub weight: Parameter,
    pub padding_idx: Option<i64>,
}

impl Embedding {
    /// `nn.Embedding(num_embeddings, embedding_dim, padding_idx)`.
    pub fn new(
        num_embeddings: usize,
        embedding_dim: usize,
        padding_idx: Option<i64>,
    ) -> Result<Embedding> {
        Ok(Embedding {
            base: ModuleBase::default(),
            weight: normal_weight(num_embeddings, embedding_dim, padding_idx)?,
            padding_idx,
        })
    }

    /// `nn.Embedding.from_pretrained(embeddings, freeze=True, padding_idx)`.
    pub fn from_pretrained(
        embeddings: &Tensor,
        freeze: bool,
        padding_idx: Option<i64>,
    ) -> Result<Embedding> {
        let weight = Parameter::new(embeddings.deep_clone()?.detach())?;
        weight.tensor().clone().requires_grad_(!freeze)?;
        Ok(Embedding {
            base: ModuleBase::default(),
            weight,
            padding_idx,
        })
    }

    /// Looks up `input`'s indices: shape `input.shape + [embedding_dim]`.
    pub fn forward(&self, input: &Tensor) -> Result<Tensor> {
        F::embedding(input, &self.weight, self.padding_idx)
    }

    fn extra_repr(&self) -> String {
        let s = self.weight.shape();
        match self.padding_idx {
            Some(p) => format!("{}, {}, padding_idx={p}", s[0], s[1]),
            None => format!("{}, {}", s[0], s[1]),
        }
    }
}

/// Sums, averages or maxes bags of embeddings without materialising them per index, as
/// `nn.EmbeddingBag(num_embeddings, embedding_dim, mode='mean', padding_idx=None)`.
#[derive(Module)]
#[module(repr)]
pub struct EmbeddingBag {
    base: ModuleBase,
    pub weight: Parameter,
    #[module(skip)]
    pub mode: BagMode,
    pub padding_idx: Option<i64>,
}

impl EmbeddingBag {
    /// `nn.EmbeddingBag(num_embeddings, embedding_dim, mode=mode, padding_idx=...)`.
    pub fn new(
        num_embeddings: usize,
        embedding_dim: usize,
        mode: BagMode,
        padding_idx: Option<i64>,
    ) -> Result<EmbeddingBag> {
        Ok(EmbeddingBag {
            base: ModuleBase::default(),
            weight: normal_weight(num_embeddings, embedding_dim, padding_idx)?,
            mode,
            padding_idx,
        })
    }

    /// `embedding_bag(input, offsets, per_sample_weights)`: one row per bag.
    pub fn forward(
        &self,
        input: &Tensor,
        offsets: Option<&Tensor>,
        per_sample_weights: Option<&Tensor>,
    ) -> Result<Tensor> {
        F::embedding_bag(
            input,
            &self.weight,
            offsets,
            self.mode,
            per_sample_weights,
            self.padding_idx,
        )
    }

    fn extra_repr(&self) -> String {
        let s = self.weight.shape();
        let mode = match self.mode {
            BagMode::Sum => "sum",
            BagMode::Mean => "mean",
            BagMode::Max => "max",
        };
        format!("{}, {}, mode='{mode}'", s[0], s[1])
    }
}
