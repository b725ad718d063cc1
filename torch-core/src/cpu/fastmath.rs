//! Branch-free f32 `exp` and `erf` for the hot elementwise kernels (softmax rows, exact GELU),
//! which spent most of their time in libm's scalar, branchy versions (BERT inference profile:
//! erf 16%, softmax's exp 16%). Straight-line polynomials, so loops over them vectorise.
//! exp: Cephes' `expf` for softmax's `x - max` (relative error < 1e-7 on [-87, 0]; FMA where the
//! CPU has it); erf: the rational approximation
//! Eigen vectorises (absolute error < 5e-7). Tested against f64 in `tests/fastmath.rs`.

// The coefficients are written as published (Cephes, Eigen), digits beyond f32's included.
#![allow(clippy::excessive_precision)]

const LOG2E: f32 = std::f32::consts::LOG2_E;
// ln 2 split in two so `x - n ln2` stays exact for |n| <= 128.
const LN2_HI: f32 = 0.693_359_375;
const LN2_LO: f32 = -2.121_944_4e-4;
// Below this `exp` underflows to 0, as expf does.
const EXP_LO: f32 = -87.336_55;
const ROUND: f32 = 12_582_912.0;

/// `a * b + c`: one fused instruction in the AVX2 + FMA build of a kernel, a multiply and an
/// add in the baseline one (where `mul_add` would be a libm call).
pub(crate) trait MulAdd {
    fn mul_add(a: f32, b: f32, c: f32) -> f32;
}

/// Separate multiply and add.
pub(crate) struct Plain;
impl MulAdd for Plain {
    #[inline(always)]
    fn mul_add(a: f32, b: f32, c: f32) -> f32 {
        a * b + c
    }
}

/// Fused multiply-add (only in code compiled with the `fma` feature).
pub(crate) struct Fused;
impl MulAdd for Fused {
    #[inline(always)]
    fn mul_add(a: f32, b: f32, c: f32) -> f32 {
        a.mul_add(b, c)
    }
}

/// `e^x` for the f32 values softmax exponentiates, `x - max` <= 0 or NaN (a row holding NaN
/// or +inf): underflow to 0 below `EXP_LO` as `expf`, NaN stays NaN.
#[inline(always)]
pub(crate) fn exp_nonpositive<M: MulAdd>(x: f32) -> f32 {
    // max/min rather than clamp: a NaN becomes EXP_LO here (and is returned as NaN below), so
    // `n` is always finite.
    #[allow(clippy::manual_clamp)] // clamp keeps NaN, which is what must not happen here
    let c = x.max(EXP_LO).min(0.0);
    // Round to nearest by adding and taking off 1.5 * 2^23 (exact for |t| < 2^22): plain
    // adds, where `floor` is a libm call on baseline x86-64 that stops the loop vectorising.
    let n = M::mul_add(c, LOG2E, ROUND) - ROUND;
    let r = M::mul_add(n, -LN2_LO, M::mul_add(n, -LN2_HI, c));
    let mut p = 1.987_569_1e-4_f32;
    p = M::mul_add(p, r, 1.398_199_9e-3);
    p = M::mul_add(p, r, 8.333_452e-3);
    p = M::mul_add(p, r, 4.166_579_6e-2);
    p = M::mul_add(p, r, 1.666_666_5e-1);
    p = M::mul_add(p, r, 5.000_000_1e-1);
    let y = M::mul_add(p * r, r, r) + 1.0;
    // 2^n through the exponent bits: n is in -126..=0, a normal power of two.
    // SAFETY: `n` is a finite integer in -126..=0 (c is clamped above), so the conversion is
    // exact; unlike `as`, it needs no saturation or NaN check, which kept the loop scalar.
    let ni: i32 = unsafe { n.to_int_unchecked() };
    let y = y * f32::from_bits(((ni + 127) as u32) << 23);
    if x.is_nan() {
        x
    } else if x < EXP_LO {
        0.0
    } else {
        y
    }
}

/// `erf(x)` for f32: odd rational approximation, exactly +-1 where f32's erf rounds to it
/// (|x| > 3.92, including +-inf); NaN stays NaN.
#[inline(always)]
pub(crate) fn erf(x: f32) -> f32 {
    let c = x.clamp(-4.0, 4.0);
    let x2 = c * c;
    let mut p = -2.726_142_3e-10_f32;
    p = p * x2 + 2.770_681_4e-8;
    p = p * x2 - 2.101_024e-6;
    p = p * x2 - 5.692_506_4e-5;
    p = p * x2 - 7.349_906_3e-4;
    p = p * x2 - 2.954_6e-3;
    p = p * x2 - 1.609_603_3e-2;
    let mut q = -1.456_607_2e-5_f32;
    q = q * x2 - 2.133_740_6e-4;
    q = q * x2 - 1.682_827e-3;
    q = q * x2 - 7.373_329e-3;
    q = q * x2 - 1.426_474e-2;
    let y = c * p / q;
    if x.is_nan() {
        x
    } else if c.abs() > 3.92 {
        c.signum()
    } else {
        y
    }
}

/// One softmax (or log-softmax) row of f32: `d = exp(s - max) / sum` (`(s - max) - log(sum)`),
/// with AVX2 + FMA when the CPU has them (picked at run time).
pub(crate) fn softmax_row(s: &[f32], d: &mut [f32], log: bool) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has AVX2 and FMA (checked just above).
        return unsafe { softmax_row_avx2(s, d, log) };
    }
    softmax_row_body::<Plain>(s, d, log)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn softmax_row_avx2(s: &[f32], d: &mut [f32], log: bool) {
    softmax_row_body::<Fused>(s, d, log)
}

/// The row's loops, each over independent lanes so that they vectorise: max, exp, sum,
/// scale. A NaN is left out of the max but reaches the sum through its `exp`, so the whole row
/// becomes NaN, as in PyTorch.
#[inline(always)]
fn softmax_row_body<M: MulAdd>(s: &[f32], d: &mut [f32], log: bool) {
    let mut mx = [f32::NEG_INFINITY; 8];
    let chunks = s.chunks_exact(8);
    let tail = chunks
        .remainder()
        .iter()
        .fold(f32::NEG_INFINITY, |a, &v| if v > a { v } else { a });
    for c in chunks {
        for (a, &v) in mx.iter_mut().zip(c) {
            *a = if v > *a { v } else { *a };
        }
    }
    let m = mx.iter().fold(tail, |a, &v| if v > a { v } else { a });
    // An all -inf row: exp(-inf - 0) = 0, then 0 / 0 = NaN, as PyTorch. A +inf max stays, so
    // inf - inf = NaN spreads over the row, as in PyTorch.
    let m = if m == f32::NEG_INFINITY { 0.0 } else { m };
    // Two loops: fused into one, the exp stops vectorising once it uses FMA.
    for (o, &v) in d.iter_mut().zip(s) {
        *o = exp_nonpositive::<M>(v - m);
    }
    let sum = crate::cpu::simd::sum_f32(d);
    if log {
        // (v - m) - ln(sum), not v - (m + ln(sum)): the latter rounds ln(sum) to m's ulp.
        let ls = sum.ln();
        for (o, &v) in d.iter_mut().zip(s) {
            *o = (v - m) - ls;
        }
    } else {
        let inv = 1.0 / sum;
        for o in d.iter_mut() {
            *o *= inv;
        }
    }
}
