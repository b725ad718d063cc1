//! `Tokenizer`: a HuggingFace tokenizer (the `tokenizers` crate) with `transformers`'
//! loading, special tokens and per-call padding and truncation, returning token ids or
//! `(input_ids, attention_mask, token_type_ids)` tensors ready for the models.

mod batch;
mod files;

use std::path::Path;

use serde_json::Value;
use tokenizers::Tokenizer as HfTokenizer;
use torch_core::{Error, Result};

use crate::hub::{self, HubOptions};

pub use batch::{BatchEncoding, Padding, TokenizeOptions};
pub use files::BertTokenizerOptions;

/// Which side padding (or, for `truncation_side`, truncation) applies to, as HF's
/// `tokenizer.padding_side = "right"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Side {
    /// Append (remove) at the end (HF's default).
    #[default]
    Right,
    /// Prepend (remove) at the start (`"left"`: decoder-only batched generation).
    Left,
}

/// One encoded text: ids and the per-token data HF's `Encoding` holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encoding {
    /// Token ids.
    pub ids: Vec<i64>,
    /// Segment ids (0 for the first sequence, 1 for the second of a pair).
    pub type_ids: Vec<i64>,
    /// 1 on real tokens, 0 on padding.
    pub attention_mask: Vec<i64>,
    /// 1 on special tokens (`[CLS]`, `[SEP]`, padding), 0 elsewhere.
    pub special_tokens_mask: Vec<i64>,
    /// The token strings.
    pub tokens: Vec<String>,
    /// Byte offsets of each token in its input text (`(0, 0)` for special tokens).
    pub offsets: Vec<(usize, usize)>,
}

impl Encoding {
    fn from_hf(e: &tokenizers::Encoding) -> Encoding {
        let to_i64 = |v: &[u32]| v.iter().map(|&x| i64::from(x)).collect();
        Encoding {
            ids: to_i64(e.get_ids()),
            type_ids: to_i64(e.get_type_ids()),
            attention_mask: to_i64(e.get_attention_mask()),
            special_tokens_mask: to_i64(e.get_special_tokens_mask()),
            tokens: e.get_tokens().to_vec(),
            offsets: e.get_offsets().to_vec(),
        }
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are no tokens.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// A text tokenizer with HuggingFace's pipeline (normaliser, pre-tokenizer, model,
/// post-processor, decoder), as `transformers.PreTrainedTokenizerFast`.
///
/// Padding and truncation are per call ([`TokenizeOptions`]); settings stored in a
/// `tokenizer.json` are dropped on load, as `transformers` does.
#[derive(Clone)]
pub struct Tokenizer {
    inner: HfTokenizer,
    /// Length truncation and `Padding::MaxLength` fall back to (`model_max_length`); `None`
    /// means unlimited (HF's `VERY_LARGE_INTEGER`).
    pub model_max_length: Option<usize>,
    /// Where padding goes (`padding_side`, default right).
    pub padding_side: Side,
    /// Where truncation removes tokens (`truncation_side`, default right).
    pub truncation_side: Side,
    pad_token: Option<String>,
}

fn hf_err(op: &'static str) -> impl Fn(tokenizers::Error) -> Error {
    move |e| Error::invalid(op, e.to_string())
}

/// Settings `transformers` keeps beside `tokenizer.json`: `model_max_length`, `pad_token`.
fn read_tokenizer_config(dir: &Path) -> Result<(Option<usize>, Option<String>)> {
    let path = dir.join("tokenizer_config.json");
    if !path.exists() {
        return Ok((None, None));
    }
    let v: Value = serde_json::from_str(&files::read_text(&path)?)
        .map_err(|e| Error::format(&path, format!("invalid JSON: {e}")))?;
    // HF stores "unlimited" as 1e30; anything past usize is unlimited here.
    let max_len = v["model_max_length"]
        .as_f64()
        .filter(|&m| m > 0.0 && m < 1e18)
        .map(|m| m as usize);
    let pad = match &v["pad_token"] {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("content").and_then(Value::as_str).map(str::to_string),
        _ => None,
    };
    Ok((max_len, pad))
}

impl Tokenizer {
    fn wrap(inner: HfTokenizer, pad_token: Option<String>) -> Tokenizer {
        Tokenizer {
            inner,
            model_max_length: None,
            padding_side: Side::Right,
            truncation_side: Side::Right,
            pad_token,
        }
    }

    /// Loads a `tokenizer.json` (`PreTrainedTokenizerFast(tokenizer_file=path)`), reading
    /// `model_max_length` and `pad_token` from a `tokenizer_config.json` beside it if present
    /// (else the pad token the file's own padding settings name).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Tokenizer> {
        let path = path.as_ref();
        let text = files::read_text(path)?;
        let mut inner: HfTokenizer = text
            .parse()
            .map_err(|e: tokenizers::Error| Error::format(path, e.to_string()))?;
        let stored_pad = inner.get_padding().map(|p| p.pad_token.clone());
        inner
            .with_truncation(None)
            .map_err(|e| Error::format(path, e.to_string()))?;
        inner.with_padding(None);
        let (max_len, pad) = read_tokenizer_config(path.parent().unwrap_or(Path::new(".")))?;
        let mut tok = Tokenizer::wrap(inner, pad.or(stored_pad));
        tok.model_max_length = max_len;
        Ok(tok)
    }

    /// A BERT WordPiece tokenizer from `vocab.txt`, as `BertTokenizerFast(vocab=path, ...)`.
    pub fn from_vocab_txt(path: impl AsRef<Path>, options: BertTokenizerOptions) -> Result<Self> {
        let inner = files::bert_wordpiece(path.as_ref(), &options)?;
        Ok(Tokenizer::wrap(inner, Some(options.pad_token)))
    }

    /// GPT-2's byte-level BPE from `vocab.json` and `merges.txt`, as
    /// `GPT2TokenizerFast(vocab=..., merges=...)`: no pad token (set one with
    /// [`Tokenizer::set_pad_token`]), no special tokens added around the text.
    pub fn from_bpe_files(vocab: impl AsRef<Path>, merges: impl AsRef<Path>) -> Result<Self> {
        let inner = files::gpt2_bpe(vocab.as_ref(), merges.as_ref())?;
        Ok(Tokenizer::wrap(inner, None))
    }

    /// The tokenizer of a model, as `AutoTokenizer.from_pretrained(name)`: `name` is a local
    /// directory or a hub repository id (hub settings from the environment,
    /// [`HubOptions::default`]); `tokenizer.json` if present, else `vocab.txt` (BERT), else
    /// `vocab.json` + `merges.txt` (GPT-2); `tokenizer_config.json` supplies
    /// `model_max_length` and `pad_token`.
    pub fn from_pretrained(name: impl AsRef<Path>) -> Result<Tokenizer> {
        Tokenizer::from_pretrained_with(name, &HubOptions::default())
    }

    /// [`Tokenizer::from_pretrained`] with explicit hub settings (`revision`, `cache_dir`,
    /// `local_files_only`, ...).
    pub fn from_pretrained_with(name: impl AsRef<Path>, options: &HubOptions) -> Result<Tokenizer> {
        let dir = &hub::resolve(name, hub::TOKENIZER, options)?;
        let has = |name: &str| dir.join(name).is_file();
        let mut tok = if has("tokenizer.json") {
            return Tokenizer::from_file(dir.join("tokenizer.json"));
        } else if has("vocab.txt") {
            Tokenizer::from_vocab_txt(dir.join("vocab.txt"), BertTokenizerOptions::default())?
        } else if has("vocab.json") && has("merges.txt") {
            Tokenizer::from_bpe_files(dir.join("vocab.json"), dir.join("merges.txt"))?
        } else {
            return Err(Error::io(
                dir.join("tokenizer.json"),
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no tokenizer.json, vocab.txt or vocab.json + merges.txt in the directory",
                ),
            ));
        };
        let (max_len, pad) = read_tokenizer_config(dir)?;
        tok.model_max_length = max_len;
        if pad.is_some() {
            tok.pad_token = pad;
        }
        Ok(tok)
    }

    /// Encodes one text (`tokenizer(text)` without tensors), adding `[CLS]`/`[SEP]` etc. when
    /// `add_special_tokens`; no padding or truncation.
    pub fn encode(&self, text: &str, add_special_tokens: bool) -> Result<Encoding> {
        let e = self
            .inner
            .encode(text, add_special_tokens)
            .map_err(hf_err("Tokenizer.encode"))?;
        Ok(Encoding::from_hf(&e))
    }

    /// Encodes a pair of texts (`tokenizer(text, text_pair)`): segment ids 0 then 1.
    pub fn encode_pair(
        &self,
        text: &str,
        pair: &str,
        add_special_tokens: bool,
    ) -> Result<Encoding> {
        let e = self
            .inner
            .encode((text, pair), add_special_tokens)
            .map_err(hf_err("Tokenizer.encode_pair"))?;
        Ok(Encoding::from_hf(&e))
    }

    /// Encodes each text, as [`Tokenizer::encode`] (`tokenizer(texts)` without padding).
    pub fn encode_batch(&self, texts: &[&str], add_special_tokens: bool) -> Result<Vec<Encoding>> {
        texts
            .iter()
            .map(|t| self.encode(t, add_special_tokens))
            .collect()
    }

    /// Turns ids back into text (`tokenizer.decode(ids, skip_special_tokens)`).
    pub fn decode(&self, ids: &[i64], skip_special_tokens: bool) -> Result<String> {
        let ids = ids
            .iter()
            .map(|&i| {
                u32::try_from(i).map_err(|_| {
                    Error::invalid("Tokenizer.decode", format!("token id {i} out of range"))
                })
            })
            .collect::<Result<Vec<u32>>>()?;
        self.inner
            .decode(&ids, skip_special_tokens)
            .map_err(hf_err("Tokenizer.decode"))
    }

    /// Decodes each id sequence (`tokenizer.batch_decode(sequences, skip_special_tokens)`).
    pub fn batch_decode(
        &self,
        sequences: &[Vec<i64>],
        skip_special_tokens: bool,
    ) -> Result<Vec<String>> {
        sequences
            .iter()
            .map(|s| self.decode(s, skip_special_tokens))
            .collect()
    }

    /// The id of `token` (`convert_tokens_to_ids`), `None` if it is not in the vocabulary.
    pub fn token_to_id(&self, token: &str) -> Option<i64> {
        self.inner.token_to_id(token).map(i64::from)
    }

    /// The token of `id` (`convert_ids_to_tokens`), `None` if out of range.
    pub fn id_to_token(&self, id: i64) -> Option<String> {
        u32::try_from(id)
            .ok()
            .and_then(|i| self.inner.id_to_token(i))
    }

    /// Vocabulary size including added tokens (`len(tokenizer)`).
    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }

    /// The padding token (`tokenizer.pad_token`), if any.
    pub fn pad_token(&self) -> Option<&str> {
        self.pad_token.as_deref()
    }

    /// The padding token's id (`tokenizer.pad_token_id`).
    pub fn pad_token_id(&self) -> Option<i64> {
        self.pad_token.as_deref().and_then(|t| self.token_to_id(t))
    }

    /// Sets the padding token (`tokenizer.pad_token = token`); it must be in the vocabulary.
    pub fn set_pad_token(&mut self, token: &str) -> Result<()> {
        if self.inner.token_to_id(token).is_none() {
            return Err(Error::invalid(
                "Tokenizer.set_pad_token",
                format!("{token:?} is not in the vocabulary"),
            ));
        }
        self.pad_token = Some(token.to_string());
        Ok(())
    }

    /// The wrapped `tokenizers::Tokenizer`, for what this type does not expose.
    pub fn hf_tokenizer(&self) -> &HfTokenizer {
        &self.inner
    }
}
