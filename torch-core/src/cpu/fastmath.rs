//! Branch-free f32 `exp` and `erf` for the hot elementwise kernels (softmax rows, exact GELU),
//! which spent most of their time in libm's scalar, branchy versions (BERT inference profile:
//! erf 16%, softmax's exp 16%). Straight-line polynomials, so loops over them vectorise.
//! exp: Cephes' `expf` (relative error < 1e-7 on [-87, 88]); erf: the rational approximation
//! Eigen vectorises (absolute error < 5e-7). Tested against f64 in `tests/fastmath.rs`.

// The coefficients are written as published (Cephes, Eigen), digits beyond f32's included.
#![allow(clippy::excessive_precision)]

const LOG2E: f32 = std::f32::consts::LOG2_E;
// ln 2 split in two so `x - n ln2` stays exact for |n| <= 128.
const LN2_HI: f32 = 0.693_359_375;
const LN2_LO: f32 = -2.121_944_4e-4;
// Below this `exp` underflows to 0 (and above `EXP_HI` overflows to inf), as expf does.
const EXP_LO: f32 = -87.336_55;
const EXP_HI: f32 = 88.722_83;
const ROUND: f32 = 12_582_912.0;

/// `e^x` for f32 (NaN, +-inf and underflow as `f32::exp`).
#[inline(always)]
pub(crate) fn exp(x: f32) -> f32 {
    // max/min rather than clamp: a NaN becomes EXP_LO here (and is returned as NaN below), so
    // `n` is always finite.
    #[allow(clippy::manual_clamp)] // clamp keeps NaN, which is what must not happen here
    let c = x.max(EXP_LO).min(EXP_HI);
    // Round to nearest by adding and taking off 1.5 * 2^23 (exact for |t| < 2^22): plain
    // adds, where `floor` is a libm call on baseline x86-64 that stops the loop vectorising.
    let n = (c * LOG2E + ROUND) - ROUND;
    let r = c - n * LN2_HI - n * LN2_LO;
    let mut p = 1.987_569_1e-4_f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 5.000_000_1e-1;
    let y = p * r * r + r + 1.0;
    // 2^n through the exponent bits; n + 127 is in 1..=254 after the clamp (n <= 128 is
    // split in two halves so 2^128 itself never has to be formed).
    // SAFETY: `n` is a finite integer in -127..=128 (c is clamped above), so the conversion
    // is exact; unlike `as`, it needs no saturation or NaN check, which kept the loop scalar.
    let ni: i32 = unsafe { n.to_int_unchecked() };
    let half = ni >> 1;
    let s1 = f32::from_bits(((half + 127) as u32) << 23);
    let s2 = f32::from_bits(((ni - half + 127) as u32) << 23);
    let y = y * s1 * s2;
    if x.is_nan() {
        x
    } else if x < EXP_LO {
        0.0
    } else if x > EXP_HI {
        f32::INFINITY
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
    softmax_row_body(s, d, log)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn softmax_row_avx2(s: &[f32], d: &mut [f32], log: bool) {
    softmax_row_body(s, d, log)
}

/// The row's loops, each over 8 independent lanes so that they vectorise: max, exp with its
/// sum, scale. A NaN is left out of the max but reaches the sum through its `exp`, so the whole row
/// becomes NaN, as in PyTorch.
#[inline(always)]
fn softmax_row_body(s: &[f32], d: &mut [f32], log: bool) {
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
    let m = if m.is_infinite() { 0.0 } else { m };
    // exp and its sum in one pass.
    let mut acc = [0.0f32; 8];
    let mut out = d.chunks_exact_mut(8);
    let mut inp = s.chunks_exact(8);
    for (oc, ic) in (&mut out).zip(&mut inp) {
        for ((o, &v), a) in oc.iter_mut().zip(ic).zip(acc.iter_mut()) {
            let e = exp(v - m);
            *o = e;
            *a += e;
        }
    }
    let mut tail = 0.0;
    for (o, &v) in out.into_remainder().iter_mut().zip(inp.remainder()) {
        *o = exp(v - m);
        tail += *o;
    }
    let sum = acc.iter().sum::<f32>() + tail;
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
