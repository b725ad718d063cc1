//! The CPU reduction kernel: reduced dims are permuted last (a view), each output element
//! folds its block; a contiguous block is folded as a slice (vectorised), a single output is
//! split across threads and combined, and reducing the leading dims of row-major data folds
//! rows into a row of accumulators.

use crate::layout::{Layout, StridedIter};
use crate::storage::{Storage, cast_slice, cast_slice_mut};
use crate::{Element, Result, Tensor};

/// How to fold a block of `T` into one output value.
pub(crate) trait Reducer<T: Element>: Sync {
    type Acc: Copy + Send + Sync;
    type Out: Element;
    fn init(&self) -> Self::Acc;
    /// Folds `v`, the `idx`-th element of the block.
    fn step(&self, acc: Self::Acc, v: T, idx: usize) -> Self::Acc;
    fn combine(&self, a: Self::Acc, b: Self::Acc) -> Self::Acc;
    fn finish(&self, acc: Self::Acc, count: usize) -> Self::Out;
    /// Folds a contiguous block starting at block index `base`.
    #[inline]
    fn slice(&self, acc: Self::Acc, s: &[T], base: usize) -> Self::Acc {
        s.iter()
            .enumerate()
            .fold(acc, |a, (i, &v)| self.step(a, v, base + i))
    }
}

/// Reduces `x` over `dims` (sorted, unique); returns the tensor with those dims removed or
/// kept as size 1.
pub(crate) fn reduce<T: Element, R: Reducer<T>>(
    x: &Tensor,
    dims: &[usize],
    keepdim: bool,
    r: &R,
) -> Result<Tensor> {
    x.device().check_available("reduce")?;
    let nd = x.dim();
    if dims.len() == nd && x.is_contiguous() && x.numel() < 2 * crate::cpu::GRAIN {
        // A small full reduction (the eager-overhead case): fold the slice directly.
        let n = x.numel();
        let v = {
            let g = x.storage().read();
            let src = &cast_slice::<T>(g.as_bytes())[x.storage_offset()..][..n];
            r.finish(r.slice(r.init(), src, 0), n)
        };
        let out_shape: crate::shape::Dims = if keepdim {
            smallvec::smallvec![1; nd]
        } else {
            crate::shape::Dims::new()
        };
        return Ok(Tensor::from_storage(
            Storage::from_slice(&[v]),
            &out_shape,
            R::Out::DTYPE,
        ));
    }
    let kept: Vec<usize> = (0..nd).filter(|d| !dims.contains(d)).collect();
    let perm: Vec<usize> = kept.iter().chain(dims.iter()).copied().collect();
    let pl = x.layout().permute(&perm);
    let out_shape: Vec<usize> = (0..nd)
        .filter_map(|d| {
            if dims.contains(&d) {
                keepdim.then_some(1)
            } else {
                Some(x.shape()[d])
            }
        })
        .collect();
    let n_out: usize = kept.iter().map(|&d| x.shape()[d]).product();
    let block: usize = dims.iter().map(|&d| x.shape()[d]).product();
    let outer = Layout {
        shape: pl.shape[..kept.len()].into(),
        strides: pl.strides[..kept.len()].into(),
        offset: pl.offset,
    };
    let inner = Layout {
        shape: pl.shape[kept.len()..].into(),
        strides: pl.strides[kept.len()..].into(),
        offset: 0,
    };
    let inner_contig = inner.is_contiguous();
    let storage = Storage::zeros(n_out, R::Out::DTYPE);
    {
        let g = x.storage().read();
        let src = cast_slice::<T>(g.as_bytes());
        let mut og = storage.write();
        let out = cast_slice_mut::<R::Out>(og.as_bytes_mut());
        let fold_block = |base: usize, from: usize, to: usize| -> R::Acc {
            if from == to {
                return r.init();
            }
            if inner_contig {
                r.slice(r.init(), &src[base + from..base + to], from)
            } else {
                let mut acc = r.init();
                let mut it = StridedIter::new(inner.shape(), &[inner.strides()], &[base], from);
                let mut i = from;
                it.run(to - from, |[o]| {
                    acc = r.step(acc, src[o], i);
                    i += 1;
                });
                acc
            }
        };
        if n_out == 1 && block >= 2 * crate::cpu::GRAIN && crate::cpu::get_num_threads() > 1 {
            // One output: split the block across threads.
            let parts = crate::cpu::get_num_threads() * 4;
            let step = block.div_ceil(parts);
            let accs: Vec<R::Acc> = crate::cpu::parallel_map(parts, |p| {
                let (a, b) = ((p * step).min(block), ((p + 1) * step).min(block));
                fold_block(outer.offset, a, b)
            });
            let acc = accs.into_iter().fold(r.init(), |a, b| r.combine(a, b));
            out[0] = r.finish(acc, block);
        } else {
            // Reducing the leading dims of row-major data (a bias gradient's column sum):
            // the block of output `j` is column `j`, so fold whole rows into a row of
            // accumulators, each output still folding its block in order (same bits).
            let column_stride = match (inner.view(&[block]), outer.strides()) {
                (Some(l), [1]) if !inner_contig => Some(l.strides()[0]),
                _ => None,
            };
            let work = |start: usize, chunk: &mut [R::Out]| {
                if let Some(stride) = column_stride {
                    let mut accs = vec![r.init(); chunk.len()];
                    for i in 0..block {
                        let row = &src[outer.offset + start + i * stride..][..chunk.len()];
                        for (a, &v) in accs.iter_mut().zip(row) {
                            *a = r.step(*a, v, i);
                        }
                    }
                    for (o, a) in chunk.iter_mut().zip(accs) {
                        *o = r.finish(a, block);
                    }
                    return;
                }
                let mut it =
                    StridedIter::new(outer.shape(), &[outer.strides()], &[outer.offset], start);
                let mut i = 0;
                it.run(chunk.len(), |[base]| {
                    chunk[i] = r.finish(fold_block(base, 0, block), block);
                    i += 1;
                });
            };
            if n_out * block < 2 * crate::cpu::GRAIN || crate::cpu::get_num_threads() == 1 {
                work(0, out);
            } else {
                // One task per thread, the caller taking one.
                let threads = crate::cpu::get_num_threads();
                let per = (2 * crate::cpu::GRAIN / block.max(1))
                    .max(n_out.div_ceil(threads))
                    .max(1);
                crate::cpu::parallel_chunks_mut(out, per, |c, chunk| work(c * per, chunk));
            }
        }
    }
    Ok(Tensor::from_storage(storage, &out_shape, R::Out::DTYPE))
}
