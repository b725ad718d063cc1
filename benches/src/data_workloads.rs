//! The torch_core::data workload (issue "data"): one epoch of a shuffled `DataLoader` over an
//! MNIST-sized `TensorDataset`, mirrored in `compare/bench_torch.py`.

use std::hint::black_box;

use torch_core::data::{DataLoader, DataLoaderOptions, TensorDataset};
use torch_core::{Tensor, TensorOptions};

use crate::{Metric, Workload};

/// Samples of the dataset: (N, 1, 28, 28) f32 images and N i64 labels.
pub const LOADER_N: usize = 60_000;
/// Batch size of the loader workload.
pub const LOADER_BATCH: usize = 64;

/// One full epoch: batch 64, shuffle, drop_last false, num_workers 0; each batch is the
/// stacked images `[64, 1, 28, 28]` and labels `[64]`.
fn loader_epoch() -> Workload {
    Workload::new(
        "dataloader_epoch_60000x1x28x28_b64",
        Metric::Samples(LOADER_N as f64),
        true,
        || {
            let x = Tensor::randn(&[LOADER_N, 1, 28, 28], TensorOptions::default())?;
            let y = Tensor::randint(0, 10, &[LOADER_N], TensorOptions::default())?;
            let opts = DataLoaderOptions {
                batch_size: LOADER_BATCH,
                shuffle: true,
                seed: Some(0),
                ..Default::default()
            };
            let loader = DataLoader::new(TensorDataset::new(vec![x, y])?, opts)?;
            Ok(Box::new(move || {
                for batch in &loader {
                    black_box(batch?);
                }
                Ok(())
            }))
        },
    )
}

/// The data workloads, in report order.
pub fn workloads() -> Vec<Workload> {
    vec![loader_epoch()]
}
