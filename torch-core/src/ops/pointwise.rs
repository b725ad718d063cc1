//! Elementwise ops beyond plain arithmetic: sign-like ops that keep integer dtypes (`neg`,
//! `abs`, `sign`, `relu`, rounding, `clamp`, `leaky_relu`), comparisons and logical ops
//! returning bool, `where_cond`, `masked_fill`, `lerp`, `isnan`/`isinf`/`isfinite`,
//! `nan_to_num`.

use half::{bf16, f16};
use num_traits::Float;

use crate::autograd::{BackwardCtx, GradFn, SavedTensor, record};
use crate::cpu::{map_ternary, map_unary};
use crate::ops::arith::Arith;
use crate::ops::binary::{Scalar, binary_kernel, result_type};
use crate::ops::unary::{FloatExt, FloatFn, UnaryBackward};
use crate::shape::broadcast_shapes;
use crate::{DType, Element, Error, Result, Tensor, with_dtype};

/// Applies a float function to float dtypes and `int` (through i64) to integer dtypes,
/// keeping the dtype (`neg`, `abs`, `relu`, ...).
fn keep_dtype<F: FloatFn>(
    op: &'static str,
    x: &Tensor,
    f: F,
    int: fn(i64) -> i64,
) -> Result<Tensor> {
    match x.dtype() {
        DType::F32 => map_unary::<f32, f32>(x, move |v| f.apply(v)),
        DType::F64 => map_unary::<f64, f64>(x, move |v| f.apply(v)),
        DType::F16 => map_unary::<f16, f16>(x, move |v| f16::from_f32(f.apply(v.to_f32()))),
        DType::BF16 => map_unary::<bf16, bf16>(x, move |v| bf16::from_f32(f.apply(v.to_f32()))),
        DType::C64 | DType::Bool => Err(Error::UnsupportedDType {
            op,
            dtype: x.dtype(),
        }),
        d => with_dtype!(d, T, {
            map_unary::<T, T>(x, move |v| <T as crate::Element>::from_i64(int(v.to_i64())))
        }),
    }
}

fn with_rule(
    x: &Tensor,
    y: Tensor,
    name: &'static str,
    rule: impl Fn(&Tensor, &Tensor, &Tensor) -> Result<Tensor> + Send + Sync + 'static,
) -> Tensor {
    record(y, &[x], |y| {
        Box::new(UnaryBackward::new(name, x, y, Box::new(rule)))
    })
}

macro_rules! keep_dtype_ops {
    ($(
        $(#[$doc:meta])*
        $name:ident, $grad:literal, |$v:ident| $fwd:expr, |$i:ident| $int:expr, |$x:ident, $y:ident, $g:ident| $bwd:expr;
    )*) => {
        impl Tensor {
            $(
                $(#[$doc])*
                pub fn $name(&self) -> Result<Tensor> {
                    #[derive(Clone, Copy)]
                    struct Op;
                    impl FloatFn for Op {
                        #[inline(always)]
                        fn apply<T: Float + FloatExt>(&self, $v: T) -> T {
                            $fwd
                        }
                    }
                    let y = keep_dtype(stringify!($name), self, Op, |$i| $int)?;
                    #[allow(unused_variables)]
                    Ok(with_rule(self, y, $grad, |$x, $y, $g| $bwd))
                }
            )*
        }
    };
}

keep_dtype_ops! {
    /// `max(x, 0)` (`torch.relu`). Derivative: `g` where `y > 0`, else 0.
    relu, "ReluBackward", |v| if v > T::zero() { v } else { T::zero() }, |i| i.max(0),
        |x, y, g| g.threshold_backward(y, 0.0);
    /// Sign: -1, 0 or 1 (`torch.sign`). Derivative: 0.
    sign, "SignBackward", |v| if v > T::zero() { T::one() } else if v < T::zero() { -T::one() } else { v }, |i| i.signum(),
        |x, y, g| g.zeros_like();
    /// Round down (`torch.floor`). Derivative: 0.
    floor, "FloorBackward", |v| v.floor(), |i| i, |x, y, g| g.zeros_like();
    /// Round up (`torch.ceil`). Derivative: 0.
    ceil, "CeilBackward", |v| v.ceil(), |i| i, |x, y, g| g.zeros_like();
    /// Round half to even (`torch.round`). Derivative: 0.
    round, "RoundBackward", |v| {
        let r = v.round();
        if (v - v.trunc()).abs() == T::lit(0.5) { T::lit(2.0) * (v / T::lit(2.0)).round() } else { r }
    }, |i| i, |x, y, g| g.zeros_like();
    /// Round toward zero (`torch.trunc`). Derivative: 0.
    trunc, "TruncBackward", |v| v.trunc(), |i| i, |x, y, g| g.zeros_like();
}

/// The two gradient masks of the rectifiers, each linear in the gradient it masks.
#[derive(Clone, Copy)]
enum GradMask {
    /// `threshold_backward`: the gradient where `input > threshold` (or NaN), else 0.
    Threshold(f64),
    /// `leaky_relu_backward`: the gradient where `input > 0`, else `slope` times it.
    Leaky(f64),
}

impl GradMask {
    fn name(self) -> &'static str {
        match self {
            GradMask::Threshold(_) => "threshold_backward",
            GradMask::Leaky(_) => "leaky_relu_backward",
        }
    }

    fn kernel<T: Arith>(self, grad: &Tensor, input: &Tensor) -> Result<Tensor> {
        use std::cmp::Ordering::Greater;
        match self {
            GradMask::Threshold(t) => {
                let t = <T as Element>::from_f64(t);
                // `input <= threshold` is false for NaN, which passes the gradient, as in PyTorch.
                binary_kernel::<T, T>(self.name(), grad, input, move |g, x| {
                    match x.partial_cmp_el(t) {
                        Some(Greater) | None => g,
                        _ => T::default(),
                    }
                })
            }
            GradMask::Leaky(slope) => {
                let s = <T as Element>::from_f64(slope);
                binary_kernel::<T, T>(self.name(), grad, input, move |g, x| {
                    if x.partial_cmp_el(T::default()) == Some(Greater) {
                        g
                    } else {
                        T::mul(g, s)
                    }
                })
            }
        }
    }

    /// Applies the mask to `grad` in one pass; differentiable in `grad` (the mask itself has
    /// derivative 0 almost everywhere), so double backward through the rectifiers works.
    fn apply(self, grad: &Tensor, input: &Tensor) -> Result<Tensor> {
        let y = match grad.dtype() {
            DType::F32 => self.kernel::<f32>(grad, input)?,
            DType::F64 => self.kernel::<f64>(grad, input)?,
            DType::F16 => self.kernel::<f16>(grad, input)?,
            DType::BF16 => self.kernel::<bf16>(grad, input)?,
            dtype => {
                return Err(Error::UnsupportedDType {
                    op: self.name(),
                    dtype,
                });
            }
        };
        Ok(record(y, &[grad, input], |_| {
            Box::new(GradMaskBackward {
                input: SavedTensor::input(input),
                mask: self,
            })
        }))
    }
}

/// The derivative of a [`GradMask`] with respect to the gradient it masks: the same mask.
struct GradMaskBackward {
    input: SavedTensor,
    mask: GradMask,
}
impl GradFn for GradMaskBackward {
    fn name(&self) -> &'static str {
        match self.mask {
            GradMask::Threshold(_) => "ThresholdBackwardBackward",
            GradMask::Leaky(_) => "LeakyReluBackwardBackward",
        }
    }
    fn backward(&self, ctx: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let input = self.input.unpack(ctx)?;
        Ok(vec![Some(self.mask.apply(g, &input)?), None])
    }
}

impl Tensor {
    /// `self` (a gradient) where `input > threshold`, else 0, in one pass: ATen's
    /// `threshold_backward(grad_output, self, threshold)`, the derivative of `relu` (threshold
    /// 0, `input` may be relu's output) and `F.threshold`. A NaN in `input` passes the gradient.
    /// Broadcasts; the result has the gradient's float dtype.
    pub fn threshold_backward(&self, input: &Tensor, threshold: f64) -> Result<Tensor> {
        GradMask::Threshold(threshold).apply(self, input)
    }

    /// `self` (a gradient) where `input > 0`, else `negative_slope` times it, in one pass:
    /// ATen's `leaky_relu_backward`, the derivative of [`Tensor::leaky_relu`]. Broadcasts.
    pub fn leaky_relu_backward(&self, input: &Tensor, negative_slope: f64) -> Result<Tensor> {
        GradMask::Leaky(negative_slope).apply(self, input)
    }
}

struct NegBackward;
impl GradFn for NegBackward {
    fn name(&self) -> &'static str {
        "NegBackward"
    }
    fn backward(&self, _: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some(g.neg()?)])
    }
}

impl Tensor {
    /// `-x` (`torch.neg`). Derivative: `-g`.
    pub fn neg(&self) -> Result<Tensor> {
        let y = match self.dtype() {
            DType::Bool => {
                return Err(Error::invalid(
                    "neg",
                    "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.",
                ));
            }
            DType::C64 => {
                map_unary::<num_complex::Complex32, num_complex::Complex32>(self, |v| -v)?
            }
            _ => {
                #[derive(Clone, Copy)]
                struct Op;
                impl FloatFn for Op {
                    fn apply<T: Float + FloatExt>(&self, v: T) -> T {
                        -v
                    }
                }
                keep_dtype("neg", self, Op, i64::wrapping_neg)?
            }
        };
        Ok(record(y, &[self], |_| Box::new(NegBackward)))
    }

    /// `|x|` (`torch.abs`); complex gives the modulus as float. Derivative: `g sign(x)`.
    pub fn abs(&self) -> Result<Tensor> {
        if self.dtype() == DType::C64 {
            let y = map_unary::<num_complex::Complex32, f32>(self, |v| v.norm())?;
            return Ok(with_rule(self, y, "AbsBackward", |x, y, g| {
                // d|z| = Re(conj(z)/|z| dz): the gradient is g z / |z| (0 at 0).
                let r = y.masked_fill(&y.eq_scalar(0.0)?, 1.0)?;
                x.mul(&g.div(&r)?.to_dtype(DType::C64)?)
            }));
        }
        #[derive(Clone, Copy)]
        struct Op;
        impl FloatFn for Op {
            fn apply<T: Float + FloatExt>(&self, v: T) -> T {
                v.abs()
            }
        }
        let y = keep_dtype("abs", self, Op, i64::wrapping_abs)?;
        Ok(with_rule(self, y, "AbsBackward", |x, _, g| {
            g.mul(&x.sign()?)
        }))
    }

    /// Clamps to `[min, max]` (`torch.clamp`); either bound may be absent.
    /// Derivative: `g` inside the range, 0 outside.
    pub fn clamp(&self, min: Option<f64>, max: Option<f64>) -> Result<Tensor> {
        if min.is_none() && max.is_none() {
            return Err(Error::invalid(
                "clamp",
                "At least one of 'min' or 'max' must not be None",
            ));
        }
        let (lo, hi) = (
            min.unwrap_or(f64::NEG_INFINITY),
            max.unwrap_or(f64::INFINITY),
        );
        let y = with_dtype!(self.dtype(), T, {
            map_unary::<T, T>(self, move |v| {
                let f = v.to_f64();
                if f.is_nan() {
                    v
                } else if f < lo {
                    <T as crate::Element>::from_f64(lo)
                } else if f > hi {
                    // min wins when min > max, as in PyTorch.
                    <T as crate::Element>::from_f64(hi.max(lo))
                } else {
                    v
                }
            })?
        });
        Ok(with_rule(self, y, "ClampBackward", move |x, _, g| {
            let out = x.lt_scalar(lo)?.logical_or(&x.gt_scalar(hi)?)?;
            g.masked_fill(&out, 0.0)
        }))
    }

    /// Clamps in place (`x.clamp_(min, max)`).
    pub fn clamp_(&self, min: Option<f64>, max: Option<f64>) -> Result<()> {
        self.assign("clamp_", &self.inplace_source()?.clamp(min, max)?)
    }

    /// `x` if positive else `slope x` (`F.leaky_relu`). Derivative: `g` or `slope g`.
    /// Float dtypes only, as in PyTorch.
    pub fn leaky_relu(&self, negative_slope: f64) -> Result<Tensor> {
        if !self.dtype().is_float() {
            return Err(Error::UnsupportedDType {
                op: "leaky_relu",
                dtype: self.dtype(),
            });
        }
        #[derive(Clone, Copy)]
        struct Op(f64);
        impl FloatFn for Op {
            #[inline(always)]
            fn apply<T: Float + FloatExt>(&self, v: T) -> T {
                if v > T::zero() { v } else { v * T::lit(self.0) }
            }
        }
        let y = keep_dtype("leaky_relu", self, Op(negative_slope), |i| i)?;
        Ok(with_rule(self, y, "LeakyReluBackward", move |x, _, g| {
            g.leaky_relu_backward(x, negative_slope)
        }))
    }

    /// `self` where `condition` is true, else `other` (`torch.where(cond, self, other)`).
    /// Derivative: `g` masked to each side.
    pub fn where_cond(&self, condition: &Tensor, other: &Tensor) -> Result<Tensor> {
        let dtype = result_type(self, other);
        let shape = broadcast_shapes(
            "where",
            &broadcast_shapes("where", condition.shape(), self.shape())?,
            other.shape(),
        )?;
        let cond = condition.ne_scalar(0.0)?;
        let (a, b) = (self.to_dtype(dtype)?, other.to_dtype(dtype)?);
        let (lc, la, lb) = (
            cond.layout().broadcast_to("where", &shape)?,
            a.layout().broadcast_to("where", &shape)?,
            b.layout().broadcast_to("where", &shape)?,
        );
        let y = with_dtype!(dtype, T, {
            map_ternary::<bool, T, T, T>(
                [(&cond, &lc), (&a, &la), (&b, &lb)],
                &shape,
                |c, x, y| if c { x } else { y },
            )?
        });
        let (sa, sb): (crate::shape::Dims, crate::shape::Dims) =
            (self.shape().into(), other.shape().into());
        Ok(record(y, &[self, other], |_| {
            Box::new(WhereBackward { cond, sa, sb })
        }))
    }

    /// `value` where `mask` is true (`x.masked_fill(mask, value)`). Derivative: `g` with the
    /// masked positions zeroed.
    pub fn masked_fill(&self, mask: &Tensor, value: impl Into<Scalar>) -> Result<Tensor> {
        if mask.dtype() != DType::Bool {
            return Err(Error::invalid(
                "masked_fill",
                format!(
                    "masked_fill_ only supports boolean masks, but got mask with dtype {:?}",
                    mask.dtype()
                ),
            ));
        }
        let v = value.into().to_tensor(self.dtype())?;
        v.where_cond(mask, self)
    }

    /// `self + weight (end - self)` (`torch.lerp`). Composite.
    pub fn lerp(&self, end: &Tensor, weight: &Tensor) -> Result<Tensor> {
        self.add(&weight.mul(&end.sub(self)?)?)
    }

    /// `lerp` with a scalar weight.
    pub fn lerp_scalar(&self, end: &Tensor, weight: f64) -> Result<Tensor> {
        self.add(&end.sub(self)?.mul_scalar(weight)?)
    }

    /// Replaces NaN, +inf and -inf (`torch.nan_to_num`); the infinities default to the dtype's
    /// largest and smallest finite values. Derivative: `g` where finite, else 0.
    pub fn nan_to_num(&self, nan: f64, posinf: Option<f64>, neginf: Option<f64>) -> Result<Tensor> {
        let (maxv, minv) = match self.dtype() {
            DType::F32 => (f32::MAX as f64, f32::MIN as f64),
            DType::F64 => (f64::MAX, f64::MIN),
            DType::F16 => (f16::MAX.to_f64(), f16::MIN.to_f64()),
            DType::BF16 => (bf16::MAX.to_f64(), bf16::MIN.to_f64()),
            _ => return Ok(self.clone()),
        };
        let (pi, ni) = (posinf.unwrap_or(maxv), neginf.unwrap_or(minv));
        let y = with_dtype!(self.dtype(), T, {
            map_unary::<T, T>(self, move |v| {
                let f = v.to_f64();
                if f.is_nan() {
                    <T as crate::Element>::from_f64(nan)
                } else if f == f64::INFINITY {
                    <T as crate::Element>::from_f64(pi)
                } else if f == f64::NEG_INFINITY {
                    <T as crate::Element>::from_f64(ni)
                } else {
                    v
                }
            })?
        });
        Ok(with_rule(self, y, "NanToNumBackward", |x, _, g| {
            g.masked_fill(&x.isfinite()?.logical_not()?, 0.0)
        }))
    }

    fn float_test(&self, f: fn(f64) -> bool, int_value: bool) -> Result<Tensor> {
        if self.dtype().is_integral() {
            return Tensor::full(
                self.shape(),
                int_value as u8 as f64,
                crate::TensorOptions::default().dtype(DType::Bool),
            );
        }
        with_dtype!(self.dtype(), T, {
            map_unary::<T, bool>(self, move |v| {
                let c = v.to_c64();
                f(c.re as f64) || f(c.im as f64)
            })
        })
    }

    /// True where NaN (`torch.isnan`).
    pub fn isnan(&self) -> Result<Tensor> {
        self.float_test(f64::is_nan, false)
    }

    /// True where +-inf (`torch.isinf`).
    pub fn isinf(&self) -> Result<Tensor> {
        self.float_test(f64::is_infinite, false)
    }

    /// True where neither NaN nor infinite (`torch.isfinite`).
    pub fn isfinite(&self) -> Result<Tensor> {
        self.isnan()?.logical_or(&self.isinf()?)?.logical_not()
    }

    /// Logical not: true where zero (`torch.logical_not`).
    pub fn logical_not(&self) -> Result<Tensor> {
        with_dtype!(self.dtype(), T, {
            map_unary::<T, bool>(self, |v| v == T::default())
        })
    }
}

struct WhereBackward {
    cond: Tensor,
    sa: crate::shape::Dims,
    sb: crate::shape::Dims,
}
impl GradFn for WhereBackward {
    fn name(&self) -> &'static str {
        "WhereBackward"
    }
    fn backward(&self, _: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let z = g.zeros_like()?;
        Ok(vec![
            Some(g.where_cond(&self.cond, &z)?.sum_to(&self.sa)?),
            Some(z.where_cond(&self.cond, g)?.sum_to(&self.sb)?),
        ])
    }
}

macro_rules! comparisons {
    ($($(#[$doc:meta])* $name:ident, $sname:ident, |$a:ident, $b:ident| $cmp:expr;)*) => {
        impl Tensor {
            $(
                $(#[$doc])*
                pub fn $name(&self, other: &Tensor) -> Result<Tensor> {
                    let dtype = result_type(self, other);
                    if dtype.is_complex() && !matches!(stringify!($name), "eq" | "ne") {
                        return Err(Error::UnsupportedDType { op: stringify!($name), dtype });
                    }
                    with_dtype!(dtype, T, {
                        binary_kernel::<T, bool>(stringify!($name), self, other, |$a, $b| $cmp)
                    })
                }
                /// Scalar form.
                pub fn $sname(&self, other: impl Into<Scalar>) -> Result<Tensor> {
                    let s: Scalar = other.into();
                    let d = crate::dtype::promote_with_scalar(self.dtype(), s.kind());
                    self.$name(&s.to_tensor(d)?)
                }
            )*
        }
    };
}

comparisons! {
    /// `self == other` elementwise (`torch.eq`).
    eq, eq_scalar, |a, b| a == b;
    /// `self != other` (`torch.ne`).
    ne, ne_scalar, |a, b| a != b;
    /// `self < other` (`torch.lt`).
    lt, lt_scalar, |a, b| crate::dtype::lt(a, b);
    /// `self <= other` (`torch.le`).
    le, le_scalar, |a, b| crate::dtype::lt(a, b) || a == b;
    /// `self > other` (`torch.gt`).
    gt, gt_scalar, |a, b| crate::dtype::gt(a, b);
    /// `self >= other` (`torch.ge`).
    ge, ge_scalar, |a, b| crate::dtype::gt(a, b) || a == b;
}

macro_rules! logical {
    ($($(#[$doc:meta])* $name:ident, $op:tt;)*) => {
        impl Tensor {
            $(
                $(#[$doc])*
                pub fn $name(&self, other: &Tensor) -> Result<Tensor> {
                    let a = self.ne_scalar(0.0)?;
                    let b = other.ne_scalar(0.0)?;
                    binary_kernel::<bool, bool>(stringify!($name), &a, &b, |x, y| x $op y)
                }
            )*
        }
    };
}

logical! {
    /// Elementwise logical and (`torch.logical_and`).
    logical_and, &;
    /// Elementwise logical or (`torch.logical_or`).
    logical_or, |;
    /// Elementwise logical xor (`torch.logical_xor`).
    logical_xor, ^;
}
