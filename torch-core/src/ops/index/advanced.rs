//! The one indexing mechanism (DESIGN "Names"): `x.i((.., 1..3, Step(0..10, 2), NewAxis,
//! &idx))` with integers, ranges, stepped ranges, new axes, an ellipsis, and integer or bool
//! tensors (advanced indexing, PyTorch's placement rules), plus `index_put`/`index_put_`.
//! Basic indices are views; advanced ones are one `index_select` on linearised indices, so
//! everything is differentiable.

use std::ops::{Range, RangeFrom, RangeFull, RangeInclusive, RangeTo, RangeToInclusive};

use crate::shape::to_i64;
use crate::{DType, Error, Result, Tensor};

/// One entry of an index tuple.
#[derive(Clone)]
pub enum TensorIndexer {
    /// An integer: removes the dim.
    Select(i64),
    /// `start..end` with a step (Python's `start:end:step`).
    Slice {
        start: Option<i64>,
        end: Option<i64>,
        step: usize,
    },
    /// `None` in Python: inserts a size-1 dim.
    NewAxis,
    /// `...` in Python: as many full slices as needed.
    Ellipsis,
    /// An i64 or bool tensor (advanced indexing).
    Tensor(Tensor),
}

/// Python's `None` in an index.
pub struct NewAxis;
/// Python's `...` in an index.
pub struct Ellipsis;
/// A range with a step: `Step(0..10, 2)` is Python's `0:10:2`.
pub struct Step<R>(pub R, pub usize);

macro_rules! int_indexers {
    ($($t:ty),*) => {$(
        impl From<$t> for TensorIndexer {
            fn from(v: $t) -> Self { TensorIndexer::Select(v as i64) }
        }
        impl From<Range<$t>> for TensorIndexer {
            fn from(r: Range<$t>) -> Self { TensorIndexer::Slice { start: Some(r.start as i64), end: Some(r.end as i64), step: 1 } }
        }
        impl From<RangeFrom<$t>> for TensorIndexer {
            fn from(r: RangeFrom<$t>) -> Self { TensorIndexer::Slice { start: Some(r.start as i64), end: None, step: 1 } }
        }
        impl From<RangeTo<$t>> for TensorIndexer {
            fn from(r: RangeTo<$t>) -> Self { TensorIndexer::Slice { start: None, end: Some(r.end as i64), step: 1 } }
        }
        impl From<RangeInclusive<$t>> for TensorIndexer {
            fn from(r: RangeInclusive<$t>) -> Self { TensorIndexer::Slice { start: Some(*r.start() as i64), end: Some(*r.end() as i64 + 1), step: 1 } }
        }
        impl From<RangeToInclusive<$t>> for TensorIndexer {
            fn from(r: RangeToInclusive<$t>) -> Self { TensorIndexer::Slice { start: None, end: Some(r.end as i64 + 1), step: 1 } }
        }
    )*};
}

int_indexers!(i32, i64, usize);

impl<R: Into<TensorIndexer>> From<Step<R>> for TensorIndexer {
    fn from(s: Step<R>) -> Self {
        match s.0.into() {
            TensorIndexer::Slice { start, end, .. } => TensorIndexer::Slice {
                start,
                end,
                step: s.1,
            },
            other => other,
        }
    }
}

impl From<RangeFull> for TensorIndexer {
    fn from(_: RangeFull) -> Self {
        TensorIndexer::Slice {
            start: None,
            end: None,
            step: 1,
        }
    }
}
impl From<NewAxis> for TensorIndexer {
    fn from(_: NewAxis) -> Self {
        TensorIndexer::NewAxis
    }
}
impl From<Ellipsis> for TensorIndexer {
    fn from(_: Ellipsis) -> Self {
        TensorIndexer::Ellipsis
    }
}
impl From<Tensor> for TensorIndexer {
    fn from(t: Tensor) -> Self {
        TensorIndexer::Tensor(t)
    }
}
impl From<&Tensor> for TensorIndexer {
    fn from(t: &Tensor) -> Self {
        TensorIndexer::Tensor(t.clone())
    }
}

/// Anything `Tensor::i` accepts: one indexer or a tuple of them.
pub trait IndexArgs {
    fn indexers(self) -> Vec<TensorIndexer>;
}

impl<T: Into<TensorIndexer>> IndexArgs for T {
    fn indexers(self) -> Vec<TensorIndexer> {
        vec![self.into()]
    }
}

macro_rules! tuple_args {
    ($($n:ident),*) => {
        impl<$($n: Into<TensorIndexer>),*> IndexArgs for ($($n,)*) {
            #[allow(non_snake_case)]
            fn indexers(self) -> Vec<TensorIndexer> {
                let ($($n,)*) = self;
                vec![$($n.into()),*]
            }
        }
    };
}
tuple_args!(A);
tuple_args!(A, B);
tuple_args!(A, B, C);
tuple_args!(A, B, C, D);
tuple_args!(A, B, C, D, E);
tuple_args!(A, B, C, D, E, F);

/// Broadcasts integer index tensors and linearises them over the sizes of the indexed dims
/// (negative indices wrap; out-of-range ones are an error).
fn linear_index(op: &'static str, idx: &[Tensor], sizes: &[usize]) -> Result<Tensor> {
    let mut shape: Vec<usize> = Vec::new();
    for t in idx {
        shape = crate::shape::broadcast_shapes(op, &shape, t.shape())?.to_vec();
    }
    let mut lin: Option<Tensor> = None;
    for (k, (t, &size)) in idx.iter().zip(sizes).enumerate() {
        let v = t.to_vec::<i64>()?;
        if let Some(&bad) = v.iter().find(|&&i| i < -(size as i64) || i >= size as i64) {
            return Err(Error::IndexOutOfRange {
                op,
                index: bad,
                dim: k,
                size,
            });
        }
        let wrapped = t.remainder_scalar(size as i64)?;
        let stride: usize = sizes[k + 1..].iter().product();
        let term = wrapped.mul_scalar(stride as i64)?.broadcast_to(&shape)?;
        lin = Some(match lin {
            None => term,
            Some(l) => l.add(&term)?,
        });
    }
    lin.ok_or_else(|| Error::invalid(op, "no index tensors"))
}

impl Tensor {
    /// Indexes like Python's `x[...]`: see the module doc.
    /// ```
    /// use torch_core::{Tensor, TensorOptions};
    /// use torch_core::ops::index::{NewAxis, Step};
    /// let x = Tensor::arange(0.0, 12.0, 1.0, TensorOptions::default()).unwrap().reshape(&[3, 4]).unwrap();
    /// assert_eq!(x.i((1, Step(0..4, 2))).unwrap().to_vec::<i64>().unwrap(), vec![4, 6]);
    /// assert_eq!(x.i((.., NewAxis, 2)).unwrap().shape(), &[3, 1]);
    /// let rows = Tensor::new([2i64, 0]);
    /// assert_eq!(x.i((&rows, 3)).unwrap().to_vec::<i64>().unwrap(), vec![11, 3]);
    /// ```
    pub fn i(&self, index: impl IndexArgs) -> Result<Tensor> {
        let items = index.indexers();
        let consumed: usize = items
            .iter()
            .map(|it| match it {
                TensorIndexer::Select(_) | TensorIndexer::Slice { .. } => 1,
                TensorIndexer::Tensor(t) if t.dtype() == DType::Bool => t.dim().max(1),
                TensorIndexer::Tensor(_) => 1,
                _ => 0,
            })
            .sum();
        if consumed > self.dim() {
            return Err(Error::invalid(
                "index",
                format!("too many indices for tensor of dimension {}", self.dim()),
            ));
        }
        if items
            .iter()
            .filter(|i| matches!(i, TensorIndexer::Ellipsis))
            .count()
            > 1
        {
            return Err(Error::invalid(
                "index",
                "an index can only have a single ellipsis ('...')",
            ));
        }
        let mut x = self.clone();
        let mut d = 0usize;
        let mut adv: Vec<(usize, Tensor)> = Vec::new();
        for it in items {
            match it {
                TensorIndexer::Select(i) => x = x.select(d as i64, i)?,
                TensorIndexer::Slice { start, end, step } => {
                    x = x.slice(d as i64, start, end, step)?;
                    d += 1;
                }
                TensorIndexer::NewAxis => {
                    x = x.unsqueeze(d as i64)?;
                    d += 1;
                }
                TensorIndexer::Ellipsis => d += self.dim() - consumed,
                TensorIndexer::Tensor(t) if t.dtype() == DType::Bool => {
                    let k = t.dim().max(1);
                    let sizes = &x.shape()[d..d + k];
                    if t.dim() > 0 && t.shape() != sizes {
                        return Err(Error::ShapeMismatch {
                            op: "index",
                            lhs: sizes.to_vec(),
                            rhs: t.shape().to_vec(),
                            detail:
                                "The shape of the mask must match the shape of the indexed tensor"
                                    .into(),
                        });
                    }
                    let nz = t.nonzero()?;
                    for j in 0..k {
                        adv.push((d + j, nz.select(1, j as i64)?.contiguous()?));
                    }
                    d += k;
                }
                TensorIndexer::Tensor(t) => {
                    if t.dtype() != DType::I64 {
                        return Err(Error::invalid(
                            "index",
                            format!(
                                "tensors used as indices must be long, int, byte or bool tensors, got {:?}",
                                t.dtype()
                            ),
                        ));
                    }
                    adv.push((d, t));
                    d += 1;
                }
            }
        }
        if adv.is_empty() {
            return Ok(x);
        }
        let dims: Vec<usize> = adv.iter().map(|a| a.0).collect();
        let idx: Vec<Tensor> = adv.into_iter().map(|a| a.1).collect();
        let sizes: Vec<usize> = dims.iter().map(|&p| x.shape()[p]).collect();
        let lin = linear_index("index", &idx, &sizes)?;
        let rest: Vec<usize> = (0..x.dim()).filter(|p| !dims.contains(p)).collect();
        let perm: Vec<i64> = dims.iter().chain(&rest).map(|&p| p as i64).collect();
        let xp = x.permute(&perm)?;
        let mut flat_shape = vec![sizes.iter().product::<usize>() as i64];
        flat_shape.extend(rest.iter().map(|&p| x.shape()[p] as i64));
        let picked = xp
            .reshape(&flat_shape)?
            .index_select(0, &lin.reshape(&[-1])?)?;
        let bshape = lin.shape().to_vec();
        let mut out_shape = to_i64(&bshape);
        out_shape.extend(rest.iter().map(|&p| x.shape()[p] as i64));
        let out = picked.reshape(&out_shape)?;
        // Adjacent advanced dims keep their place; separated ones go first (PyTorch's rule).
        let adjacent = dims.windows(2).all(|w| w[1] == w[0] + 1);
        if !adjacent || dims[0] == 0 {
            return Ok(out);
        }
        let nb = bshape.len();
        let before = rest.iter().filter(|&&p| p < dims[0]).count();
        let mut order: Vec<i64> = (nb..nb + before).map(|v| v as i64).collect();
        order.extend((0..nb).map(|v| v as i64));
        order.extend((nb + before..out.dim()).map(|v| v as i64));
        out.permute(&order)
    }

    /// A copy with `values` written (or added, with `accumulate`) at the positions given by
    /// integer index tensors over the leading dims (`torch.index_put`).
    pub fn index_put(
        &self,
        indices: &[&Tensor],
        values: &Tensor,
        accumulate: bool,
    ) -> Result<Tensor> {
        let k = indices.len();
        if k == 0 || k > self.dim() {
            return Err(Error::invalid(
                "index_put",
                format!("too many indices for tensor of dimension {}", self.dim()),
            ));
        }
        let idx: Vec<Tensor> = indices.iter().map(|t| (*t).clone()).collect();
        for t in &idx {
            if t.dtype() != DType::I64 {
                return Err(Error::invalid(
                    "index_put",
                    format!("tensors used as indices must be long, got {:?}", t.dtype()),
                ));
            }
        }
        let sizes = &self.shape()[..k];
        let lin = linear_index("index_put", &idx, sizes)?;
        let rest = &self.shape()[k..];
        let mut flat_shape = vec![sizes.iter().product::<usize>() as i64];
        flat_shape.extend(to_i64(rest));
        let flat = self.reshape(&flat_shape)?;
        let mut vshape = lin.shape().to_vec();
        vshape.extend_from_slice(rest);
        let n = lin.numel() as i64;
        let mut vflat_shape = vec![n];
        vflat_shape.extend(to_i64(rest));
        let vals = values
            .to_dtype(self.dtype())?
            .broadcast_to(&vshape)?
            .reshape(&vflat_shape)?;
        let lin = lin.reshape(&[-1])?;
        let out = if accumulate {
            flat.index_add(0, &lin, &vals)?
        } else {
            let mut ishape = vec![n];
            ishape.extend(std::iter::repeat_n(1, rest.len()));
            let full = lin.reshape(&ishape)?.expand(&vflat_shape)?;
            flat.scatter(0, &full, &vals)?
        };
        out.reshape(&to_i64(self.shape()))
    }

    /// In-place `index_put` (`x.index_put_(indices, values, accumulate)`, `x[idx] = v`).
    pub fn index_put_(&self, indices: &[&Tensor], values: &Tensor, accumulate: bool) -> Result<()> {
        self.assign(
            "index_put_",
            &self
                .inplace_source()?
                .index_put(indices, values, accumulate)?,
        )
    }
}
