//! `DataLoader` (`torch.utils.data.DataLoader`): batches of a map-style dataset, in sampler
//! order, loaded inline or by worker threads, and its options.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::batch_sampler::BatchSampler;
use super::collate::{DefaultCollate, default_collate};
use super::dataset::Dataset;
use super::sampler::{
    RandomSampler, RandomSamplerOptions, Sampler, SamplerIter, SequentialSampler, pass_generator,
};
use super::worker::{Fetch, WorkerPool, guarded};
use crate::{Context, Error, Generator, Result};

/// Options of [`DataLoader`], PyTorch's defaults (`DataLoader(dataset, batch_size=1,
/// shuffle=False, drop_last=False, num_workers=0, prefetch_factor=None)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataLoaderOptions {
    /// Samples per batch (default 1).
    pub batch_size: usize,
    /// Draw a new random order every epoch (default false).
    pub shuffle: bool,
    /// Drop the last batch when it is shorter than `batch_size` (default false).
    pub drop_last: bool,
    /// Threads loading batches; 0 loads them on the iterating thread (default 0).
    pub num_workers: usize,
    /// Batches in flight per worker (default `None`: 2 when `num_workers > 0`; setting it with
    /// `num_workers == 0` is an error, as in PyTorch).
    pub prefetch_factor: Option<usize>,
    /// Seed of the loader's generator, which draws the shuffle orders (default `None`: seeded
    /// by a draw from the default generator, so `manual_seed` fixes it; PyTorch's
    /// `generator=` is [`DataLoader::generator`]).
    pub seed: Option<u64>,
}

impl Default for DataLoaderOptions {
    fn default() -> Self {
        DataLoaderOptions {
            batch_size: 1,
            shuffle: false,
            drop_last: false,
            num_workers: 0,
            prefetch_factor: None,
            seed: None,
        }
    }
}

type CollateFn<I, B> = Arc<dyn Fn(Vec<I>) -> Result<B> + Send + Sync>;

/// Iterates a [`Dataset`] in batches (`torch.utils.data.DataLoader`).
///
/// Each pass (`for batch in &loader`, or [`DataLoader::iter`]) is one epoch: the batch
/// sampler draws its order (a new shuffle each epoch, from the loader's generator), samples
/// are fetched with [`Dataset::get`] and combined by the collate function
/// ([`default_collate`] unless replaced). With `num_workers > 0`, worker threads load whole
/// batches in parallel, at most `prefetch_factor * num_workers` ahead of the consumer, and
/// batches still come out in sampler order: for a given seed the batches are the same
/// whatever the number of workers. Leaving the loop early stops and joins the workers.
///
/// Items are `Result<B>`: a failing sample gives an `Err` naming its index (a panicking
/// dataset too), and iteration may continue with the next batch.
///
/// ```
/// use torch_core::data::{DataLoader, DataLoaderOptions, TensorDataset};
/// use torch_core::{Tensor, TensorOptions};
/// # fn main() -> torch_core::Result<()> {
/// let x = Tensor::randn(&[10, 3], TensorOptions::default())?;
/// let y = Tensor::arange(0.0, 10.0, 1.0, TensorOptions::default())?;
/// let ds = TensorDataset::new(vec![x, y])?;
/// let opts = DataLoaderOptions { batch_size: 4, shuffle: true, seed: Some(0), ..Default::default() };
/// let loader = DataLoader::new(ds, opts)?;
/// assert_eq!(loader.len(), 3); // 4 + 4 + 2
/// for batch in &loader {
///     let batch = batch?; // Vec<Tensor>: [x rows, y rows]
///     assert_eq!(batch[0].shape()[1], 3);
/// }
/// # Ok(())
/// # }
/// ```
pub struct DataLoader<D: Dataset, B> {
    dataset: Arc<D>,
    collate: CollateFn<D::Item, B>,
    opts: DataLoaderOptions,
    generator: Arc<Generator>,
    sampler: Option<Arc<dyn Sampler<Item = usize>>>,
    batch_sampler: Option<Arc<dyn Sampler<Item = Vec<usize>>>>,
}

impl<D: Dataset + 'static> DataLoader<D, <D::Item as DefaultCollate>::Batch>
where
    D::Item: DefaultCollate,
{
    /// A loader using [`default_collate`].
    pub fn new(dataset: D, opts: DataLoaderOptions) -> Result<Self> {
        Self::with_collate_fn(dataset, opts, default_collate::<D::Item>)
    }
}

impl<D: Dataset + 'static, B: Send + 'static> DataLoader<D, B> {
    /// A loader combining each batch's samples with `collate_fn` (`collate_fn=`).
    pub fn with_collate_fn(
        dataset: D,
        opts: DataLoaderOptions,
        collate_fn: impl Fn(Vec<D::Item>) -> Result<B> + Send + Sync + 'static,
    ) -> Result<Self> {
        if opts.batch_size == 0 {
            return Err(Error::invalid(
                "DataLoader",
                "batch_size should be a positive integer value, but got batch_size=0",
            ));
        }
        if opts.num_workers == 0 && opts.prefetch_factor.is_some() {
            return Err(Error::invalid(
                "DataLoader",
                "prefetch_factor option could only be specified in multiprocessing. \
                 let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None.",
            ));
        }
        if opts.prefetch_factor == Some(0) {
            return Err(Error::invalid(
                "DataLoader",
                "prefetch_factor should be a positive integer value",
            ));
        }
        let generator = match opts.seed {
            Some(s) => Arc::new(Generator::new(s)),
            None => pass_generator(&None)?,
        };
        let loader = DataLoader {
            dataset: Arc::new(dataset),
            collate: Arc::new(collate_fn),
            opts,
            generator,
            sampler: None,
            batch_sampler: None,
        };
        loader.epoch_batch_sampler()?;
        Ok(loader)
    }

    /// Uses `sampler` for the order of samples (`sampler=`); mutually exclusive with
    /// `shuffle`.
    pub fn sampler(mut self, sampler: impl Sampler<Item = usize> + 'static) -> Result<Self> {
        if self.opts.shuffle {
            return Err(Error::invalid(
                "DataLoader",
                "sampler option is mutually exclusive with shuffle",
            ));
        }
        self.sampler = Some(Arc::new(sampler));
        self.epoch_batch_sampler()?;
        Ok(self)
    }

    /// Uses `batch_sampler` for the batches of indices (`batch_sampler=`); mutually exclusive
    /// with `batch_size` other than 1, `shuffle`, `sampler` and `drop_last`.
    pub fn batch_sampler(
        mut self,
        batch_sampler: impl Sampler<Item = Vec<usize>> + 'static,
    ) -> Result<Self> {
        if self.opts.batch_size != 1
            || self.opts.shuffle
            || self.sampler.is_some()
            || self.opts.drop_last
        {
            return Err(Error::invalid(
                "DataLoader",
                "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, \
                 and drop_last",
            ));
        }
        self.batch_sampler = Some(Arc::new(batch_sampler));
        Ok(self)
    }

    /// Draws the shuffle orders from `generator` (`generator=`).
    pub fn generator(mut self, generator: Arc<Generator>) -> Self {
        self.generator = generator;
        self
    }

    /// The dataset (`loader.dataset`).
    pub fn dataset(&self) -> &Arc<D> {
        &self.dataset
    }

    /// The options the loader was built with.
    pub fn options(&self) -> &DataLoaderOptions {
        &self.opts
    }

    /// Batches per epoch (`len(loader)`).
    pub fn len(&self) -> usize {
        self.epoch_batch_sampler().map_or(0, |s| s.len())
    }

    /// True when an epoch yields no batch.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The batch sampler of an epoch: the given one, else batches of the given sampler, of a
    /// `RandomSampler` on the loader's generator when shuffling, or of a `SequentialSampler`.
    fn epoch_batch_sampler(&self) -> Result<Arc<dyn Sampler<Item = Vec<usize>>>> {
        if let Some(bs) = &self.batch_sampler {
            return Ok(bs.clone());
        }
        let n = self.dataset.len();
        let (bs, drop_last) = (self.opts.batch_size, self.opts.drop_last);
        Ok(match &self.sampler {
            Some(s) => Arc::new(BatchSampler::new(s.clone(), bs, drop_last)?),
            None if self.opts.shuffle => {
                let opts = RandomSamplerOptions {
                    generator: Some(self.generator.clone()),
                    ..Default::default()
                };
                Arc::new(BatchSampler::new(
                    RandomSampler::new(n, opts)?,
                    bs,
                    drop_last,
                )?)
            }
            None => Arc::new(BatchSampler::new(SequentialSampler::new(n), bs, drop_last)?),
        })
    }

    fn fetch(&self) -> Fetch<B> {
        let (dataset, collate) = (self.dataset.clone(), self.collate.clone());
        Arc::new(move |indices: &[usize], stop: &AtomicBool| {
            let mut items = Vec::with_capacity(indices.len());
            for &i in indices {
                if stop.load(Ordering::Relaxed) {
                    return Err(Error::invalid("DataLoader", "stopped"));
                }
                items.push(
                    guarded("the dataset", || dataset.get(i))
                        .with_context(|| format!("sample {i}"))?,
                );
            }
            guarded("collate_fn", || collate(items))
        })
    }

    /// Starts an epoch (`iter(loader)`). An error setting it up (the sampler's, or starting
    /// the worker threads) is the first item.
    pub fn iter(&self) -> DataLoaderIter<B> {
        let mut it = DataLoaderIter {
            batches: None,
            pending_error: None,
            source: Source::Inline(self.fetch(), AtomicBool::new(false)),
            limit: 1,
        };
        match self.start(&mut it) {
            Ok(()) => it,
            Err(e) => {
                it.pending_error = Some(e);
                it
            }
        }
    }

    fn start(&self, it: &mut DataLoaderIter<B>) -> Result<()> {
        it.batches = Some(self.epoch_batch_sampler()?.iter()?);
        let workers = self.opts.num_workers;
        if workers > 0 {
            let limit = self.opts.prefetch_factor.unwrap_or(2) * workers;
            it.source = Source::Workers(WorkerPool::new(self.fetch(), workers, limit)?);
            it.limit = limit;
        }
        Ok(())
    }
}

impl<D: Dataset + 'static, B: Send + 'static> IntoIterator for &DataLoader<D, B> {
    type Item = Result<B>;
    type IntoIter = DataLoaderIter<B>;
    fn into_iter(self) -> DataLoaderIter<B> {
        self.iter()
    }
}

enum Source<B> {
    Inline(Fetch<B>, AtomicBool),
    Workers(WorkerPool<B>),
}

/// One epoch of a [`DataLoader`]: yields `Result<batch>` in sampler order. Dropping it stops
/// and joins the worker threads.
pub struct DataLoaderIter<B> {
    batches: Option<SamplerIter<Vec<usize>>>,
    pending_error: Option<Error>,
    source: Source<B>,
    limit: usize,
}

impl<B: Send + 'static> Iterator for DataLoaderIter<B> {
    type Item = Result<B>;

    fn next(&mut self) -> Option<Result<B>> {
        if let Some(e) = self.pending_error.take() {
            self.batches = None;
            return Some(Err(e));
        }
        let batches = self.batches.as_mut()?;
        match &mut self.source {
            Source::Inline(fetch, never) => {
                let indices = batches.next()?;
                Some(fetch(&indices, never).context("DataLoader"))
            }
            Source::Workers(pool) => {
                while pool.in_flight() < self.limit {
                    let Some(indices) = batches.next() else { break };
                    if let Err(e) = pool.submit(indices) {
                        self.batches = None;
                        return Some(Err(e));
                    }
                }
                if pool.in_flight() == 0 {
                    return None;
                }
                Some(pool.next_in_order())
            }
        }
    }
}
