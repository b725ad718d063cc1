//! CPU kernels of gather and scatter over any layouts.

use crate::layout::{Layout, StridedIter};
use crate::storage::{cast_slice, cast_slice_mut};
use crate::{Error, Result, Tensor, with_dtype};

/// `self`'s layout restricted to `index`'s shape with `dim` zeroed (the index supplies it).
fn restricted(op: &'static str, x: &Tensor, dim: usize, index: &Tensor) -> Result<Layout> {
    let l = x.layout();
    let xs: &[usize] = if x.dim() == 0 { &[1] } else { x.shape() };
    let xst: Vec<usize> = if x.dim() == 0 {
        vec![0]
    } else {
        l.strides().to_vec()
    };
    for (d, (&i, &s)) in index.shape().iter().zip(xs).enumerate() {
        if d != dim && i > s {
            return Err(Error::ShapeMismatch {
                op,
                lhs: x.shape().to_vec(),
                rhs: index.shape().to_vec(),
                detail: format!(
                    "Size does not match at dimension {d} expected index {:?} to be no larger than self {:?} apart from dimension {dim}",
                    index.shape(),
                    x.shape()
                ),
            });
        }
    }
    let mut strides = xst;
    strides[dim] = 0;
    Ok(Layout {
        shape: index.shape().into(),
        strides: strides.into(),
        offset: l.offset(),
    })
}

fn bad_index(op: &'static str, v: i64, dim: usize, size: usize) -> Error {
    Error::IndexOutOfRange {
        op,
        index: v,
        dim,
        size,
    }
}

pub(crate) fn gather(x: &Tensor, dim: usize, index: &Tensor) -> Result<Tensor> {
    let lx = restricted("gather", x, dim, index)?;
    let size = if x.dim() == 0 { 1 } else { x.shape()[dim] };
    let stride = if x.dim() == 0 { 0 } else { x.stride()[dim] };
    let li = index.layout().clone();
    let n = index.numel();
    with_dtype!(x.dtype(), T, {
        let gx = x.storage().read();
        let sx = cast_slice::<T>(gx.as_bytes());
        let gi = index.storage().read();
        let si = cast_slice::<i64>(gi.as_bytes());
        let mut out = Vec::with_capacity(n);
        let mut err = None;
        StridedIter::new(
            lx.shape(),
            &[lx.strides(), li.strides()],
            &[lx.offset(), li.offset()],
            0,
        )
        .run(n, |[ox, oi]| {
            let v = si[oi];
            let j = if v < 0 { v + size as i64 } else { v };
            if j < 0 || j as usize >= size {
                err.get_or_insert(bad_index("gather", v, dim, size));
                out.push(T::default());
            } else {
                out.push(sx[ox + j as usize * stride]);
            }
        });
        if let Some(e) = err {
            return Err(e);
        }
        Tensor::from_vec(out, index.shape())
    })
}

/// `scatter` along the last dim with contiguous operands whose leading dims match `out`'s
/// (max pooling's backward): rows are independent, so they run in parallel, each in the
/// serial order, with the same results as the strided path.
fn scatter_rows<T: crate::Element + crate::ops::arith::Arith>(
    op: &'static str,
    out: &Tensor,
    index: &Tensor,
    src: &Tensor,
    add: bool,
) -> Result<()> {
    let dim = out.dim() - 1;
    let (size, l) = (out.shape()[dim], index.shape()[dim]);
    let rows = index.numel().checked_div(l).unwrap_or(0);
    let gs = src.storage().read();
    let ss = &cast_slice::<T>(gs.as_bytes())[src.storage_offset()..];
    let gi = index.storage().read();
    let si = &cast_slice::<i64>(gi.as_bytes())[index.storage_offset()..];
    let mut go = out.storage().write();
    let so = &mut cast_slice_mut::<T>(go.as_bytes_mut())[out.storage_offset()..][..rows * size];
    let per_task = rows
        .div_ceil(crate::get_num_threads())
        .max(crate::cpu::GRAIN / l.max(1));
    // The first bad index in row order, as the serial loop would report it.
    let err = std::sync::Mutex::new(None::<(usize, Error)>);
    crate::cpu::parallel_chunks_mut(so, per_task * size.max(1), |task, chunk| {
        let r0 = task * per_task;
        for (r, orow) in chunk.chunks_mut(size.max(1)).enumerate() {
            let (idx, vals) = (&si[(r0 + r) * l..][..l], &ss[(r0 + r) * l..][..l]);
            for (&v, &x) in idx.iter().zip(vals) {
                let j = if v < 0 { v + size as i64 } else { v };
                if j < 0 || j as usize >= size {
                    let mut e = err.lock().unwrap_or_else(|e| e.into_inner());
                    if e.as_ref().is_none_or(|(at, _)| *at > r0 + r) {
                        *e = Some((r0 + r, bad_index(op, v, dim, size)));
                    }
                    return;
                }
                let t = &mut orow[j as usize];
                *t = if add { T::add(*t, x) } else { x };
            }
        }
    });
    match err.into_inner().unwrap_or_else(|e| e.into_inner()) {
        Some((_, e)) => Err(e),
        None => Ok(()),
    }
}

pub(crate) fn scatter(
    x: &Tensor,
    dim: usize,
    index: &Tensor,
    src: &Tensor,
    add: bool,
) -> Result<Tensor> {
    let op = if add { "scatter_add" } else { "scatter" };
    let out = x.deep_clone()?;
    let lo = restricted(op, &out, dim, index)?;
    let src_b = if src.dim() == 0 {
        src.expand(&crate::shape::to_i64(index.shape()))?
    } else {
        src.clone()
    };
    for (d, (&i, &s)) in index.shape().iter().zip(src_b.shape()).enumerate() {
        if i > s {
            return Err(Error::ShapeMismatch {
                op,
                lhs: src.shape().to_vec(),
                rhs: index.shape().to_vec(),
                detail: format!("index is larger than src at dimension {d}"),
            });
        }
    }
    let ls = Layout {
        shape: index.shape().into(),
        strides: src_b.stride().into(),
        offset: src_b.storage_offset(),
    };
    let li = index.layout().clone();
    let size = if out.dim() == 0 { 1 } else { out.shape()[dim] };
    let stride = if out.dim() == 0 { 0 } else { out.stride()[dim] };
    if dim + 1 == out.dim()
        && size > 0
        && out.is_contiguous()
        && index.is_contiguous()
        && src_b.is_contiguous()
        && src_b.shape() == index.shape()
        && index.shape()[..dim] == out.shape()[..dim]
    {
        with_dtype!(out.dtype(), T, {
            scatter_rows::<T>(op, &out, index, &src_b, add)?;
        });
        return Ok(out);
    }
    with_dtype!(out.dtype(), T, {
        let gs = src_b.storage().read();
        let ss = cast_slice::<T>(gs.as_bytes());
        let gi = index.storage().read();
        let si = cast_slice::<i64>(gi.as_bytes());
        let mut go = out.storage().write();
        let so = cast_slice_mut::<T>(go.as_bytes_mut());
        let mut err = None;
        StridedIter::new(
            lo.shape(),
            &[lo.strides(), li.strides(), ls.strides()],
            &[lo.offset(), li.offset(), ls.offset()],
            0,
        )
        .run(index.numel(), |[oo, oi, os]| {
            let v = si[oi];
            let j = if v < 0 { v + size as i64 } else { v };
            if j < 0 || j as usize >= size {
                err.get_or_insert(bad_index(op, v, dim, size));
                return;
            }
            let t = &mut so[oo + j as usize * stride];
            *t = if add {
                <T as crate::ops::arith::Arith>::add(*t, ss[os])
            } else {
                ss[os]
            };
        });
        if let Some(e) = err {
            return Err(e);
        }
    });
    Ok(out)
}
