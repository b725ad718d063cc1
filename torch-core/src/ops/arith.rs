//! `Arith`: the per-dtype arithmetic the binary kernels use, defined for every dtype once
//! (ints wrap like C, halves compute in f32, bool add is `or` and mul is `and`).

use half::{bf16, f16};
use num_complex::Complex32;

use crate::Element;

pub(crate) trait Arith: Element {
    fn add(a: Self, b: Self) -> Self;
    fn sub(a: Self, b: Self) -> Self;
    fn mul(a: Self, b: Self) -> Self;
    /// True division for floats; for ints truncating (callers promote ints first).
    fn div(a: Self, b: Self) -> Self;
    /// Ordering that propagates NaN like `torch.maximum`.
    fn max(a: Self, b: Self) -> Self;
    fn min(a: Self, b: Self) -> Self;
}

macro_rules! int_arith {
    ($($t:ty),*) => {$(
        impl Arith for $t {
            #[inline(always)] fn add(a: Self, b: Self) -> Self { a.wrapping_add(b) }
            #[inline(always)] fn sub(a: Self, b: Self) -> Self { a.wrapping_sub(b) }
            #[inline(always)] fn mul(a: Self, b: Self) -> Self { a.wrapping_mul(b) }
            #[inline(always)] fn div(a: Self, b: Self) -> Self { if b == 0 { 0 } else { a.wrapping_div(b) } }
            #[inline(always)] fn max(a: Self, b: Self) -> Self { Ord::max(a, b) }
            #[inline(always)] fn min(a: Self, b: Self) -> Self { Ord::min(a, b) }
        }
    )*};
}
int_arith!(u8, i8, i16, i32, i64);

macro_rules! float_arith {
    ($($t:ty),*) => {$(
        impl Arith for $t {
            #[inline(always)] fn add(a: Self, b: Self) -> Self { a + b }
            #[inline(always)] fn sub(a: Self, b: Self) -> Self { a - b }
            #[inline(always)] fn mul(a: Self, b: Self) -> Self { a * b }
            #[inline(always)] fn div(a: Self, b: Self) -> Self { a / b }
            #[inline(always)] fn max(a: Self, b: Self) -> Self { if a.is_nan() || a > b { a } else if b.is_nan() { b } else { b } }
            #[inline(always)] fn min(a: Self, b: Self) -> Self { if a.is_nan() || a < b { a } else { b } }
        }
    )*};
}
float_arith!(f32, f64);

macro_rules! half_arith {
    ($($t:ty),*) => {$(
        impl Arith for $t {
            #[inline(always)] fn add(a: Self, b: Self) -> Self { <$t>::from_f32(a.to_f32() + b.to_f32()) }
            #[inline(always)] fn sub(a: Self, b: Self) -> Self { <$t>::from_f32(a.to_f32() - b.to_f32()) }
            #[inline(always)] fn mul(a: Self, b: Self) -> Self { <$t>::from_f32(a.to_f32() * b.to_f32()) }
            #[inline(always)] fn div(a: Self, b: Self) -> Self { <$t>::from_f32(a.to_f32() / b.to_f32()) }
            #[inline(always)] fn max(a: Self, b: Self) -> Self { <$t>::from_f32(<f32 as Arith>::max(a.to_f32(), b.to_f32())) }
            #[inline(always)] fn min(a: Self, b: Self) -> Self { <$t>::from_f32(<f32 as Arith>::min(a.to_f32(), b.to_f32())) }
        }
    )*};
}
half_arith!(f16, bf16);

impl Arith for bool {
    fn add(a: Self, b: Self) -> Self {
        a | b
    }
    fn sub(a: Self, b: Self) -> Self {
        a ^ b
    }
    fn mul(a: Self, b: Self) -> Self {
        a & b
    }
    fn div(a: Self, b: Self) -> Self {
        a & b
    }
    fn max(a: Self, b: Self) -> Self {
        a | b
    }
    fn min(a: Self, b: Self) -> Self {
        a & b
    }
}

impl Arith for Complex32 {
    fn add(a: Self, b: Self) -> Self {
        a + b
    }
    fn sub(a: Self, b: Self) -> Self {
        a - b
    }
    fn mul(a: Self, b: Self) -> Self {
        a * b
    }
    fn div(a: Self, b: Self) -> Self {
        a / b
    }
    fn max(a: Self, _: Self) -> Self {
        a
    }
    fn min(a: Self, _: Self) -> Self {
        a
    }
}

/// Calls `$body` with `$T` bound to the Rust type of `$dtype`, for dtypes with `Arith`.
macro_rules! with_arith {
    ($dtype:expr, $T:ident, $body:block) => {
        $crate::with_dtype!($dtype, $T, $body)
    };
}
pub(crate) use with_arith;
