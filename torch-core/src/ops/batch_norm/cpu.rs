//! CPU kernels of batch normalisation on a contiguous input seen as `[N, C, S]` (S: the
//! spatial positions): per-channel sums over the N runs of S elements (channels in parallel),
//! and one elementwise pass `out = a * p[c] + b * q[c] + r[c]` that serves both the forward
//! (`a = b = x`) and the input gradient (`a = g`, `b = x`).

use num_traits::Float;
use rayon::prelude::*;

use crate::cpu::{GRAIN, get_num_threads, install, par_chunks};
use crate::storage::{Storage, cast_slice_mut};
use crate::{Element, Tensor};

/// Element types the kernels run in (f16/bf16 are widened to f32 by the caller).
pub(super) trait Real: Element + Float + Send + Sync {}
impl Real for f32 {}
impl Real for f64 {}

/// The `[N, C, S]` view of an input with channels in dim 1.
#[derive(Clone, Copy, Debug)]
pub(super) struct Ncs {
    pub n: usize,
    pub c: usize,
    pub s: usize,
}

impl Ncs {
    pub fn of(shape: &[usize]) -> Ncs {
        let (n, c) = (shape[0], shape[1]);
        Ncs {
            n,
            c,
            s: shape[2..].iter().product(),
        }
    }

    /// Elements per channel (`N * S`).
    pub fn count(&self) -> usize {
        self.n * self.s
    }

    /// The N contiguous runs of channel `c`.
    fn runs<'a, T>(&self, x: &'a [T], c: usize) -> impl Iterator<Item = &'a [T]> + 'a {
        let (cs, s) = (self.c, self.s);
        (0..self.n).map(move |n| &x[(n * cs + c) * s..][..s])
    }
}

/// `f(c)` for every channel, on the thread pool when the input is large.
fn per_channel<R: Send>(g: Ncs, f: impl Fn(usize) -> R + Sync + Send) -> Vec<R> {
    if g.n * g.c * g.s < 2 * GRAIN || g.c == 1 || get_num_threads() == 1 {
        (0..g.c).map(f).collect()
    } else {
        install(|| (0..g.c).into_par_iter().map(f).collect())
    }
}

/// `sum_i f(a[i], b[i])` with eight partial sums, so the loop vectorises.
#[inline(always)]
fn sum2<T: Real>(a: &[T], b: &[T], f: impl Fn(T, T) -> T) -> T {
    let mut acc = [T::zero(); 8];
    let (ac, bc) = (a.chunks_exact(8), b.chunks_exact(8));
    let mut tail = T::zero();
    for (&x, &y) in ac.remainder().iter().zip(bc.remainder()) {
        tail = tail + f(x, y);
    }
    for (x, y) in ac.zip(bc) {
        for k in 0..8 {
            acc[k] = acc[k] + f(x[k], y[k]);
        }
    }
    acc.iter().fold(tail, |s, &v| s + v)
}

/// Per-channel batch mean and biased variance (two passes: the sum, then the squared
/// deviations from the mean).
pub(super) fn stats<T: Real>(x: &[T], g: Ncs) -> Vec<(T, T)> {
    let m = T::from_f64(g.count() as f64);
    per_channel(g, |c| {
        let sum = g
            .runs(x, c)
            .fold(T::zero(), |s, r| s + sum2(r, r, |v, _| v));
        let mean = sum / m;
        let sq = g.runs(x, c).fold(T::zero(), |s, r| {
            s + sum2(r, r, |v, _| (v - mean) * (v - mean))
        });
        (mean, sq / m)
    })
}

/// Per-channel `(sum g, sum g * (x - mean[c]))`: the bias gradient and the dot product the
/// weight and input gradients need.
pub(super) fn grad_sums<T: Real>(gr: &[T], x: &[T], mean: &[T], g: Ncs) -> Vec<(T, T)> {
    per_channel(g, |c| {
        let m = mean[c];
        g.runs(gr, c)
            .zip(g.runs(x, c))
            .fold((T::zero(), T::zero()), |(s, d), (gr, x)| {
                (
                    s + sum2(gr, gr, |v, _| v),
                    d + sum2(gr, x, |gv, xv| gv * (xv - m)),
                )
            })
    })
}

/// A new `shape` tensor holding `a * coef[c][0] + b * coef[c][1] + coef[c][2]` elementwise.
pub(super) fn transform<T: Real>(
    a: &[T],
    b: &[T],
    coef: &[[T; 3]],
    g: Ncs,
    shape: &[usize],
) -> Tensor {
    let storage = Storage::uninit(a.len(), T::DTYPE);
    {
        let mut guard = storage.write();
        let out = cast_slice_mut::<T>(guard.as_bytes_mut());
        par_chunks(out, |start, chunk| {
            let mut i = 0;
            while i < chunk.len() {
                let at = start + i;
                let run = at / g.s;
                let len = ((run + 1) * g.s - at).min(chunk.len() - i);
                let [p, q, r] = coef[run % g.c];
                let (ar, br) = (&a[at..at + len], &b[at..at + len]);
                for ((o, &u), &v) in chunk[i..i + len].iter_mut().zip(ar).zip(br) {
                    *o = u * p + v * q + r;
                }
                i += len;
            }
        });
    }
    Tensor::from_storage(storage, shape, T::DTYPE)
}
