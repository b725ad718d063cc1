//! Text datasets (torchtext-style): classification from CSV/TSV/JSONL files (the Rotten
//! Tomatoes sentiment corpus included), language-modelling blocks, and collate functions
//! that pad.

mod classification;
mod collate;
mod language_modeling;

pub use classification::{CsvOptions, TextClassificationDataset};
pub use collate::{PaddedBatch, TextSample, pad_sequence, tokenizer_collate, vocab_collate};
pub use language_modeling::LanguageModelingDataset;
