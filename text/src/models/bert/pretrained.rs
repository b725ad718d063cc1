//! `from_pretrained(dir)` for the BERT models: `config.json` plus the directory's weights
//! (see `models::weights`), HF key names, base-model prefix `bert`.

use std::path::Path;

use torch_core::Result;
use torch_nn::{Module, StateDict};

use super::{BertConfig, BertForMaskedLM, BertForSequenceClassification, BertModel};
use crate::models::weights::from_pretrained_dir;

fn pretrained<M: Module>(
    dir: &Path,
    build: impl FnOnce(&BertConfig, &StateDict) -> Result<M>,
) -> Result<M> {
    from_pretrained_dir(dir, |p| BertConfig::from_json_file(p), "bert", build)
}

impl BertModel {
    /// `BertModel.from_pretrained(dir)`: the pooler is built when the checkpoint has one.
    pub fn from_pretrained(dir: impl AsRef<Path>) -> Result<BertModel> {
        pretrained(dir.as_ref(), |c, state| {
            let pooler = state
                .keys()
                .any(|k| k == "pooler.dense.weight" || k == "bert.pooler.dense.weight");
            BertModel::new(c, pooler)
        })
    }
}

impl BertForMaskedLM {
    /// `BertForMaskedLM.from_pretrained(dir)` (decoder tied to the word embeddings).
    pub fn from_pretrained(dir: impl AsRef<Path>) -> Result<BertForMaskedLM> {
        pretrained(dir.as_ref(), |c, _| BertForMaskedLM::new(c))
    }
}

impl BertForSequenceClassification {
    /// `BertForSequenceClassification.from_pretrained(dir)`: `num_labels` from the config.
    pub fn from_pretrained(dir: impl AsRef<Path>) -> Result<BertForSequenceClassification> {
        pretrained(dir.as_ref(), |c, _| BertForSequenceClassification::new(c))
    }
}
