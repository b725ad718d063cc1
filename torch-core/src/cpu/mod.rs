//! CPU execution: the thread pool (`set_num_threads`) and the generic strided kernels every
//! elementwise op uses. Small tensors run inline; rayon only above a size threshold.

mod alloc;
pub(crate) mod fastmath;
pub(crate) mod simd;
mod threads;
mod zip;

pub(crate) use alloc::AlignedBuf;
pub use alloc::{CACHE_LIMIT, MIN_CACHED, cached_bytes, empty_cache};

pub(crate) use threads::{GRAIN, install, par_chunks, parallel_for, parallel_map};
pub use threads::{get_num_threads, parallel_chunks_mut, set_num_threads};
pub use zip::zip_inplace;

use crate::layout::{Layout, StridedIter};
use crate::storage::{Storage, cast_slice, cast_slice_mut};
use crate::{Element, Result, Tensor};

/// `out[i] = f(x[i])` over any layout; the result is contiguous.
#[inline]
pub(crate) fn map_unary<T: Element, U: Element>(
    x: &Tensor,
    f: impl Fn(T) -> U + Sync + Send,
) -> Result<Tensor> {
    x.device().check_available("map_unary")?;
    let n = x.numel();
    // Every element is written below.
    let out = Storage::uninit(n, U::DTYPE);
    {
        let src = x.storage().read();
        let src = cast_slice::<T>(src.as_bytes());
        let mut dst = out.write();
        let dst = cast_slice_mut::<U>(dst.as_bytes_mut());
        let layout = x.layout();
        if layout.is_contiguous() {
            let src = &src[layout.offset()..layout.offset() + n];
            par_chunks(dst, |start, chunk| {
                let len = chunk.len();
                simd::map_slice(chunk, &src[start..start + len], &f);
            });
        } else {
            par_chunks(dst, |start, chunk| {
                let mut it = StridedIter::new(
                    layout.shape(),
                    &[layout.strides()],
                    &[layout.offset()],
                    start,
                );
                let mut i = 0;
                it.run(chunk.len(), |[o]| {
                    chunk[i] = f(src[o]);
                    i += 1;
                });
            });
        }
    }
    Ok(Tensor::from_storage(out, x.shape(), U::DTYPE))
}

/// `out[i] = f(a[i], b[i])` with both operands already broadcast to `shape`.
#[inline]
pub(crate) fn map_binary<A: Element, B: Element, O: Element>(
    a: &Tensor,
    la: &Layout,
    b: &Tensor,
    lb: &Layout,
    shape: &[usize],
    f: impl Fn(A, B) -> O + Sync + Send,
) -> Result<Tensor> {
    a.device().check_available("map_binary")?;
    let n = crate::shape::numel(shape);
    // Every element is written below.
    let out = Storage::uninit(n, O::DTYPE);
    {
        let ga = a.storage().read();
        let sa = cast_slice::<A>(ga.as_bytes());
        // The same storage may back both operands: take one read guard then.
        let gb;
        let sb = if a.shares_storage(b) {
            cast_slice::<B>(ga.as_bytes())
        } else {
            gb = b.storage().read();
            cast_slice::<B>(gb.as_bytes())
        };
        let mut dst = out.write();
        let dst = cast_slice_mut::<O>(dst.as_bytes_mut());
        let (ca, cb) = (la.is_contiguous(), lb.is_contiguous());
        if ca && cb {
            let (sa, sb) = (
                &sa[la.offset()..la.offset() + n],
                &sb[lb.offset()..lb.offset() + n],
            );
            par_chunks(dst, |s, chunk| {
                let e = s + chunk.len();
                for ((o, &x), &y) in chunk.iter_mut().zip(&sa[s..e]).zip(&sb[s..e]) {
                    *o = f(x, y);
                }
            });
        } else if ca && lb.strides().iter().all(|&s| s == 0) {
            let (sa, y) = (&sa[la.offset()..la.offset() + n], sb[lb.offset()]);
            par_chunks(dst, |s, chunk| {
                let len = chunk.len();
                for (o, &x) in chunk.iter_mut().zip(&sa[s..s + len]) {
                    *o = f(x, y);
                }
            });
        } else if cb && la.strides().iter().all(|&s| s == 0) {
            let (x, sb) = (sa[la.offset()], &sb[lb.offset()..lb.offset() + n]);
            par_chunks(dst, |s, chunk| {
                let len = chunk.len();
                for (o, &y) in chunk.iter_mut().zip(&sb[s..s + len]) {
                    *o = f(x, y);
                }
            });
        } else {
            par_chunks(dst, |s, chunk| {
                let mut it = StridedIter::new(
                    shape,
                    &[la.strides(), lb.strides()],
                    &[la.offset(), lb.offset()],
                    s,
                );
                let mut i = 0;
                it.run(chunk.len(), |[oa, ob]| {
                    chunk[i] = f(sa[oa], sb[ob]);
                    i += 1;
                });
            });
        }
    }
    Ok(Tensor::from_storage(out, shape, O::DTYPE))
}

/// `dst[i] = f(dst[i], b[i])` straight into `dst`'s storage (the in-place binary ops when
/// nothing is recorded): `dst` contiguous, `b` broadcast to its shape by `lb` and backed by
/// another storage. One pass and no temporary, where the general in-place path computes a
/// new tensor and copies it back.
pub(crate) fn map_binary_inplace<T: Element>(
    dst: &Tensor,
    b: &Tensor,
    lb: &Layout,
    f: impl Fn(T, T) -> T + Sync + Send,
) -> Result<()> {
    dst.device().check_available("map_binary_inplace")?;
    debug_assert!(dst.is_contiguous() && !dst.shares_storage(b));
    let ld = dst.layout();
    let n = ld.numel();
    {
        let gb = b.storage().read();
        let sb = cast_slice::<T>(gb.as_bytes());
        let mut gd = dst.storage().write();
        let sd = &mut cast_slice_mut::<T>(gd.as_bytes_mut())[ld.offset()..ld.offset() + n];
        if lb.is_contiguous() {
            let sb = &sb[lb.offset()..lb.offset() + n];
            par_chunks(sd, |s, chunk| {
                let len = chunk.len();
                for (o, &y) in chunk.iter_mut().zip(&sb[s..s + len]) {
                    *o = f(*o, y);
                }
            });
        } else if lb.strides().iter().all(|&s| s == 0) {
            let y = sb[lb.offset()];
            par_chunks(sd, |_, chunk| {
                for o in chunk.iter_mut() {
                    *o = f(*o, y);
                }
            });
        } else {
            par_chunks(sd, |s, chunk| {
                let mut it = StridedIter::new(ld.shape(), &[lb.strides()], &[lb.offset()], s);
                let mut i = 0;
                it.run(chunk.len(), |[ob]| {
                    chunk[i] = f(chunk[i], sb[ob]);
                    i += 1;
                });
            });
        }
    }
    dst.storage().bump_version();
    Ok(())
}

/// `out[i] = f(a[i], b[i], c[i])` with all three already broadcast to `shape` (where, lerp).
pub(crate) fn map_ternary<A: Element, B: Element, C: Element, O: Element>(
    ops: [(&Tensor, &Layout); 3],
    shape: &[usize],
    f: impl Fn(A, B, C) -> O + Sync + Send,
) -> Result<Tensor> {
    let n = crate::shape::numel(shape);
    // Every element is written below.
    let out = Storage::uninit(n, O::DTYPE);
    {
        let ga = ops[0].0.storage().read();
        let gb = (!ops[1].0.shares_storage(ops[0].0)).then(|| ops[1].0.storage().read());
        let gc = (!ops[2].0.shares_storage(ops[0].0) && !ops[2].0.shares_storage(ops[1].0))
            .then(|| ops[2].0.storage().read());
        let sa = cast_slice::<A>(ga.as_bytes());
        let bytes_b = gb.as_ref().map_or(ga.as_bytes(), |g| g.as_bytes());
        let bytes_c = match &gc {
            Some(g) => g.as_bytes(),
            None if ops[2].0.shares_storage(ops[0].0) => ga.as_bytes(),
            None => bytes_b,
        };
        let (sb, sc) = (cast_slice::<B>(bytes_b), cast_slice::<C>(bytes_c));
        let mut dst = out.write();
        let dst = cast_slice_mut::<O>(dst.as_bytes_mut());
        let (la, lb, lc) = (ops[0].1, ops[1].1, ops[2].1);
        par_chunks(dst, |s, chunk| {
            let mut it = StridedIter::new(
                shape,
                &[la.strides(), lb.strides(), lc.strides()],
                &[la.offset(), lb.offset(), lc.offset()],
                s,
            );
            let mut i = 0;
            it.run(chunk.len(), |[oa, ob, oc]| {
                chunk[i] = f(sa[oa], sb[ob], sc[oc]);
                i += 1;
            });
        });
    }
    Ok(Tensor::from_storage(out, shape, O::DTYPE))
}

/// Writes `src` (already broadcast to `dst`'s shape by `ls`) into `dst`'s layout, converting
/// the element type. Bumps the version. Handles `src` sharing `dst`'s storage by reading first.
pub(crate) fn write_into<S: Element, D: Element>(
    dst: &Tensor,
    src: &Tensor,
    ls: &Layout,
    conv: impl Fn(S) -> D + Sync + Send,
) -> Result<()> {
    if dst.shares_storage(src) {
        // A fresh copy (not `contiguous()`, which returns the same storage when it can).
        let tmp = map_unary::<S, S>(&src.alias_with_layout(ls.clone()), |v| v)?;
        let lt = tmp.layout().clone();
        return write_into(dst, &tmp, &lt, conv);
    }
    let ld = dst.layout();
    let gs = src.storage().read();
    let ss = cast_slice::<S>(gs.as_bytes());
    let mut gd = dst.storage().write();
    let sd = cast_slice_mut::<D>(gd.as_bytes_mut());
    let n = ld.numel();
    if ld.is_contiguous() && ls.is_contiguous() {
        // The common `copy_` and in-place result write: a flat, vectorisable loop.
        let ss = &ss[ls.offset()..ls.offset() + n];
        par_chunks(&mut sd[ld.offset()..ld.offset() + n], |s, chunk| {
            let len = chunk.len();
            for (o, &v) in chunk.iter_mut().zip(&ss[s..s + len]) {
                *o = conv(v);
            }
        });
    } else {
        let mut it = StridedIter::new(
            ld.shape(),
            &[ld.strides(), ls.strides()],
            &[ld.offset(), ls.offset()],
            0,
        );
        it.run(n, |[od, os]| sd[od] = conv(ss[os]));
    }
    drop(gd);
    dst.storage().bump_version();
    Ok(())
}
