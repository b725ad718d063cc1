//! Ordering ops: `sort`, `argsort`, `topk`, `unique`, `nonzero`, `masked_select`. Values
//! are gathered with the indices, so gradients flow through `gather`.

use crate::shape::normalize_dim;
use crate::{DType, Element, Error, Result, Tensor, with_dtype};

/// Sorts each line of `x` along `d`, stably; NaN sorts as the largest value, as in PyTorch.
fn sort_indices(x: &Tensor, d: usize, descending: bool) -> Result<Tensor> {
    if x.dtype().is_complex() {
        return Err(Error::UnsupportedDType {
            op: "sort",
            dtype: x.dtype(),
        });
    }
    let xm = x.movedim(d as i64, -1)?.contiguous()?;
    let n = *xm.shape().last().unwrap_or(&1);
    let mut idx: Vec<i64> = Vec::with_capacity(xm.numel());
    with_dtype!(x.dtype(), T, {
        xm.with_slice(|s: &[T]| {
            for line in s.chunks(n.max(1)) {
                let mut order: Vec<usize> = (0..line.len()).collect();
                let key = |i: usize| {
                    let v = line[i];
                    #[allow(clippy::eq_op)]
                    let nan = v != v;
                    (nan, v)
                };
                order.sort_by(|&a, &b| {
                    let ((na, va), (nb, vb)) = (key(a), key(b));
                    let o = match (na, nb) {
                        (true, true) => std::cmp::Ordering::Equal,
                        (true, false) => std::cmp::Ordering::Greater,
                        (false, true) => std::cmp::Ordering::Less,
                        _ => va.partial_cmp_el(vb).unwrap_or(std::cmp::Ordering::Equal),
                    };
                    if descending { o.reverse() } else { o }
                });
                idx.extend(order.into_iter().map(|i| i as i64));
            }
        })?;
    });
    Tensor::from_vec(idx, xm.shape())?
        .movedim(-1, d as i64)?
        .contiguous()
}

impl Tensor {
    /// `(values, indices)` sorted along `dim` (`torch.sort(x, dim, descending, stable=True)`).
    pub fn sort(&self, dim: i64, descending: bool) -> Result<(Tensor, Tensor)> {
        if self.dim() == 0 {
            return Ok((self.clone(), Tensor::scalar(0i64)));
        }
        let d = normalize_dim("sort", dim, self.dim())?;
        let idx = sort_indices(self, d, descending)?;
        Ok((self.gather(d as i64, &idx)?, idx))
    }

    /// Indices that sort along `dim` (`torch.argsort`).
    pub fn argsort(&self, dim: i64, descending: bool) -> Result<Tensor> {
        Ok(self.sort(dim, descending)?.1)
    }

    /// The `k` largest (or smallest) along `dim` as `(values, indices)` (`torch.topk`),
    /// sorted.
    pub fn topk(&self, k: usize, dim: i64, largest: bool) -> Result<(Tensor, Tensor)> {
        let d = normalize_dim("topk", dim, self.dim())?;
        let n = if self.dim() == 0 { 1 } else { self.shape()[d] };
        if k > n {
            return Err(Error::invalid(
                "topk",
                format!("selected index k out of range (k = {k}, size = {n})"),
            ));
        }
        let (_, idx) = self.sort(d as i64, largest)?;
        let idx = if self.dim() == 0 {
            idx
        } else {
            idx.narrow(d as i64, 0, k)?.contiguous()?
        };
        Ok((
            if self.dim() == 0 {
                self.clone()
            } else {
                self.gather(d as i64, &idx)?
            },
            idx,
        ))
    }

    /// Sorted unique values of the flattened tensor with optional inverse indices and counts
    /// (`torch.unique(sorted=True, return_inverse, return_counts)`).
    pub fn unique(&self) -> Result<(Tensor, Tensor, Tensor)> {
        let flat = self.detach().flatten(0, -1)?;
        let (vals, idx) = flat.sort(0, false)?;
        let n = vals.numel();
        let mut uniq_pos: Vec<i64> = Vec::new();
        let mut counts: Vec<i64> = Vec::new();
        let mut inverse = vec![0i64; n];
        let order = idx.to_vec::<i64>()?;
        with_dtype!(self.dtype(), T, {
            let v = vals.to_vec::<T>()?;
            for i in 0..n {
                if i == 0 || v[i] != v[i - 1] {
                    uniq_pos.push(i as i64);
                    counts.push(0);
                }
                *counts.last_mut().expect("pushed") += 1;
                inverse[order[i] as usize] = uniq_pos.len() as i64 - 1;
            }
        });
        let k = uniq_pos.len();
        let u = vals.index_select(0, &Tensor::from_vec(uniq_pos, &[k])?)?;
        Ok((
            u,
            Tensor::from_vec(inverse, self.shape())?,
            Tensor::from_vec(counts, &[k])?,
        ))
    }

    /// Indices of non-zero elements as an i64 `[n, ndim]` tensor (`torch.nonzero`).
    pub fn nonzero(&self) -> Result<Tensor> {
        let mask = self.ne_scalar(0.0)?.to_vec::<bool>()?;
        let shape = self.shape().to_vec();
        let nd = shape.len();
        let strides = crate::shape::contiguous_strides(&shape);
        let mut out = Vec::new();
        let mut count = 0;
        for (i, &m) in mask.iter().enumerate() {
            if m {
                count += 1;
                for d in 0..nd {
                    out.push(((i / strides[d]) % shape[d]) as i64);
                }
            }
        }
        Tensor::from_vec(out, &[count, nd])
    }

    /// The elements where `mask` (broadcast) is true, flattened (`torch.masked_select`).
    /// Composite (index_select), so differentiable.
    pub fn masked_select(&self, mask: &Tensor) -> Result<Tensor> {
        if mask.dtype() != DType::Bool {
            return Err(Error::invalid(
                "masked_select",
                format!(
                    "masked_select: expected BoolTensor for mask, got {:?}",
                    mask.dtype()
                ),
            ));
        }
        let shape = crate::shape::broadcast_shapes("masked_select", self.shape(), mask.shape())?;
        let x = self.broadcast_to(&shape)?.reshape(&[-1])?;
        let m = mask.broadcast_to(&shape)?.reshape(&[-1])?;
        let idx = m.nonzero()?.reshape(&[-1])?;
        x.index_select(0, &idx)
    }
}
