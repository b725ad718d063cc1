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

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn call_avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// Runs `f` compiled a second time with AVX2 + FMA when the CPU has them: the loops `f`
/// inlines (closures, `#[inline]` helpers) get 8-lane code. For kernels whose whole loop nest
/// sits in one closure, such as a reduction over a chunk of outputs.
#[inline(always)]
pub(crate) fn dispatch<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA (checked just above).
        return unsafe { call_avx2(f) };
    }
    f()
}
