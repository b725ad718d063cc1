//! The f32 matrix-vector fast path of `bmm`/`addmm`: `out (1, N) = a (1, K) @ b (K, N)` per
//! batch, what decoding at batch 1 runs (every Linear sees one row). gemm treats m = 1 like a
//! large product (it packs `b`) and goes parallel only above ~192^3 multiply-adds, so a
//! 768 x 3072 weight ran on one thread; here `b` is streamed once, in place, split by
//! columns over the pool's threads. Tested against the gemm result in `tests/gemv.rs`.

use crate::Element;
use crate::layout::Layout;
use crate::storage::{as_f32, as_f32_mut};

/// Matrices of at least this many elements are split over threads (smaller ones cost less
/// than waking the pool).
const PAR_ELEMS: usize = 1 << 15;
/// Columns per parallel task at least (a multiple of the vector width).
const MIN_COLS: usize = 64;

/// The operands of one `bmm`/`addmm` call, as `gemm_kernel` holds them.
struct Gemv<'a> {
    a: &'a [f32],
    b: &'a [f32],
    la: &'a Layout,
    lb: &'a Layout,
    /// `(beta, alpha)`: `out = beta * out + alpha * a @ b` (addmm), else `out = a @ b`.
    acc: Option<(f32, f32)>,
}

/// Whether the fast path takes a product with `m` rows of `[B, K, N]` `b` (layout `lb`):
/// one row, and `b` row- or column-major inside each batch.
fn applies(m: usize, lb: &Layout) -> bool {
    let st = lb.strides();
    m == 1 && (st[1] == 1 || st[2] == 1)
}

/// Runs the product through the fast path when it [`applies`] and `T` is f32, returning
/// whether it did. `scales` is addmm's `(beta, alpha)` (`out` then holds the bias).
pub(super) fn try_f32<T: Element>(
    a: &[T],
    b: &[T],
    out: &mut [T],
    (la, lb): (&Layout, &Layout),
    (m, k, n): (usize, usize, usize),
    scales: Option<(f64, f64)>,
) -> bool {
    let (Some(a), Some(b), Some(out)) = (as_f32(a), as_f32(b), as_f32_mut(out)) else {
        return false;
    };
    if !applies(m, lb) {
        return false;
    }
    let g = Gemv {
        a,
        b,
        la,
        lb,
        acc: scales.map(|(beta, alpha)| (beta as f32, alpha as f32)),
    };
    g.run(out, k, n);
    true
}

impl Gemv<'_> {
    /// Writes `batch` rows of `n` into `out` (contiguous `[B, 1, N]`).
    fn run(&self, out: &mut [f32], k: usize, n: usize) {
        let threads = crate::cpu::get_num_threads();
        let (sa, sb) = (self.la.strides(), self.lb.strides());
        for (i, row) in out.chunks_mut(n.max(1)).enumerate() {
            let ao = self.la.offset() + i * sa[0];
            // `a`'s row, contiguous (a strided row is copied: K values, nothing next to `b`).
            let a: Vec<f32>;
            let a_row = if sa[2] == 1 || k <= 1 {
                &self.a[ao..ao + k]
            } else {
                a = (0..k).map(|p| self.a[ao + p * sa[2]]).collect();
                &a
            };
            let bo = self.lb.offset() + i * sb[0];
            let cols = |j0: usize, o: &mut [f32]| {
                self.columns(a_row, bo, (sb[1], sb[2]), k, j0, o);
            };
            if threads > 1 && k * n >= PAR_ELEMS && n >= 2 * MIN_COLS {
                let chunk = n.div_ceil(threads).next_multiple_of(16).max(MIN_COLS);
                crate::cpu::parallel_chunks_mut(row, chunk, |c, o| cols(c * chunk, o));
            } else {
                cols(0, row);
            }
        }
    }

    /// Columns `j0 .. j0 + o.len()` of one row: `o[j] = sum_p a[p] b[p, j0 + j]` (then the
    /// addmm scaling). `b`'s element `(p, j)` is at `bo + p * rs + j * cs`.
    fn columns(
        &self,
        a: &[f32],
        bo: usize,
        (rs, cs): (usize, usize),
        k: usize,
        j0: usize,
        o: &mut [f32],
    ) {
        let len = o.len();
        let prev: Option<Vec<f32>> = self.acc.map(|_| o.to_vec());
        if cs == 1 {
            // Row-major `b`: o += a[p] * b[p, j0..], four rows per pass over `o`.
            let rows = |p: usize| &self.b[bo + p * rs + j0..bo + p * rs + j0 + len];
            kernels::axpy_rows(a, &rows, o);
        } else {
            // Column-major `b` (a Linear weight `(N, K)` seen through `.t()`): dot products.
            let col = |j: usize| &self.b[bo + (j0 + j) * cs..bo + (j0 + j) * cs + k];
            kernels::dot_cols(a, &col, o);
        }
        if let (Some((beta, alpha)), Some(prev)) = (self.acc, prev) {
            for (y, c) in o.iter_mut().zip(prev) {
                *y = beta * c + alpha * *y;
            }
        }
    }
}

/// The inner loops, compiled twice on x86-64 (baseline, and AVX2 with FMA) and picked at run
/// time. `FMA` selects fused multiply-adds, which the baseline build would turn into calls.
mod kernels {
    type Rows<'r> = &'r dyn Fn(usize) -> &'r [f32];

    /// `a * b + c`, fused when `FMA`.
    #[inline(always)]
    fn madd<const FMA: bool>(a: f32, b: f32, c: f32) -> f32 {
        if FMA { a.mul_add(b, c) } else { a * b + c }
    }

    /// Eight rows per pass over `o` (then four, then one): each pass reads `o` once for eight
    /// rows of `b`, so the weight stream dominates the traffic.
    #[inline(always)]
    fn axpy_body<const FMA: bool>(a: &[f32], rows: Rows<'_>, o: &mut [f32]) {
        o.fill(0.0);
        let mut p = 0;
        while p + 8 <= a.len() {
            let x: [f32; 8] = std::array::from_fn(|i| a[p + i]);
            // Every row is `o.len()` long; slicing says so to the bounds checks.
            let len = o.len();
            let r: [&[f32]; 8] = std::array::from_fn(|i| &rows(p + i)[..len]);
            for (j, y) in o.iter_mut().enumerate() {
                let mut t = *y;
                for i in 0..8 {
                    t = madd::<FMA>(x[i], r[i][j], t);
                }
                *y = t;
            }
            p += 8;
        }
        while p + 4 <= a.len() {
            let (x0, x1, x2, x3) = (a[p], a[p + 1], a[p + 2], a[p + 3]);
            let (r0, r1, r2, r3) = (rows(p), rows(p + 1), rows(p + 2), rows(p + 3));
            for ((((y, &v0), &v1), &v2), &v3) in o.iter_mut().zip(r0).zip(r1).zip(r2).zip(r3) {
                *y = madd::<FMA>(
                    x3,
                    v3,
                    madd::<FMA>(x2, v2, madd::<FMA>(x1, v1, x0 * v0 + *y)),
                );
            }
            p += 4;
        }
        for (q, &x) in a.iter().enumerate().skip(p) {
            for (y, &v) in o.iter_mut().zip(rows(q)) {
                *y = madd::<FMA>(x, v, *y);
            }
        }
    }

    #[inline(always)]
    fn dot<const FMA: bool>(a: &[f32], c: &[f32]) -> f32 {
        let mut acc = [0.0f32; 16];
        let (ca, cc) = (a.chunks_exact(16), c.chunks_exact(16));
        let (ra, rc) = (ca.remainder(), cc.remainder());
        for (x, y) in ca.zip(cc) {
            for ((s, &p), &q) in acc.iter_mut().zip(x).zip(y) {
                *s = madd::<FMA>(p, q, *s);
            }
        }
        let tail: f32 = ra.iter().zip(rc).map(|(x, y)| x * y).sum();
        acc.iter().sum::<f32>() + tail
    }

    /// Four dot products in one pass, each summed exactly as [`dot`] sums it (same bits):
    /// four weight streams in flight keep more memory requests outstanding than one, which is
    /// what a product bound by reading the weights needs (GPT-2's tied LM head, one core: from
    /// ~70% to ~78% of the bytes per second the row-major axpy reaches).
    #[inline(always)]
    fn dot4<const FMA: bool>(a: &[f32], c: [&[f32]; 4]) -> [f32; 4] {
        let k = a.len();
        let c = c.map(|s| &s[..k]);
        let mut acc = [[0.0f32; 16]; 4];
        let mut p = 0;
        while p + 16 <= k {
            let x = &a[p..p + 16];
            for (s, r) in acc.iter_mut().zip(&c) {
                let y = &r[p..p + 16];
                for l in 0..16 {
                    s[l] = madd::<FMA>(x[l], y[l], s[l]);
                }
            }
            p += 16;
        }
        std::array::from_fn(|r| {
            let tail: f32 = a[p..].iter().zip(&c[r][p..]).map(|(x, y)| x * y).sum();
            acc[r].iter().sum::<f32>() + tail
        })
    }

    #[inline(always)]
    fn dot_body<const FMA: bool>(a: &[f32], col: Rows<'_>, o: &mut [f32]) {
        let mut quads = o.chunks_exact_mut(4);
        let mut j = 0;
        for q in &mut quads {
            q.copy_from_slice(&dot4::<FMA>(a, std::array::from_fn(|i| col(j + i))));
            j += 4;
        }
        for (i, y) in quads.into_remainder().iter_mut().enumerate() {
            *y = dot::<FMA>(a, col(j + i));
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn axpy_avx2(a: &[f32], rows: Rows<'_>, o: &mut [f32]) {
        axpy_body::<true>(a, rows, o)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn dot_avx2(a: &[f32], col: Rows<'_>, o: &mut [f32]) {
        dot_body::<true>(a, col, o)
    }

    /// `o[j] = sum_p a[p] * rows(p)[j]`.
    pub(super) fn axpy_rows(a: &[f32], rows: Rows<'_>, o: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if crate::cpu::simd::avx2_fma() {
            // SAFETY: the CPU has AVX2 and FMA (checked just above).
            return unsafe { axpy_avx2(a, rows, o) };
        }
        axpy_body::<false>(a, rows, o)
    }

    /// `o[j] = a . col(j)`.
    pub(super) fn dot_cols(a: &[f32], col: Rows<'_>, o: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if crate::cpu::simd::avx2_fma() {
            // SAFETY: the CPU has AVX2 and FMA (checked just above).
            return unsafe { dot_avx2(a, col, o) };
        }
        dot_body::<false>(a, col, o)
    }
}
