//! The `Sampler` trait and the index samplers of `torch.utils.data`: `SequentialSampler`,
//! `RandomSampler`, `SubsetRandomSampler`. Randomness comes from a [`Generator`]; without one
//! each pass seeds a fresh generator from the default generator, as PyTorch does, so
//! `manual_seed` makes the orders reproducible.

use std::sync::Arc;

use crate::{Error, Generator, Result, TensorOptions, default_generator};

/// The iterator one pass of a sampler returns.
pub type SamplerIter<T> = Box<dyn Iterator<Item = T> + Send>;

/// Yields the indices (or, for [`BatchSampler`](super::BatchSampler), the batches of indices)
/// of one epoch (`torch.utils.data.Sampler`). Each call to `iter` starts a new pass; random
/// samplers draw a new order each time.
pub trait Sampler: Send + Sync {
    /// `usize` for an index sampler, `Vec<usize>` for a batch sampler.
    type Item: Send + 'static;

    /// A new pass (`iter(sampler)`).
    fn iter(&self) -> Result<SamplerIter<Self::Item>>;

    /// Items per pass (`len(sampler)`).
    fn len(&self) -> usize;

    /// True when a pass yields nothing.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<S: Sampler + ?Sized> Sampler for Arc<S> {
    type Item = S::Item;
    fn iter(&self) -> Result<SamplerIter<S::Item>> {
        (**self).iter()
    }
    fn len(&self) -> usize {
        (**self).len()
    }
}

impl<S: Sampler + ?Sized> Sampler for Box<S> {
    type Item = S::Item;
    fn iter(&self) -> Result<SamplerIter<S::Item>> {
        (**self).iter()
    }
    fn len(&self) -> usize {
        (**self).len()
    }
}

/// The generator for one pass: the sampler's own, else a fresh one seeded by a draw from the
/// default generator (PyTorch: `seed = int(torch.empty((), dtype=torch.int64).random_())`).
pub(crate) fn pass_generator(g: &Option<Arc<Generator>>) -> Result<Arc<Generator>> {
    if let Some(g) = g {
        return Ok(g.clone());
    }
    let seed = default_generator()
        .randint(0, i64::MAX, &[], TensorOptions::default())?
        .to_vec::<i64>()?;
    Ok(Arc::new(Generator::new(
        seed.first().copied().unwrap_or(0) as u64
    )))
}

/// A random permutation of `0..n` as indices.
pub(crate) fn permutation(g: &Generator, n: usize) -> Result<Vec<usize>> {
    Ok(g.randperm(n, TensorOptions::default())?
        .to_vec::<i64>()?
        .into_iter()
        .map(|i| i as usize)
        .collect())
}

/// `0, 1, ..., len - 1` (`torch.utils.data.SequentialSampler`).
#[derive(Clone, Copy, Debug)]
pub struct SequentialSampler {
    len: usize,
}

impl SequentialSampler {
    /// The sampler over a dataset of `len` samples.
    pub fn new(len: usize) -> Self {
        SequentialSampler { len }
    }
}

impl Sampler for SequentialSampler {
    type Item = usize;
    fn iter(&self) -> Result<SamplerIter<usize>> {
        Ok(Box::new(0..self.len))
    }
    fn len(&self) -> usize {
        self.len
    }
}

/// Options of [`RandomSampler`], PyTorch's defaults.
#[derive(Clone, Default)]
pub struct RandomSamplerOptions {
    /// Draw with replacement (default false).
    pub replacement: bool,
    /// Samples per pass (default: the dataset length).
    pub num_samples: Option<usize>,
    /// Source of randomness (default: a fresh generator per pass, seeded from the default
    /// generator).
    pub generator: Option<Arc<Generator>>,
}

/// Random indices of a dataset of `len` samples (`torch.utils.data.RandomSampler`):
/// a permutation per pass (repeated when `num_samples > len`), or with `replacement`,
/// `num_samples` independent uniform draws.
#[derive(Clone)]
pub struct RandomSampler {
    len: usize,
    opts: RandomSamplerOptions,
}

impl RandomSampler {
    /// The sampler; `num_samples` must be positive ("num_samples should be a positive integer
    /// value"), which an empty dataset without `num_samples` is not.
    pub fn new(len: usize, opts: RandomSamplerOptions) -> Result<Self> {
        let num_samples = opts.num_samples.unwrap_or(len);
        if num_samples == 0 {
            return Err(Error::invalid(
                "RandomSampler",
                format!(
                    "num_samples should be a positive integer value, but got num_samples={num_samples}"
                ),
            ));
        }
        Ok(RandomSampler { len, opts })
    }

    /// Samples per pass.
    pub fn num_samples(&self) -> usize {
        self.opts.num_samples.unwrap_or(self.len)
    }
}

impl Sampler for RandomSampler {
    type Item = usize;

    fn iter(&self) -> Result<SamplerIter<usize>> {
        let g = pass_generator(&self.opts.generator)?;
        let (n, num) = (self.len, self.num_samples());
        if self.opts.replacement {
            let draws = g.randint(0, n as i64, &[num], TensorOptions::default())?;
            let v = draws.to_vec::<i64>()?;
            return Ok(Box::new(v.into_iter().map(|i| i as usize)));
        }
        // Whole permutations, then the head of one more (PyTorch's order of draws).
        let mut out = Vec::with_capacity(num);
        for _ in 0..num / n.max(1) {
            out.extend(permutation(&g, n)?);
        }
        if num % n.max(1) != 0 {
            out.extend(permutation(&g, n)?.into_iter().take(num % n));
        }
        Ok(Box::new(out.into_iter()))
    }

    fn len(&self) -> usize {
        self.num_samples()
    }
}

/// The given indices in a random order, new each pass
/// (`torch.utils.data.SubsetRandomSampler`).
#[derive(Clone)]
pub struct SubsetRandomSampler {
    indices: Arc<[usize]>,
    generator: Option<Arc<Generator>>,
}

impl SubsetRandomSampler {
    /// The sampler over `indices`, drawing from `generator` (or, if `None`, a fresh generator
    /// per pass seeded from the default generator).
    pub fn new(indices: Vec<usize>, generator: Option<Arc<Generator>>) -> Self {
        SubsetRandomSampler {
            indices: indices.into(),
            generator,
        }
    }
}

impl Sampler for SubsetRandomSampler {
    type Item = usize;

    fn iter(&self) -> Result<SamplerIter<usize>> {
        let g = pass_generator(&self.generator)?;
        let perm = permutation(&g, self.indices.len())?;
        let indices = self.indices.clone();
        Ok(Box::new(perm.into_iter().map(move |p| indices[p])))
    }

    fn len(&self) -> usize {
        self.indices.len()
    }
}
