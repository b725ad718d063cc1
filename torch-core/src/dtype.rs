//! `DType`, the `Element` trait that ties a Rust type to its dtype, and PyTorch's type
//! promotion (DESIGN R6).

use half::{bf16, f16};
use num_complex::Complex32;

/// The element types a tensor can hold, named as in PyTorch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    Bool,
    U8,
    I8,
    I16,
    I32,
    I64,
    F16,
    BF16,
    F32,
    F64,
    /// complex64: two f32.
    C64,
}

/// PyTorch's default floating dtype (`torch.get_default_dtype()`).
pub const DEFAULT_FLOAT: DType = DType::F32;

impl DType {
    /// All dtypes, in promotion-category order.
    pub const ALL: [DType; 11] = [
        DType::Bool,
        DType::U8,
        DType::I8,
        DType::I16,
        DType::I32,
        DType::I64,
        DType::F16,
        DType::BF16,
        DType::F32,
        DType::F64,
        DType::C64,
    ];

    /// Bytes per element.
    pub fn size_in_bytes(self) -> usize {
        match self {
            DType::Bool | DType::U8 | DType::I8 => 1,
            DType::I16 | DType::F16 | DType::BF16 => 2,
            DType::I32 | DType::F32 => 4,
            DType::I64 | DType::F64 | DType::C64 => 8,
        }
    }

    /// True for f16, bf16, f32 and f64 (`torch.is_floating_point`).
    pub fn is_float(self) -> bool {
        matches!(self, DType::F16 | DType::BF16 | DType::F32 | DType::F64)
    }

    /// True for complex dtypes (`torch.is_complex`).
    pub fn is_complex(self) -> bool {
        self == DType::C64
    }

    /// True for the integer dtypes (bool excluded).
    pub fn is_int(self) -> bool {
        matches!(
            self,
            DType::U8 | DType::I8 | DType::I16 | DType::I32 | DType::I64
        )
    }

    /// True for bool, ints and unsigned ints: no fractional part.
    pub fn is_integral(self) -> bool {
        self == DType::Bool || self.is_int()
    }

    /// PyTorch's name, as printed in `dtype=torch.float64`.
    pub fn torch_name(self) -> &'static str {
        match self {
            DType::Bool => "torch.bool",
            DType::U8 => "torch.uint8",
            DType::I8 => "torch.int8",
            DType::I16 => "torch.int16",
            DType::I32 => "torch.int32",
            DType::I64 => "torch.int64",
            DType::F16 => "torch.float16",
            DType::BF16 => "torch.bfloat16",
            DType::F32 => "torch.float32",
            DType::F64 => "torch.float64",
            DType::C64 => "torch.complex64",
        }
    }

    fn category(self) -> u8 {
        if self == DType::Bool {
            0
        } else if self.is_int() {
            1
        } else if self.is_float() {
            2
        } else {
            3
        }
    }

    /// The real counterpart of a complex dtype (`complex64 -> float32`), else itself.
    pub fn to_real(self) -> DType {
        if self == DType::C64 { DType::F32 } else { self }
    }

    /// The dtype floating-point math runs in: integers and bool promote to the default float.
    pub fn to_float(self) -> DType {
        if self.is_integral() {
            DEFAULT_FLOAT
        } else {
            self
        }
    }
}

/// `torch.can_cast(from, to)`: whether an in-place op may write a `from` result into a `to`
/// tensor. Casting to a lower category is refused (float or complex to an integer or bool,
/// complex to real, a non-bool to bool); any cast within a category is allowed (f64 into f32).
pub fn can_cast(from: DType, to: DType) -> bool {
    let rank = |d: DType| match d {
        DType::Bool => 0,
        d if d.is_complex() => 3,
        d if d.is_float() => 2,
        _ => 1,
    };
    rank(from) <= rank(to)
}

/// `torch.promote_types`: the dtype two tensor operands compute in.
///
/// complex64 with float64 gives complex64 here (PyTorch gives complex128, which we lack).
pub fn promote_types(a: DType, b: DType) -> DType {
    use DType::*;
    if a == b {
        return a;
    }
    let (ca, cb) = (a.category(), b.category());
    if ca != cb {
        return if ca > cb { a } else { b };
    }
    match (a, b) {
        (U8, I8) | (I8, U8) => I16,
        (F16, BF16) | (BF16, F16) => F32,
        _ if a.is_int() => {
            // Signed ints and u8 (u8 only meets larger signed ints here).
            let rank = |d: DType| match d {
                U8 | I8 => 0,
                I16 => 1,
                I32 => 2,
                _ => 3,
            };
            if rank(a) >= rank(b) { a } else { b }
        }
        _ => {
            if a.size_in_bytes() >= b.size_in_bytes() {
                a
            } else {
                b
            }
        }
    }
}

/// The kind of a Rust scalar operand (PyTorch's "wrapped number").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarKind {
    Bool,
    Int,
    Float,
}

/// The dtype of `tensor op scalar`: the scalar only lifts the category (int tensor + 1.5 gives
/// the default float; f16 tensor + 1.5 stays f16), as PyTorch does for Python numbers.
pub fn promote_with_scalar(t: DType, s: ScalarKind) -> DType {
    match s {
        ScalarKind::Bool => t,
        ScalarKind::Int if t == DType::Bool => DType::I64,
        ScalarKind::Int => t,
        ScalarKind::Float if t.is_integral() => DEFAULT_FLOAT,
        ScalarKind::Float => t,
    }
}

/// A Rust type that can be the element of a tensor.
///
/// # Safety
/// `DTYPE.size_in_bytes()` equals `size_of::<Self>()`, every bit pattern the storage may hold is
/// valid for `Self` (bool storage only ever holds 0 or 1), and the type has no padding.
pub unsafe trait Element:
    Copy + Send + Sync + 'static + Default + PartialEq + std::fmt::Debug
{
    /// The dtype this type stands for.
    const DTYPE: DType;
    /// Converts to f64 (complex: the real part; bool: 0 or 1).
    fn to_f64(self) -> f64;
    /// Converts from f64 with Rust's `as` semantics (saturating, NaN to 0 for ints).
    fn from_f64(v: f64) -> Self;
    /// Converts to i64 exactly for integer types.
    fn to_i64(self) -> i64;
    /// Converts from i64 with wrapping like a C cast, as PyTorch's `.to()` does.
    fn from_i64(v: i64) -> Self;
    /// Ordering (complex numbers compare by real part; ops that need order reject them).
    fn partial_cmp_el(self, other: Self) -> Option<std::cmp::Ordering>;
    /// As a complex number.
    fn to_c64(self) -> Complex32 {
        Complex32::new(self.to_f64() as f32, 0.0)
    }
    /// From a complex number (non-complex types take the real part).
    fn from_c64(v: Complex32) -> Self {
        Self::from_f64(v.re as f64)
    }
}

macro_rules! int_element {
    ($t:ty, $d:ident) => {
        unsafe impl Element for $t {
            const DTYPE: DType = DType::$d;
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                self as i64
            }
            #[inline(always)]
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn partial_cmp_el(self, other: Self) -> Option<std::cmp::Ordering> {
                self.partial_cmp(&other)
            }
        }
    };
}
int_element!(u8, U8);
int_element!(i8, I8);
int_element!(i16, I16);
int_element!(i32, I32);
int_element!(i64, I64);

macro_rules! float_element {
    ($t:ty, $d:ident) => {
        unsafe impl Element for $t {
            const DTYPE: DType = DType::$d;
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                self as i64
            }
            #[inline(always)]
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn partial_cmp_el(self, other: Self) -> Option<std::cmp::Ordering> {
                self.partial_cmp(&other)
            }
        }
    };
}
float_element!(f32, F32);
float_element!(f64, F64);

macro_rules! half_element {
    ($t:ty, $d:ident) => {
        unsafe impl Element for $t {
            const DTYPE: DType = DType::$d;
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self.to_f64()
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                <$t>::from_f64(v)
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                self.to_f32() as i64
            }
            #[inline(always)]
            fn from_i64(v: i64) -> Self {
                <$t>::from_f64(v as f64)
            }
            #[inline(always)]
            fn partial_cmp_el(self, other: Self) -> Option<std::cmp::Ordering> {
                self.partial_cmp(&other)
            }
        }
    };
}
half_element!(f16, F16);
half_element!(bf16, BF16);

unsafe impl Element for bool {
    const DTYPE: DType = DType::Bool;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as u8 as f64
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v != 0.0
    }
    #[inline(always)]
    fn to_i64(self) -> i64 {
        self as i64
    }
    #[inline(always)]
    fn from_i64(v: i64) -> Self {
        v != 0
    }
    fn from_c64(v: Complex32) -> Self {
        v.re != 0.0 || v.im != 0.0
    }
    fn partial_cmp_el(self, other: Self) -> Option<std::cmp::Ordering> {
        self.partial_cmp(&other)
    }
}

unsafe impl Element for Complex32 {
    const DTYPE: DType = DType::C64;
    fn to_f64(self) -> f64 {
        self.re as f64
    }
    fn from_f64(v: f64) -> Self {
        Complex32::new(v as f32, 0.0)
    }
    fn to_i64(self) -> i64 {
        self.re as i64
    }
    fn from_i64(v: i64) -> Self {
        Complex32::new(v as f32, 0.0)
    }
    fn to_c64(self) -> Complex32 {
        self
    }
    fn partial_cmp_el(self, other: Self) -> Option<std::cmp::Ordering> {
        self.re.partial_cmp(&other.re)
    }
    fn from_c64(v: Complex32) -> Self {
        v
    }
}

/// Calls `$body` with `$T` bound to the Rust type of `$dtype`: the one dispatch macro every
/// kernel uses (DESIGN R6).
#[macro_export]
macro_rules! with_dtype {
    ($dtype:expr, $T:ident, $body:block) => {
        match $dtype {
            $crate::DType::Bool => {
                type $T = bool;
                $body
            }
            $crate::DType::U8 => {
                type $T = u8;
                $body
            }
            $crate::DType::I8 => {
                type $T = i8;
                $body
            }
            $crate::DType::I16 => {
                type $T = i16;
                $body
            }
            $crate::DType::I32 => {
                type $T = i32;
                $body
            }
            $crate::DType::I64 => {
                type $T = i64;
                $body
            }
            $crate::DType::F16 => {
                type $T = half::f16;
                $body
            }
            $crate::DType::BF16 => {
                type $T = half::bf16;
                $body
            }
            $crate::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::DType::F64 => {
                type $T = f64;
                $body
            }
            $crate::DType::C64 => {
                type $T = num_complex::Complex32;
                $body
            }
        }
    };
}

/// `a < b` for any element type.
#[inline(always)]
pub(crate) fn lt<T: Element>(a: T, b: T) -> bool {
    a.partial_cmp_el(b) == Some(std::cmp::Ordering::Less)
}

/// `a > b` for any element type.
#[inline(always)]
pub(crate) fn gt<T: Element>(a: T, b: T) -> bool {
    a.partial_cmp_el(b) == Some(std::cmp::Ordering::Greater)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promotion_follows_torch_table() {
        use DType::*;
        assert_eq!(promote_types(U8, I8), I16);
        assert_eq!(promote_types(I32, F16), F16);
        assert_eq!(promote_types(F16, BF16), F32);
        assert_eq!(promote_types(Bool, U8), U8);
        assert_eq!(promote_types(I64, I8), I64);
        assert_eq!(promote_types(F32, F64), F64);
        assert_eq!(promote_types(F64, C64), C64);
        assert_eq!(promote_with_scalar(I64, ScalarKind::Float), F32);
        assert_eq!(promote_with_scalar(F16, ScalarKind::Float), F16);
        assert_eq!(promote_with_scalar(Bool, ScalarKind::Int), I64);
        assert_eq!(promote_with_scalar(U8, ScalarKind::Int), U8);
    }
}
