//! `embedding`, `embedding_bag`, `one_hot` (torch.nn.functional's).

use torch_core::{DType, Error, Result, Tensor, TensorOptions};

/// Rows of `weight` picked by the integer tensor `input`, as `F.embedding(input, weight,
/// padding_idx)`: output shape `input.shape + [embedding_dim]`. The row `padding_idx` gets no
/// gradient.
pub fn embedding(input: &Tensor, weight: &Tensor, padding_idx: Option<i64>) -> Result<Tensor> {
    if input.dtype().is_float() || weight.dim() != 2 {
        return Err(Error::invalid(
            "embedding",
            format!(
                "expected integer indices and a 2-D weight, got indices {:?} {:?} and weight {:?}",
                input.dtype(),
                input.shape(),
                weight.shape()
            ),
        ));
    }
    let idx = input.reshape(&[-1])?.to_dtype(DType::I64)?;
    let rows = weight.index_select(0, &idx)?;
    let rows = match padding_idx {
        Some(p) if weight.requires_grad() => {
            let p = if p < 0 {
                p + weight.shape()[0] as i64
            } else {
                p
            };
            // Same values; the padding rows come from a detached copy so no gradient flows.
            let is_pad = idx.eq_scalar(p as f64)?.unsqueeze(1)?;
            rows.detach().where_cond(&is_pad, &rows)?
        }
        _ => rows,
    };
    let mut shape: Vec<i64> = input.shape().iter().map(|&d| d as i64).collect();
    shape.push(weight.shape()[1] as i64);
    rows.reshape(&shape)
}

/// How `embedding_bag` reduces each bag.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BagMode {
    Sum,
    /// PyTorch's default.
    #[default]
    Mean,
    Max,
}

/// Reduced embeddings of bags, as `F.embedding_bag(input, weight, offsets, mode=...,
/// per_sample_weights=..., padding_idx=...)`. `input` is 2-D `(B, L)` (fixed-size bags,
/// `offsets = None`) or 1-D with `offsets` giving each bag's start. Empty bags give zeros.
/// `per_sample_weights` (same shape as `input`) is only allowed with `BagMode::Sum`.
pub fn embedding_bag(
    input: &Tensor,
    weight: &Tensor,
    offsets: Option<&Tensor>,
    mode: BagMode,
    per_sample_weights: Option<&Tensor>,
    padding_idx: Option<i64>,
) -> Result<Tensor> {
    if per_sample_weights.is_some() && mode != BagMode::Sum {
        return Err(Error::invalid(
            "embedding_bag",
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum'",
        ));
    }
    let (flat, starts): (Tensor, Vec<usize>) = match (input.dim(), offsets) {
        (2, None) => {
            let (b, l) = (input.shape()[0], input.shape()[1]);
            (input.reshape(&[-1])?, (0..b).map(|i| i * l).collect())
        }
        (1, Some(o)) => {
            let starts: Vec<usize> = o
                .to_dtype(DType::I64)?
                .to_vec::<i64>()?
                .into_iter()
                .map(|v| v.max(0) as usize)
                .collect();
            (input.clone(), starts)
        }
        _ => {
            return Err(Error::invalid(
                "embedding_bag",
                format!(
                    "input has to be 1D with offsets or 2D without, got input {:?} and offsets {}",
                    input.shape(),
                    if offsets.is_some() { "given" } else { "None" }
                ),
            ));
        }
    };
    let idx = flat.to_dtype(DType::I64)?;
    let n = idx.numel();
    let emb = weight.index_select(0, &idx)?;
    let emb = match per_sample_weights {
        Some(w) => emb.mul(&w.reshape(&[-1, 1])?)?,
        None => emb,
    };
    // Entries equal to padding_idx are left out of their bag.
    let ids: Vec<i64> = idx.to_vec::<i64>()?;
    let pad = padding_idx.map(|p| {
        if p < 0 {
            p + weight.shape()[0] as i64
        } else {
            p
        }
    });
    let bags = starts.len();
    let mut bag_of = Vec::with_capacity(n);
    let mut counts = vec![0usize; bags];
    for b in 0..bags {
        let end = starts.get(b + 1).copied().unwrap_or(n).min(n);
        for &id in ids.iter().take(end).skip(starts[b]) {
            let keep = Some(id) != pad;
            bag_of.push(if keep { b as i64 } else { -1 });
            counts[b] += keep as usize;
        }
    }
    let dim = weight.shape()[1];
    let opts = TensorOptions::default().dtype(weight.dtype());
    let keep: Vec<i64> = (0..bag_of.len() as i64)
        .filter(|&i| bag_of[i as usize] >= 0)
        .collect();
    let keep_idx = Tensor::from_vec(keep.clone(), &[keep.len()])?;
    let emb = emb.index_select(0, &keep_idx)?;
    let targets: Vec<i64> = keep.iter().map(|&i| bag_of[i as usize]).collect();
    let targets = Tensor::from_vec(targets, &[keep.len()])?;
    match mode {
        BagMode::Sum | BagMode::Mean => {
            let out = Tensor::zeros(&[bags, dim], opts)?.index_add(0, &targets, &emb)?;
            if mode == BagMode::Sum {
                return Ok(out);
            }
            let c: Vec<f64> = counts.iter().map(|&c| c.max(1) as f64).collect();
            out.div(&Tensor::from_vec(c, &[bags, 1])?.to_dtype(weight.dtype())?)
        }
        BagMode::Max => {
            let mut rows = Vec::with_capacity(bags);
            let mut at = 0i64;
            for &c in &counts {
                rows.push(if c == 0 {
                    Tensor::zeros(&[dim], opts)?
                } else {
                    emb.narrow(0, at, c)?.amax(&[0], false)?
                });
                at += c as i64;
            }
            let refs: Vec<&Tensor> = rows.iter().collect();
            Tensor::stack(&refs, 0)
        }
    }
}
