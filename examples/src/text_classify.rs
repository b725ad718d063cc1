//! The `text_classify` example's logic: a bag-of-embeddings sentiment classifier (torchtext's
//! `TextClassificationModel`: `EmbeddingBag(mode="mean")` then `Linear`) over a
//! `basic_english` vocabulary, with the flat-ids-plus-offsets batches it trains on.

use torch_core::{DType, Generator, Result, Tensor, TensorOptions};
use torch_nn::functional::BagMode;
use torch_nn::{EmbeddingBag, Forward, Linear, Module, ModuleBase, init};
use torch_text::data_utils::basic_english;
use torch_text::{BuildVocabOptions, Vocab};

/// `EmbeddingBag(vocab, dim, mode="mean")` then `Linear(dim, classes)`, initialised as the
/// torchtext tutorial does (uniform in +-0.5, zero bias).
#[derive(Module)]
pub struct BagClassifier {
    base: ModuleBase,
    pub embedding: EmbeddingBag,
    pub fc: Linear,
}

impl BagClassifier {
    /// A classifier over `vocab_size` tokens into `num_class` classes.
    pub fn new(vocab_size: usize, embed_dim: usize, num_class: usize) -> Result<BagClassifier> {
        let embedding = EmbeddingBag::new(vocab_size, embed_dim, BagMode::Mean, None)?;
        let fc = Linear::new(embed_dim, num_class)?;
        init::uniform_(&embedding.weight, -0.5, 0.5)?;
        init::uniform_(&fc.weight, -0.5, 0.5)?;
        if let Some(b) = &fc.bias {
            init::zeros_(b)?;
        }
        Ok(BagClassifier {
            base: ModuleBase::default(),
            embedding,
            fc,
        })
    }

    /// Logits `(B, classes)` for the bags `ids[offsets[b] .. offsets[b + 1]]` (1-D i64 each).
    pub fn forward(&self, ids: &Tensor, offsets: &Tensor) -> Result<Tensor> {
        self.fc
            .forward(&self.embedding.forward(ids, Some(offsets), None)?)
    }
}

/// One batch: the texts' token ids end to end, each text's start, and the labels.
pub struct Batch {
    /// `(sum of lengths,)` i64.
    pub ids: Tensor,
    /// `(B,)` i64 start of each text in `ids`.
    pub offsets: Tensor,
    /// `(B,)` i64 class indices.
    pub labels: Tensor,
}

/// Texts encoded with a vocabulary built on the training texts only.
pub struct Encoded {
    /// The vocabulary (`<unk>` is index 0 and the default).
    pub vocab: Vocab,
    /// Token ids per training text.
    pub train: Vec<Vec<i64>>,
    /// Token ids per held-out text.
    pub test: Vec<Vec<i64>>,
}

/// `basic_english` tokens of every text, a vocabulary of the training tokens seen at least
/// `min_freq` times plus `<unk>` (the default index), and both splits as ids. A text with no
/// known token becomes `[<unk>]` so no bag is empty.
pub fn encode(train: &[String], test: &[String], min_freq: usize) -> Result<Encoded> {
    let tokens = |texts: &[String]| texts.iter().map(|t| basic_english(t)).collect::<Vec<_>>();
    let (tr, te) = (tokens(train), tokens(test));
    let mut vocab = Vocab::build_from_iterator(
        tr.iter(),
        &BuildVocabOptions {
            min_freq,
            specials: vec!["<unk>".into()],
            ..Default::default()
        },
    )?;
    vocab.set_default_index(Some(0));
    let ids = |all: &[Vec<String>]| -> Result<Vec<Vec<i64>>> {
        all.iter()
            .map(|t| {
                let v: Vec<i64> = vocab
                    .lookup_indices(t)?
                    .into_iter()
                    .map(|i| i as i64)
                    .collect();
                Ok(if v.is_empty() { vec![0] } else { v })
            })
            .collect()
    };
    let (train, test) = (ids(&tr)?, ids(&te)?);
    Ok(Encoded { vocab, train, test })
}

/// The batch of texts `pick` (indices into `texts`/`labels`).
pub fn batch(texts: &[Vec<i64>], labels: &[i64], pick: &[usize]) -> Result<Batch> {
    let mut ids = Vec::new();
    let mut offsets = Vec::with_capacity(pick.len());
    for &i in pick {
        offsets.push(ids.len() as i64);
        ids.extend_from_slice(&texts[i]);
    }
    let n = ids.len();
    let y: Vec<i64> = pick.iter().map(|&i| labels[i]).collect();
    Ok(Batch {
        ids: Tensor::from_vec(ids, &[n])?,
        offsets: Tensor::from_vec(offsets, &[pick.len()])?,
        labels: Tensor::from_vec(y, &[pick.len()])?,
    })
}

/// A seeded shuffle of `0..n` split into `(train, held-out)` with `test_fraction` held out.
pub fn split(n: usize, test_fraction: f64, seed: u64) -> Result<(Vec<usize>, Vec<usize>)> {
    let perm = Generator::new(seed)
        .randperm(n, TensorOptions::default().dtype(DType::I64))?
        .to_vec::<i64>()?;
    let n_test = ((n as f64) * test_fraction).round() as usize;
    let idx: Vec<usize> = perm.into_iter().map(|i| i as usize).collect();
    Ok((idx[n_test..].to_vec(), idx[..n_test].to_vec()))
}
