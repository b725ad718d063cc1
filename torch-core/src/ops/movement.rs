//! View ops (DESIGN R9): `view`, `reshape`, `flatten`, `unflatten`, `permute`, `transpose`,
//! `t`, `squeeze`, `unsqueeze`, `expand`, `broadcast_to`, `narrow`, `select`, `slice`,
//! `chunk`, `split`, `unbind`, `diagonal`, `as_strided`, `movedim`. Only the layout changes.
//!
//! Backward: cheap rules for reshape/permute/expand; every other view shares one rule that
//! scatters the gradient back through the same layout transform (`ViewBackward`).

use std::sync::Arc;

use crate::autograd::{BackwardCtx, GradFn, record};
use crate::layout::Layout;
use crate::shape::{self, Dims, normalize_dim, normalize_insert_dim};
use crate::{DType, Error, Result, Tensor, TensorOptions};

type Transform = Arc<dyn Fn(&Layout) -> Layout + Send + Sync>;

/// Gradient of any view: scatter-add the gradient into zeros of the input's shape at the
/// positions the view selects (handles overlap, e.g. `expand`).
struct ViewBackward {
    name: &'static str,
    input_shape: Dims,
    transform: Transform,
}

impl GradFn for ViewBackward {
    fn name(&self) -> &'static str {
        self.name
    }
    fn backward(&self, _: &BackwardCtx, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let n = shape::numel(&self.input_shape);
        let idx = Tensor::arange(
            0.0,
            n as f64,
            1.0,
            TensorOptions::default().dtype(DType::I64),
        )?;
        let idx = idx.alias_with_layout((self.transform)(&Layout::contiguous(&self.input_shape)));
        let idx = idx.reshape(&[-1])?;
        let g = Tensor::zeros(&[n], TensorOptions::default().dtype(grad.dtype()))?.index_add(
            0,
            &idx,
            &grad.reshape(&[-1])?,
        )?;
        Ok(vec![Some(g.reshape(&shape::to_i64(&self.input_shape))?)])
    }
}

struct ReshapeBackward(Dims);
impl GradFn for ReshapeBackward {
    fn name(&self) -> &'static str {
        "ViewBackward"
    }
    fn backward(&self, _: &BackwardCtx, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some(grad.reshape(&shape::to_i64(&self.0))?)])
    }
}

struct PermuteBackward(Vec<usize>);
impl GradFn for PermuteBackward {
    fn name(&self) -> &'static str {
        "PermuteBackward"
    }
    fn backward(&self, _: &BackwardCtx, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let mut inv = vec![0i64; self.0.len()];
        for (i, &p) in self.0.iter().enumerate() {
            inv[p] = i as i64;
        }
        Ok(vec![Some(grad.permute(&inv)?)])
    }
}

struct ExpandBackward(Dims);
impl GradFn for ExpandBackward {
    fn name(&self) -> &'static str {
        "ExpandBackward"
    }
    fn backward(&self, _: &BackwardCtx, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some(grad.sum_to(&self.0)?)])
    }
}

impl Tensor {
    /// A view through `transform` of the layout, with the generic view gradient.
    fn view_op(
        &self,
        name: &'static str,
        transform: impl Fn(&Layout) -> Layout + Send + Sync + 'static,
    ) -> Tensor {
        let out = self.make_view(transform(self.layout()));
        record(out, &[self], |_| {
            Box::new(ViewBackward {
                name,
                input_shape: self.shape().into(),
                transform: Arc::new(transform),
            })
        })
    }

    /// A view with a new shape (one `-1` inferred); fails when the strides do not allow a view
    /// (`x.view(shape)`).
    pub fn view(&self, shape: &[i64]) -> Result<Tensor> {
        let new = shape::infer_shape("view", shape, self.numel())?;
        let Some(layout) = self.layout().view(&new) else {
            return Err(Error::invalid(
                "view",
                format!(
                    "view size is not compatible with input tensor's size and stride (size {:?}, stride {:?}); use .reshape(...) instead.",
                    self.shape(),
                    self.stride()
                ),
            ));
        };
        let out = self.make_view(layout);
        let src: Dims = self.shape().into();
        Ok(record(out, &[self], |_| Box::new(ReshapeBackward(src))))
    }

    /// A view when the strides allow, else a contiguous copy (`x.reshape(shape)`).
    pub fn reshape(&self, shape: &[i64]) -> Result<Tensor> {
        let new = shape::infer_shape("reshape", shape, self.numel())?;
        if let Some(layout) = self.layout().view(&new) {
            if layout == *self.layout() {
                return Ok(self.clone());
            }
            let out = self.make_view(layout);
            let src: Dims = self.shape().into();
            return Ok(record(out, &[self], |_| Box::new(ReshapeBackward(src))));
        }
        self.contiguous()?.view(shape)
    }

    /// Flattens dims `start..=end` into one (`torch.flatten`).
    pub fn flatten(&self, start_dim: i64, end_dim: i64) -> Result<Tensor> {
        if self.dim() == 0 {
            return self.reshape(&[1]);
        }
        let s = normalize_dim("flatten", start_dim, self.dim())?;
        let e = normalize_dim("flatten", end_dim, self.dim())?;
        if s > e {
            return Err(Error::invalid(
                "flatten",
                "start_dim cannot come after end_dim",
            ));
        }
        let mut new: Vec<i64> = self.shape()[..s].iter().map(|&v| v as i64).collect();
        new.push(self.shape()[s..=e].iter().product::<usize>() as i64);
        new.extend(self.shape()[e + 1..].iter().map(|&v| v as i64));
        self.reshape(&new)
    }

    /// Splits `dim` into `sizes` (`x.unflatten(dim, sizes)`).
    pub fn unflatten(&self, dim: i64, sizes: &[i64]) -> Result<Tensor> {
        let d = normalize_dim("unflatten", dim, self.dim())?;
        let inner = shape::infer_shape("unflatten", sizes, self.shape()[d])?;
        let mut new: Vec<i64> = shape::to_i64(&self.shape()[..d]);
        new.extend(inner.iter().map(|&v| v as i64));
        new.extend(shape::to_i64(&self.shape()[d + 1..]));
        self.reshape(&new)
    }

    /// Reorders dims (`x.permute(dims)`).
    pub fn permute(&self, dims: &[i64]) -> Result<Tensor> {
        if dims.len() != self.dim() {
            return Err(Error::invalid(
                "permute",
                format!(
                    "number of dims don't match in permute: input has {} dims, got {}",
                    self.dim(),
                    dims.len()
                ),
            ));
        }
        let perm = shape::normalize_dims("permute", dims, self.dim())?;
        let perm: Vec<usize> = perm.to_vec();
        let out = self.make_view(self.layout().permute(&perm));
        Ok(record(out, &[self], |_| Box::new(PermuteBackward(perm))))
    }

    /// Swaps two dims (`x.transpose(d0, d1)`).
    pub fn transpose(&self, dim0: i64, dim1: i64) -> Result<Tensor> {
        if self.dim() < 2 && dim0 == dim1 {
            return Ok(self.clone());
        }
        let a = normalize_dim("transpose", dim0, self.dim())?;
        let b = normalize_dim("transpose", dim1, self.dim())?;
        if self.dim() == 0 {
            return Ok(self.clone());
        }
        let mut perm: Vec<i64> = (0..self.dim() as i64).collect();
        perm.swap(a, b);
        self.permute(&perm)
    }

    /// Transposes a 2-D tensor; 0-D and 1-D are returned as is (`x.t()`).
    pub fn t(&self) -> Result<Tensor> {
        match self.dim() {
            0 | 1 => Ok(self.clone()),
            2 => self.transpose(0, 1),
            n => Err(Error::invalid(
                "t",
                format!("t() expects a tensor with <= 2 dimensions, but self is {n}D"),
            )),
        }
    }

    /// Moves dim `source` to `destination` (`torch.movedim`).
    pub fn movedim(&self, source: i64, destination: i64) -> Result<Tensor> {
        let s = normalize_dim("movedim", source, self.dim())?;
        let d = normalize_dim("movedim", destination, self.dim())?;
        let mut order: Vec<i64> = (0..self.dim() as i64).filter(|&i| i != s as i64).collect();
        order.insert(d, s as i64);
        self.permute(&order)
    }

    /// Removes all size-1 dims (`x.squeeze()`).
    pub fn squeeze(&self) -> Result<Tensor> {
        let new: Vec<i64> = self
            .shape()
            .iter()
            .filter(|&&s| s != 1)
            .map(|&s| s as i64)
            .collect();
        self.reshape(&new)
    }

    /// Removes `dim` if it has size 1 (`x.squeeze(dim)`).
    pub fn squeeze_dim(&self, dim: i64) -> Result<Tensor> {
        if self.dim() == 0 {
            normalize_dim("squeeze", dim, 0)?;
            return Ok(self.clone());
        }
        let d = normalize_dim("squeeze", dim, self.dim())?;
        if self.shape()[d] != 1 {
            return Ok(self.clone());
        }
        let mut new = shape::to_i64(self.shape());
        new.remove(d);
        self.reshape(&new)
    }

    /// Inserts a size-1 dim (`x.unsqueeze(dim)`).
    pub fn unsqueeze(&self, dim: i64) -> Result<Tensor> {
        let d = normalize_insert_dim("unsqueeze", dim, self.dim())?;
        let mut new = shape::to_i64(self.shape());
        new.insert(d, 1);
        self.reshape(&new)
    }

    /// Broadcasts to `shape` without copying; `-1` keeps a size (`x.expand(shape)`).
    pub fn expand(&self, shape: &[i64]) -> Result<Tensor> {
        let lead = shape.len().saturating_sub(self.dim());
        let target: Vec<usize> = shape
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                if s == -1 && i >= lead {
                    self.shape()[i - lead]
                } else {
                    s.max(0) as usize
                }
            })
            .collect();
        if target == self.shape() {
            return Ok(self.clone());
        }
        let layout = self.layout().broadcast_to("expand", &target)?;
        let out = self.make_view(layout);
        let src: Dims = self.shape().into();
        Ok(record(out, &[self], |_| Box::new(ExpandBackward(src))))
    }

    /// `torch.broadcast_to`.
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Tensor> {
        self.expand(&shape::to_i64(shape))
    }

    /// `expand` to another tensor's shape (`x.expand_as(y)`).
    pub fn expand_as(&self, other: &Tensor) -> Result<Tensor> {
        self.broadcast_to(other.shape())
    }

    /// `len` elements of `dim` from `start` (`x.narrow(dim, start, length)`).
    pub fn narrow(&self, dim: i64, start: i64, length: usize) -> Result<Tensor> {
        let d = normalize_dim("narrow", dim, self.dim())?;
        let size = self.shape()[d];
        let s = if start < 0 {
            start + size as i64
        } else {
            start
        };
        if s < 0 || s as usize + length > size {
            return Err(Error::invalid(
                "narrow",
                format!("start ({start}) + length ({length}) exceeds dimension size ({size})."),
            ));
        }
        let s = s as usize;
        Ok(self.view_op("NarrowBackward", move |l| l.narrow(d, s, length)))
    }

    /// Python's `x[..., start:end:step, ...]` on one dim, with Python's clamping of bounds.
    pub fn slice(
        &self,
        dim: i64,
        start: Option<i64>,
        end: Option<i64>,
        step: usize,
    ) -> Result<Tensor> {
        let d = normalize_dim("slice", dim, self.dim())?;
        if step == 0 {
            return Err(Error::invalid("slice", "slice step must be positive"));
        }
        let size = self.shape()[d] as i64;
        let clamp = |v: i64| {
            let v = if v < 0 { v + size } else { v };
            v.clamp(0, size)
        };
        let s = clamp(start.unwrap_or(0));
        let e = clamp(end.unwrap_or(size)).max(s);
        let len = ((e - s) as usize).div_ceil(step);
        let s = s as usize;
        Ok(self.view_op("SliceBackward", move |l| l.slice_step(d, s, len, step)))
    }

    /// Removes `dim` by taking `index` (`x.select(dim, index)`, `x[index]`).
    pub fn select(&self, dim: i64, index: i64) -> Result<Tensor> {
        let d = normalize_dim("select", dim, self.dim())?;
        if self.dim() == 0 {
            return Err(Error::invalid(
                "select",
                "select() cannot be applied to a 0-dim tensor.",
            ));
        }
        let size = self.shape()[d];
        let i = if index < 0 {
            index + size as i64
        } else {
            index
        };
        if i < 0 || i as usize >= size {
            return Err(Error::IndexOutOfRange {
                op: "select",
                index,
                dim: d,
                size,
            });
        }
        let i = i as usize;
        Ok(self.view_op("SelectBackward", move |l| l.select(d, i)))
    }

    /// Splits into `chunks` pieces along `dim` (the last may be smaller) (`torch.chunk`).
    pub fn chunk(&self, chunks: usize, dim: i64) -> Result<Vec<Tensor>> {
        if chunks == 0 {
            return Err(Error::invalid(
                "chunk",
                "chunk expects `chunks` to be greater than 0",
            ));
        }
        let d = normalize_dim("chunk", dim, self.dim())?;
        let size = self.shape()[d].div_ceil(chunks).max(1);
        self.split(size, d as i64)
    }

    /// Pieces of `split_size` along `dim` (`torch.split(x, int)`).
    pub fn split(&self, split_size: usize, dim: i64) -> Result<Vec<Tensor>> {
        let d = normalize_dim("split", dim, self.dim())?;
        let n = self.shape()[d];
        if split_size == 0 {
            return if n == 0 {
                Ok(vec![self.clone()])
            } else {
                Err(Error::invalid(
                    "split",
                    "split_size can only be 0 if dimension size is 0",
                ))
            };
        }
        let sizes: Vec<usize> = (0..n.div_ceil(split_size).max(1))
            .map(|i| split_size.min(n - (i * split_size).min(n)))
            .collect();
        self.split_with_sizes(&sizes, d as i64)
    }

    /// Pieces with the given sizes along `dim` (`torch.split(x, [sizes])`).
    pub fn split_with_sizes(&self, sizes: &[usize], dim: i64) -> Result<Vec<Tensor>> {
        let d = normalize_dim("split", dim, self.dim())?;
        let total: usize = sizes.iter().sum();
        if total != self.shape()[d] {
            return Err(Error::invalid(
                "split_with_sizes",
                format!(
                    "split_with_sizes expects split_sizes to sum exactly to {} (input tensor's size at dimension {d}), but got split_sizes={sizes:?}",
                    self.shape()[d]
                ),
            ));
        }
        let mut start = 0;
        sizes
            .iter()
            .map(|&s| {
                let t = self.narrow(d as i64, start as i64, s);
                start += s;
                t
            })
            .collect()
    }

    /// All slices along `dim` (`torch.unbind`).
    pub fn unbind(&self, dim: i64) -> Result<Vec<Tensor>> {
        let d = normalize_dim("unbind", dim, self.dim())?;
        (0..self.shape()[d])
            .map(|i| self.select(d as i64, i as i64))
            .collect()
    }

    /// The diagonal with `offset` of the plane `(dim1, dim2)`, appended as the last dim
    /// (`torch.diagonal`).
    pub fn diagonal(&self, offset: i64, dim1: i64, dim2: i64) -> Result<Tensor> {
        let a = normalize_dim("diagonal", dim1, self.dim())?;
        let b = normalize_dim("diagonal", dim2, self.dim())?;
        if a == b {
            return Err(Error::invalid(
                "diagonal",
                "diagonal dimensions cannot be identical",
            ));
        }
        Ok(self.view_op("DiagonalBackward", move |l| {
            let (sa, sb) = (l.shape[a], l.shape[b]);
            let (len, off) = if offset >= 0 {
                let o = offset as usize;
                (
                    sb.saturating_sub(o).min(sa),
                    if sb > o { o * l.strides[b] } else { 0 },
                )
            } else {
                let o = (-offset) as usize;
                (
                    sa.saturating_sub(o).min(sb),
                    if sa > o { o * l.strides[a] } else { 0 },
                )
            };
            let stride = l.strides[a] + l.strides[b];
            let mut shape: Dims = Dims::new();
            let mut strides: Dims = Dims::new();
            for i in 0..l.shape.len() {
                if i != a && i != b {
                    shape.push(l.shape[i]);
                    strides.push(l.strides[i]);
                }
            }
            shape.push(len);
            strides.push(stride);
            Layout {
                shape,
                strides,
                offset: l.offset + if len == 0 { 0 } else { off },
            }
        }))
    }

    /// A view with explicit sizes, strides (elements) and storage offset (`torch.as_strided`).
    /// Its gradient assumes a contiguous input, as is usual.
    pub fn as_strided(
        &self,
        size: &[usize],
        stride: &[usize],
        storage_offset: usize,
    ) -> Result<Tensor> {
        if size.len() != stride.len() {
            return Err(Error::invalid(
                "as_strided",
                format!(
                    "mismatch in length of strides and shape ({} vs {})",
                    stride.len(),
                    size.len()
                ),
            ));
        }
        let layout = Layout {
            shape: size.into(),
            strides: stride.into(),
            offset: storage_offset,
        };
        let cap = self.storage().nbytes() / self.dtype().size_in_bytes();
        if layout.storage_extent() > cap {
            return Err(Error::invalid(
                "as_strided",
                format!(
                    "setStorage: sizes {size:?}, strides {stride:?}, storage offset {storage_offset} require {} elements, but the storage has {cap}",
                    layout.storage_extent()
                ),
            ));
        }
        // Relative to the input's own offset, so the gradient maps through a contiguous input.
        let base = self.storage_offset();
        Ok(self.view_op("AsStridedBackward", move |l| Layout {
            offset: (l.offset + storage_offset).saturating_sub(base),
            ..layout.clone()
        }))
    }
}
