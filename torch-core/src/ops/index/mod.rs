//! Indexing and joining primitives: `gather`, `scatter`/`scatter_add` (one kernel), `cat`;
//! composites over them: `index_select`, `index_add`, `stack`.

mod advanced;
mod cpu;

pub use advanced::{Ellipsis, IndexArgs, NewAxis, Step, TensorIndexer};

use crate::autograd::{BackwardCtx, GradFn, record};
use crate::shape::{Dims, normalize_dim};
use crate::{DType, Error, Result, Tensor, TensorOptions};

struct GatherBackward {
    shape: Dims,
    dim: i64,
    index: Tensor,
}
impl GradFn for GatherBackward {
    fn name(&self) -> &'static str {
        "GatherBackward"
    }
    fn backward(&self, _: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let z = Tensor::zeros(&self.shape, TensorOptions::default().dtype(g.dtype()))?;
        Ok(vec![Some(z.scatter_add(self.dim, &self.index, g)?)])
    }
}

struct ScatterBackward {
    dim: i64,
    index: Tensor,
    add: bool,
}
impl GradFn for ScatterBackward {
    fn name(&self) -> &'static str {
        if self.add {
            "ScatterAddBackward"
        } else {
            "ScatterBackward"
        }
    }
    fn backward(&self, _: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let gs = if self.add {
            g.clone()
        } else {
            let z = Tensor::zeros(
                self.index.shape(),
                TensorOptions::default().dtype(g.dtype()),
            )?;
            g.scatter(self.dim, &self.index, &z)?
        };
        Ok(vec![Some(gs), Some(g.gather(self.dim, &self.index)?)])
    }
}

struct CatBackward {
    dim: i64,
    sizes: Vec<usize>,
}
impl GradFn for CatBackward {
    fn name(&self) -> &'static str {
        "CatBackward"
    }
    fn backward(&self, _: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(g.split_with_sizes(&self.sizes, self.dim)?
            .into_iter()
            .map(Some)
            .collect())
    }
}

fn check_index(op: &'static str, index: &Tensor) -> Result<()> {
    if index.dtype() != DType::I64 {
        return Err(Error::invalid(
            op,
            format!("Expected dtype int64 for index, got {:?}", index.dtype()),
        ));
    }
    Ok(())
}

impl Tensor {
    /// `out[i][j] = self[index[i][j]][j]` for `dim = 0`, and so on (`torch.gather`).
    /// Derivative: `zeros.scatter_add(dim, index, g)`.
    pub fn gather(&self, dim: i64, index: &Tensor) -> Result<Tensor> {
        check_index("gather", index)?;
        let d = normalize_dim("gather", dim, self.dim())?;
        if index.dim() != self.dim().max(1) && !(self.dim() == 0 && index.dim() <= 1) {
            return Err(Error::invalid(
                "gather",
                format!(
                    "Index tensor must have the same number of dimensions as input tensor ({:?} vs {:?})",
                    index.shape(),
                    self.shape()
                ),
            ));
        }
        let out = cpu::gather(&self.detach(), d, index)?;
        let shape: Dims = self.shape().into();
        Ok(record(out, &[self], |_| {
            Box::new(GatherBackward {
                shape,
                dim,
                index: index.clone(),
            })
        }))
    }

    fn scatter_impl(&self, dim: i64, index: &Tensor, src: &Tensor, add: bool) -> Result<Tensor> {
        let op = if add { "scatter_add" } else { "scatter" };
        check_index(op, index)?;
        let d = normalize_dim(op, dim, self.dim())?;
        let src_c = src.to_dtype(self.dtype())?;
        let out = cpu::scatter(&self.detach(), d, index, &src_c.detach(), add)?;
        Ok(record(out, &[self, &src_c], |_| {
            Box::new(ScatterBackward {
                dim,
                index: index.clone(),
                add,
            })
        }))
    }

    /// A copy with `out[index[i][j]][j] = src[i][j]` (dim 0) (`torch.scatter`).
    pub fn scatter(&self, dim: i64, index: &Tensor, src: &Tensor) -> Result<Tensor> {
        self.scatter_impl(dim, index, src, false)
    }

    /// A copy with `out[index[i][j]][j] += src[i][j]` (dim 0) (`torch.scatter_add`).
    pub fn scatter_add(&self, dim: i64, index: &Tensor, src: &Tensor) -> Result<Tensor> {
        self.scatter_impl(dim, index, src, true)
    }

    /// Index broadcast along every dim but `dim` to `shape` (for index_select/index_add).
    fn spread_index(
        &self,
        op: &'static str,
        d: usize,
        index: &Tensor,
        shape: &[usize],
    ) -> Result<Tensor> {
        check_index(op, index)?;
        if index.dim() > 1 {
            return Err(Error::invalid(
                op,
                "index_select(): Index is supposed to be a vector",
            ));
        }
        let mut view = vec![1i64; shape.len().max(1)];
        view[d] = index.numel() as i64;
        let idx = index.reshape(&view)?;
        idx.expand(&crate::shape::to_i64(shape))
    }

    /// Rows of `dim` picked by a 1-D i64 `index` (`torch.index_select`). Composite (gather).
    pub fn index_select(&self, dim: i64, index: &Tensor) -> Result<Tensor> {
        let d = normalize_dim("index_select", dim, self.dim())?;
        let mut shape: Vec<usize> = self.shape().to_vec();
        if shape.is_empty() {
            shape.push(1);
        }
        shape[d] = index.numel();
        let idx = self.spread_index("index_select", d, index, &shape)?;
        let src = if self.dim() == 0 {
            self.reshape(&[1])?
        } else {
            self.clone()
        };
        let r = src.gather(d as i64, &idx)?;
        if self.dim() == 0 {
            r.reshape(&[])
        } else {
            Ok(r)
        }
    }

    /// A copy with `source`'s slices added at rows `index` of `dim` (`torch.index_add`).
    /// Composite (scatter_add).
    pub fn index_add(&self, dim: i64, index: &Tensor, source: &Tensor) -> Result<Tensor> {
        let d = normalize_dim("index_add", dim, self.dim())?;
        if source.dim() != self.dim() {
            return Err(Error::shape("index_add", self.shape(), source.shape()));
        }
        let idx = self.spread_index("index_add", d, index, source.shape())?;
        self.scatter_add(d as i64, &idx, source)
    }

    /// Concatenates along `dim` (`torch.cat`); all other dims must match.
    /// Derivative: the gradient split back.
    pub fn cat(tensors: &[&Tensor], dim: i64) -> Result<Tensor> {
        let Some(first) = tensors.iter().find(|t| !(t.dim() == 1 && t.numel() == 0)) else {
            return match tensors.first() {
                Some(t) => Ok((*t).clone()),
                None => Err(Error::invalid(
                    "cat",
                    "expected a non-empty list of Tensors",
                )),
            };
        };
        let d = normalize_dim("cat", dim, first.dim())?;
        let mut dtype = first.dtype();
        for t in tensors {
            dtype = crate::promote_types(dtype, t.dtype());
        }
        let parts: Vec<&Tensor> = tensors
            .iter()
            .copied()
            .filter(|t| !(t.dim() == 1 && t.numel() == 0 && first.dim() != 1))
            .collect();
        let mut shape = first.shape().to_vec();
        shape[d] = 0;
        for t in &parts {
            if t.dim() != first.dim()
                || t.shape()
                    .iter()
                    .enumerate()
                    .any(|(i, &s)| i != d && s != first.shape()[i])
            {
                return Err(Error::ShapeMismatch {
                    op: "cat",
                    lhs: first.shape().to_vec(),
                    rhs: t.shape().to_vec(),
                    detail: format!("Sizes of tensors must match except in dimension {d}"),
                });
            }
            shape[d] += t.shape()[d];
        }
        let out = Tensor::zeros(&shape, TensorOptions::default().dtype(dtype))?;
        let mut start = 0;
        for t in &parts {
            let n = t.shape()[d];
            let dst = out.alias_with_layout(out.layout().narrow(d, start, n));
            dst.copy_(&t.detach())?;
            start += n;
        }
        let sizes: Vec<usize> = parts.iter().map(|t| t.shape()[d]).collect();
        let conv: Vec<Tensor> = parts
            .iter()
            .map(|t| t.to_dtype(dtype))
            .collect::<Result<_>>()?;
        let refs: Vec<&Tensor> = conv.iter().collect();
        Ok(record(out, &refs, |_| {
            Box::new(CatBackward {
                dim: d as i64,
                sizes,
            })
        }))
    }

    /// Joins along a new dim (`torch.stack`). Composite (unsqueeze + cat).
    pub fn stack(tensors: &[&Tensor], dim: i64) -> Result<Tensor> {
        let Some(first) = tensors.first() else {
            return Err(Error::invalid(
                "stack",
                "stack expects a non-empty TensorList",
            ));
        };
        for t in tensors {
            if t.shape() != first.shape() {
                return Err(Error::ShapeMismatch {
                    op: "stack",
                    lhs: first.shape().to_vec(),
                    rhs: t.shape().to_vec(),
                    detail: "stack expects each tensor to be equal size".into(),
                });
            }
        }
        let d = crate::shape::normalize_insert_dim("stack", dim, first.dim())?;
        let us: Vec<Tensor> = tensors
            .iter()
            .map(|t| t.unsqueeze(d as i64))
            .collect::<Result<_>>()?;
        Tensor::cat(&us.iter().collect::<Vec<_>>(), d as i64)
    }
}
