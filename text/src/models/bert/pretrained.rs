//! `from_pretrained(name)` for the BERT models (`name`: a local directory or a hub repository
//! id, see [`crate::hub`]): `config.json` plus the weights (see `models::weights`), HF key
//! names, base-model prefix `bert`.

use std::path::Path;

use torch_core::Result;
use torch_nn::{Module, StateDict};

use super::{BertConfig, BertForMaskedLM, BertForSequenceClassification, BertModel};
use crate::hub::HubOptions;
use crate::models::weights::load_pretrained;

fn pretrained<M: Module>(
    name: &Path,
    options: &HubOptions,
    build: impl FnOnce(&BertConfig, &StateDict) -> Result<M>,
) -> Result<M> {
    load_pretrained(
        name,
        options,
        |p| BertConfig::from_json_file(p),
        "bert",
        build,
    )
}

impl BertModel {
    /// `BertModel.from_pretrained(name)`: `name` is a local directory or a hub repository id
    /// (hub settings from the environment, [`HubOptions::default`]); the pooler is built when
    /// the checkpoint has one.
    pub fn from_pretrained(name: impl AsRef<Path>) -> Result<BertModel> {
        BertModel::from_pretrained_with(name, &HubOptions::default())
    }

    /// [`BertModel::from_pretrained`] with explicit hub settings (`revision`, `cache_dir`,
    /// `local_files_only`, ...).
    pub fn from_pretrained_with(name: impl AsRef<Path>, options: &HubOptions) -> Result<BertModel> {
        pretrained(name.as_ref(), options, |c, state| {
            let pooler = state
                .keys()
                .any(|k| k == "pooler.dense.weight" || k == "bert.pooler.dense.weight");
            BertModel::new(c, pooler)
        })
    }
}

impl BertForMaskedLM {
    /// `BertForMaskedLM.from_pretrained(name)` (decoder tied to the word embeddings); `name`
    /// as in [`BertModel::from_pretrained`].
    pub fn from_pretrained(name: impl AsRef<Path>) -> Result<BertForMaskedLM> {
        BertForMaskedLM::from_pretrained_with(name, &HubOptions::default())
    }

    /// [`BertForMaskedLM::from_pretrained`] with explicit hub settings.
    pub fn from_pretrained_with(
        name: impl AsRef<Path>,
        options: &HubOptions,
    ) -> Result<BertForMaskedLM> {
        pretrained(name.as_ref(), options, |c, _| BertForMaskedLM::new(c))
    }
}

impl BertForSequenceClassification {
    /// `BertForSequenceClassification.from_pretrained(name)`: `num_labels` from the config;
    /// `name` as in [`BertModel::from_pretrained`].
    pub fn from_pretrained(name: impl AsRef<Path>) -> Result<BertForSequenceClassification> {
        BertForSequenceClassification::from_pretrained_with(name, &HubOptions::default())
    }

    /// [`BertForSequenceClassification::from_pretrained`] with explicit hub settings.
    pub fn from_pretrained_with(
        name: impl AsRef<Path>,
        options: &HubOptions,
    ) -> Result<BertForSequenceClassification> {
        pretrained(name.as_ref(), options, |c, _| {
            BertForSequenceClassification::new(c)
        })
    }
}
