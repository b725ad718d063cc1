//! The training loop the text examples share: one epoch over a seeded shuffle in batches,
//! with the progress bar and the per-batch loss curve, and their Adam optimiser.

use torch_core::{DType, Generator, Result, TensorOptions};
use torch_nn::Module;
use torch_nn::optim::{Adam, AdamOptions};

use crate::progress::EpochBar;

/// `torch.optim.Adam(module.parameters(), lr=lr)`.
pub fn adam(module: &impl Module, lr: f64) -> Result<Adam> {
    Adam::new(
        module.parameters(),
        AdamOptions {
            lr,
            ..Default::default()
        },
    )
}

/// Epoch `epoch` of `epochs` over `0..n` shuffled by `shuffle`, in batches of `batch_size`:
/// `step(indices)` trains on one batch and returns its loss. Shows an [`EpochBar`], appends
/// `(fractional epoch, loss)` per batch to `curve`, and returns `(seconds, mean loss)`.
pub fn run_epoch(
    (epoch, epochs): (usize, usize),
    (n, batch_size): (usize, usize),
    shuffle: &Generator,
    curve: &mut Vec<(f64, f64)>,
    mut step: impl FnMut(&[usize]) -> Result<f64>,
) -> Result<(f64, f64)> {
    let perm = shuffle.randperm(n, TensorOptions::default().dtype(DType::I64))?;
    let perm: Vec<usize> = perm
        .to_vec::<i64>()?
        .into_iter()
        .map(|i| i as usize)
        .collect();
    let batches = n.div_ceil(batch_size.max(1));
    let mut bar = EpochBar::new(epoch, epochs, batches);
    for (b, pick) in perm.chunks(batch_size.max(1)).enumerate() {
        let loss = step(pick)?;
        bar.step(pick.len(), loss);
        curve.push(((epoch - 1) as f64 + (b + 1) as f64 / batches as f64, loss));
    }
    let out = (bar.seconds(), bar.mean_loss());
    bar.finish();
    Ok(out)
}
