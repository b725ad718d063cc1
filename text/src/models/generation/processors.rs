//! HuggingFace's logits processors on `(batch, vocab)` scores, as `transformers.generation`'s
//! `RepetitionPenaltyLogitsProcessor`, `TemperatureLogitsWarper`, `TopKLogitsWarper` and
//! `TopPLogitsWarper`: same rules, same order of operations.

use torch_core::{DType, Error, Result, Tensor};

/// Runs `f` on each row of `scores` `(B, V)` as f32 values and rebuilds the tensor.
fn map_rows(
    op: &'static str,
    scores: &Tensor,
    mut f: impl FnMut(usize, &mut [f32]),
) -> Result<Tensor> {
    if scores.dim() != 2 {
        return Err(Error::invalid(
            op,
            format!(
                "expected scores of shape (batch, vocab), got {:?}",
                scores.shape()
            ),
        ));
    }
    let v = scores.shape()[1];
    let mut data = scores.to_dtype(DType::F32)?.contiguous()?.to_vec::<f32>()?;
    if v > 0 {
        for (i, row) in data.chunks_mut(v).enumerate() {
            f(i, row);
        }
    }
    Tensor::from_vec(data, scores.shape())
}

/// `RepetitionPenaltyLogitsProcessor(penalty)`: for every token id in the row of
/// `input_ids` `(B, S)`, a negative score is multiplied by `penalty`, a positive one divided.
pub fn repetition_penalty(scores: &Tensor, input_ids: &Tensor, penalty: f64) -> Result<Tensor> {
    const OP: &str = "repetition_penalty";
    if penalty <= 0.0 {
        return Err(Error::invalid(
            OP,
            format!("`penalty` has to be a strictly positive float, but is {penalty}"),
        ));
    }
    let s = input_ids.shape().get(1).copied().unwrap_or(0);
    let ids = input_ids
        .to_dtype(DType::I64)?
        .contiguous()?
        .to_vec::<i64>()?;
    let penalty = penalty as f32;
    let mut bad = None;
    let out = map_rows(OP, scores, |b, row| {
        // Each distinct id once: HF gathers the scores, then scatters the penalised values.
        let mut row_ids: Vec<i64> = ids.iter().skip(b * s).take(s).copied().collect();
        row_ids.sort_unstable();
        row_ids.dedup();
        for id in row_ids {
            match row.get_mut(id as usize) {
                Some(x) if id >= 0 => *x = if *x < 0.0 { *x * penalty } else { *x / penalty },
                _ => bad = Some(id),
            }
        }
    })?;
    match bad {
        Some(id) => Err(Error::invalid(
            OP,
            format!(
                "token id {id} out of range for vocabulary of {}",
                scores.shape()[1]
            ),
        )),
        None => Ok(out),
    }
}

/// `TemperatureLogitsWarper(temperature)`: `scores / temperature`.
pub fn temperature(scores: &Tensor, temperature: f64) -> Result<Tensor> {
    if temperature <= 0.0 {
        return Err(Error::invalid(
            "temperature",
            format!("`temperature` has to be a strictly positive float, but is {temperature}"),
        ));
    }
    scores.div_scalar(temperature)
}

/// `TopKLogitsWarper(top_k, min_tokens_to_keep=1)`: scores below the k-th largest become -inf
/// (ties with the k-th are kept).
pub fn top_k(scores: &Tensor, k: usize, min_tokens_to_keep: usize) -> Result<Tensor> {
    let k = k.max(min_tokens_to_keep);
    map_rows("top_k", scores, |_, row| {
        let k = k.min(row.len());
        if k == 0 {
            return;
        }
        let mut sorted = row.to_vec();
        sorted.sort_by(|a, b| b.total_cmp(a));
        let kth = sorted[k - 1];
        for x in row.iter_mut() {
            if *x < kth {
                *x = f32::NEG_INFINITY;
            }
        }
    })
}

/// `TopPLogitsWarper(top_p, min_tokens_to_keep=1)`: sorting ascending, the tokens whose
/// cumulative probability is <= 1 - top_p become -inf, except the `min_tokens_to_keep` most
/// likely.
pub fn top_p(scores: &Tensor, top_p: f64, min_tokens_to_keep: usize) -> Result<Tensor> {
    if !(0.0..=1.0).contains(&top_p) {
        return Err(Error::invalid(
            "top_p",
            format!("`top_p` has to be a float in [0, 1], but is {top_p}"),
        ));
    }
    map_rows("top_p", scores, |_, row| {
        let mut order: Vec<usize> = (0..row.len()).collect();
        order.sort_by(|&a, &b| row[a].total_cmp(&row[b]));
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let exps: Vec<f32> = order.iter().map(|&i| (row[i] - max).exp()).collect();
        let total: f32 = exps.iter().sum();
        // torch's CPU cumsum accumulates in double.
        let mut cum = 0.0f64;
        let keep_from = row.len().saturating_sub(min_tokens_to_keep);
        let mut remove = Vec::new();
        for (pos, (&i, e)) in order.iter().zip(&exps).enumerate() {
            cum += f64::from(e / total);
            if (cum as f32) <= (1.0 - top_p) as f32 && pos < keep_from {
                remove.push(i);
            }
        }
        for i in remove {
            row[i] = f32::NEG_INFINITY;
        }
    })
}
