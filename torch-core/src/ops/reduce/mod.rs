//! Reductions over any set of dims with `keepdim`: `sum`, `mean`, `prod`, `max`/`min` (with
//! indices), `amax`/`amin`, `argmax`/`argmin`, `all`, `any`; composites `var`, `std`, `norm`,
//! `logsumexp` live in `ops/composite.rs`.

mod cpu;

use crate::autograd::{BackwardCtx, GradFn, SavedTensor, record};
use crate::ops::arith::Arith;
use crate::shape::{Dims, normalize_dims};
use crate::storage::as_f32;
use crate::{DType, Element, Error, Result, Tensor, with_dtype};
use cpu::{Reducer, reduce};

const LANES: usize = 16;

struct SumR;
impl<T: Arith> Reducer<T> for SumR {
    type Acc = T;
    type Out = T;
    fn init(&self) -> T {
        T::from_f64(0.0)
    }
    #[inline(always)]
    fn step(&self, a: T, v: T, _: usize) -> T {
        <T as Arith>::add(a, v)
    }
    fn combine(&self, a: T, b: T) -> T {
        <T as Arith>::add(a, b)
    }
    fn finish(&self, a: T, _: usize) -> T {
        a
    }
    #[inline]
    fn slice(&self, acc: T, s: &[T], _: usize) -> T {
        if let Some(s) = as_f32(s) {
            // Exact: T is f32 here.
            return <T as Arith>::add(acc, T::from_f64(crate::cpu::simd::sum_f32(s) as f64));
        }
        // Independent lanes let the compiler vectorise and pair up rounding like a cascade.
        let mut lanes = [T::from_f64(0.0); LANES];
        let chunks = s.chunks_exact(LANES);
        let rest = chunks.remainder();
        for c in chunks {
            for k in 0..LANES {
                lanes[k] = <T as Arith>::add(lanes[k], c[k]);
            }
        }
        let mut w = LANES;
        while w > 1 {
            w /= 2;
            for k in 0..w {
                lanes[k] = <T as Arith>::add(lanes[k], lanes[k + w]);
            }
        }
        rest.iter().fold(<T as Arith>::add(acc, lanes[0]), |a, &v| {
            <T as Arith>::add(a, v)
        })
    }
}

struct ProdR;
impl<T: Arith> Reducer<T> for ProdR {
    type Acc = T;
    type Out = T;
    fn init(&self) -> T {
        T::from_f64(1.0)
    }
    fn step(&self, a: T, v: T, _: usize) -> T {
        <T as Arith>::mul(a, v)
    }
    fn combine(&self, a: T, b: T) -> T {
        <T as Arith>::mul(a, b)
    }
    fn finish(&self, a: T, _: usize) -> T {
        a
    }
}

fn is_nan<T: Element>(v: T) -> bool {
    // NaN is the only value not equal to itself.
    #[allow(clippy::eq_op)]
    let r = v != v;
    r
}

/// Max or min value with the index of its first occurrence; NaN wins, as in PyTorch.
struct ArgR {
    max: bool,
}
impl<T: Element> Reducer<T> for ArgR {
    type Acc = (T, usize, bool);
    type Out = i64;
    fn init(&self) -> Self::Acc {
        (T::default(), 0, false)
    }
    #[inline(always)]
    fn step(&self, a: Self::Acc, v: T, i: usize) -> Self::Acc {
        if !a.2
            || (!is_nan(a.0)
                && (is_nan(v)
                    || if self.max {
                        crate::dtype::gt(v, a.0)
                    } else {
                        crate::dtype::lt(v, a.0)
                    }))
        {
            (v, i, true)
        } else {
            a
        }
    }
    fn combine(&self, a: Self::Acc, b: Self::Acc) -> Self::Acc {
        if !b.2 {
            a
        } else if !a.2 {
            b
        } else {
            self.step(a, b.0, b.1)
        }
    }
    fn finish(&self, a: Self::Acc, _: usize) -> i64 {
        a.1 as i64
    }
}

/// Like `ArgR` but yields the value.
struct ValR(ArgR);
impl<T: Element> Reducer<T> for ValR {
    type Acc = (T, usize, bool);
    type Out = T;
    fn init(&self) -> Self::Acc {
        self.0.init()
    }
    fn step(&self, a: Self::Acc, v: T, i: usize) -> Self::Acc {
        self.0.step(a, v, i)
    }
    fn combine(&self, a: Self::Acc, b: Self::Acc) -> Self::Acc {
        <ArgR as Reducer<T>>::combine(&self.0, a, b)
    }
    fn finish(&self, a: Self::Acc, _: usize) -> T {
        a.0
    }
}

struct AnyAllR {
    all: bool,
}
impl<T: Element> Reducer<T> for AnyAllR {
    type Acc = bool;
    type Out = bool;
    fn init(&self) -> bool {
        self.all
    }
    fn step(&self, a: bool, v: T, _: usize) -> bool {
        let nz = v != T::default();
        if self.all { a && nz } else { a || nz }
    }
    fn combine(&self, a: bool, b: bool) -> bool {
        if self.all { a && b } else { a || b }
    }
    fn finish(&self, a: bool, _: usize) -> bool {
        a
    }
}

/// Expands a reduced gradient back over the reduced dims.
fn expand_back(g: &Tensor, in_shape: &[usize], dims: &[usize], keepdim: bool) -> Result<Tensor> {
    let mut g = g.clone();
    if !keepdim {
        for &d in dims {
            g = g.unsqueeze(d as i64)?;
        }
    }
    g.expand(&crate::shape::to_i64(in_shape))
}

struct SumBackward {
    shape: Dims,
    dims: Dims,
    keepdim: bool,
    scale: Option<f64>,
}
impl GradFn for SumBackward {
    fn name(&self) -> &'static str {
        if self.scale.is_some() {
            "MeanBackward"
        } else {
            "SumBackward"
        }
    }
    fn backward(&self, _: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let mut e = expand_back(g, &self.shape, &self.dims, self.keepdim)?;
        if let Some(s) = self.scale {
            e = e.mul_scalar(s)?;
        }
        Ok(vec![Some(e)])
    }
}

struct ProdBackward {
    x: SavedTensor,
    y: SavedTensor,
    dims: Dims,
    keepdim: bool,
}
impl GradFn for ProdBackward {
    fn name(&self) -> &'static str {
        "ProdBackward"
    }
    fn backward(&self, ctx: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let (x, y) = (self.x.unpack(ctx)?, self.y.unpack(ctx)?);
        let di: Vec<i64> = self.dims.iter().map(|&d| d as i64).collect();
        let ge = expand_back(g, x.shape(), &self.dims, self.keepdim)?;
        if ctx.create_graph() && x.eq_scalar(0.0)?.any()?.item()? != 0.0 {
            // Differentiated again with zeros present: the masks below are constants, so
            // use products only (PyTorch's prod_safe_zeros_backward).
            return Ok(vec![Some(ge.mul(&product_of_others(&x, &self.dims)?)?)]);
        }
        let ye = expand_back(&y, x.shape(), &self.dims, self.keepdim)?;
        // Product of the others: y / x where x != 0; at a zero, the product of the non-zeros
        // if it is the only zero of its block, else 0.
        let zero = x.eq_scalar(0.0)?;
        let safe = x.masked_fill(&zero, 1.0)?;
        let nz_prod = expand_back(
            &safe.prod_dim(&di, self.keepdim)?,
            x.shape(),
            &self.dims,
            self.keepdim,
        )?;
        let nzeros = expand_back(
            &zero.to_dtype(x.dtype())?.sum_dim(&di, self.keepdim)?,
            x.shape(),
            &self.dims,
            self.keepdim,
        )?;
        let at_zero = nz_prod.mul(&nzeros.eq_scalar(1.0)?.to_dtype(x.dtype())?)?;
        let others = at_zero.where_cond(&zero, &ye.div(&safe)?)?;
        Ok(vec![Some(ge.mul(&others)?)])
    }
}

/// For each element of `x`, the product of the other elements of its block over `dims`,
/// as prefix times suffix products: only multiplications, so exact at zeros and
/// differentiable to any order.
fn product_of_others(x: &Tensor, dims: &[usize]) -> Result<Tensor> {
    let nd = x.dim();
    let kept: Vec<usize> = (0..nd).filter(|d| !dims.contains(d)).collect();
    let perm: Vec<usize> = kept.iter().chain(dims).copied().collect();
    let xp = x.permute(&crate::shape::to_i64(&perm))?;
    let mut flat_shape: Vec<i64> = kept.iter().map(|&d| x.shape()[d] as i64).collect();
    let len: usize = dims.iter().map(|&d| x.shape()[d]).product();
    flat_shape.push(len as i64);
    let flat = xp.reshape(&flat_shape)?;
    let last = flat_shape.len() as i64 - 1;
    let item = |k: usize| flat.narrow(last, k as i64, 1);
    let one = item(0)?.detach().ones_like()?;
    let mut prefix = vec![one.clone()];
    for k in 1..len {
        prefix.push(prefix[k - 1].mul(&item(k - 1)?)?);
    }
    let mut suffix = vec![one];
    for k in (0..len - 1).rev() {
        let next = suffix[suffix.len() - 1].mul(&item(k + 1)?)?;
        suffix.push(next);
    }
    suffix.reverse();
    let others = Tensor::cat(&prefix.iter().collect::<Vec<_>>(), last)?
        .mul(&Tensor::cat(&suffix.iter().collect::<Vec<_>>(), last)?)?;
    let others = others.reshape(&crate::shape::to_i64(xp.shape()))?;
    let mut inv = vec![0i64; nd];
    for (i, &p) in perm.iter().enumerate() {
        inv[p] = i as i64;
    }
    others.permute(&inv)
}

/// amax/amin and full max/min: the gradient is shared evenly by the tied extrema.
struct ExtremaBackward {
    x: SavedTensor,
    y: SavedTensor,
    dims: Dims,
    keepdim: bool,
}
impl GradFn for ExtremaBackward {
    fn name(&self) -> &'static str {
        "AmaxBackward"
    }
    fn backward(&self, ctx: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let (x, y) = (self.x.unpack(ctx)?, self.y.unpack(ctx)?);
        let ye = expand_back(&y, x.shape(), &self.dims, self.keepdim)?;
        let mask = x.eq(&ye)?.to_dtype(g.dtype())?;
        let di: Vec<i64> = self.dims.iter().map(|&d| d as i64).collect();
        let count = expand_back(
            &mask.sum_dim(&di, self.keepdim)?,
            x.shape(),
            &self.dims,
            self.keepdim,
        )?;
        let ge = expand_back(g, x.shape(), &self.dims, self.keepdim)?;
        Ok(vec![Some(ge.mul(&mask)?.div(&count)?)])
    }
}

/// max_dim/min_dim: the gradient goes to the selected index.
struct IndexedBackward {
    shape: Dims,
    dim: usize,
    keepdim: bool,
    indices: Tensor,
}
impl GradFn for IndexedBackward {
    fn name(&self) -> &'static str {
        "MaxBackward"
    }
    fn backward(&self, _: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let (g, idx) = if self.keepdim {
            (g.clone(), self.indices.clone())
        } else {
            (
                g.unsqueeze(self.dim as i64)?,
                self.indices.unsqueeze(self.dim as i64)?,
            )
        };
        let z = Tensor::zeros(
            &self.shape,
            crate::TensorOptions::default().dtype(g.dtype()),
        )?;
        Ok(vec![Some(z.scatter(self.dim as i64, &idx, &g)?)])
    }
}

fn sum_dtype(d: DType) -> DType {
    if d.is_integral() { DType::I64 } else { d }
}

impl Tensor {
    fn reduce_dims(&self, op: &'static str, dims: &[i64]) -> Result<Dims> {
        let mut d = normalize_dims(op, dims, self.dim())?;
        d.sort_unstable();
        if self.dim() == 0 {
            d.clear();
        }
        Ok(d)
    }

    fn sum_impl(&self, dims: &Dims, keepdim: bool) -> Result<Tensor> {
        let acc = match self.dtype() {
            DType::F16 | DType::BF16 => DType::F32,
            d => sum_dtype(d),
        };
        let x = if self.dtype() == acc {
            self.clone()
        } else {
            self.detach().to_dtype(acc)?
        };
        let out = with_dtype!(acc, T, { reduce::<T, SumR>(&x, dims, keepdim, &SumR)? });
        out.to_dtype(sum_dtype(self.dtype()))
    }

    /// Sum of all elements (`torch.sum(x)`); integers sum in i64. Derivative: `g` broadcast.
    pub fn sum(&self) -> Result<Tensor> {
        self.sum_dim(&[], false)
    }

    /// Sum over `dims` (empty: all) (`torch.sum(x, dims, keepdim)`).
    pub fn sum_dim(&self, dims: &[i64], keepdim: bool) -> Result<Tensor> {
        let d = self.reduce_dims("sum", dims)?;
        let out = self.sum_impl(&d, keepdim)?;
        Ok(record(out, &[self], |_| {
            Box::new(SumBackward {
                shape: Dims::from_slice(self.shape()),
                dims: d,
                keepdim,
                scale: None,
            })
        }))
    }

    /// Mean of all elements (`torch.mean`); floating dtypes only, as in PyTorch.
    pub fn mean(&self) -> Result<Tensor> {
        self.mean_dim(&[], false)
    }

    /// Mean over `dims` (`torch.mean(x, dims, keepdim)`). Derivative: `g / n` broadcast.
    pub fn mean_dim(&self, dims: &[i64], keepdim: bool) -> Result<Tensor> {
        if !(self.dtype().is_float() || self.dtype().is_complex()) {
            return Err(Error::invalid(
                "mean",
                format!(
                    "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {:?}",
                    self.dtype()
                ),
            ));
        }
        let d = self.reduce_dims("mean", dims)?;
        let n: usize = d.iter().map(|&i| self.shape()[i]).product();
        let scale = 1.0 / n as f64;
        let s = self.sum_impl(&d, keepdim)?;
        let out = s.mul_scalar(scale)?.to_dtype(self.dtype())?;
        Ok(record(out, &[self], |_| {
            Box::new(SumBackward {
                shape: Dims::from_slice(self.shape()),
                dims: d,
                keepdim,
                scale: Some(scale),
            })
        }))
    }

    /// Product of all elements (`torch.prod`).
    pub fn prod(&self) -> Result<Tensor> {
        self.prod_dim(&[], false)
    }

    /// Product over `dims` (`torch.prod(x, dim, keepdim)`). Derivative: product of the others.
    pub fn prod_dim(&self, dims: &[i64], keepdim: bool) -> Result<Tensor> {
        let d = self.reduce_dims("prod", dims)?;
        let acc = sum_dtype(self.dtype());
        let x = if self.dtype() == acc {
            self.clone()
        } else {
            self.detach().to_dtype(acc)?
        };
        let out = with_dtype!(acc, T, { reduce::<T, ProdR>(&x, &d, keepdim, &ProdR)? });
        Ok(record(out, &[self], |y| {
            Box::new(ProdBackward {
                x: SavedTensor::input(self),
                y: SavedTensor::output(y),
                dims: d,
                keepdim,
            })
        }))
    }

    fn extrema(&self, op: &'static str, dims: &[i64], keepdim: bool, max: bool) -> Result<Tensor> {
        if self.dtype().is_complex() {
            return Err(Error::UnsupportedDType {
                op,
                dtype: self.dtype(),
            });
        }
        let d = self.reduce_dims(op, dims)?;
        if self.numel() == 0 && d.iter().any(|&i| self.shape()[i] == 0) {
            return Err(Error::invalid(
                op,
                "Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.",
            ));
        }
        let out = with_dtype!(self.dtype(), T, {
            reduce::<T, ValR>(self, &d, keepdim, &ValR(ArgR { max }))?
        });
        Ok(record(out, &[self], |y| {
            Box::new(ExtremaBackward {
                x: SavedTensor::input(self),
                y: SavedTensor::output(y),
                dims: d,
                keepdim,
            })
        }))
    }

    /// Largest element (`torch.max(x)`); NaN propagates. Ties share the gradient.
    pub fn max(&self) -> Result<Tensor> {
        self.extrema("max", &[], false, true)
    }

    /// Smallest element (`torch.min(x)`).
    pub fn min(&self) -> Result<Tensor> {
        self.extrema("min", &[], false, false)
    }

    /// Max over `dims` (`torch.amax`).
    pub fn amax(&self, dims: &[i64], keepdim: bool) -> Result<Tensor> {
        self.extrema("amax", dims, keepdim, true)
    }

    /// Min over `dims` (`torch.amin`).
    pub fn amin(&self, dims: &[i64], keepdim: bool) -> Result<Tensor> {
        self.extrema("amin", dims, keepdim, false)
    }

    fn arg(&self, op: &'static str, dim: Option<i64>, keepdim: bool, max: bool) -> Result<Tensor> {
        if self.dtype().is_complex() {
            return Err(Error::UnsupportedDType {
                op,
                dtype: self.dtype(),
            });
        }
        if self.numel() == 0 {
            return Err(Error::invalid(
                op,
                "Expected reduction dim to be specified for input.numel() == 0.",
            ));
        }
        match dim {
            None => {
                let flat = self.reshape(&[-1])?;
                let r = with_dtype!(self.dtype(), T, {
                    reduce::<T, ArgR>(&flat, &[0], false, &ArgR { max })?
                });
                if keepdim {
                    r.reshape(&vec![1; self.dim()])
                } else {
                    Ok(r)
                }
            }
            Some(d) => {
                let d = self.reduce_dims(op, &[d])?;
                with_dtype!(self.dtype(), T, {
                    reduce::<T, ArgR>(self, &d, keepdim, &ArgR { max })
                })
            }
        }
    }

    /// Index of the max (`torch.argmax(x, dim, keepdim)`); `None` flattens. First of ties.
    pub fn argmax(&self, dim: Option<i64>, keepdim: bool) -> Result<Tensor> {
        self.arg("argmax", dim, keepdim, true)
    }

    /// Index of the min (`torch.argmin`).
    pub fn argmin(&self, dim: Option<i64>, keepdim: bool) -> Result<Tensor> {
        self.arg("argmin", dim, keepdim, false)
    }

    fn extrema_dim(
        &self,
        op: &'static str,
        dim: i64,
        keepdim: bool,
        max: bool,
    ) -> Result<(Tensor, Tensor)> {
        let idx = self.arg(op, Some(dim), keepdim, max)?;
        let d = crate::shape::normalize_dim(op, dim, self.dim())?;
        let gi = if keepdim || self.dim() == 0 {
            idx.clone()
        } else {
            idx.unsqueeze(d as i64)?
        };
        let vals = self.detach().gather(d as i64, &gi)?;
        let vals = if keepdim || self.dim() == 0 {
            vals
        } else {
            vals.squeeze_dim(d as i64)?
        };
        let vals = record(vals, &[self], |_| {
            Box::new(IndexedBackward {
                shape: self.shape().into(),
                dim: d,
                keepdim,
                indices: idx.clone(),
            })
        });
        Ok((vals, idx))
    }

    /// `(values, indices)` of the max along `dim` (`torch.max(x, dim, keepdim)`).
    pub fn max_dim(&self, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
        self.extrema_dim("max", dim, keepdim, true)
    }

    /// `(values, indices)` of the min along `dim` (`torch.min(x, dim, keepdim)`).
    pub fn min_dim(&self, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
        self.extrema_dim("min", dim, keepdim, false)
    }

    /// True if every element is non-zero (`torch.all`).
    pub fn all(&self) -> Result<Tensor> {
        self.all_dim(&[], false)
    }

    /// `all` over `dims`.
    pub fn all_dim(&self, dims: &[i64], keepdim: bool) -> Result<Tensor> {
        let d = self.reduce_dims("all", dims)?;
        with_dtype!(self.dtype(), T, {
            reduce::<T, AnyAllR>(self, &d, keepdim, &AnyAllR { all: true })
        })
    }

    /// True if any element is non-zero (`torch.any`).
    pub fn any(&self) -> Result<Tensor> {
        self.any_dim(&[], false)
    }

    /// `any` over `dims`.
    pub fn any_dim(&self, dims: &[i64], keepdim: bool) -> Result<Tensor> {
        let d = self.reduce_dims("any", dims)?;
        with_dtype!(self.dtype(), T, {
            reduce::<T, AnyAllR>(self, &d, keepdim, &AnyAllR { all: false })
        })
    }
}
