//! `Subset` and `random_split` (`torch.utils.data.Subset`, `torch.utils.data.random_split`).

use std::sync::Arc;

use super::dataset::{Dataset, index_error};
use crate::{Error, Generator, Result, TensorOptions};

/// The samples of `dataset` at `indices`, in that order (`torch.utils.data.Subset`).
pub struct Subset<D: Dataset + ?Sized> {
    dataset: Arc<D>,
    indices: Vec<usize>,
}

impl<D: Dataset + ?Sized> Clone for Subset<D> {
    fn clone(&self) -> Self {
        Subset {
            dataset: self.dataset.clone(),
            indices: self.indices.clone(),
        }
    }
}

impl<D: Dataset + ?Sized> Subset<D> {
    /// The view of `dataset` at `indices`; an index past the end of `dataset` is an error
    /// when it is fetched, as in PyTorch.
    pub fn new(dataset: Arc<D>, indices: Vec<usize>) -> Self {
        Subset { dataset, indices }
    }

    /// The underlying dataset (`subset.dataset`).
    pub fn dataset(&self) -> &Arc<D> {
        &self.dataset
    }

    /// The indices into the underlying dataset (`subset.indices`).
    pub fn indices(&self) -> &[usize] {
        &self.indices
    }
}

impl<D: Dataset + ?Sized> Dataset for Subset<D> {
    type Item = D::Item;

    fn len(&self) -> usize {
        self.indices.len()
    }

    fn get(&self, index: usize) -> Result<D::Item> {
        let Some(&i) = self.indices.get(index) else {
            return Err(index_error("Subset", index, self.indices.len()));
        };
        self.dataset.get(i)
    }
}

/// Splits `dataset` into non-overlapping random subsets of the given `lengths`, which must
/// sum to `dataset.len()` (`random_split(dataset, lengths, generator)`). The permutation
/// comes from `generator` (pass [`default_generator`](crate::default_generator) for PyTorch's
/// default).
pub fn random_split<D: Dataset + ?Sized>(
    dataset: Arc<D>,
    lengths: &[usize],
    generator: &Generator,
) -> Result<Vec<Subset<D>>> {
    let total: usize = lengths.iter().sum();
    if total != dataset.len() {
        return Err(Error::invalid(
            "random_split",
            format!(
                "Sum of input lengths ({total}) does not equal the length of the input dataset ({})!",
                dataset.len()
            ),
        ));
    }
    let perm = generator.randperm(total, TensorOptions::default())?;
    let perm: Vec<usize> = perm
        .to_vec::<i64>()?
        .into_iter()
        .map(|i| i as usize)
        .collect();
    let mut offset = 0;
    Ok(lengths
        .iter()
        .map(|&n| {
            let s = Subset::new(dataset.clone(), perm[offset..offset + n].to_vec());
            offset += n;
            s
        })
        .collect())
}

/// [`random_split`] with fractions summing to 1: each length is `floor(len * fraction)`, and
/// the remainder is handed out one by one to the splits in turn from the first, exactly as
/// PyTorch does (`random_split(dataset, [0.8, 0.2], generator)`).
pub fn random_split_fractions<D: Dataset + ?Sized>(
    dataset: Arc<D>,
    fractions: &[f64],
    generator: &Generator,
) -> Result<Vec<Subset<D>>> {
    let lengths = fraction_lengths(dataset.len(), fractions)?;
    random_split(dataset, &lengths, generator)
}

/// The split lengths PyTorch derives from `fractions` for a dataset of `len` samples.
pub fn fraction_lengths(len: usize, fractions: &[f64]) -> Result<Vec<usize>> {
    if fractions.is_empty() {
        return Err(Error::invalid(
            "random_split",
            "expected at least one fraction",
        ));
    }
    let sum: f64 = fractions.iter().sum();
    // math.isclose(sum, 1) with its default rel_tol = 1e-9, and sum <= 1.
    if (sum - 1.0).abs() > 1e-9 * sum.abs().max(1.0) || sum > 1.0 {
        return Err(Error::invalid(
            "random_split",
            format!("fractions must sum to 1, got {fractions:?} (sum {sum})"),
        ));
    }
    let mut lengths = Vec::with_capacity(fractions.len());
    for (i, &f) in fractions.iter().enumerate() {
        if !(0.0..=1.0).contains(&f) {
            return Err(Error::invalid(
                "random_split",
                format!("Fraction at index {i} is not between 0 and 1"),
            ));
        }
        lengths.push((len as f64 * f).floor() as usize);
    }
    let remainder = len - lengths.iter().sum::<usize>().min(len);
    let k = lengths.len();
    for i in 0..remainder {
        lengths[i % k] += 1;
    }
    Ok(lengths)
}
