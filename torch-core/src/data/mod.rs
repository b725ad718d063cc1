//! `torch.utils.data`: datasets ([`Dataset`], [`IterableDataset`], [`TensorDataset`],
//! [`Subset`], [`ConcatDataset`], [`random_split`]), samplers ([`SequentialSampler`],
//! [`RandomSampler`], [`SubsetRandomSampler`], [`WeightedRandomSampler`],
//! [`BatchSampler`]), collation ([`default_collate`]) and [`DataLoader`].
//!
//! Randomness always comes from a [`Generator`](crate::Generator): a sampler's own, or a
//! loader's (seeded by `DataLoaderOptions::seed`); without one, a fresh generator seeded by a
//! draw from the default generator, as in PyTorch, so `manual_seed` makes runs repeat.
//! Worker threads replace PyTorch's worker processes: the dataset is shared through an `Arc`,
//! so it is `Send + Sync`.

mod batch_sampler;
mod collate;
mod concat;
mod dataset;
mod loader;
mod sampler;
mod subset;
mod weighted;
mod worker;

pub use batch_sampler::BatchSampler;
pub use collate::{DefaultCollate, default_collate};
pub use concat::ConcatDataset;
pub use dataset::{Dataset, IterableDataset, TensorDataset};
pub use loader::{DataLoader, DataLoaderIter, DataLoaderOptions};
pub use sampler::{
    RandomSampler, RandomSamplerOptions, Sampler, SamplerIter, SequentialSampler,
    SubsetRandomSampler,
};
pub use subset::{Subset, fraction_lengths, random_split, random_split_fractions};
pub use weighted::{WeightedRandomSampler, WeightedRandomSamplerOptions};
