//! Complex-number support: `view_as_real` / `view_as_complex` (true views on the same bytes),
//! `real`, `imag`, `angle`, `Tensor::complex` and `Tensor::polar`.
//!
//! Gradients follow PyTorch's convention for complex tensors (conjugate Wirtinger): for a real
//! loss `L` of a complex `z = x + iy`, `z.grad = dL/dx + i dL/dy`. A real input always gets a
//! real gradient.

use num_complex::Complex32;

use crate::autograd::{BackwardCtx, GradFn, SavedTensor, record};
use crate::cpu::map_unary;
use crate::layout::Layout;
use crate::ops::unary::{FloatExt, FloatFn, unary_with_grad};
use crate::shape::{Dims, broadcast_shapes};
use crate::{DType, Error, Result, Tensor};

/// `view_as_real`'s rule: the real gradient viewed back as complex.
struct ViewAsRealBackward;
impl GradFn for ViewAsRealBackward {
    fn name(&self) -> &'static str {
        "ViewAsRealBackward"
    }
    fn backward(&self, _: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some(g.contiguous()?.view_as_complex()?)])
    }
}

/// `view_as_complex`'s rule: the complex gradient viewed as pairs of reals.
struct ViewAsComplexBackward;
impl GradFn for ViewAsComplexBackward {
    fn name(&self) -> &'static str {
        "ViewAsComplexBackward"
    }
    fn backward(&self, _: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some(g.contiguous()?.view_as_real()?)])
    }
}

/// `angle`'s rule for complex input: `i g z / |z|^2` (0 at `z = 0`).
struct AngleBackward(SavedTensor);
impl GradFn for AngleBackward {
    fn name(&self) -> &'static str {
        "AngleBackward"
    }
    fn backward(&self, ctx: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let z = self.0.unpack(ctx)?;
        let r2 = z.abs()?.pow_scalar(2.0)?;
        // Where z = 0 the product below is 0 whatever the denominator: use 1 to avoid 0/0.
        let r2 = r2.masked_fill(&r2.eq_scalar(0.0)?, 1.0)?;
        let i = Tensor::scalar(Complex32::new(0.0, 1.0));
        let w = g.div(&r2)?.to_dtype(DType::C64)?;
        Ok(vec![Some(z.mul(&w)?.mul(&i)?)])
    }
}

/// Angle of a real number: pi for negatives, 0 otherwise, NaN kept.
#[derive(Clone, Copy)]
struct RealAngle;
impl FloatFn for RealAngle {
    #[inline(always)]
    fn apply<T: num_traits::Float + FloatExt>(&self, v: T) -> T {
        if v < T::zero() {
            T::lit(std::f64::consts::PI)
        } else if v.is_nan() {
            v
        } else {
            T::zero()
        }
    }
}

impl Tensor {
    /// A float32 view `[..., 2]` of a complex64 tensor's real and imaginary parts, sharing its
    /// storage (`torch.view_as_real`). Derivative: the gradient viewed back as complex.
    pub fn view_as_real(&self) -> Result<Tensor> {
        if self.dtype() != DType::C64 {
            return Err(Error::invalid(
                "view_as_real",
                "view_as_real is only supported for complex tensors",
            ));
        }
        let l = self.layout();
        let mut shape: Dims = l.shape.clone();
        shape.push(2);
        let mut strides: Dims = l.strides.iter().map(|&s| s * 2).collect();
        strides.push(1);
        let layout = Layout {
            shape,
            strides,
            offset: l.offset * 2,
        };
        let out = Tensor::from_parts(self.storage().clone(), layout, DType::F32, None);
        Ok(record(out, &[self], |_| Box::new(ViewAsRealBackward)))
    }

    /// A complex64 view of a float32 tensor whose last dim holds (real, imaginary) pairs,
    /// sharing its storage (`torch.view_as_complex`). The last dim must have size 2 and stride
    /// 1, every other stride and the storage offset must be even. Derivative: the gradient
    /// viewed as pairs of reals.
    pub fn view_as_complex(&self) -> Result<Tensor> {
        const OP: &str = "view_as_complex";
        match self.dtype() {
            DType::F32 => {}
            DType::F64 | DType::F16 => {
                return Err(Error::invalid(
                    OP,
                    format!(
                        "view_as_complex of {} needs a complex dtype this build lacks (only complex64 exists)",
                        self.dtype().torch_name()
                    ),
                ));
            }
            d => {
                return Err(Error::invalid(
                    OP,
                    format!(
                        "view_as_complex is only supported for float and double tensors, but got a tensor of scalar type: {}",
                        d.torch_name()
                    ),
                ));
            }
        }
        let l = self.layout();
        if l.shape.is_empty() {
            return Err(Error::invalid(
                OP,
                "Input tensor must have one or more dimensions",
            ));
        }
        let last = l.shape.len() - 1;
        if l.shape[last] != 2 {
            return Err(Error::invalid(
                OP,
                "Tensor must have a last dimension of size 2",
            ));
        }
        if l.strides[last] != 1 {
            return Err(Error::invalid(
                OP,
                "Tensor must have a last dimension with stride 1",
            ));
        }
        if l.strides[..last].iter().any(|s| !s.is_multiple_of(2)) {
            return Err(Error::invalid(
                OP,
                "Tensor must have a stride divisible by 2 for all but last dimension",
            ));
        }
        if !l.offset.is_multiple_of(2) {
            return Err(Error::invalid(
                OP,
                "Tensor must have a storage_offset divisible by 2",
            ));
        }
        // The storage is reinterpreted as a whole, so it must hold whole complex numbers.
        if !self
            .storage()
            .nbytes()
            .is_multiple_of(DType::C64.size_in_bytes())
        {
            return Err(Error::invalid(
                OP,
                "the underlying storage holds an odd number of floats; call .contiguous() first",
            ));
        }
        let layout = Layout {
            shape: l.shape[..last].into(),
            strides: l.strides[..last].iter().map(|&s| s / 2).collect(),
            offset: l.offset / 2,
        };
        let out = Tensor::from_parts(self.storage().clone(), layout, DType::C64, None);
        Ok(record(out, &[self], |_| Box::new(ViewAsComplexBackward)))
    }

    /// The real part as a float32 view of a complex tensor; real tensors are returned as is
    /// (`torch.real`). Composite (`view_as_real(x)[..., 0]`).
    pub fn real(&self) -> Result<Tensor> {
        if !self.dtype().is_complex() {
            return Ok(self.clone());
        }
        self.view_as_real()?.select(-1, 0)
    }

    /// The imaginary part as a float32 view of a complex tensor (`torch.imag`); real tensors
    /// are an error, as in PyTorch. Composite (`view_as_real(x)[..., 1]`).
    pub fn imag(&self) -> Result<Tensor> {
        if !self.dtype().is_complex() {
            return Err(Error::invalid(
                "imag",
                "imag is not implemented for tensors with non-complex dtypes.",
            ));
        }
        self.view_as_real()?.select(-1, 1)
    }

    /// The argument `atan2(imag, real)` of each element (`torch.angle`); for real input pi
    /// where negative, else 0 (integers promote to the default float).
    /// Derivative: `i g z / |z|^2` for complex input (0 at 0), 0 for real input.
    pub fn angle(&self) -> Result<Tensor> {
        if self.dtype() == DType::C64 {
            let y = map_unary::<Complex32, f32>(self, |v| v.arg())?;
            return Ok(record(y, &[self], |_| {
                Box::new(AngleBackward(SavedTensor::input(self)))
            }));
        }
        unary_with_grad(self, "AngleBackward", RealAngle, |_, _, g| g.zeros_like())
    }

    /// `real + i imag` with broadcasting (`torch.complex`); both float32 (complex128 does not
    /// exist here). Composite (stack + `view_as_complex`).
    pub fn complex(real: &Tensor, imag: &Tensor) -> Result<Tensor> {
        check_complex_parts("complex", real, imag)?;
        let shape = broadcast_shapes("complex", real.shape(), imag.shape())?;
        let (re, im) = (real.broadcast_to(&shape)?, imag.broadcast_to(&shape)?);
        Tensor::stack(&[&re, &im], -1)?.view_as_complex()
    }

    /// `abs (cos angle + i sin angle)` with broadcasting (`torch.polar`); both float32.
    /// Composite.
    pub fn polar(abs: &Tensor, angle: &Tensor) -> Result<Tensor> {
        check_complex_parts("polar", abs, angle)?;
        Tensor::complex(&abs.mul(&angle.cos()?)?, &abs.mul(&angle.sin()?)?)
    }
}

/// PyTorch's dtype rules for `complex`/`polar`: two floats of one dtype.
fn check_complex_parts(op: &'static str, a: &Tensor, b: &Tensor) -> Result<()> {
    let (da, db) = (a.dtype(), b.dtype());
    if !(da.is_float() && db.is_float()) {
        return Err(Error::invalid(
            op,
            format!(
                "Expected both inputs to be Half, Float or Double tensors but got {} and {}",
                da.torch_name(),
                db.torch_name()
            ),
        ));
    }
    if da != db {
        return Err(Error::invalid(
            op,
            format!(
                "Expected object of scalar type {} but got scalar type {} for second argument",
                da.torch_name(),
                db.torch_name()
            ),
        ));
    }
    if da != DType::F32 {
        return Err(Error::invalid(
            op,
            format!(
                "{} parts would give a complex dtype this build lacks (only complex64 exists); convert to float32 first",
                da.torch_name()
            ),
        ));
    }
    Ok(())
}
