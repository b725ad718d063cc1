//! BERT in HuggingFace's layout: `BertConfig`, `BertModel`, `BertForMaskedLM`,
//! `BertForSequenceClassification`, and sentence-transformers' sentence embeddings.

mod config;
mod heads;
mod layers;
mod model;
mod pretrained;
mod sentence;

pub use config::BertConfig;
pub use heads::{
    BertForMaskedLM, BertForSequenceClassification, BertLMPredictionHead, BertOnlyMLMHead,
    BertPredictionHeadTransform,
};
pub use layers::{
    BertAttention, BertEmbeddings, BertIntermediate, BertLayer, BertResidualOutput,
    BertSelfAttention,
};
pub use model::{BertEncoder, BertModel, BertOutput, BertPooler};
pub use sentence::{SentenceTransformer, cos_sim, mean_pooling};
