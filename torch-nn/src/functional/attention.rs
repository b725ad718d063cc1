//! `scaled_dot_product_attention` (torch.nn.functional's), as a composite (R2): matmul,
//! masking, softmax, dropout, matmul. Gradients come from the primitives.

use torch_core::{DType, Error, Result, Tensor, TensorOptions};

use super::dropout;

/// Whether `shape` broadcasts to `target` (PyTorch's rules, aligned at the last dim).
pub(crate) fn broadcasts_to(shape: &[usize], target: &[usize]) -> bool {
    shape.len() <= target.len()
        && shape
            .iter()
            .rev()
            .zip(target.iter().rev())
            .all(|(&s, &t)| s == 1 || s == t)
}

/// The `(L, S)` mask that is true on and below the diagonal (top-left aligned, as PyTorch's
/// `torch.ones(L, S).tril()`): query `i` attends to keys `0..=i`.
fn causal_keep(l: usize, s: usize) -> Result<Tensor> {
    let keep: Vec<bool> = (0..l).flat_map(|i| (0..s).map(move |j| j <= i)).collect();
    Tensor::from_vec(keep, &[l, s])
}

/// Attention `softmax(q kᵀ · scale + mask) v`, as `F.scaled_dot_product_attention(query, key,
/// value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None)`.
///
/// `q` is `(..., L, E)`, `k` `(..., S, E)`, `v` `(..., S, Ev)`; the batch dims broadcast and
/// the output is `(..., L, Ev)`. `attn_mask` broadcasts to `(..., L, S)`: a bool mask is true
/// where a query may attend to a key, a float mask is added to the scores. `is_causal` applies
/// the top-left causal mask and cannot be combined with `attn_mask`. `scale` defaults to
/// `1 / sqrt(E)`. Dropout with probability `dropout_p` is applied to the attention weights
/// whenever `dropout_p > 0` (pass 0 in evaluation). A query row whose keys are all masked
/// gives zeros (PyTorch's `_safe_softmax`), not NaN. Composite.
pub fn scaled_dot_product_attention(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    attn_mask: Option<&Tensor>,
    dropout_p: f64,
    is_causal: bool,
    scale: Option<f64>,
) -> Result<Tensor> {
    const OP: &str = "scaled_dot_product_attention";
    let e = q.shape().last().copied().unwrap_or(0);
    let shapes_ok = q.dim() >= 2
        && k.dim() >= 2
        && v.dim() >= 2
        && k.shape().last() == Some(&e)
        && k.shape()[k.dim() - 2] == v.shape()[v.dim() - 2];
    if !shapes_ok {
        return Err(Error::invalid(
            OP,
            format!(
                "expected query (..., L, E), key (..., S, E) and value (..., S, Ev), got query {:?}, key {:?} and value {:?}",
                q.shape(),
                k.shape(),
                v.shape()
            ),
        ));
    }
    if is_causal && attn_mask.is_some() {
        return Err(Error::invalid(
            OP,
            "_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True",
        ));
    }
    let scale = scale.unwrap_or(1.0 / (e as f64).sqrt());
    let (l, s) = (q.shape()[q.dim() - 2], k.shape()[k.dim() - 2]);
    // The mask as an additive float mask of its own (small) shape: -inf where a key is masked.
    let additive = match attn_mask {
        _ if is_causal => Some(neg_inf_where_not(&causal_keep(l, s)?, q.dtype())?),
        None => None,
        Some(m) => {
            let mut scores_shape = broadcast_batch(q.shape(), k.shape());
            scores_shape.extend([l, s]);
            if !broadcasts_to(m.shape(), &scores_shape) {
                return Err(Error::ShapeMismatch {
                    op: OP,
                    lhs: m.shape().to_vec(),
                    rhs: scores_shape,
                    detail: "attn_mask must broadcast to the attention scores (..., L, S)".into(),
                });
            }
            match m.dtype() {
                DType::Bool => Some(neg_inf_where_not(m, q.dtype())?),
                d if d == q.dtype() => Some(m.clone()),
                d => {
                    return Err(Error::invalid(
                        OP,
                        format!(
                            "Expected attn_mask dtype to be bool or float or to match query dtype, got attn_mask {d:?} and query {:?}",
                            q.dtype()
                        ),
                    ));
                }
            }
        }
    };
    // Scaling q (..., L, E) instead of the scores (..., L, S) is one pass over the smaller one.
    let scores = q.mul_scalar(scale)?.matmul(&k.transpose(-2, -1)?)?;
    let weights = match additive {
        None => scores.softmax(-1)?,
        Some(m) => {
            // A query row whose keys are all masked is dead in the mask itself, so the check
            // runs on the mask's shape rather than on the scores.
            let dead = m.eq_scalar(f64::NEG_INFINITY)?.all_dim(&[-1], true)?;
            let scores = scores.add(&m)?;
            if dead.any()?.item()? == 0.0 {
                scores.softmax(-1)?
            } else {
                safe_softmax(&scores)?
            }
        }
    };
    let weights = if dropout_p > 0.0 {
        dropout(&weights, dropout_p, true)?
    } else {
        weights
    };
    weights.matmul(v)
}

/// `0` where `keep` is true, `-inf` where it is false, as `dtype`.
fn neg_inf_where_not(keep: &Tensor, dtype: DType) -> Result<Tensor> {
    Tensor::zeros(keep.shape(), TensorOptions::default().dtype(dtype))?
        .masked_fill(&keep.logical_not()?, f64::NEG_INFINITY)
}

/// The broadcast of the batch dims (all but the last two) of `q` and `k`, aligned at the end.
fn broadcast_batch(q: &[usize], k: &[usize]) -> Vec<usize> {
    let (qb, kb) = (&q[..q.len() - 2], &k[..k.len() - 2]);
    let n = qb.len().max(kb.len());
    (0..n)
        .map(|i| {
            let pick = |b: &[usize]| (i + b.len()).checked_sub(n).map_or(1, |j| b[j]);
            // PyTorch's broadcast: a 1 takes the other size (0 included).
            match (pick(qb), pick(kb)) {
                (1, other) | (other, _) => other,
            }
        })
        .collect()
}

/// Softmax over the last dim whose fully masked rows (all `-inf`) give zeros; their scores
/// are replaced before the softmax so that no NaN reaches the backward pass either.
fn safe_softmax(scores: &Tensor) -> Result<Tensor> {
    let dead = scores.eq_scalar(f64::NEG_INFINITY)?.all_dim(&[-1], true)?;
    if dead.any()?.item()? == 0.0 {
        return scores.softmax(-1);
    }
    scores
        .masked_fill(&dead, 0.0)?
        .softmax(-1)?
        .masked_fill(&dead, 0.0)
}

/// A bool padding or attention mask as the additive float mask PyTorch's `_canonical_mask`
/// makes of it (`-inf` where true, 0 elsewhere); float masks pass through.
pub(crate) fn canonical_mask(
    op: &'static str,
    name: &str,
    mask: Option<&Tensor>,
    dtype: DType,
) -> Result<Option<Tensor>> {
    match mask {
        None => Ok(None),
        Some(m) if m.dtype() == DType::Bool => Ok(Some(
            Tensor::zeros(m.shape(), TensorOptions::default().dtype(dtype))?
                .masked_fill(m, f64::NEG_INFINITY)?,
        )),
        Some(m) if m.dtype().is_float() => Ok(Some(m.clone())),
        Some(m) => Err(Error::invalid(
            op,
            format!(
                "only bool and floating types of {name} are supported, got {:?}",
                m.dtype()
            ),
        )),
    }
}
