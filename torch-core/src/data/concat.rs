//! `ConcatDataset` (`torch.utils.data.ConcatDataset`): datasets one after another.

use super::dataset::{Dataset, index_error};
use crate::{Error, Result};

/// Several datasets read as one, in order (`torch.utils.data.ConcatDataset`). Datasets of
/// different types can be joined as `Box<dyn Dataset<Item = I>>`.
pub struct ConcatDataset<D: Dataset> {
    datasets: Vec<D>,
    cumulative_sizes: Vec<usize>,
}

impl<D: Dataset> ConcatDataset<D> {
    /// Joins `datasets`; an empty list is an error ("datasets should not be an empty
    /// iterable").
    pub fn new(datasets: Vec<D>) -> Result<Self> {
        if datasets.is_empty() {
            return Err(Error::invalid(
                "ConcatDataset",
                "datasets should not be an empty iterable",
            ));
        }
        let mut total = 0;
        let cumulative_sizes = datasets
            .iter()
            .map(|d| {
                total += d.len();
                total
            })
            .collect();
        Ok(ConcatDataset {
            datasets,
            cumulative_sizes,
        })
    }

    /// Running totals of the lengths (`dataset.cumulative_sizes`).
    pub fn cumulative_sizes(&self) -> &[usize] {
        &self.cumulative_sizes
    }

    /// The joined datasets (`dataset.datasets`).
    pub fn datasets(&self) -> &[D] {
        &self.datasets
    }
}

impl<D: Dataset> Dataset for ConcatDataset<D> {
    type Item = D::Item;

    fn len(&self) -> usize {
        self.cumulative_sizes.last().copied().unwrap_or(0)
    }

    fn get(&self, index: usize) -> Result<D::Item> {
        if index >= self.len() {
            return Err(index_error("ConcatDataset", index, self.len()));
        }
        // bisect_right: the first dataset whose running total exceeds `index`.
        let d = self.cumulative_sizes.partition_point(|&c| c <= index);
        let start = if d == 0 {
            0
        } else {
            self.cumulative_sizes[d - 1]
        };
        self.datasets[d].get(index - start)
    }
}
