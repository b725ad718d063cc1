//! `pad_waveforms`: batches waveforms of different lengths by zero-padding at the end, as the
//! torchaudio tutorials' `pad_sequence` collate does.

use torch_core::{Error, Result, Tensor};

/// Stacks `[channels, time_i]` waveforms into `[batch, channels, max_time]`, zero-padded at
/// the end, and returns each original length (`pad_sequence([w.t() for w in batch],
/// batch_first=True).permute(0, 2, 1)`).
pub fn pad_waveforms(batch: &[Tensor]) -> Result<(Tensor, Vec<usize>)> {
    const OP: &str = "pad_waveforms";
    let first = batch
        .first()
        .ok_or_else(|| Error::invalid(OP, "empty batch"))?;
    if first.dim() != 2 {
        return Err(Error::invalid(
            OP,
            format!(
                "expected [channels, time] waveforms, got shape {:?}",
                first.shape()
            ),
        ));
    }
    let lengths: Vec<usize> = batch
        .iter()
        .map(|w| w.shape().last().copied().unwrap_or(0))
        .collect();
    let max = lengths.iter().copied().max().unwrap_or(0);
    let padded = batch
        .iter()
        .map(|w| {
            if w.dim() != 2 || w.shape()[0] != first.shape()[0] {
                return Err(Error::shape(OP, first.shape(), w.shape()));
            }
            w.pad(&[0, (max - w.shape()[1]) as i64], "constant", 0.0)
        })
        .collect::<Result<Vec<_>>>()?;
    let refs: Vec<&Tensor> = padded.iter().collect();
    Ok((Tensor::stack(&refs, 0)?, lengths))
}
