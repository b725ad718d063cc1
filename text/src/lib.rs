//! torchtext and HuggingFace-style NLP for torch-rs: tokenizers, BERT and GPT-2 with
//! HuggingFace's names, key layouts and defaults, loaded from a local folder or the
//! HuggingFace Hub ([`hub`]).

pub mod data_utils;
pub mod datasets;
pub mod hub;
pub mod models;
pub mod tokenizer;
pub mod vocab;

pub use hub::HubOptions;
pub use models::bert::{
    BertConfig, BertForMaskedLM, BertForSequenceClassification, BertModel, SentenceTransformer,
};
pub use models::generation::GenerationConfig;
pub use models::gpt2::{GPT2Config, GPT2LMHeadModel, GPT2Model, KvCache};
pub use tokenizer::{
    BatchEncoding, BertTokenizerOptions, Encoding, Padding, Side, TokenizeOptions, Tokenizer,
};
pub use vocab::{BuildVocabOptions, Vocab};
