//! Copies and conversions: `to_dtype`, `contiguous`, `deep_clone`, and the in-place writers
//! `copy_`, `fill_`, `zero_` together with the shared in-place machinery (leaf check, version
//! bump, history rebase).

use crate::autograd::{BackwardCtx, GradFn, record};
use crate::cpu::{map_unary, write_into};
use crate::{DType, Element, Error, Result, Tensor, with_dtype};

/// Element conversion with PyTorch's cast semantics (C-style for ints, real part for complex).
#[inline(always)]
pub(crate) fn cast<T: Element, U: Element>(v: T) -> U {
    if T::DTYPE.is_complex() || U::DTYPE.is_complex() {
        U::from_c64(v.to_c64())
    } else if T::DTYPE.is_integral() && U::DTYPE.is_integral() {
        U::from_i64(v.to_i64())
    } else if U::DTYPE == DType::Bool {
        U::from_f64((v.to_f64() != 0.0) as u8 as f64)
    } else {
        U::from_f64(v.to_f64())
    }
}

struct ToDTypeBackward(DType);
impl GradFn for ToDTypeBackward {
    fn name(&self) -> &'static str {
        "ToCopyBackward"
    }
    fn backward(&self, _: &BackwardCtx, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some(grad.to_dtype(self.0)?)])
    }
}

struct CloneBackward;
impl GradFn for CloneBackward {
    fn name(&self) -> &'static str {
        "CloneBackward"
    }
    fn backward(&self, _: &BackwardCtx, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some(grad.clone())])
    }
}

fn copy_as(x: &Tensor, dtype: DType) -> Result<Tensor> {
    with_dtype!(x.dtype(), S, {
        with_dtype!(dtype, D, { map_unary::<S, D>(x, cast::<S, D>) })
    })
}

impl Tensor {
    /// Converts to `dtype` (`x.to(dtype)`); returns `self` when the dtype already matches.
    /// Derivative: the gradient converted back.
    pub fn to_dtype(&self, dtype: DType) -> Result<Tensor> {
        if dtype == self.dtype() {
            return Ok(self.clone());
        }
        let out = copy_as(self, dtype)?;
        if !(dtype.is_float() || dtype.is_complex()) {
            return Ok(out);
        }
        let src = self.dtype();
        Ok(record(out, &[self], |_| Box::new(ToDTypeBackward(src))))
    }

    /// A contiguous tensor with the same values; `self` when already contiguous.
    pub fn contiguous(&self) -> Result<Tensor> {
        if self.is_contiguous() {
            return Ok(self.clone());
        }
        self.deep_clone()
    }

    /// A copy with its own storage (PyTorch's `x.clone()`; Rust's `Clone` shares storage).
    /// Derivative: identity.
    pub fn deep_clone(&self) -> Result<Tensor> {
        let out = copy_as(self, self.dtype())?;
        Ok(record(out, &[self], |_| Box::new(CloneBackward)))
    }

    /// Refuses in-place ops that PyTorch refuses (a leaf that requires grad, in grad mode).
    pub(crate) fn check_inplace(&self, op: &'static str) -> Result<()> {
        if crate::autograd::is_grad_enabled() && self.requires_grad() && self.is_leaf() {
            return Err(Error::Autograd(format!(
                "{op}: a leaf Variable that requires grad is being used in an in-place operation."
            )));
        }
        Ok(())
    }

    /// Writes `value` (broadcastable to `self`) into `self`'s elements and, when `value` has
    /// history, makes it `self`'s history: the core of every `op_` method.
    pub(crate) fn assign(&self, op: &'static str, value: &Tensor) -> Result<()> {
        let vd = value.dtype();
        let sd = self.dtype();
        if !crate::can_cast(vd, sd) {
            return Err(Error::invalid(
                op,
                format!("result type {vd:?} can't be cast to the desired output type {sd:?}"),
            ));
        }
        self.write_with_history(op, value)
    }

    /// Writes `value` (broadcast, cast to `self`'s dtype) into `self`'s elements, bumps the
    /// version, and in grad mode updates the history of `self` (and of its base, for a view)
    /// through `rebase_history`.
    fn write_with_history(&self, op: &'static str, value: &Tensor) -> Result<()> {
        self.check_inplace(op)?;
        self.check_view_inplace(op)?;
        let (vd, sd) = (value.dtype(), self.dtype());
        let ls = value.layout().broadcast_to(op, self.shape())?;
        with_dtype!(vd, S, {
            with_dtype!(sd, D, {
                write_into::<S, D>(self, value, &ls, cast::<S, D>)?
            })
        });
        if crate::autograd::is_grad_enabled() {
            let value = if value.requires_grad() {
                let v = if value.shape() == self.shape() {
                    value.clone()
                } else {
                    value.expand(&crate::shape::to_i64(self.shape()))?
                };
                v.to_dtype(sd)?
            } else {
                value.clone()
            };
            self.rebase_history(&value)?;
        }
        Ok(())
    }

    /// The operand an in-place op computes from: `self`, or a snapshot of it while recording,
    /// so rules that saved the old value still find it (PyTorch's `original_self`).
    pub(crate) fn inplace_source(&self) -> Result<Tensor> {
        if crate::autograd::is_grad_enabled() && self.requires_grad() {
            self.deep_clone()
        } else {
            Ok(self.clone())
        }
    }

    /// Copies `src` (broadcast, converted to `self`'s dtype) into `self` (`x.copy_(src)`).
    pub fn copy_(&self, src: &Tensor) -> Result<()> {
        self.write_with_history("copy_", src)
    }

    /// Sets every element to `value` (`x.fill_(v)`).
    pub fn fill_(&self, value: f64) -> Result<()> {
        let v = Tensor::full(
            &[],
            value,
            crate::TensorOptions::default().dtype(self.dtype()),
        )?;
        self.write_with_history("fill_", &v)
    }

    /// Sets every element to zero (`x.zero_()`).
    pub fn zero_(&self) -> Result<()> {
        self.fill_(0.0)
    }
}
