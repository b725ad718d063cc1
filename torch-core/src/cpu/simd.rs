//! Run-time selection of AVX2 + FMA code on x86-64. Loops written once in plain Rust are
//! compiled a second time with those features enabled (8 f32 lanes instead of SSE2's 4, and
//! vector division, blends and integer shifts that the baseline lacks) and picked when the CPU
//! has them. Plain arithmetic gives the same bits either way: Rust never contracts `a * b + c`
//! into an FMA by itself.

/// Whether this CPU has AVX2 and FMA (the detection is cached by std).
#[inline]
pub(crate) fn avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

#[inline(always)]
fn map_body<T: Copy, U>(dst: &mut [U], src: &[T], f: &impl Fn(T) -> U) {
    for (o, &v) in dst.iter_mut().zip(src) {
        *o = f(v);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn map_avx2<T: Copy, U>(dst: &mut [U], src: &[T], f: &impl Fn(T) -> U) {
    map_body(dst, src, f)
}

/// `dst[i] = f(src[i])`, with `f` inlined into an AVX2 loop when the CPU has it.
#[inline]
pub(crate) fn map_slice<T: Copy, U>(dst: &mut [U], src: &[T], f: &impl Fn(T) -> U) {
    #[cfg(target_arch = "x86_64")]
    if avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA (checked just above).
        return unsafe { map_avx2(dst, src, f) };
    }
    map_body(dst, src, f)
}

#[inline(always)]
unsafe fn zip_body<T: Copy, const W: usize, const R: usize>(
    ws: [*mut T; W],
    rs: [*const T; R],
    len: usize,
    f: &impl Fn([&mut T; W], [T; R]),
) {
    for i in 0..len {
        // SAFETY: the caller's contract.
        unsafe { f(ws.map(|p| &mut *p.add(i)), rs.map(|p| *p.add(i))) }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn zip_avx2<T: Copy, const W: usize, const R: usize>(
    ws: [*mut T; W],
    rs: [*const T; R],
    len: usize,
    f: &impl Fn([&mut T; W], [T; R]),
) {
    // SAFETY: the caller's contract.
    unsafe { zip_body(ws, rs, len, f) }
}

/// `f(writes, reads)` at positions `0..len` of `W` written and `R` read buffers, with `f`
/// inlined into an AVX2 loop when the CPU has it.
///
/// # Safety
/// Every pointer is valid for `len` elements; the written ranges overlap no other range.
#[inline]
pub(crate) unsafe fn zip_ptrs<T: Copy, const W: usize, const R: usize>(
    ws: [*mut T; W],
    rs: [*const T; R],
    len: usize,
    f: &impl Fn([&mut T; W], [T; R]),
) {
    #[cfg(target_arch = "x86_64")]
    if avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA (checked just above); the rest is the caller's.
        return unsafe { zip_avx2(ws, rs, len, f) };
    }
    // SAFETY: the caller's contract.
    unsafe { zip_body(ws, rs, len, f) }
}

/// Lanes of the f32 sum: four 8-float registers of partial sums, so consecutive adds do not
/// wait on each other.
const SUM_LANES: usize = 32;

/// Partial sums lane by lane: `lanes[k]` = the sum of `s[32 i + k]` over whole blocks.
#[inline(always)]
fn lane_sums(s: &[f32]) -> [f32; SUM_LANES] {
    let mut lanes = [0f32; SUM_LANES];
    for c in s.chunks_exact(SUM_LANES) {
        for (a, &v) in lanes.iter_mut().zip(c) {
            *a += v;
        }
    }
    lanes
}

/// Folds the lanes pairwise (which keeps the rounding error of long sums small), then adds
/// the elements past the last whole block.
#[inline(always)]
fn finish_sum(mut lanes: [f32; SUM_LANES], s: &[f32]) -> f32 {
    let mut w = SUM_LANES;
    while w > 1 {
        w /= 2;
        for k in 0..w {
            lanes[k] += lanes[k + w];
        }
    }
    let rest = &s[s.len() - s.len() % SUM_LANES..];
    rest.iter().fold(lanes[0], |a, &v| a + v)
}

/// `lane_sums` with explicit 8-float registers: compiled from the plain loop, LLVM loads two
/// floats at a time into the lane array.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn sum_avx2(s: &[f32]) -> f32 {
    use std::arch::x86_64::{__m256, _mm256_add_ps, _mm256_loadu_ps, _mm256_setzero_ps};
    let mut acc: [__m256; SUM_LANES / 8] = [_mm256_setzero_ps(); SUM_LANES / 8];
    for c in s.chunks_exact(SUM_LANES) {
        for (j, a) in acc.iter_mut().enumerate() {
            // SAFETY: `c` holds SUM_LANES floats, so 8 j .. 8 j + 8 is in bounds.
            *a = _mm256_add_ps(*a, unsafe { _mm256_loadu_ps(c.as_ptr().add(8 * j)) });
        }
    }
    // SAFETY: `[__m256; 4]` and `[f32; 32]` have the same size, and every bit pattern is a
    // valid f32; register j holds lanes 8 j .. 8 j + 8, as in `lane_sums`.
    let lanes: [f32; SUM_LANES] = unsafe { std::mem::transmute(acc) };
    finish_sum(lanes, s)
}

/// The sum of a contiguous f32 slice, with AVX2 when the CPU has it (the same bits either
/// way: the order of the adds is fixed by the lanes).
#[inline]
pub(crate) fn sum_f32(s: &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA (checked just above).
        return unsafe { sum_avx2(s) };
    }
    finish_sum(lane_sums(s), s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sum_f32_has_the_plain_loops_bits_and_is_accurate() {
        for n in [0usize, 1, 31, 32, 33, 1000, 4099] {
            let s: Vec<f32> = (0..n)
                .map(|i| ((i * 7919) % 1000) as f32 * 1e-3 - 0.3)
                .collect();
            let plain = finish_sum(lane_sums(&s), &s);
            assert_eq!(sum_f32(&s).to_bits(), plain.to_bits(), "n = {n}");
            let exact: f64 = s.iter().map(|&v| v as f64).sum();
            assert!(
                (plain as f64 - exact).abs() < 1e-5 * (1.0 + exact.abs()),
                "n = {n}"
            );
        }
    }
}
