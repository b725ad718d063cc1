//! CPU kernels of pooling over `[N, C, H, W]` (1-D pooling adds a unit height). Each output
//! row and column has a precomputed window, so one kernel serves the plain, dilated, padded,
//! ceil-mode and adaptive variants. Planes are split over threads above a size threshold.

use rayon::prelude::*;

use crate::ops::conv::Real;
use crate::storage::{Storage, cast_slice, cast_slice_mut};
use crate::{DType, Error, Result, Tensor};

/// The input positions of one output index along one axis: `start + i * step`, `i < count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MaxWin {
    pub start: usize,
    pub step: usize,
    pub count: usize,
}

/// The input positions `start..end` of one output index along one axis, and the window
/// length counting padding (`span`), for the divisor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AvgWin {
    pub start: usize,
    pub end: usize,
    pub span: usize,
}

/// What an average divides by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Divisor {
    /// `divisor_override`.
    Fixed(usize),
    /// The window size counting padding (`count_include_pad=True`).
    IncludePad,
    /// The number of input elements in the window.
    Exclude,
}

/// Windows of a max pool and the input size they index.
#[derive(Clone, Debug)]
pub(crate) struct MaxSpec {
    pub rows: Vec<MaxWin>,
    pub cols: Vec<MaxWin>,
    pub in_hw: [usize; 2],
}

/// Windows of an average pool, its divisor and the input size.
#[derive(Clone, Debug)]
pub(crate) struct AvgSpec {
    pub rows: Vec<AvgWin>,
    pub cols: Vec<AvgWin>,
    pub div: Divisor,
    pub in_hw: [usize; 2],
}

impl AvgSpec {
    fn out_hw(&self) -> [usize; 2] {
        [self.rows.len(), self.cols.len()]
    }

    /// `1 / divisor` of window `(r, c)`, or `None` for a window with no input element.
    #[inline]
    fn scale(&self, r: &AvgWin, c: &AvgWin) -> Option<f64> {
        if r.start >= r.end || c.start >= c.end {
            return None;
        }
        let d = match self.div {
            Divisor::Fixed(d) => d,
            Divisor::IncludePad => r.span * c.span,
            Divisor::Exclude => (r.end - r.start) * (c.end - c.start),
        };
        Some(1.0 / d as f64)
    }
}

/// Splits `outs` (each `planes * len_i` long) into per-plane parts and calls `f(plane,
/// parts)`, in parallel when `work` (elements touched) is large.
fn per_plane<T: Send>(
    out: &mut [T],
    len: usize,
    work: usize,
    f: impl Fn(usize, &mut [T]) + Sync + Send,
) {
    if len == 0 {
        return;
    }
    if work < 2 * crate::cpu::GRAIN || crate::cpu::get_num_threads() == 1 {
        out.chunks_mut(len).enumerate().for_each(|(i, o)| f(i, o));
    } else {
        crate::cpu::install(|| {
            out.par_chunks_mut(len)
                .enumerate()
                .for_each(|(i, o)| f(i, o));
        });
    }
}

fn contiguous_read<T: Real, R>(x: &Tensor, f: impl FnOnce(&[T]) -> R) -> Result<R> {
    let x = x.contiguous()?;
    let g = x.storage().read();
    let s = cast_slice::<T>(g.as_bytes());
    Ok(f(&s[x.storage_offset()..x.storage_offset() + x.numel()]))
}

fn unsupported(op: &'static str, d: DType) -> Error {
    Error::UnsupportedDType { op, dtype: d }
}

/// Max pool of `x: [N, C, H, W]`: values and, when `with_indices`, the flat `h * W + w`
/// index of each maximum (the first one; NaN wins and the last NaN of a window is kept, as in
/// PyTorch's CPU kernel).
pub(crate) fn max_pool(
    x: &Tensor,
    spec: &MaxSpec,
    with_indices: bool,
) -> Result<(Tensor, Option<Tensor>)> {
    x.device().check_available("max_pool2d")?;
    match x.dtype() {
        DType::F32 => max_t::<f32>(x, spec, with_indices),
        DType::F64 => max_t::<f64>(x, spec, with_indices),
        DType::F16 | DType::BF16 => {
            let (v, i) = max_pool(&x.to_dtype(DType::F32)?, spec, with_indices)?;
            Ok((v.to_dtype(x.dtype())?, i))
        }
        d => Err(unsupported("max_pool2d", d)),
    }
}

/// One output row of a max pool with indices: each output keeps its running maximum and
/// index in registers while its window is scanned in PyTorch's order (row-major), so ties
/// and NaN resolve the same way.
fn max_row_indices<T: Real>(
    xp: &[T],
    w: usize,
    r: &MaxWin,
    cols: &[MaxWin],
    vrow: &mut [T],
    irow: &mut [i64],
) {
    for ((v, i), c) in vrow.iter_mut().zip(irow.iter_mut()).zip(cols) {
        let (mut best, mut at) = (T::neg_infinity(), r.start * w + c.start);
        for a in 0..r.count {
            let base = (r.start + a * r.step) * w + c.start;
            for b in 0..c.count {
                let k = base + b * c.step;
                let x = xp[k];
                // The general case (padding, clipped or uneven windows); LLVM may branch here,
                // the vectorised kernel below covers the common evenly spaced windows.
                let take = (x > best) | x.is_nan();
                best = if take { x } else { best };
                at = if take { k } else { at };
            }
        }
        *v = best;
        *i = at as i64;
    }
}

/// Column windows that are all full and evenly spaced: window `j` reads `k` inputs from
/// `c0 + j * stride`, `dil` apart (no padding or ceil-mode clipping in the row).
#[derive(Clone, Copy)]
struct EvenCols {
    c0: usize,
    stride: usize,
    k: usize,
    dil: usize,
}

fn even_cols(cols: &[MaxWin]) -> Option<EvenCols> {
    let c = cols.first()?;
    let stride = match cols.get(1) {
        Some(d) => d.start.checked_sub(c.start)?,
        None => 1,
    };
    let even = cols
        .iter()
        .enumerate()
        .all(|(j, x)| x.start == c.start + j * stride && x.step == c.step && x.count == c.count);
    even.then_some(EvenCols {
        c0: c.start,
        stride,
        k: c.count,
        dil: c.step,
    })
}

/// `if take { a } else { b }` as mask arithmetic: LLVM turns a plain select in the pool loop
/// into per-lane branches, which mispredict on real data.
trait Blend: Copy {
    fn blend(take: bool, a: Self, b: Self) -> Self;
}

impl Blend for f32 {
    #[inline(always)]
    fn blend(take: bool, a: f32, b: f32) -> f32 {
        f32::from_bits(blend_u32(take, a.to_bits(), b.to_bits()))
    }
}

impl Blend for f64 {
    #[inline(always)]
    fn blend(take: bool, a: f64, b: f64) -> f64 {
        let m = (take as u64).wrapping_neg();
        f64::from_bits((a.to_bits() & m) | (b.to_bits() & !m))
    }
}

#[inline(always)]
fn blend_u32(take: bool, a: u32, b: u32) -> u32 {
    let m = (take as u32).wrapping_neg();
    (a & m) | (b & !m)
}

/// `max_row_indices` for evenly spaced full windows, with the stride known at compile time:
/// up to 64 running maxima live in stack arrays and every window position updates all of
/// them, so the compare-selects are independent and vectorise instead of waiting on one
/// another. Indices are `u32` within the plane.
fn max_row_indices_even<T: Real + Blend, const S: usize>(
    xp: &[T],
    w: usize,
    r: &MaxWin,
    e: EvenCols,
    vrow: &mut [T],
    irow: &mut [i64],
) {
    const B: usize = 64;
    for (blk, (vs, is)) in vrow.chunks_mut(B).zip(irow.chunks_mut(B)).enumerate() {
        let n = vs.len();
        let start = e.c0 + blk * B * S;
        let mut best = [T::neg_infinity(); B];
        let mut at = [0u32; B];
        let mut cand = [T::zero(); B];
        let (best, at, cand) = (&mut best[..n], &mut at[..n], &mut cand[..n]);
        for (j, a) in at.iter_mut().enumerate() {
            *a = (r.start * w + start + j * S) as u32;
        }
        for a in 0..r.count {
            let row = (r.start + a * r.step) * w + start;
            if e.k == S && e.dil == 1 {
                // Windows tile the row (the common 2x2 stride 2): read them as contiguous
                // chunks, which LLVM vectorises with shuffles, no gather.
                let src = &xp[row..row + n * S];
                let row = row as u32;
                for (j, ((v, i), win)) in best
                    .iter_mut()
                    .zip(at.iter_mut())
                    .zip(src.chunks_exact(S))
                    .enumerate()
                {
                    for (b, &x) in win.iter().enumerate() {
                        let take = (x > *v) | x.is_nan();
                        *v = T::blend(take, x, *v);
                        *i = blend_u32(take, row + (j * S + b) as u32, *i);
                    }
                }
                continue;
            }
            for b in 0..e.k {
                let off = row + b * e.dil;
                // Gather the strided candidates first, so the compare-select loop runs over
                // contiguous arrays and vectorises.
                let src = &xp[off..off + (n - 1) * S + 1];
                for (c, x) in cand.iter_mut().zip(src.iter().step_by(S)) {
                    *c = *x;
                }
                let off = off as u32;
                for (j, ((v, i), &x)) in best
                    .iter_mut()
                    .zip(at.iter_mut())
                    .zip(cand.iter())
                    .enumerate()
                {
                    let take = (x > *v) | x.is_nan();
                    *v = T::blend(take, x, *v);
                    *i = blend_u32(take, off + (j * S) as u32, *i);
                }
            }
        }
        vs.copy_from_slice(best);
        for (o, &i) in is.iter_mut().zip(at.iter()) {
            *o = i as i64;
        }
    }
}

/// One output row with indices: the vectorised kernel where the windows allow it.
fn max_row_indices_any<T: Real + Blend>(
    xp: &[T],
    w: usize,
    r: &MaxWin,
    cols: &[MaxWin],
    even: Option<EvenCols>,
    vrow: &mut [T],
    irow: &mut [i64],
) {
    match even {
        Some(e) if e.stride == 1 => max_row_indices_even::<T, 1>(xp, w, r, e, vrow, irow),
        Some(e) if e.stride == 2 => max_row_indices_even::<T, 2>(xp, w, r, e, vrow, irow),
        Some(e) if e.stride == 3 => max_row_indices_even::<T, 3>(xp, w, r, e, vrow, irow),
        _ => max_row_indices(xp, w, r, cols, vrow, irow),
    }
}

/// One output row of a max pool, values only: a plain `x > v` select (a `max` instruction,
/// no branch) plus a separate NaN flag per output, so a NaN anywhere in the window gives NaN
/// as in PyTorch.
fn max_row_values<T: Real>(
    xp: &[T],
    w: usize,
    r: &MaxWin,
    cols: &[MaxWin],
    kmax: usize,
    vrow: &mut [T],
) {
    const CHUNK: usize = 64;
    for (vs, cs) in vrow.chunks_mut(CHUNK).zip(cols.chunks(CHUNK)) {
        let mut nan = [false; CHUNK];
        vs.fill(T::neg_infinity());
        for a in 0..r.count {
            let row = &xp[(r.start + a * r.step) * w..][..w];
            for b in 0..kmax {
                for ((v, n), c) in vs.iter_mut().zip(nan.iter_mut()).zip(cs) {
                    if b < c.count {
                        let x = row[c.start + b * c.step];
                        *v = if x > *v { x } else { *v };
                        *n |= x.is_nan();
                    }
                }
            }
        }
        for (v, &n) in vs.iter_mut().zip(&nan) {
            if n {
                *v = T::nan();
            }
        }
    }
}

fn max_t<T: Real + Blend>(
    x: &Tensor,
    spec: &MaxSpec,
    with_indices: bool,
) -> Result<(Tensor, Option<Tensor>)> {
    let s = x.shape();
    let (planes, [h, w]) = (s[0] * s[1], spec.in_hw);
    let (oh, ow) = (spec.rows.len(), spec.cols.len());
    let shape = [s[0], s[1], oh, ow];
    let len = oh * ow;
    // Every output (and index) is written by its row kernel.
    let vals = Storage::uninit(planes * len, T::DTYPE);
    let idx = Storage::uninit(if with_indices { planes * len } else { 0 }, DType::I64);
    let win = spec.rows.first().map_or(0, |r| r.count) * spec.cols.first().map_or(0, |c| c.count);
    let kmax = spec.cols.iter().map(|c| c.count).max().unwrap_or(0);
    // u32 indices in the fast kernel: planes up to 4G elements.
    let even = even_cols(&spec.cols).filter(|_| h * w <= u32::MAX as usize);
    contiguous_read::<T, _>(x, |xs| {
        let (mut gv, mut gi) = (vals.write(), idx.write());
        let vs = cast_slice_mut::<T>(gv.as_bytes_mut());
        let is = cast_slice_mut::<i64>(gi.as_bytes_mut());
        if len == 0 {
            return;
        }
        let plane = |p: usize, vo: &mut [T], io: &mut [i64]| {
            let xp = &xs[p * h * w..][..h * w];
            for (oi, r) in spec.rows.iter().enumerate() {
                let vrow = &mut vo[oi * ow..][..ow];
                if with_indices {
                    let irow = &mut io[oi * ow..][..ow];
                    max_row_indices_any(xp, w, r, &spec.cols, even, vrow, irow);
                } else {
                    max_row_values(xp, w, r, &spec.cols, kmax, vrow);
                }
            }
        };
        let parallel =
            planes * len * win.max(1) >= 2 * crate::cpu::GRAIN && crate::cpu::get_num_threads() > 1;
        match (with_indices, parallel) {
            (true, false) => vs
                .chunks_mut(len)
                .zip(is.chunks_mut(len))
                .enumerate()
                .for_each(|(p, (vo, io))| plane(p, vo, io)),
            (true, true) => crate::cpu::install(|| {
                vs.par_chunks_mut(len)
                    .zip(is.par_chunks_mut(len))
                    .enumerate()
                    .for_each(|(p, (vo, io))| plane(p, vo, io));
            }),
            (false, false) => vs
                .chunks_mut(len)
                .enumerate()
                .for_each(|(p, vo)| plane(p, vo, &mut [])),
            (false, true) => crate::cpu::install(|| {
                vs.par_chunks_mut(len)
                    .enumerate()
                    .for_each(|(p, vo)| plane(p, vo, &mut []));
            }),
        }
    })?;
    let vals = Tensor::from_storage(vals, &shape, T::DTYPE);
    let idx = with_indices.then(|| Tensor::from_storage(idx, &shape, DType::I64));
    Ok((vals, idx))
}

/// Average pool of `x: [N, C, H, W]` over the windows of `spec`.
pub(crate) fn avg_pool(x: &Tensor, spec: &AvgSpec) -> Result<Tensor> {
    x.device().check_available("avg_pool2d")?;
    match x.dtype() {
        DType::F32 => avg_t::<f32>(x, spec),
        DType::F64 => avg_t::<f64>(x, spec),
        DType::F16 | DType::BF16 => avg_pool(&x.to_dtype(DType::F32)?, spec)?.to_dtype(x.dtype()),
        d => Err(unsupported("avg_pool2d", d)),
    }
}

fn avg_t<T: Real>(x: &Tensor, spec: &AvgSpec) -> Result<Tensor> {
    let s = x.shape();
    let (planes, [h, w], [oh, ow]) = (s[0] * s[1], spec.in_hw, spec.out_hw());
    let out = Storage::zeros(planes * oh * ow, T::DTYPE);
    contiguous_read::<T, _>(x, |xs| {
        let mut g = out.write();
        let os = cast_slice_mut::<T>(g.as_bytes_mut());
        per_plane(os, oh * ow, planes * (h * w + oh * ow), |p, o| {
            let xp = &xs[p * h * w..][..h * w];
            let mut k = 0;
            for r in &spec.rows {
                for c in &spec.cols {
                    o[k] = match spec.scale(r, c) {
                        None => T::zero(),
                        Some(scale) => {
                            let mut acc = T::zero();
                            for ih in r.start..r.end {
                                for &v in &xp[ih * w + c.start..ih * w + c.end] {
                                    acc += v;
                                }
                            }
                            acc * T::from_f64(scale)
                        }
                    };
                    k += 1;
                }
            }
        });
    })?;
    Ok(Tensor::from_storage(out, &[s[0], s[1], oh, ow], T::DTYPE))
}

/// The adjoint of `avg_pool` (its input gradient): `g: [N, C, oh, ow]` spread back over each
/// window, divided by the window's divisor, into `[N, C, H, W]`.
pub(crate) fn avg_pool_adjoint(g: &Tensor, spec: &AvgSpec) -> Result<Tensor> {
    g.device().check_available("avg_pool2d_backward")?;
    match g.dtype() {
        DType::F32 => adjoint_t::<f32>(g, spec),
        DType::F64 => adjoint_t::<f64>(g, spec),
        DType::F16 | DType::BF16 => {
            avg_pool_adjoint(&g.to_dtype(DType::F32)?, spec)?.to_dtype(g.dtype())
        }
        d => Err(unsupported("avg_pool2d_backward", d)),
    }
}

fn adjoint_t<T: Real>(g: &Tensor, spec: &AvgSpec) -> Result<Tensor> {
    let s = g.shape();
    let (planes, [h, w], [oh, ow]) = (s[0] * s[1], spec.in_hw, spec.out_hw());
    let out = Storage::zeros(planes * h * w, T::DTYPE);
    contiguous_read::<T, _>(g, |gs| {
        let mut go = out.write();
        let os = cast_slice_mut::<T>(go.as_bytes_mut());
        per_plane(os, h * w, planes * (h * w + oh * ow), |p, o| {
            let gp = &gs[p * oh * ow..][..oh * ow];
            let mut k = 0;
            for r in &spec.rows {
                for c in &spec.cols {
                    if let Some(scale) = spec.scale(r, c) {
                        let v = gp[k] * T::from_f64(scale);
                        for ih in r.start..r.end {
                            for e in &mut o[ih * w + c.start..ih * w + c.end] {
                                *e += v;
                            }
                        }
                    }
                    k += 1;
                }
            }
        });
    })?;
    Ok(Tensor::from_storage(out, &[s[0], s[1], h, w], T::DTYPE))
}
