//! The dataset traits of `torch.utils.data`: map-style [`Dataset`] (`__len__` and
//! `__getitem__`) and [`IterableDataset`] (`__iter__`), and [`TensorDataset`].

use std::sync::Arc;

use crate::{Error, Result, Tensor};

/// A map-style dataset (`torch.utils.data.Dataset`): `len` items, fetched by index.
///
/// `Send + Sync` so that [`DataLoader`](super::DataLoader) worker threads can share one
/// dataset through an `Arc`; items are `Send + 'static` so they can travel back from a worker.
pub trait Dataset: Send + Sync {
    /// What `get` returns (one sample).
    type Item: Send + 'static;

    /// Number of samples (`len(dataset)`).
    fn len(&self) -> usize;

    /// The sample at `index` (`dataset[index]`); an index `>= len()` is an error.
    fn get(&self, index: usize) -> Result<Self::Item>;

    /// True when the dataset has no samples.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<D: Dataset + ?Sized> Dataset for Arc<D> {
    type Item = D::Item;
    fn len(&self) -> usize {
        (**self).len()
    }
    fn get(&self, index: usize) -> Result<Self::Item> {
        (**self).get(index)
    }
}

impl<D: Dataset + ?Sized> Dataset for Box<D> {
    type Item = D::Item;
    fn len(&self) -> usize {
        (**self).len()
    }
    fn get(&self, index: usize) -> Result<Self::Item> {
        (**self).get(index)
    }
}

/// An iterable-style dataset (`torch.utils.data.IterableDataset`): a stream of samples,
/// started afresh by each call to `iter` (one call per epoch, like `__iter__`).
pub trait IterableDataset: Send + Sync {
    /// One sample.
    type Item: Send + 'static;

    /// A new pass over the samples; a failing sample is an `Err` item.
    fn iter(&self) -> Box<dyn Iterator<Item = Result<Self::Item>> + Send + '_>;
}

/// The error every dataset gives for an index past its end.
pub(crate) fn index_error(op: &'static str, index: usize, len: usize) -> Error {
    Error::invalid(
        op,
        format!("index {index} is out of range for a dataset of length {len}"),
    )
}

/// Tensors sharing their first dimension; sample `i` is row `i` of each, as a `Vec<Tensor>`
/// of views (`torch.utils.data.TensorDataset`).
#[derive(Clone, Debug)]
pub struct TensorDataset {
    tensors: Vec<Tensor>,
    len: usize,
}

impl TensorDataset {
    /// Wraps `tensors`; they must be at least 1-D with equal first dimensions ("Size mismatch
    /// between tensors").
    pub fn new(tensors: Vec<Tensor>) -> Result<Self> {
        let Some(first) = tensors.first() else {
            return Err(Error::invalid(
                "TensorDataset",
                "expected at least one tensor",
            ));
        };
        let first_shape = first.shape().to_vec();
        let Some(&len) = first_shape.first() else {
            return Err(Error::invalid(
                "TensorDataset",
                "tensors must have at least one dimension, got a 0-dim tensor",
            ));
        };
        for t in &tensors {
            if t.shape().first() != Some(&len) {
                return Err(Error::ShapeMismatch {
                    op: "TensorDataset",
                    lhs: first_shape,
                    rhs: t.shape().to_vec(),
                    detail: "Size mismatch between tensors: first dimensions differ".into(),
                });
            }
        }
        Ok(TensorDataset { tensors, len })
    }

    /// The wrapped tensors (`dataset.tensors`).
    pub fn tensors(&self) -> &[Tensor] {
        &self.tensors
    }
}

impl Dataset for TensorDataset {
    type Item = Vec<Tensor>;

    fn len(&self) -> usize {
        self.len
    }

    fn get(&self, index: usize) -> Result<Vec<Tensor>> {
        if index >= self.len {
            return Err(index_error("TensorDataset", index, self.len));
        }
        self.tensors
            .iter()
            .map(|t| t.select(0, index as i64))
            .collect()
    }
}
