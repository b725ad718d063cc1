//! `tokenizer(texts, padding=..., truncation=..., max_length=..., return_tensors="pt")`:
//! per-call truncation and padding with `transformers`' rules, and the `BatchEncoding` of
//! i64 tensors `input_ids`, `attention_mask`, `token_type_ids`.

use tokenizers::utils::padding::{PaddingDirection, PaddingParams, PaddingStrategy, pad_encodings};
use tokenizers::utils::truncation::{
    TruncationDirection, TruncationParams, TruncationStrategy, truncate_encodings,
};
use tokenizers::{Encoding as HfEncoding, PostProcessor};
use torch_core::{Error, Result, Tensor};

use super::{Encoding, Side, Tokenizer, hf_err};

const OP: &str = "Tokenizer.call";

/// The `padding` argument of a tokenizer call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Padding {
    /// `padding=False` (the default): every text must then have the same length for tensors.
    #[default]
    DoNotPad,
    /// `padding=True` / `"longest"`: pad to the longest text of the batch.
    Longest,
    /// `padding="max_length"`: pad to `max_length` (else `model_max_length`).
    MaxLength,
}

/// Keyword arguments of a tokenizer call, with `transformers`' defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenizeOptions {
    /// Add the model's special tokens (`[CLS]`, `[SEP]`); default true.
    pub add_special_tokens: bool,
    /// Padding strategy; default none.
    pub padding: Padding,
    /// `truncation`: `Some(true)` cuts to `max_length` (else `model_max_length`), longest
    /// sequence of a pair first; `None` (the default) truncates only when `max_length` is set
    /// and padding is off, as `transformers` does.
    pub truncation: Option<bool>,
    /// `max_length` for truncation and `Padding::MaxLength`.
    pub max_length: Option<usize>,
    /// Round the padded length up to a multiple of this.
    pub pad_to_multiple_of: Option<usize>,
}

impl Default for TokenizeOptions {
    fn default() -> Self {
        TokenizeOptions {
            add_special_tokens: true,
            padding: Padding::DoNotPad,
            truncation: None,
            max_length: None,
            pad_to_multiple_of: None,
        }
    }
}

/// A tokenized batch as i64 tensors of shape `(batch, length)`, as HF's `BatchEncoding` with
/// `return_tensors="pt"`. `token_type_ids` is all zeros for single texts (GPT-2 included).
#[derive(Clone, Debug)]
pub struct BatchEncoding {
    /// Token ids.
    pub input_ids: Tensor,
    /// 1 on real tokens, 0 on padding.
    pub attention_mask: Tensor,
    /// Segment ids.
    pub token_type_ids: Tensor,
    /// The per-text encodings (tokens, offsets, special-token masks).
    pub encodings: Vec<Encoding>,
}

impl Tokenizer {
    /// Tokenizes a batch of texts into tensors: `tokenizer(texts, padding=..., truncation=...,
    /// max_length=..., return_tensors="pt")`.
    pub fn call(&self, texts: &[&str], options: &TokenizeOptions) -> Result<BatchEncoding> {
        let inputs: Vec<(&str, Option<&str>)> = texts.iter().map(|t| (*t, None)).collect();
        self.call_inputs(&inputs, options)
    }

    /// Tokenizes a batch of text pairs (`tokenizer(texts, text_pairs, ...)`): segment ids 0
    /// for the first text of each pair, 1 for the second.
    pub fn call_pairs(
        &self,
        pairs: &[(&str, &str)],
        options: &TokenizeOptions,
    ) -> Result<BatchEncoding> {
        let inputs: Vec<(&str, Option<&str>)> = pairs.iter().map(|(a, b)| (*a, Some(*b))).collect();
        self.call_inputs(&inputs, options)
    }

    fn call_inputs(
        &self,
        inputs: &[(&str, Option<&str>)],
        o: &TokenizeOptions,
    ) -> Result<BatchEncoding> {
        // transformers' _get_padding_truncation_strategies.
        let truncate = o
            .truncation
            .unwrap_or(o.max_length.is_some() && o.padding == Padding::DoNotPad);
        let limit = o.max_length.or(self.model_max_length);
        let strategy = match (o.padding, limit) {
            (Padding::DoNotPad, _) | (Padding::MaxLength, None) => None,
            (Padding::Longest, _) => Some(PaddingStrategy::BatchLongest),
            (Padding::MaxLength, Some(n)) => Some(PaddingStrategy::Fixed(n)),
        };
        let mut encodings = inputs
            .iter()
            .map(|(a, b)| {
                self.encode_truncated(
                    a,
                    *b,
                    o.add_special_tokens,
                    if truncate { limit } else { None },
                )
            })
            .collect::<Result<Vec<HfEncoding>>>()?;
        if let Some(strategy) = strategy {
            let (pad_token, pad_id) = match (self.pad_token.as_deref(), self.pad_token_id()) {
                (Some(t), Some(id)) => (t.to_string(), id as u32),
                _ => {
                    return Err(Error::invalid(
                        OP,
                        "Asking to pad but the tokenizer does not have a padding token. Please select a token to use as `pad_token` (Tokenizer::set_pad_token)",
                    ));
                }
            };
            let params = PaddingParams {
                strategy,
                direction: match self.padding_side {
                    Side::Right => PaddingDirection::Right,
                    Side::Left => PaddingDirection::Left,
                },
                pad_to_multiple_of: o.pad_to_multiple_of,
                pad_id,
                pad_type_id: 0,
                pad_token,
            };
            pad_encodings(&mut encodings, &params).map_err(hf_err(OP))?;
        }
        let encodings: Vec<Encoding> = encodings.iter().map(Encoding::from_hf).collect();
        to_batch(encodings)
    }

    /// Encodes one input without special tokens, truncates it to leave room for them, then
    /// adds them: what `TokenizerImpl::post_process` does with truncation set.
    fn encode_truncated(
        &self,
        a: &str,
        b: Option<&str>,
        add_special: bool,
        max_length: Option<usize>,
    ) -> Result<HfEncoding> {
        let enc = |t: &str| self.inner.encode(t, false).map_err(hf_err(OP));
        let first = enc(a)?;
        let mut second = b.map(enc).transpose()?;
        if let Some(s) = second.as_mut() {
            s.set_type_ids(vec![1; s.len()]);
        }
        let processor = self.inner.get_post_processor();
        let (first, second) = match max_length {
            None => (first, second),
            Some(max_length) => {
                let added = match processor {
                    Some(p) if add_special => p.added_tokens(second.is_some()),
                    _ => 0,
                };
                let Some(max_length) = max_length.checked_sub(added) else {
                    return Err(Error::invalid(
                        OP,
                        format!(
                            "max_length {max_length} leaves no room for the {added} special tokens"
                        ),
                    ));
                };
                let params = TruncationParams {
                    direction: match self.truncation_side {
                        Side::Right => TruncationDirection::Right,
                        Side::Left => TruncationDirection::Left,
                    },
                    max_length,
                    strategy: TruncationStrategy::LongestFirst,
                    stride: 0,
                };
                truncate_encodings(first, second, &params).map_err(hf_err(OP))?
            }
        };
        match processor {
            Some(p) => p.process(first, second, add_special).map_err(hf_err(OP)),
            None => {
                let mut merged = first;
                if let Some(s) = second {
                    merged.merge_with(s, false);
                }
                Ok(merged)
            }
        }
    }
}

/// Stacks equal-length encodings into `(batch, length)` i64 tensors.
fn to_batch(encodings: Vec<Encoding>) -> Result<BatchEncoding> {
    let len = encodings.first().map_or(0, Encoding::len);
    if let Some(bad) = encodings.iter().find(|e| e.len() != len) {
        return Err(Error::invalid(
            OP,
            format!(
                "Unable to create tensor: texts have {len} and {} tokens; activate padding (Padding::Longest) and/or truncation",
                bad.len()
            ),
        ));
    }
    let shape = [encodings.len(), len];
    let stack = |f: fn(&Encoding) -> &Vec<i64>| -> Result<Tensor> {
        Tensor::from_vec(
            encodings
                .iter()
                .flat_map(|e| f(e).iter().copied())
                .collect::<Vec<i64>>(),
            &shape,
        )
    };
    Ok(BatchEncoding {
        input_ids: stack(|e| &e.ids)?,
        attention_mask: stack(|e| &e.attention_mask)?,
        token_type_ids: stack(|e| &e.type_ids)?,
        encodings,
    })
}
