//! Elementwise binary ops with broadcasting and type promotion: arithmetic, `pow`, `atan2`,
//! `maximum`/`minimum`, `remainder`, `div` with rounding modes, and their scalar forms. Each
//! derivative un-broadcasts with the shared `sum_to` (DESIGN R12).

use crate::autograd::{BackwardCtx, GradFn, SavedTensor, record};
use crate::cpu::map_binary;
use crate::dtype::{ScalarKind, promote_types, promote_with_scalar};
use crate::ops::arith::{Arith, with_arith};
use crate::shape::{Dims, broadcast_shapes};
use crate::{DType, Element, Error, Result, Tensor, TensorOptions};

/// A Rust number used as an operand, keeping PyTorch's "wrapped number" promotion:
/// `int_tensor * 2` stays integer, `int_tensor * 2.0` becomes float.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
}

impl Scalar {
    pub(crate) fn kind(self) -> ScalarKind {
        match self {
            Scalar::Bool(_) => ScalarKind::Bool,
            Scalar::Int(_) => ScalarKind::Int,
            Scalar::Float(_) => ScalarKind::Float,
        }
    }
    /// The value as f64.
    pub fn to_f64(self) -> f64 {
        match self {
            Scalar::Bool(b) => b as u8 as f64,
            Scalar::Int(i) => i as f64,
            Scalar::Float(f) => f,
        }
    }
    /// A 0-d tensor of `dtype` holding this value.
    pub(crate) fn to_tensor(self, dtype: DType) -> Result<Tensor> {
        match self {
            Scalar::Int(i) if dtype.is_integral() => crate::with_dtype!(dtype, T, {
                Ok(Tensor::scalar(<T as crate::Element>::from_i64(i)))
            }),
            _ => Tensor::full(&[], self.to_f64(), TensorOptions::default().dtype(dtype)),
        }
    }
}

impl From<f64> for Scalar {
    fn from(v: f64) -> Self {
        Scalar::Float(v)
    }
}
impl From<f32> for Scalar {
    fn from(v: f32) -> Self {
        Scalar::Float(v as f64)
    }
}
impl From<i64> for Scalar {
    fn from(v: i64) -> Self {
        Scalar::Int(v)
    }
}
impl From<i32> for Scalar {
    fn from(v: i32) -> Self {
        Scalar::Int(v as i64)
    }
}
impl From<bool> for Scalar {
    fn from(v: bool) -> Self {
        Scalar::Bool(v)
    }
}

/// Runs `f` over `a` and `b` broadcast together, both cast to `dtype`.
pub(crate) fn binary_kernel<T: Arith, O: crate::Element>(
    op: &'static str,
    a: &Tensor,
    b: &Tensor,
    f: impl Fn(T, T) -> O + Sync + Send,
) -> Result<Tensor> {
    if a.device() != b.device() {
        return Err(Error::DeviceMismatch {
            op,
            lhs: a.device().to_string(),
            rhs: b.device().to_string(),
        });
    }
    if a.shape() == b.shape() && a.dtype() == T::DTYPE && b.dtype() == T::DTYPE {
        // Same shape and dtype (the common case): nothing to broadcast or cast.
        return map_binary::<T, T, O>(a, a.layout(), b, b.layout(), a.shape(), f);
    }
    let shape = broadcast_shapes(op, a.shape(), b.shape())?;
    let a = a.to_dtype(T::DTYPE)?;
    let b = b.to_dtype(T::DTYPE)?;
    let la = a.layout().broadcast_to(op, &shape)?;
    let lb = b.layout().broadcast_to(op, &shape)?;
    map_binary::<T, T, O>(&a, &la, &b, &lb, &shape, f)
}

/// Result dtype of a tensor-tensor op (0-d tensors do not lift a dimensioned operand's dtype
/// within a category, as in PyTorch).
pub(crate) fn result_type(a: &Tensor, b: &Tensor) -> DType {
    let (da, db) = (a.dtype(), b.dtype());
    let cat = |d: DType| match d {
        DType::Bool => 0,
        d if d.is_int() => 1,
        d if d.is_float() => 2,
        _ => 3,
    };
    match (a.dim() == 0, b.dim() == 0) {
        (true, false) if cat(da) <= cat(db) => db,
        (false, true) if cat(db) <= cat(da) => da,
        _ => promote_types(da, db),
    }
}

struct AddBackward {
    a_shape: Dims,
    b_shape: Dims,
    alpha: f64,
}
impl GradFn for AddBackward {
    fn name(&self) -> &'static str {
        if self.alpha == 1.0 {
            "AddBackward"
        } else {
            "SubBackward"
        }
    }
    fn backward(&self, _: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let gb = if self.alpha == 1.0 {
            g.clone()
        } else {
            g.mul_scalar(self.alpha)?
        };
        Ok(vec![
            Some(g.sum_to(&self.a_shape)?),
            Some(gb.sum_to(&self.b_shape)?),
        ])
    }
}

struct MulBackward(SavedTensor, SavedTensor);
impl GradFn for MulBackward {
    fn name(&self) -> &'static str {
        "MulBackward"
    }
    fn backward(&self, ctx: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let (a, b) = (self.0.unpack(ctx)?, self.1.unpack(ctx)?);
        let ga = ctx
            .needs_input_grad(0)
            .then(|| g.mul(&b.conj()?)?.sum_to(a.shape()))
            .transpose()?;
        let gb = ctx
            .needs_input_grad(1)
            .then(|| g.mul(&a.conj()?)?.sum_to(b.shape()))
            .transpose()?;
        Ok(vec![ga, gb])
    }
}

struct DivBackward(SavedTensor, SavedTensor);
impl GradFn for DivBackward {
    fn name(&self) -> &'static str {
        "DivBackward"
    }
    fn backward(&self, ctx: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let (a, b) = (self.0.unpack(ctx)?, self.1.unpack(ctx)?);
        let bc = b.conj()?;
        let ga = ctx
            .needs_input_grad(0)
            .then(|| g.div(&bc)?.sum_to(a.shape()))
            .transpose()?;
        let gb = ctx
            .needs_input_grad(1)
            .then(|| {
                g.mul(&a.conj()?)?
                    .div(&bc.mul(&bc)?)?
                    .neg()?
                    .sum_to(b.shape())
            })
            .transpose()?;
        Ok(vec![ga, gb])
    }
}

struct PowBackward(SavedTensor, SavedTensor, SavedTensor);
impl GradFn for PowBackward {
    fn name(&self) -> &'static str {
        "PowBackward"
    }
    fn backward(&self, ctx: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let (a, b, y) = (
            self.0.unpack(ctx)?,
            self.1.unpack(ctx)?,
            self.2.unpack(ctx)?,
        );
        let ga = ctx
            .needs_input_grad(0)
            .then(|| {
                g.mul(&b.mul(&a.pow(&b.add_scalar(-1.0)?)?)?)?
                    .sum_to(a.shape())
            })
            .transpose()?;
        let gb = ctx
            .needs_input_grad(1)
            .then(|| {
                // d/db a^b = a^b ln a, taken as 0 where a == 0 and b >= 0 (PyTorch's convention).
                let ln = a.log()?;
                let zero = a.eq_scalar(0.0)?.logical_and(&b.ge_scalar(0.0)?)?;
                g.mul(&y.mul(&ln.masked_fill(&zero, 0.0)?)?)?
                    .sum_to(b.shape())
            })
            .transpose()?;
        Ok(vec![ga, gb])
    }
}

struct Atan2Backward(SavedTensor, SavedTensor);
impl GradFn for Atan2Backward {
    fn name(&self) -> &'static str {
        "Atan2Backward"
    }
    fn backward(&self, ctx: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let (a, b) = (self.0.unpack(ctx)?, self.1.unpack(ctx)?);
        let den = a.mul(&a)?.add(&b.mul(&b)?)?;
        Ok(vec![
            Some(g.mul(&b)?.div(&den)?.sum_to(a.shape())?),
            Some(g.mul(&a)?.div(&den)?.neg()?.sum_to(b.shape())?),
        ])
    }
}

/// maximum/minimum: the gradient goes to the selected operand, split evenly on ties.
struct MaxMinBackward(SavedTensor, SavedTensor, bool);
impl GradFn for MaxMinBackward {
    fn name(&self) -> &'static str {
        if self.2 {
            "MaximumBackward"
        } else {
            "MinimumBackward"
        }
    }
    fn backward(&self, ctx: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let (a, b) = (self.0.unpack(ctx)?, self.1.unpack(ctx)?);
        let wins = if self.2 { a.gt(&b)? } else { a.lt(&b)? };
        let ties = a.eq(&b)?;
        let wa = wins
            .to_dtype(g.dtype())?
            .add(&ties.to_dtype(g.dtype())?.mul_scalar(0.5)?)?;
        let wb = wa.neg()?.add_scalar(1.0)?;
        Ok(vec![
            Some(g.mul(&wa)?.sum_to(a.shape())?),
            Some(g.mul(&wb)?.sum_to(b.shape())?),
        ])
    }
}

struct RemainderBackward(SavedTensor, SavedTensor);
impl GradFn for RemainderBackward {
    fn name(&self) -> &'static str {
        "RemainderBackward"
    }
    fn backward(&self, ctx: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let (a, b) = (self.0.unpack(ctx)?, self.1.unpack(ctx)?);
        let q = a.div_mode(&b, Some("floor"))?;
        Ok(vec![
            Some(g.sum_to(a.shape())?),
            Some(g.mul(&q)?.neg()?.sum_to(b.shape())?),
        ])
    }
}

fn float_result(a: &Tensor, b: &Tensor) -> DType {
    let d = result_type(a, b);
    if d.is_integral() {
        crate::DEFAULT_FLOAT
    } else {
        d
    }
}

impl Tensor {
    pub(crate) fn scalar_operand(&self, s: Scalar) -> Result<Tensor> {
        s.to_tensor(promote_with_scalar(self.dtype(), s.kind()))
    }

    /// Sums a broadcast gradient back to `shape` (the inverse of broadcasting).
    pub fn sum_to(&self, shape: &[usize]) -> Result<Tensor> {
        if self.shape() == shape {
            return Ok(self.clone());
        }
        let lead = self.dim() - shape.len();
        let mut dims: Vec<i64> = (0..lead as i64).collect();
        for (i, &s) in shape.iter().enumerate() {
            if s == 1 && self.shape()[lead + i] != 1 {
                dims.push((lead + i) as i64);
            }
        }
        let r = if dims.is_empty() {
            self.clone()
        } else {
            self.sum_dim(&dims, true)?
        };
        r.reshape(&crate::shape::to_i64(shape))
    }

    /// `self + other` with broadcasting (`torch.add`). Derivative: `g` to both, un-broadcast.
    pub fn add(&self, other: &Tensor) -> Result<Tensor> {
        self.add_alpha(other, 1.0)
    }

    /// `self + alpha * other` (`torch.add(x, y, alpha=)`; `alpha = -1` is `sub`).
    pub fn add_alpha(&self, other: &Tensor, alpha: f64) -> Result<Tensor> {
        let dtype = result_type(self, other);
        if dtype == DType::Bool && alpha != 1.0 {
            return Err(Error::invalid(
                "sub",
                "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.",
            ));
        }
        let out = with_arith!(dtype, T, {
            if alpha == 1.0 {
                binary_kernel::<T, T>("add", self, other, <T as Arith>::add)?
            } else if alpha == -1.0 {
                binary_kernel::<T, T>("sub", self, other, <T as Arith>::sub)?
            } else {
                let al = <T as crate::Element>::from_f64(alpha);
                binary_kernel::<T, T>("add", self, other, move |a, b| {
                    <T as Arith>::add(a, <T as Arith>::mul(al, b))
                })?
            }
        });
        Ok(record(out, &[self, other], |_| {
            Box::new(AddBackward {
                a_shape: Dims::from_slice(self.shape()),
                b_shape: Dims::from_slice(other.shape()),
                alpha,
            })
        }))
    }

    /// `self - other` (`torch.sub`).
    pub fn sub(&self, other: &Tensor) -> Result<Tensor> {
        self.add_alpha(other, -1.0)
    }

    /// `self * other` (`torch.mul`). Derivative: `g * conj(other)`, `g * conj(self)`.
    pub fn mul(&self, other: &Tensor) -> Result<Tensor> {
        let dtype = result_type(self, other);
        let out = with_arith!(dtype, T, {
            binary_kernel::<T, T>("mul", self, other, <T as Arith>::mul)?
        });
        Ok(record(out, &[self, other], |_| {
            Box::new(MulBackward(
                SavedTensor::input(self),
                SavedTensor::input(other),
            ))
        }))
    }

    /// True division; integers promote to the default float (`torch.div`).
    /// Derivative: `g / b`, `-g a / b^2`.
    pub fn div(&self, other: &Tensor) -> Result<Tensor> {
        let dtype = float_result(self, other);
        let out = with_arith!(dtype, T, {
            binary_kernel::<T, T>("div", self, other, <T as Arith>::div)?
        });
        Ok(record(out, &[self, other], |_| {
            Box::new(DivBackward(
                SavedTensor::input(self),
                SavedTensor::input(other),
            ))
        }))
    }

    /// `torch.div(a, b, rounding_mode=)`: `None` is true division, `"trunc"` and `"floor"`
    /// round the quotient (integers stay integers). Rounded forms have zero gradient.
    pub fn div_mode(&self, other: &Tensor, rounding_mode: Option<&str>) -> Result<Tensor> {
        let floor = match rounding_mode {
            None => return self.div(other),
            Some("floor") => true,
            Some("trunc") => false,
            Some(m) => {
                return Err(Error::invalid(
                    "div",
                    format!(
                        "expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{m}'"
                    ),
                ));
            }
        };
        let dtype = result_type(self, other);
        if dtype.is_integral() {
            if other.eq_scalar(0.0)?.any()?.item()? != 0.0 {
                return Err(Error::invalid("div", "ZeroDivisionError"));
            }
            return crate::with_dtype!(dtype, T, {
                binary_kernel::<T, T>("div", self, other, move |a, b| {
                    let (a, b) = (a.to_i64(), b.to_i64());
                    let q = a.wrapping_div(b);
                    let q = if floor && (a % b != 0) && ((a < 0) != (b < 0)) {
                        q - 1
                    } else {
                        q
                    };
                    <T as crate::Element>::from_i64(q)
                })
            });
        }
        let q = self.detach().div(&other.detach())?;
        if floor { q.floor() } else { q.trunc() }
    }

    /// Python's `%`: the result has the sign of the divisor (`torch.remainder`).
    /// Derivative: `g`, `-g floor(a / b)`.
    pub fn remainder(&self, other: &Tensor) -> Result<Tensor> {
        let dtype = result_type(self, other);
        let out = if dtype.is_integral() {
            if other.eq_scalar(0.0)?.any()?.item()? != 0.0 {
                return Err(Error::invalid("remainder", "ZeroDivisionError"));
            }
            crate::with_dtype!(dtype, T, {
                binary_kernel::<T, T>("remainder", self, other, |a, b| {
                    let (a, b) = (a.to_i64(), b.to_i64());
                    let r = a.wrapping_rem(b);
                    <T as crate::Element>::from_i64(if r != 0 && ((r < 0) != (b < 0)) {
                        r + b
                    } else {
                        r
                    })
                })?
            })
        } else {
            crate::with_dtype!(dtype, T, {
                binary_kernel::<T, T>("remainder", self, other, |a, b| {
                    let (a, b) = (a.to_f64(), b.to_f64());
                    let r = a - (a / b).floor() * b;
                    <T as crate::Element>::from_f64(r)
                })?
            })
        };
        Ok(record(out, &[self, other], |_| {
            Box::new(RemainderBackward(
                SavedTensor::input(self),
                SavedTensor::input(other),
            ))
        }))
    }

    /// `self ^ other` elementwise (`torch.pow`). Derivative: `g b a^{b-1}`, `g a^b ln a`.
    pub fn pow(&self, other: &Tensor) -> Result<Tensor> {
        let dtype = result_type(self, other);
        let out = if dtype.is_integral() {
            crate::with_dtype!(dtype, T, {
                binary_kernel::<T, T>("pow", self, other, |a, b| {
                    <T as crate::Element>::from_i64(
                        a.to_i64().wrapping_pow(b.to_i64().max(0) as u32),
                    )
                })?
            })
        } else {
            crate::with_dtype!(dtype, T, {
                binary_kernel::<T, T>("pow", self, other, |a, b| {
                    <T as crate::Element>::from_f64(a.to_f64().powf(b.to_f64()))
                })?
            })
        };
        Ok(record(out, &[self, other], |y| {
            Box::new(PowBackward(
                SavedTensor::input(self),
                SavedTensor::input(other),
                SavedTensor::output(y),
            ))
        }))
    }

    /// Four-quadrant arctangent of `self / other` (`torch.atan2`).
    pub fn atan2(&self, other: &Tensor) -> Result<Tensor> {
        let dtype = float_result(self, other);
        let out = crate::with_dtype!(dtype, T, {
            binary_kernel::<T, T>("atan2", self, other, |a, b| {
                <T as crate::Element>::from_f64(a.to_f64().atan2(b.to_f64()))
            })?
        });
        Ok(record(out, &[self, other], |_| {
            Box::new(Atan2Backward(
                SavedTensor::input(self),
                SavedTensor::input(other),
            ))
        }))
    }

    /// Elementwise maximum, propagating NaN (`torch.maximum`).
    pub fn maximum(&self, other: &Tensor) -> Result<Tensor> {
        self.max_min(other, true)
    }

    /// Elementwise minimum, propagating NaN (`torch.minimum`).
    pub fn minimum(&self, other: &Tensor) -> Result<Tensor> {
        self.max_min(other, false)
    }

    fn max_min(&self, other: &Tensor, max: bool) -> Result<Tensor> {
        let dtype = result_type(self, other);
        if dtype.is_complex() {
            return Err(Error::UnsupportedDType {
                op: "maximum",
                dtype,
            });
        }
        let out = with_arith!(dtype, T, {
            if max {
                binary_kernel::<T, T>("maximum", self, other, <T as Arith>::max)?
            } else {
                binary_kernel::<T, T>("minimum", self, other, <T as Arith>::min)?
            }
        });
        Ok(record(out, &[self, other], |_| {
            Box::new(MaxMinBackward(
                SavedTensor::input(self),
                SavedTensor::input(other),
                max,
            ))
        }))
    }

    /// `self + s` for a Rust number (`x + 2`).
    pub fn add_scalar(&self, s: impl Into<Scalar>) -> Result<Tensor> {
        self.add(&self.scalar_operand(s.into())?)
    }
    /// `self - s`.
    pub fn sub_scalar(&self, s: impl Into<Scalar>) -> Result<Tensor> {
        self.sub(&self.scalar_operand(s.into())?)
    }
    /// `self * s`.
    pub fn mul_scalar(&self, s: impl Into<Scalar>) -> Result<Tensor> {
        self.mul(&self.scalar_operand(s.into())?)
    }
    /// `self / s` (true division).
    pub fn div_scalar(&self, s: impl Into<Scalar>) -> Result<Tensor> {
        self.div(&self.scalar_operand(s.into())?)
    }
    /// `s - self` (`torch.rsub`).
    pub fn rsub_scalar(&self, s: impl Into<Scalar>) -> Result<Tensor> {
        self.scalar_operand(s.into())?.sub(self)
    }
    /// `self % s`.
    pub fn remainder_scalar(&self, s: impl Into<Scalar>) -> Result<Tensor> {
        self.remainder(&self.scalar_operand(s.into())?)
    }
}
