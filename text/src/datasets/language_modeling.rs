//! Language-modelling blocks: a token stream cut into `(input, target)` pairs of
//! `block_size` tokens, the target shifted by one (the char-LM / GPT training layout).

use std::path::Path;

use torch_core::data::Dataset;
use torch_core::{Error, Result, Tensor};

/// Consecutive, non-overlapping blocks of a token stream: sample `i` is
/// `(ids[i*B .. i*B+B], ids[i*B+1 .. i*B+B+1])` as two i64 tensors of shape `(B,)`.
#[derive(Clone, Debug)]
pub struct LanguageModelingDataset {
    ids: Vec<i64>,
    block_size: usize,
}

impl LanguageModelingDataset {
    /// Blocks of `block_size` over `ids` (the last partial block is dropped).
    pub fn new(ids: Vec<i64>, block_size: usize) -> Result<Self> {
        if block_size == 0 {
            return Err(Error::invalid(
                "LanguageModelingDataset",
                "block_size must be positive",
            ));
        }
        Ok(LanguageModelingDataset { ids, block_size })
    }

    /// Reads a UTF-8 text file and tokenizes it whole with `encode` (a `Vocab` lookup over
    /// characters, a `Tokenizer`, ...).
    pub fn from_text_file(
        path: impl AsRef<Path>,
        block_size: usize,
        encode: impl FnOnce(&str) -> Result<Vec<i64>>,
    ) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::new(encode(&text)?, block_size)
    }

    /// The whole token stream.
    pub fn ids(&self) -> &[i64] {
        &self.ids
    }
}

impl Dataset for LanguageModelingDataset {
    type Item = (Tensor, Tensor);

    fn len(&self) -> usize {
        self.ids.len().saturating_sub(1) / self.block_size
    }

    fn get(&self, index: usize) -> Result<(Tensor, Tensor)> {
        if index >= self.len() {
            return Err(Error::invalid(
                "LanguageModelingDataset.get",
                format!("index {index} is out of range for {} blocks", self.len()),
            ));
        }
        let (b, s) = (self.block_size, index * self.block_size);
        Ok((
            Tensor::from_slice(&self.ids[s..s + b], &[b])?,
            Tensor::from_slice(&self.ids[s + 1..s + b + 1], &[b])?,
        ))
    }
}
