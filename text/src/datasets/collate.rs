//! Collate functions that pad: `pad_sequence` (torch.nn.utils.rnn's) and the batchers that
//! turn `(text, label)` samples into model inputs with a `Tokenizer` or a `Vocab`.

use torch_core::{DType, Error, Result, Tensor, TensorOptions};

use crate::tokenizer::{BatchEncoding, TokenizeOptions, Tokenizer};
use crate::vocab::Vocab;

/// `torch.nn.utils.rnn.pad_sequence(sequences, batch_first, padding_value)`: stacks tensors
/// of shape `(L_i, *)` into `(B, L_max, *)` (`batch_first`) or `(L_max, B, *)`, filling the
/// tail of shorter ones with `padding_value`.
pub fn pad_sequence(sequences: &[Tensor], batch_first: bool, padding_value: f64) -> Result<Tensor> {
    const OP: &str = "pad_sequence";
    let first = sequences
        .first()
        .ok_or_else(|| Error::invalid(OP, "received an empty list of sequences"))?;
    if first.dim() == 0 {
        return Err(Error::invalid(
            OP,
            "sequences must have at least one dimension",
        ));
    }
    let trailing = &first.shape()[1..];
    let max_len = sequences
        .iter()
        .map(|s| s.shape().first().copied().unwrap_or(0))
        .max()
        .unwrap_or(0);
    let mut rows = Vec::with_capacity(sequences.len());
    for s in sequences {
        if s.dim() == 0 || &s.shape()[1..] != trailing || s.dtype() != first.dtype() {
            return Err(Error::shape(OP, s.shape(), first.shape()));
        }
        let mut shape = vec![max_len - s.shape()[0]];
        shape.extend_from_slice(trailing);
        let pad = Tensor::full(
            &shape,
            padding_value,
            TensorOptions::default().dtype(s.dtype()),
        )?;
        rows.push(Tensor::cat(&[s, &pad], 0)?);
    }
    let refs: Vec<&Tensor> = rows.iter().collect();
    let out = Tensor::stack(&refs, 0)?; // (B, L, *)
    if batch_first {
        Ok(out)
    } else {
        out.transpose(0, 1)
    }
}

/// A `(text, label)` sample of a [`crate::datasets::TextClassificationDataset`].
pub type TextSample = (String, i64);

/// `(ids (B, L_max), lengths (B,), labels (B,))`, what [`vocab_collate`] returns.
pub type PaddedBatch = (Tensor, Tensor, Tensor);

/// Splits `(text, label)` samples and makes the `(B,)` i64 label tensor.
fn split(batch: Vec<TextSample>) -> Result<(Vec<String>, Tensor)> {
    let (texts, labels): (Vec<String>, Vec<i64>) = batch.into_iter().unzip();
    let n = labels.len();
    Ok((texts, Tensor::from_vec(labels, &[n])?))
}

/// A collate function for `(text, label)` samples that tokenizes the batch with `tokenizer`
/// (pass `padding: Padding::Longest` and truncation as the model needs): the tensors for a
/// BERT-style model and the `(B,)` labels.
pub fn tokenizer_collate(
    tokenizer: Tokenizer,
    options: TokenizeOptions,
) -> impl Fn(Vec<TextSample>) -> Result<(BatchEncoding, Tensor)> + Send + Sync + 'static {
    move |batch| {
        let (texts, labels) = split(batch)?;
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        Ok((tokenizer.call(&refs, &options)?, labels))
    }
}

/// A collate function for `(text, label)` samples that splits each text with `tokenize`,
/// looks the tokens up in `vocab` (set a default index for unknown tokens) and pads with
/// `padding_idx`: `(B, L_max)` i64 ids, `(B,)` lengths and `(B,)` labels.
pub fn vocab_collate(
    vocab: Vocab,
    tokenize: fn(&str) -> Vec<String>,
    padding_idx: i64,
) -> impl Fn(Vec<TextSample>) -> Result<PaddedBatch> + Send + Sync + 'static {
    move |batch| {
        let (texts, labels) = split(batch)?;
        let mut seqs = Vec::with_capacity(texts.len());
        let mut lengths = Vec::with_capacity(texts.len());
        for t in &texts {
            let ids: Vec<i64> = vocab
                .lookup_indices(&tokenize(t))?
                .into_iter()
                .map(|i| i as i64)
                .collect();
            lengths.push(ids.len() as i64);
            let n = ids.len();
            seqs.push(Tensor::from_vec(ids, &[n])?);
        }
        let n = lengths.len();
        let ids = pad_sequence(&seqs, true, padding_idx as f64)?.to_dtype(DType::I64)?;
        Ok((ids, Tensor::from_vec(lengths, &[n])?, labels))
    }
}
