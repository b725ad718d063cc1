//! Loss functions (torch.nn.functional's), as composites of differentiable ops, each with
//! PyTorch's reduction semantics. CTC lives in `ctc.rs`.

use torch_core::{DType, Error, Result, Tensor};

/// How a loss reduces its per-element values (`reduction=`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reduction {
    /// Per-element losses (`'none'`).
    None,
    /// The mean (`'mean'`, PyTorch's default).
    #[default]
    Mean,
    /// The sum (`'sum'`).
    Sum,
}

pub(crate) fn reduce(loss: Tensor, reduction: Reduction) -> Result<Tensor> {
    match reduction {
        Reduction::None => Ok(loss),
        Reduction::Mean => loss.mean(),
        Reduction::Sum => loss.sum(),
    }
}

fn same_shape(op: &'static str, input: &Tensor, target: &Tensor) -> Result<()> {
    if input.shape() != target.shape() {
        return Err(Error::ShapeMismatch {
            op,
            lhs: input.shape().to_vec(),
            rhs: target.shape().to_vec(),
            detail: "input and target must have the same shape".into(),
        });
    }
    Ok(())
}

/// `(x - y)²`, as `F.mse_loss(input, target, reduction)`.
pub fn mse_loss(input: &Tensor, target: &Tensor, reduction: Reduction) -> Result<Tensor> {
    same_shape("mse_loss", input, target)?;
    let d = input.sub(target)?;
    reduce(d.mul(&d)?, reduction)
}

/// `|x - y|`, as `F.l1_loss(input, target, reduction)`.
pub fn l1_loss(input: &Tensor, target: &Tensor, reduction: Reduction) -> Result<Tensor> {
    same_shape("l1_loss", input, target)?;
    reduce(input.sub(target)?.abs()?, reduction)
}

/// `0.5 d² / beta` if `|d| < beta` else `|d| - 0.5 beta`, as `F.smooth_l1_loss(input, target,
/// reduction, beta=1.0)`; `beta = 0` is L1.
pub fn smooth_l1_loss(
    input: &Tensor,
    target: &Tensor,
    reduction: Reduction,
    beta: f64,
) -> Result<Tensor> {
    same_shape("smooth_l1_loss", input, target)?;
    if beta < 0.0 {
        return Err(Error::invalid(
            "smooth_l1_loss",
            "smooth_l1_loss does not support negative values for beta.",
        ));
    }
    let d = input.sub(target)?.abs()?;
    if beta == 0.0 {
        return reduce(d, reduction);
    }
    let quad = d.mul(&d)?.mul_scalar(0.5 / beta)?;
    let lin = d.sub_scalar(0.5 * beta)?;
    reduce(quad.where_cond(&d.lt_scalar(beta)?, &lin)?, reduction)
}

/// `0.5 d²` if `|d| <= delta` else `delta (|d| - 0.5 delta)`, as `F.huber_loss(input, target,
/// reduction, delta=1.0)`.
pub fn huber_loss(
    input: &Tensor,
    target: &Tensor,
    reduction: Reduction,
    delta: f64,
) -> Result<Tensor> {
    same_shape("huber_loss", input, target)?;
    let d = input.sub(target)?.abs()?;
    let quad = d.mul(&d)?.mul_scalar(0.5)?;
    let lin = d.sub_scalar(0.5 * delta)?.mul_scalar(delta)?;
    reduce(quad.where_cond(&d.le_scalar(delta)?, &lin)?, reduction)
}

/// Options of `nll_loss` and `cross_entropy` (PyTorch's defaults: no weight, ignore_index
/// -100, mean, no label smoothing).
#[derive(Clone, Debug)]
pub struct CrossEntropyOptions {
    /// Per-class weight `(C,)`.
    pub weight: Option<Tensor>,
    /// Targets equal to this class index contribute nothing.
    pub ignore_index: i64,
    pub reduction: Reduction,
    /// Mixes the target with the uniform distribution: `(1 - ε) target + ε / C`.
    pub label_smoothing: f64,
}

impl Default for CrossEntropyOptions {
    fn default() -> Self {
        CrossEntropyOptions {
            weight: None,
            ignore_index: -100,
            reduction: Reduction::Mean,
            label_smoothing: 0.0,
        }
    }
}

/// Moves the class dim (1) last and flattens: `(N, C, d...)` → `(N*d..., C)`; `(C,)` → `(1, C)`.
fn classes_last(input: &Tensor) -> Result<Tensor> {
    match input.dim() {
        1 => input.unsqueeze(0),
        2 => Ok(input.clone()),
        _ => {
            let c = input.shape()[1] as i64;
            input.movedim(1, -1)?.reshape(&[-1, c])
        }
    }
}

fn check_targets(op: &'static str, input: &Tensor, target: &Tensor) -> Result<()> {
    let expected: Vec<usize> = match input.dim() {
        1 => vec![],
        _ => input
            .shape()
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != 1)
            .map(|(_, &d)| d)
            .collect(),
    };
    if target.shape() != expected.as_slice() {
        return Err(Error::ShapeMismatch {
            op,
            lhs: input.shape().to_vec(),
            rhs: target.shape().to_vec(),
            detail: "class-index target must have the input's shape without dim 1".into(),
        });
    }
    if target.dtype().is_float() {
        return Err(Error::invalid(
            op,
            "expected integer class indices as target",
        ));
    }
    Ok(())
}

/// Negative log-likelihood of class indices given log-probabilities `(N, C, d...)`, as
/// `F.nll_loss(input, target, weight, ignore_index, reduction)`. With `Mean` the sum is
/// divided by the total weight of the non-ignored targets.
pub fn nll_loss(input: &Tensor, target: &Tensor, o: &CrossEntropyOptions) -> Result<Tensor> {
    check_targets("nll_loss", input, target)?;
    let logp = classes_last(input)?;
    let c = logp.shape()[1];
    let t = target.reshape(&[-1])?.to_dtype(DType::I64)?;
    let ignored = t.eq_scalar(o.ignore_index as f64)?;
    let safe_t = t.masked_fill(&ignored, 0i64)?;
    let bad: Vec<i64> = safe_t
        .to_vec::<i64>()?
        .into_iter()
        .filter(|&v| v < 0 || v >= c as i64)
        .collect();
    if let Some(v) = bad.first() {
        return Err(Error::IndexOutOfRange {
            op: "nll_loss",
            index: *v,
            dim: 1,
            size: c,
        });
    }
    let picked = logp
        .gather(1, &safe_t.unsqueeze(1)?)?
        .squeeze_dim(1)?
        .neg()?;
    let keep = ignored.logical_not()?.to_dtype(input.dtype())?;
    let w = match &o.weight {
        Some(w) => w.index_select(0, &safe_t)?.mul(&keep)?,
        None => keep,
    };
    let loss = picked.mul(&w)?;
    match o.reduction {
        Reduction::None => {
            loss.reshape(&target.shape().iter().map(|&d| d as i64).collect::<Vec<_>>())
        }
        Reduction::Sum => loss.sum(),
        Reduction::Mean => loss.sum()?.div(&w.sum()?),
    }
}

/// Cross-entropy between logits `(N, C, d...)` (or `(C,)`) and either class indices (integer
/// target of the input's shape without dim 1) or class probabilities (float target of the
/// input's shape), as `F.cross_entropy(input, target, weight, ignore_index, reduction,
/// label_smoothing)`: `nll_loss(log_softmax(input, 1), target)` with PyTorch's smoothing rule.
pub fn cross_entropy(input: &Tensor, target: &Tensor, o: &CrossEntropyOptions) -> Result<Tensor> {
    let class_dim = if input.dim() == 1 { 0 } else { 1 };
    let logp = input.log_softmax(class_dim)?;
    let c = input.shape().get(class_dim as usize).copied().unwrap_or(0) as f64;
    let eps = o.label_smoothing;
    if !(0.0..=1.0).contains(&eps) {
        return Err(Error::invalid(
            "cross_entropy",
            format!("label_smoothing must be between 0.0 and 1.0. Got: {eps}"),
        ));
    }
    let weight_b = |t: &Tensor| -> Result<Tensor> {
        match &o.weight {
            Some(w) => {
                let mut s = vec![1i64; input.dim()];
                s[class_dim as usize] = w.numel() as i64;
                t.mul(&w.reshape(&s)?)
            }
            None => Ok(t.clone()),
        }
    };
    if target.dtype().is_float() {
        same_shape("cross_entropy", input, target)?;
        let target = if eps > 0.0 {
            target.mul_scalar(1.0 - eps)?.add_scalar(eps / c)?
        } else {
            target.clone()
        };
        let loss = weight_b(&logp.mul(&target)?)?
            .sum_dim(&[class_dim], false)?
            .neg()?;
        return match o.reduction {
            Reduction::None => Ok(loss),
            Reduction::Sum => loss.sum(),
            Reduction::Mean => loss.sum()?.div_scalar(input.numel() as f64 / c),
        };
    }
    let nll = nll_loss(&logp, target, o)?;
    if eps == 0.0 {
        return Ok(nll);
    }
    let ignored = target.eq_scalar(o.ignore_index as f64)?;
    let smooth = weight_b(&logp)?
        .sum_dim(&[class_dim], false)?
        .neg()?
        .masked_fill(&ignored, 0.0)?;
    let smooth = match o.reduction {
        Reduction::None => smooth,
        Reduction::Sum => smooth.sum()?,
        Reduction::Mean => {
            let denom = match &o.weight {
                Some(w) => {
                    let t = target.reshape(&[-1])?.to_dtype(DType::I64)?;
                    let kept = t.masked_select(&ignored.reshape(&[-1])?.logical_not()?)?;
                    w.index_select(0, &kept)?.sum()?
                }
                None => ignored.logical_not()?.to_dtype(input.dtype())?.sum()?,
            };
            smooth.sum()?.div(&denom)?
        }
    };
    nll.mul_scalar(1.0 - eps)?.add(&smooth.mul_scalar(eps / c)?)
}

/// `-w (y log x + (1 - y) log(1 - x))` with the logs clamped at -100, as
/// `F.binary_cross_entropy(input, target, weight, reduction)`.
pub fn binary_cross_entropy(
    input: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    reduction: Reduction,
) -> Result<Tensor> {
    same_shape("binary_cross_entropy", input, target)?;
    let log_x = input.log()?.clamp(Some(-100.0), None)?;
    let log_1mx = input
        .neg()?
        .add_scalar(1.0)?
        .log()?
        .clamp(Some(-100.0), None)?;
    let loss = target
        .mul(&log_x)?
        .add(&target.neg()?.add_scalar(1.0)?.mul(&log_1mx)?)?
        .neg()?;
    let loss = match weight {
        Some(w) => loss.mul(w)?,
        None => loss,
    };
    reduce(loss, reduction)
}

/// Binary cross-entropy on logits, computed stably, as
/// `F.binary_cross_entropy_with_logits(input, target, weight, reduction, pos_weight)`:
/// `(1 - y) x + (1 + (pw - 1) y) (log(1 + exp(-|x|)) + max(-x, 0))`.
pub fn binary_cross_entropy_with_logits(
    input: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    reduction: Reduction,
    pos_weight: Option<&Tensor>,
) -> Result<Tensor> {
    same_shape("binary_cross_entropy_with_logits", input, target)?;
    let softplus_neg = input
        .abs()?
        .neg()?
        .exp()?
        .log1p()?
        .add(&input.neg()?.relu()?)?;
    let one_minus_y = target.neg()?.add_scalar(1.0)?;
    let loss = match pos_weight {
        Some(pw) => {
            let log_weight = pw.sub_scalar(1.0)?.mul(target)?.add_scalar(1.0)?;
            one_minus_y
                .mul(input)?
                .add(&log_weight.mul(&softplus_neg)?)?
        }
        None => one_minus_y.mul(input)?.add(&softplus_neg)?,
    };
    let loss = match weight {
        Some(w) => loss.mul(w)?,
        None => loss,
    };
    reduce(loss, reduction)
}

/// Reduction of `kl_div`, which adds `batchmean`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KlReduction {
    None,
    /// PyTorch's default (warns there that it is not the KL divergence; `BatchMean` is).
    #[default]
    Mean,
    Sum,
    /// Sum divided by the batch size (dim 0).
    BatchMean,
}

/// KL divergence with `input` as log-probabilities, as `F.kl_div(input, target, reduction,
/// log_target)`: `target (log target - input)` (0 where target is 0), or
/// `exp(target) (target - input)` with `log_target`.
pub fn kl_div(
    input: &Tensor,
    target: &Tensor,
    reduction: KlReduction,
    log_target: bool,
) -> Result<Tensor> {
    let loss = if log_target {
        target.exp()?.mul(&target.sub(input)?)?
    } else {
        // xlogy(t, t): 0 where t == 0.
        let zero = target.eq_scalar(0.0)?;
        let safe = target.masked_fill(&zero, 1.0)?;
        target.mul(&safe.log()?)?.sub(&target.mul(input)?)?
    };
    match reduction {
        KlReduction::None => Ok(loss),
        KlReduction::Mean => loss.mean(),
        KlReduction::Sum => loss.sum(),
        KlReduction::BatchMean => loss
            .sum()?
            .div_scalar(input.shape().first().copied().unwrap_or(1) as f64),
    }
}

/// `max(0, -y (x1 - x2) + margin)`, as `F.margin_ranking_loss(x1, x2, y, margin, reduction)`.
pub fn margin_ranking_loss(
    x1: &Tensor,
    x2: &Tensor,
    y: &Tensor,
    margin: f64,
    reduction: Reduction,
) -> Result<Tensor> {
    reduce(
        y.neg()?.mul(&x1.sub(x2)?)?.add_scalar(margin)?.relu()?,
        reduction,
    )
}

/// `x1·x2 / max(‖x1‖ ‖x2‖, eps)` along `dim`, as `F.cosine_similarity(x1, x2, dim=1,
/// eps=1e-8)` (each norm clamped at `eps`, as ATen does).
pub fn cosine_similarity(x1: &Tensor, x2: &Tensor, dim: i64, eps: f64) -> Result<Tensor> {
    let n1 = x1.norm(2.0, &[dim], true)?.clamp(Some(eps), None)?;
    let n2 = x2.norm(2.0, &[dim], true)?.clamp(Some(eps), None)?;
    x1.div(&n1)?.mul(&x2.div(&n2)?)?.sum_dim(&[dim], false)
}

/// `‖x1 - x2 + eps‖_p` over the last dim, as `F.pairwise_distance(x1, x2, p=2.0, eps=1e-6,
/// keepdim=False)`.
pub fn pairwise_distance(
    x1: &Tensor,
    x2: &Tensor,
    p: f64,
    eps: f64,
    keepdim: bool,
) -> Result<Tensor> {
    x1.sub(x2)?.add_scalar(eps)?.norm(p, &[-1], keepdim)
}

/// `1 - cos(x1, x2)` for `y = 1`, `max(0, cos(x1, x2) - margin)` for `y = -1`, as
/// `F.cosine_embedding_loss(x1, x2, y, margin=0, reduction)`.
pub fn cosine_embedding_loss(
    x1: &Tensor,
    x2: &Tensor,
    y: &Tensor,
    margin: f64,
    reduction: Reduction,
) -> Result<Tensor> {
    // ATen's formula: squared magnitudes padded by 1e-12 before the square root.
    const EPSILON: f64 = 1e-12;
    let d = x1.dim() as i64 - 1;
    let prod = x1.mul(x2)?.sum_dim(&[d], false)?;
    let m1 = x1.mul(x1)?.sum_dim(&[d], false)?.add_scalar(EPSILON)?;
    let m2 = x2.mul(x2)?.sum_dim(&[d], false)?.add_scalar(EPSILON)?;
    let cos = prod.div(&m1.mul(&m2)?.sqrt()?)?;
    let pos = cos.neg()?.add_scalar(1.0)?;
    let neg = cos.sub_scalar(margin)?.relu()?;
    let zeros = cos.mul_scalar(0.0)?;
    let loss = pos
        .where_cond(&y.eq_scalar(1.0)?, &zeros)?
        .add(&neg.where_cond(&y.eq_scalar(-1.0)?, &zeros)?)?;
    reduce(loss, reduction)
}

/// Options of `triplet_margin_loss` (PyTorch's defaults: margin 1, p 2, eps 1e-6, no swap,
/// mean).
#[derive(Clone, Debug)]
pub struct TripletMarginOptions {
    pub margin: f64,
    pub p: f64,
    pub eps: f64,
    pub swap: bool,
    pub reduction: Reduction,
}

impl Default for TripletMarginOptions {
    fn default() -> Self {
        TripletMarginOptions {
            margin: 1.0,
            p: 2.0,
            eps: 1e-6,
            swap: false,
            reduction: Reduction::Mean,
        }
    }
}

/// `max(d(a, p) - d(a, n) + margin, 0)` with `d` the pairwise p-norm distance, as
/// `F.triplet_margin_loss(anchor, positive, negative, ...)`; `swap` uses `min(d(a, n),
/// d(p, n))`.
pub fn triplet_margin_loss(
    anchor: &Tensor,
    positive: &Tensor,
    negative: &Tensor,
    o: &TripletMarginOptions,
) -> Result<Tensor> {
    let d_ap = pairwise_distance(anchor, positive, o.p, o.eps, false)?;
    let mut d_an = pairwise_distance(anchor, negative, o.p, o.eps, false)?;
    if o.swap {
        d_an = d_an.minimum(&pairwise_distance(positive, negative, o.p, o.eps, false)?)?;
    }
    reduce(d_ap.sub(&d_an)?.add_scalar(o.margin)?.relu()?, o.reduction)
}
