//! Elementwise unary ops: one table row per op (DESIGN "elementwise primitive"): the forward
//! as a generic float function, the derivative written with tensor ops (so it is itself
//! differentiable). Integer inputs of float math promote to the default float.

use half::{bf16, f16};
use num_traits::Float;

use crate::autograd::{BackwardCtx, GradFn, SavedTensor, record};
use crate::cpu::map_unary;
use crate::{DType, Element, Error, Result, Tensor, with_dtype};

/// A float function applied elementwise; `apply` is monomorphised per dtype so loops inline.
pub(crate) trait FloatFn: Copy + Send + Sync {
    fn apply<T: Float + FloatExt>(&self, x: T) -> T;
}

/// Float helpers `num_traits::Float` lacks.
pub(crate) trait FloatExt: Float {
    fn erf(self) -> Self;
    fn erfc(self) -> Self;
    fn lit(v: f64) -> Self;
}

macro_rules! float_ext {
    ($t:ty, $erf:expr, $erfc:expr) => {
        impl FloatExt for $t {
            #[inline(always)]
            fn erf(self) -> Self {
                $erf(self)
            }
            #[inline(always)]
            fn erfc(self) -> Self {
                $erfc(self)
            }
            #[inline(always)]
            fn lit(v: f64) -> Self {
                <$t as num_traits::NumCast>::from(v).unwrap_or(<$t>::nan())
            }
        }
    };
}
float_ext!(f32, crate::cpu::fastmath::erf, libm::erfcf);
float_ext!(f64, libm::erf, libm::erfc);
float_ext!(
    f16,
    |x: f16| f16::from_f32(libm::erff(x.to_f32())),
    |x: f16| f16::from_f32(libm::erfcf(x.to_f32()))
);
float_ext!(
    bf16,
    |x: bf16| bf16::from_f32(libm::erff(x.to_f32())),
    |x: bf16| bf16::from_f32(libm::erfcf(x.to_f32()))
);

/// Runs a float function over `x`, promoting integer and bool inputs to the default float.
pub(crate) fn apply_float<F: FloatFn>(op: &'static str, x: &Tensor, f: F) -> Result<Tensor> {
    let x = if x.dtype().is_integral() {
        x.to_dtype(crate::DEFAULT_FLOAT)?
    } else {
        x.clone()
    };
    match x.dtype() {
        DType::F32 => map_unary::<f32, f32>(&x, move |v| f.apply(v)),
        DType::F64 => map_unary::<f64, f64>(&x, move |v| f.apply(v)),
        // Half types compute in f32, as PyTorch's CPU kernels do.
        DType::F16 => map_unary::<f16, f16>(&x, move |v| f16::from_f32(f.apply(v.to_f32()))),
        DType::BF16 => map_unary::<bf16, bf16>(&x, move |v| bf16::from_f32(f.apply(v.to_f32()))),
        d => Err(Error::UnsupportedDType { op, dtype: d }),
    }
}

type Rule = Box<dyn Fn(&Tensor, &Tensor, &Tensor) -> Result<Tensor> + Send + Sync>;

/// The backward of every unary op: `rule(x, y, grad)` with saved input and output.
pub(crate) struct UnaryBackward {
    name: &'static str,
    x: SavedTensor,
    y: SavedTensor,
    rule: Rule,
}

impl UnaryBackward {
    pub(crate) fn new(name: &'static str, x: &Tensor, y: &Tensor, rule: Rule) -> Self {
        UnaryBackward {
            name,
            x: SavedTensor::input(x),
            y: SavedTensor::output(y),
            rule,
        }
    }
}

impl GradFn for UnaryBackward {
    fn name(&self) -> &'static str {
        self.name
    }
    fn backward(&self, ctx: &BackwardCtx, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let (x, y) = (self.x.unpack(ctx)?, self.y.unpack(ctx)?);
        Ok(vec![Some((self.rule)(&x, &y, grad)?)])
    }
}

/// Applies `f` and records `rule` as its derivative.
pub(crate) fn unary_with_grad<F: FloatFn>(
    x: &Tensor,
    name: &'static str,
    f: F,
    rule: impl Fn(&Tensor, &Tensor, &Tensor) -> Result<Tensor> + Send + Sync + 'static,
) -> Result<Tensor> {
    let y = apply_float(name, x, f)?;
    Ok(record(y, &[x], |y| {
        Box::new(UnaryBackward::new(name, x, y, Box::new(rule)))
    }))
}

macro_rules! float_unary {
    ($(
        $(#[$doc:meta])*
        $name:ident, $grad:literal, |$v:ident| $fwd:expr, |$x:ident, $y:ident, $g:ident| $bwd:expr;
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
                    #[allow(unused_variables)]
                    fn rule($x: &Tensor, $y: &Tensor, $g: &Tensor) -> Result<Tensor> {
                        $bwd
                    }
                    unary_with_grad(self, $grad, Op, rule)
                }
            )*
        }
    };
}

const LN2: f64 = std::f64::consts::LN_2;
const LN10: f64 = std::f64::consts::LN_10;
const FRAC_2_SQRT_PI: f64 = std::f64::consts::FRAC_2_SQRT_PI;

float_unary! {
    /// `e^x`. Derivative: `g * y`.
    exp, "ExpBackward", |v| v.exp(), |x, y, g| g.mul(y);
    /// `2^x`. Derivative: `g * y * ln 2`.
    exp2, "Exp2Backward", |v| v.exp2(), |x, y, g| g.mul(y)?.mul_scalar(LN2);
    /// `e^x - 1`. Derivative: `g * (y + 1)`.
    expm1, "Expm1Backward", |v| v.exp_m1(), |x, y, g| g.mul(&y.add_scalar(1.0)?);
    /// Natural log. Derivative: `g / x`.
    log, "LogBackward", |v| v.ln(), |x, y, g| g.div(x);
    /// Base-2 log. Derivative: `g / (x ln 2)`.
    log2, "Log2Backward", |v| v.log2(), |x, y, g| g.div(&x.mul_scalar(LN2)?);
    /// Base-10 log. Derivative: `g / (x ln 10)`.
    log10, "Log10Backward", |v| v.log10(), |x, y, g| g.div(&x.mul_scalar(LN10)?);
    /// `ln(1 + x)`. Derivative: `g / (1 + x)`.
    log1p, "Log1pBackward", |v| v.ln_1p(), |x, y, g| g.div(&x.add_scalar(1.0)?);
    /// Square root. Derivative: `g / (2 y)`.
    sqrt, "SqrtBackward", |v| v.sqrt(), |x, y, g| g.div(&y.mul_scalar(2.0)?);
    /// `1 / sqrt(x)`. Derivative: `-g y^3 / 2`.
    rsqrt, "RsqrtBackward", |v| v.sqrt().recip(), |x, y, g| g.mul(&y.pow_scalar(3.0)?)?.mul_scalar(-0.5);
    /// `1 / x`. Derivative: `-g y^2`.
    reciprocal, "ReciprocalBackward", |v| v.recip(), |x, y, g| g.mul(&y.mul(y)?)?.neg();
    /// Sine. Derivative: `g cos x`.
    sin, "SinBackward", |v| v.sin(), |x, y, g| g.mul(&x.cos()?);
    /// Cosine. Derivative: `-g sin x`.
    cos, "CosBackward", |v| v.cos(), |x, y, g| g.mul(&x.sin()?)?.neg();
    /// Tangent. Derivative: `g (1 + y^2)`.
    tan, "TanBackward", |v| v.tan(), |x, y, g| g.mul(&y.mul(y)?.add_scalar(1.0)?);
    /// Arcsine. Derivative: `g / sqrt(1 - x^2)`.
    asin, "AsinBackward", |v| v.asin(), |x, y, g| g.mul(&x.mul(x)?.neg()?.add_scalar(1.0)?.rsqrt()?);
    /// Arccosine. Derivative: `-g / sqrt(1 - x^2)`.
    acos, "AcosBackward", |v| v.acos(), |x, y, g| g.mul(&x.mul(x)?.neg()?.add_scalar(1.0)?.rsqrt()?)?.neg();
    /// Arctangent. Derivative: `g / (1 + x^2)`.
    atan, "AtanBackward", |v| v.atan(), |x, y, g| g.div(&x.mul(x)?.add_scalar(1.0)?);
    /// Hyperbolic sine. Derivative: `g cosh x`.
    sinh, "SinhBackward", |v| v.sinh(), |x, y, g| g.mul(&x.cosh()?);
    /// Hyperbolic cosine. Derivative: `g sinh x`.
    cosh, "CoshBackward", |v| v.cosh(), |x, y, g| g.mul(&x.sinh()?);
    /// Hyperbolic tangent. Derivative: `g (1 - y^2)`.
    tanh, "TanhBackward", |v| v.tanh(), |x, y, g| g.mul(&y.mul(y)?.neg()?.add_scalar(1.0)?);
    /// Inverse hyperbolic sine. Derivative: `g / sqrt(x^2 + 1)`.
    asinh, "AsinhBackward", |v| v.asinh(), |x, y, g| g.mul(&x.mul(x)?.add_scalar(1.0)?.rsqrt()?);
    /// Inverse hyperbolic cosine. Derivative: `g / sqrt(x^2 - 1)`.
    acosh, "AcoshBackward", |v| v.acosh(), |x, y, g| g.mul(&x.mul(x)?.add_scalar(-1.0)?.rsqrt()?);
    /// Inverse hyperbolic tangent. Derivative: `g / (1 - x^2)`.
    atanh, "AtanhBackward", |v| v.atanh(), |x, y, g| g.div(&x.mul(x)?.neg()?.add_scalar(1.0)?);
    /// Logistic sigmoid `1 / (1 + e^-x)`. Derivative: `g y (1 - y)`.
    sigmoid, "SigmoidBackward", |v| (T::one() + (-v).exp()).recip(), |x, y, g| g.mul(&y.mul(&y.neg()?.add_scalar(1.0)?)?);
    /// Error function. Derivative: `g 2/sqrt(pi) e^{-x^2}`.
    erf, "ErfBackward", |v| v.erf(), |x, y, g| g.mul(&x.mul(x)?.neg()?.exp()?.mul_scalar(FRAC_2_SQRT_PI)?);
    /// Complementary error function. Derivative: `-g 2/sqrt(pi) e^{-x^2}`.
    erfc, "ErfcBackward", |v| v.erfc(), |x, y, g| g.mul(&x.mul(x)?.neg()?.exp()?.mul_scalar(-FRAC_2_SQRT_PI)?);
    /// `x * sigmoid(x)` (`F.silu`). Derivative: `g s (1 + x (1 - s))`, `s = sigmoid(x)`.
    silu, "SiluBackward", |v| v / (T::one() + (-v).exp()), |x, y, g| {
        let s = x.sigmoid()?;
        g.mul(&s.mul(&x.mul(&s.neg()?.add_scalar(1.0)?)?.add_scalar(1.0)?)?)
    };
    /// `x * tanh(softplus(x))` (`F.mish`). Derivative by the chain rule.
    mish, "MishBackward", |v| v * softplus_f(v, T::one(), T::lit(20.0)).tanh(), |x, y, g| {
        let t = x.softplus(1.0, 20.0)?.tanh()?;
        let dt = t.mul(&t)?.neg()?.add_scalar(1.0)?.mul(&x.sigmoid()?)?;
        g.mul(&t.add(&x.mul(&dt)?)?)
    };
}

#[inline(always)]
fn softplus_f<T: Float + FloatExt>(v: T, beta: T, threshold: T) -> T {
    let bx = v * beta;
    if bx > threshold {
        v
    } else {
        bx.exp().ln_1p() / beta
    }
}

#[derive(Clone, Copy)]
struct Softplus(f64, f64);
impl FloatFn for Softplus {
    #[inline(always)]
    fn apply<T: Float + FloatExt>(&self, v: T) -> T {
        softplus_f(v, T::lit(self.0), T::lit(self.1))
    }
}

#[derive(Clone, Copy)]
struct Gelu(bool);
impl FloatFn for Gelu {
    #[inline(always)]
    fn apply<T: Float + FloatExt>(&self, v: T) -> T {
        let half = T::lit(0.5);
        if self.0 {
            let inner = T::lit(0.7978845608028654) * (v + T::lit(0.044715) * v * v * v);
            half * v * (T::one() + inner.tanh())
        } else {
            half * v * (T::one() + (v * T::lit(std::f64::consts::FRAC_1_SQRT_2)).erf())
        }
    }
}

#[derive(Clone, Copy)]
struct Elu(f64);
impl FloatFn for Elu {
    #[inline(always)]
    fn apply<T: Float + FloatExt>(&self, v: T) -> T {
        if v > T::zero() {
            v
        } else {
            T::lit(self.0) * v.exp_m1()
        }
    }
}

#[derive(Clone, Copy)]
struct PowScalar(f64);
impl FloatFn for PowScalar {
    #[inline(always)]
    fn apply<T: Float + FloatExt>(&self, v: T) -> T {
        if self.0 == 2.0 {
            v * v
        } else {
            v.powf(T::lit(self.0))
        }
    }
}

impl Tensor {
    /// `log(1 + e^{beta x}) / beta`, linear above `threshold` (`F.softplus`).
    /// Derivative: `g sigmoid(beta x)` (1 above the threshold).
    pub fn softplus(&self, beta: f64, threshold: f64) -> Result<Tensor> {
        unary_with_grad(
            self,
            "SoftplusBackward",
            Softplus(beta, threshold),
            move |x, _, g| {
                let bx = x.mul_scalar(beta)?;
                let s = bx.sigmoid()?;
                let above = bx.gt_scalar(threshold)?;
                g.mul(&s.masked_fill(&above, 1.0)?)
            },
        )
    }

    /// GELU (`F.gelu`): exact `x Phi(x)` with `approximate = "none"`, or the tanh form with
    /// `"tanh"`. Derivative: `g (Phi(x) + x phi(x))` (tanh form: its own closed form).
    pub fn gelu(&self, approximate: &str) -> Result<Tensor> {
        let tanh = match approximate {
            "none" => false,
            "tanh" => true,
            other => {
                return Err(Error::invalid(
                    "gelu",
                    format!("approximate argument must be either none or tanh, got {other}"),
                ));
            }
        };
        unary_with_grad(self, "GeluBackward", Gelu(tanh), move |x, _, g| {
            if tanh {
                let k = 0.7978845608028654;
                let x2 = x.mul(x)?;
                let inner = x
                    .mul(&x2.mul_scalar(0.044715)?.add_scalar(1.0)?)?
                    .mul_scalar(k)?;
                let t = inner.tanh()?;
                let dinner = x2
                    .mul_scalar(3.0 * 0.044715)?
                    .add_scalar(1.0)?
                    .mul_scalar(k)?;
                let left = t.add_scalar(1.0)?.mul_scalar(0.5)?;
                let right = x
                    .mul(&t.mul(&t)?.neg()?.add_scalar(1.0)?)?
                    .mul(&dinner)?
                    .mul_scalar(0.5)?;
                g.mul(&left.add(&right)?)
            } else {
                let cdf = x
                    .mul_scalar(std::f64::consts::FRAC_1_SQRT_2)?
                    .erf()?
                    .add_scalar(1.0)?
                    .mul_scalar(0.5)?;
                let pdf = x
                    .mul(x)?
                    .mul_scalar(-0.5)?
                    .exp()?
                    .mul_scalar(0.3989422804014327)?;
                g.mul(&cdf.add(&x.mul(&pdf)?)?)
            }
        })
    }

    /// ELU (`F.elu`): `x` if positive, else `alpha (e^x - 1)`. Derivative: `g` or `g (y + alpha)`.
    pub fn elu(&self, alpha: f64) -> Result<Tensor> {
        unary_with_grad(self, "EluBackward", Elu(alpha), move |x, y, g| {
            let pos = x.gt_scalar(0.0)?;
            g.mul(
                &y.add_scalar(alpha)?
                    .where_cond(&pos.logical_not()?, &x.ones_like()?)?,
            )
        })
    }

    /// `x^exponent` for a scalar exponent (`x.pow(2.0)`). Derivative: `g e x^{e-1}`.
    pub fn pow_scalar(&self, exponent: f64) -> Result<Tensor> {
        if self.dtype().is_integral() && exponent.fract() == 0.0 && exponent >= 0.0 {
            let e = exponent as u32;
            return with_dtype!(self.dtype(), T, {
                map_unary::<T, T>(self, move |v| T::from_i64(v.to_i64().wrapping_pow(e)))
            });
        }
        unary_with_grad(self, "PowBackward", PowScalar(exponent), move |x, _, g| {
            if exponent == 0.0 {
                return g.zeros_like();
            }
            g.mul(&x.pow_scalar(exponent - 1.0)?.mul_scalar(exponent)?)
        })
    }
}
