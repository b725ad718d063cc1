//! `BatchSampler` (`torch.utils.data.BatchSampler`): groups another sampler's indices into
//! batches.

use super::sampler::{Sampler, SamplerIter};
use crate::{Error, Result};

/// Batches of `batch_size` indices from `sampler`; the last, shorter batch is kept unless
/// `drop_last` (`BatchSampler(sampler, batch_size, drop_last)`).
pub struct BatchSampler<S: Sampler<Item = usize>> {
    sampler: S,
    batch_size: usize,
    drop_last: bool,
}

impl<S: Sampler<Item = usize>> BatchSampler<S> {
    /// The batch sampler; `batch_size` must be positive.
    pub fn new(sampler: S, batch_size: usize, drop_last: bool) -> Result<Self> {
        if batch_size == 0 {
            return Err(Error::invalid(
                "BatchSampler",
                "batch_size should be a positive integer value, but got batch_size=0",
            ));
        }
        Ok(BatchSampler {
            sampler,
            batch_size,
            drop_last,
        })
    }

    /// Indices per batch.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// Whether a last, incomplete batch is dropped.
    pub fn drop_last(&self) -> bool {
        self.drop_last
    }
}

impl<S: Sampler<Item = usize>> Sampler for BatchSampler<S> {
    type Item = Vec<usize>;

    fn iter(&self) -> Result<SamplerIter<Vec<usize>>> {
        let mut inner = self.sampler.iter()?;
        let (bs, drop_last) = (self.batch_size, self.drop_last);
        Ok(Box::new(std::iter::from_fn(move || {
            let batch: Vec<usize> = inner.by_ref().take(bs).collect();
            let full = batch.len() == bs;
            (full || (!batch.is_empty() && !drop_last)).then_some(batch)
        })))
    }

    fn len(&self) -> usize {
        let n = self.sampler.len();
        if self.drop_last {
            n / self.batch_size
        } else {
            n.div_ceil(self.batch_size)
        }
    }
}
