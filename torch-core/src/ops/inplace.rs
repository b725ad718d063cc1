//! The in-place arithmetic ops (`add_`, `sub_`, `mul_`, `div_`, their scalar and `alpha`
//! forms). When nothing is recorded (grad mode off, or no operand requires grad) and `self`
//! is a contiguous float tensor that keeps its dtype, they run in one pass straight into
//! `self`'s storage; otherwise they compute the out-of-place result and assign it, which is
//! how autograd sees them. Both paths compute the same values.

use crate::autograd::is_grad_enabled;
use crate::cpu::map_binary_inplace;
use crate::layout::Layout;
use crate::ops::arith::{Arith, with_arith};
use crate::ops::binary::{Scalar, result_type};
use crate::shape::broadcast_shapes;
use crate::{Element, Result, Tensor};

/// The binary operation an in-place op applies, `self = op(self, other)`.
#[derive(Clone, Copy)]
enum Op {
    /// `self + alpha * other` (`alpha = 1` is `add_`, `-1` is `sub_`).
    Add(f64),
    Mul,
    Div,
}

impl Tensor {
    /// `other` cast to `self`'s dtype and broadcast to `self`'s shape, when `self op= other`
    /// may run straight into `self`'s storage; `None` when the general path must run.
    fn direct_operand(&self, op: &'static str, other: &Tensor) -> Result<Option<(Tensor, Layout)>> {
        let recording = is_grad_enabled()
            && (self.requires_grad()
                || other.requires_grad()
                || self.view_base().is_some_and(Tensor::requires_grad));
        let dtype = self.dtype();
        if recording
            || !dtype.is_float()
            || !self.is_contiguous()
            || result_type(self, other) != dtype
            || self.shares_storage(other)
            || self.device() != other.device()
            || broadcast_shapes(op, self.shape(), other.shape())?.as_slice() != self.shape()
        {
            return Ok(None);
        }
        let other = other.to_dtype(dtype)?;
        let lb = other.layout().broadcast_to(op, self.shape())?;
        Ok(Some((other, lb)))
    }

    fn binary_(&self, name: &'static str, other: &Tensor, op: Op) -> Result<()> {
        if let Some((b, lb)) = self.direct_operand(name, other)? {
            return with_arith!(self.dtype(), T, {
                match op {
                    Op::Add(alpha) => {
                        // `a + 1 * b` and `a + (-1) * b` equal `a + b` and `a - b` exactly.
                        let al = <T as Element>::from_f64(alpha);
                        map_binary_inplace::<T>(self, &b, &lb, move |x, y| {
                            <T as Arith>::add(x, <T as Arith>::mul(al, y))
                        })
                    }
                    Op::Mul => map_binary_inplace::<T>(self, &b, &lb, <T as Arith>::mul),
                    Op::Div => map_binary_inplace::<T>(self, &b, &lb, <T as Arith>::div),
                }
            });
        }
        let src = self.inplace_source()?;
        let value = match op {
            Op::Add(alpha) => src.add_alpha(other, alpha)?,
            Op::Mul => src.mul(other)?,
            Op::Div => src.div(other)?,
        };
        self.assign(name, &value)
    }

    /// `self + other` in place (`x.add_(y)`).
    pub fn add_(&self, other: &Tensor) -> Result<()> {
        self.binary_("add_", other, Op::Add(1.0))
    }
    /// `self - other` in place.
    pub fn sub_(&self, other: &Tensor) -> Result<()> {
        self.binary_("sub_", other, Op::Add(-1.0))
    }
    /// `self * other` in place.
    pub fn mul_(&self, other: &Tensor) -> Result<()> {
        self.binary_("mul_", other, Op::Mul)
    }
    /// `self / other` in place.
    pub fn div_(&self, other: &Tensor) -> Result<()> {
        self.binary_("div_", other, Op::Div)
    }
    /// `self + alpha * other` in place (`x.add_(y, alpha=a)`), the optimizer workhorse.
    pub fn add_alpha_(&self, other: &Tensor, alpha: f64) -> Result<()> {
        self.binary_("add_", other, Op::Add(alpha))
    }
    /// `self + s` in place.
    pub fn add_scalar_(&self, s: impl Into<Scalar>) -> Result<()> {
        self.add_(&self.scalar_operand(s.into())?)
    }
    /// `self * s` in place.
    pub fn mul_scalar_(&self, s: impl Into<Scalar>) -> Result<()> {
        self.mul_(&self.scalar_operand(s.into())?)
    }
}
