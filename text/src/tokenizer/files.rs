//! Building HuggingFace tokenizers from their vocabulary files, as `transformers` converts its
//! slow tokenizers: BERT WordPiece from `vocab.txt` (`BertTokenizerFast(vocab=...)`) and GPT-2
//! byte-level BPE from `vocab.json` + `merges.txt` (`GPT2TokenizerFast(vocab=..., merges=...)`).
//! Every problem with a file is an error naming that file.

use std::collections::HashMap;
use std::path::Path;

use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::decoders::wordpiece::WordPiece as WordPieceDecoder;
use tokenizers::models::bpe::BPE;
use tokenizers::models::wordpiece::WordPiece;
use tokenizers::normalizers::bert::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::processors::bert::BertProcessing;
use tokenizers::{AddedToken, Tokenizer as HfTokenizer};
use torch_core::{Error, Result};

/// Options of a BERT WordPiece tokenizer, as `BertTokenizerFast(vocab, ...)` with its defaults.
#[derive(Clone, Debug)]
pub struct BertTokenizerOptions {
    /// Lower-case the text (default true: "uncased" models).
    pub do_lower_case: bool,
    /// Put spaces around CJK characters (default true).
    pub tokenize_chinese_chars: bool,
    /// Strip accents; `None` (the default) strips them when lower-casing.
    pub strip_accents: Option<bool>,
    /// Unknown token (default `[UNK]`).
    pub unk_token: String,
    /// Separator token (default `[SEP]`).
    pub sep_token: String,
    /// Padding token (default `[PAD]`).
    pub pad_token: String,
    /// Classifier token (default `[CLS]`).
    pub cls_token: String,
    /// Mask token (default `[MASK]`).
    pub mask_token: String,
}

impl Default for BertTokenizerOptions {
    fn default() -> Self {
        BertTokenizerOptions {
            do_lower_case: true,
            tokenize_chinese_chars: true,
            strip_accents: None,
            unk_token: "[UNK]".into(),
            sep_token: "[SEP]".into(),
            pad_token: "[PAD]".into(),
            cls_token: "[CLS]".into(),
            mask_token: "[MASK]".into(),
        }
    }
}

pub(crate) fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    String::from_utf8(bytes).map_err(|e| Error::format(path, format!("not UTF-8 text: {e}")))
}

/// A token → id map, the type `tokenizers` takes (an `AHashMap`).
type VocabMap = tokenizers::models::bpe::Vocab;

fn id_of(vocab: &VocabMap, token: &str, path: &Path) -> Result<u32> {
    vocab
        .get(token)
        .copied()
        .ok_or_else(|| Error::format(path, format!("the vocabulary has no token {token:?}")))
}

/// A BERT WordPiece tokenizer from a `vocab.txt` (one token a line, id = line number): BERT's
/// normaliser, pre-tokenizer, `[CLS] A [SEP] (B [SEP])` post-processor and WordPiece decoder.
pub(crate) fn bert_wordpiece(path: &Path, o: &BertTokenizerOptions) -> Result<HfTokenizer> {
    let text = read_text(path)?;
    let mut vocab = VocabMap::new();
    for (i, line) in text.lines().enumerate() {
        // A token may repeat (HF keeps the last id); blank lines are tokens too.
        vocab.insert(line.trim_end_matches('\r').to_string(), i as u32);
    }
    if vocab.is_empty() {
        return Err(Error::format(path, "empty vocabulary"));
    }
    let cls = id_of(&vocab, &o.cls_token, path)?;
    let sep = id_of(&vocab, &o.sep_token, path)?;
    id_of(&vocab, &o.unk_token, path)?;
    let model = WordPiece::builder()
        .vocab(vocab)
        .unk_token(o.unk_token.clone())
        .continuing_subword_prefix("##".into())
        .max_input_chars_per_word(100)
        .build()
        .map_err(|e| Error::format(path, e.to_string()))?;
    let mut tok = HfTokenizer::new(model);
    tok.with_normalizer(Some(BertNormalizer::new(
        true,
        o.tokenize_chinese_chars,
        o.strip_accents,
        o.do_lower_case,
    )))
    .with_pre_tokenizer(Some(BertPreTokenizer))
    .with_post_processor(Some(BertProcessing::new(
        (o.sep_token.clone(), sep),
        (o.cls_token.clone(), cls),
    )))
    .with_decoder(Some(WordPieceDecoder::new("##".into(), true)));
    let specials = [
        &o.pad_token,
        &o.unk_token,
        &o.cls_token,
        &o.sep_token,
        &o.mask_token,
    ];
    let specials: Vec<AddedToken> = specials
        .iter()
        .map(|t| AddedToken::from(t.to_string(), true))
        .collect();
    tok.add_special_tokens(&specials);
    Ok(tok)
}

/// Parses GPT-2's `merges.txt`: an optional `#version` line, then one `left right` pair a line.
fn read_merges(path: &Path) -> Result<Vec<(String, String)>> {
    let text = read_text(path)?;
    let mut merges = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if (i == 0 && line.starts_with("#version")) || line.trim().is_empty() {
            continue;
        }
        let mut parts = line.split(' ');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(a), Some(b), None) => merges.push((a.to_string(), b.to_string())),
            _ => {
                return Err(Error::format(
                    path,
                    format!("line {}: expected two tokens, got {line:?}", i + 1),
                ));
            }
        }
    }
    Ok(merges)
}

/// A GPT-2 byte-level BPE tokenizer from `vocab.json` and `merges.txt`, with `<|endoftext|>`
/// as special token, as `GPT2TokenizerFast(vocab=..., merges=...)` builds it.
pub(crate) fn gpt2_bpe(vocab_path: &Path, merges_path: &Path) -> Result<HfTokenizer> {
    let vocab: HashMap<String, u32> = serde_json::from_str(&read_text(vocab_path)?)
        .map_err(|e| Error::format(vocab_path, format!("not a JSON object of token ids: {e}")))?;
    let vocab: VocabMap = vocab.into_iter().collect();
    let merges = read_merges(merges_path)?;
    let model = BPE::builder()
        .vocab_and_merges(vocab, merges)
        .build()
        .map_err(|e| Error::format(merges_path, e.to_string()))?;
    let mut tok = HfTokenizer::new(model);
    tok.with_pre_tokenizer(Some(ByteLevel::new(false, true, true)))
        .with_post_processor(Some(ByteLevel::new(false, false, true)))
        .with_decoder(Some(ByteLevelDecoder::default()));
    if tok.token_to_id("<|endoftext|>").is_some() {
        tok.add_special_tokens(&[AddedToken::from("<|endoftext|>", true)]);
    }
    Ok(tok)
}
