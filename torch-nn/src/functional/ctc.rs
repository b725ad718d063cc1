//! Connectionist temporal classification loss (`F.ctc_loss`): the alpha-beta recursions in
//! log space, computed in f64 per sequence, with PyTorch's gradient rule.

use torch_core::autograd::{BackwardCtx, GradFn};
use torch_core::{DType, Error, Result, Tensor};

use super::loss::Reduction;

/// Options of `ctc_loss` (PyTorch's defaults: blank 0, mean, zero_infinity false).
#[derive(Clone, Debug, Default)]
pub struct CtcOptions {
    pub blank: usize,
    pub reduction: Reduction,
    /// Replace infinite losses (impossible alignments) and their gradients by zero.
    pub zero_infinity: bool,
}

fn log_add(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    let m = a.max(b);
    m + ((a - m).exp() + (b - m).exp()).ln()
}

/// One sequence: log-probs `lp[t][c]` (row-major `t * C + c`), its extended label `l'`
/// (blanks interleaved). Returns the loss and the gradient with respect to `lp`.
fn ctc_one(
    lp: &[f64],
    classes: usize,
    len: usize,
    target: &[usize],
    blank: usize,
) -> (f64, Vec<f64>) {
    let s_len = 2 * target.len() + 1;
    let label = |s: usize| {
        if s.is_multiple_of(2) {
            blank
        } else {
            target[s / 2]
        }
    };
    let neg = f64::NEG_INFINITY;
    let at = |t: usize, c: usize| lp[t * classes + c];
    let mut alpha = vec![neg; len * s_len];
    let mut beta = vec![neg; len * s_len];
    if len == 0 {
        let loss = if target.is_empty() {
            0.0
        } else {
            f64::INFINITY
        };
        return (loss, Vec::new());
    }
    alpha[0] = at(0, blank);
    if s_len > 1 {
        alpha[1] = at(0, label(1));
    }
    for t in 1..len {
        for s in 0..s_len {
            let mut a = alpha[(t - 1) * s_len + s];
            if s >= 1 {
                a = log_add(a, alpha[(t - 1) * s_len + s - 1]);
            }
            if s >= 2 && label(s) != blank && label(s) != label(s - 2) {
                a = log_add(a, alpha[(t - 1) * s_len + s - 2]);
            }
            alpha[t * s_len + s] = a + at(t, label(s));
        }
    }
    let last = (len - 1) * s_len;
    let ll = if s_len > 1 {
        log_add(alpha[last + s_len - 1], alpha[last + s_len - 2])
    } else {
        alpha[last]
    };
    beta[last + s_len - 1] = at(len - 1, blank);
    if s_len > 1 {
        beta[last + s_len - 2] = at(len - 1, label(s_len - 2));
    }
    for t in (0..len - 1).rev() {
        for s in 0..s_len {
            let mut b = beta[(t + 1) * s_len + s];
            if s + 1 < s_len {
                b = log_add(b, beta[(t + 1) * s_len + s + 1]);
            }
            if s + 2 < s_len && label(s) != blank && label(s) != label(s + 2) {
                b = log_add(b, beta[(t + 1) * s_len + s + 2]);
            }
            beta[t * s_len + s] = b + at(t, label(s));
        }
    }
    let nll = -ll;
    // PyTorch's rule: grad = exp(lp) - exp(log Σ_{s: l'_s = c} α_t(s) β_t(s) + nll - lp).
    let mut grad = vec![0.0; len * classes];
    for t in 0..len {
        let mut lcab = vec![neg; classes];
        for s in 0..s_len {
            let c = label(s);
            lcab[c] = log_add(lcab[c], alpha[t * s_len + s] + beta[t * s_len + s]);
        }
        for c in 0..classes {
            let l = at(t, c);
            grad[t * classes + c] = l.exp() - (lcab[c] + nll - l).exp();
        }
    }
    (nll, grad)
}

struct CtcBackward {
    /// d loss_n / d log_probs, laid out like log_probs `(T, N, C)`, f64.
    grad: Tensor,
    dtype: DType,
}

impl GradFn for CtcBackward {
    fn name(&self) -> &'static str {
        "CtcLossBackward"
    }
    fn backward(&self, _: &BackwardCtx, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        // grad is (N,): broadcast over (T, N, C).
        let g = grad.to_dtype(DType::F64)?.reshape(&[1, -1, 1])?;
        Ok(vec![Some(self.grad.mul(&g)?.to_dtype(self.dtype)?)])
    }
}

/// CTC loss, as `F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
/// reduction, zero_infinity)`. `log_probs` is `(T, N, C)` (or `(T, C)` unbatched) from
/// `log_softmax`; `targets` is `(N, S)` padded or 1-D with the targets concatenated. With
/// `Mean`, each loss is divided by its target length before averaging over the batch. The
/// gradient is PyTorch's (it assumes `log_probs` came from `log_softmax`); it is not itself
/// differentiable.
pub fn ctc_loss(
    log_probs: &Tensor,
    targets: &Tensor,
    input_lengths: &[usize],
    target_lengths: &[usize],
    o: &CtcOptions,
) -> Result<Tensor> {
    let unbatched = log_probs.dim() == 2;
    let lp = if unbatched {
        log_probs.unsqueeze(1)?
    } else {
        log_probs.clone()
    };
    if lp.dim() != 3 {
        return Err(Error::invalid(
            "ctc_loss",
            format!(
                "log_probs must be (T, N, C) or (T, C), got {:?}",
                log_probs.shape()
            ),
        ));
    }
    let (t_max, n, c) = (lp.shape()[0], lp.shape()[1], lp.shape()[2]);
    if input_lengths.len() != n || target_lengths.len() != n {
        return Err(Error::invalid(
            "ctc_loss",
            format!(
                "expected {n} input and target lengths, got {} and {}",
                input_lengths.len(),
                target_lengths.len()
            ),
        ));
    }
    let tg: Vec<i64> = targets
        .to_dtype(DType::I64)?
        .reshape(&[-1])?
        .to_vec::<i64>()?;
    let padded = targets.dim() == 2;
    let row = if targets.dim() == 2 {
        targets.shape()[1]
    } else {
        0
    };
    let values: Vec<f64> = lp
        .to_dtype(DType::F64)?
        .permute(&[1, 0, 2])?
        .contiguous()?
        .to_vec::<f64>()?;
    let mut losses = vec![0.0; n];
    let mut grad = vec![0.0; n * t_max * c];
    let mut offset = 0;
    for b in 0..n {
        let (len, tl) = (input_lengths[b], target_lengths[b]);
        if len > t_max {
            return Err(Error::invalid(
                "ctc_loss",
                format!(
                    "Expected input_lengths to have value at most {t_max}, but got value {len}"
                ),
            ));
        }
        let start = if padded { b * row } else { offset };
        offset += tl;
        let target: Vec<usize> = tg
            .get(start..start + tl)
            .ok_or_else(|| {
                Error::invalid(
                    "ctc_loss",
                    format!("target_lengths[{b}] = {tl} exceeds the targets"),
                )
            })?
            .iter()
            .map(|&v| v as usize)
            .collect();
        if target.iter().any(|&v| v >= c || v == o.blank) {
            return Err(Error::invalid(
                "ctc_loss",
                format!("targets of sequence {b} contain the blank or an out-of-range class"),
            ));
        }
        let seq = &values[b * t_max * c..(b * t_max + len) * c];
        let (loss, g) = ctc_one(seq, c, len, &target, o.blank);
        let (loss, keep) = if o.zero_infinity && loss.is_infinite() {
            (0.0, false)
        } else {
            (loss, true)
        };
        losses[b] = loss;
        if keep {
            for t in 0..len {
                for k in 0..c {
                    // Stored (T, N, C).
                    grad[(t * n + b) * c + k] = g[t * c + k];
                }
            }
        }
    }
    let loss = Tensor::from_vec(losses, &[n])?.to_dtype(log_probs.dtype())?;
    let grad = Tensor::from_vec(grad, &[t_max, n, c])?;
    let loss = loss.attach_grad_fn(
        &[&lp],
        Box::new(CtcBackward {
            grad,
            dtype: log_probs.dtype(),
        }),
    )?;
    let loss = match o.reduction {
        Reduction::None => loss,
        Reduction::Sum => loss.sum()?,
        Reduction::Mean => {
            let tl: Vec<f64> = target_lengths.iter().map(|&l| l.max(1) as f64).collect();
            let tl = Tensor::from_vec(tl, &[n])?.to_dtype(log_probs.dtype())?;
            loss.div(&tl)?.mean()?
        }
    };
    if unbatched && o.reduction == Reduction::None {
        loss.squeeze_dim(0)
    } else {
        Ok(loss)
    }
}
