//! Ops written from primitives (DESIGN R2): autograd comes for free. `logsumexp`, `var`, `std`, `norm`, `conj`.

use crate::{DType, Error, Result, Tensor};

impl Tensor {
    /// `log(sum(exp(x)))` over `dims`, stabilised by the max (`torch.logsumexp`).
    pub fn logsumexp(&self, dims: &[i64], keepdim: bool) -> Result<Tensor> {
        let x = if self.dtype().is_integral() {
            self.to_dtype(crate::DEFAULT_FLOAT)?
        } else {
            self.clone()
        };
        let m = x.detach().amax(dims, true)?;
        // An all -inf (or inf) slice would give inf - inf; shift by 0 there instead.
        let m = m.masked_fill(&m.isinf()?, 0.0)?;
        let s = x.sub(&m)?.exp()?.sum_dim(dims, true)?.log()?.add(&m)?;
        if keepdim {
            Ok(s)
        } else {
            let mut dl = crate::shape::normalize_dims("logsumexp", dims, x.dim())?.to_vec();
            dl.sort_unstable();
            let mut s = s;
            for &d in dl.iter().rev() {
                s = s.squeeze_dim(d as i64)?;
            }
            Ok(s)
        }
    }

    /// Variance over `dims` with Bessel's `correction` (`torch.var(x, dims, correction=1)`).
    pub fn var_dim(&self, dims: &[i64], correction: f64, keepdim: bool) -> Result<Tensor> {
        if !self.dtype().is_float() {
            return Err(Error::UnsupportedDType {
                op: "var",
                dtype: self.dtype(),
            });
        }
        let d = crate::shape::normalize_dims("var", dims, self.dim())?;
        let n: usize = if self.dim() == 0 {
            1
        } else {
            d.iter().map(|&i| self.shape()[i]).product()
        };
        let mean = self.mean_dim(dims, true)?;
        let dev = self.sub(&mean)?;
        dev.mul(&dev)?
            .sum_dim(dims, keepdim)?
            .div_scalar((n as f64 - correction).max(0.0))
    }

    /// Variance of all elements (`torch.var(x)`, correction 1).
    pub fn var(&self) -> Result<Tensor> {
        self.var_dim(&[], 1.0, false)
    }

    /// Standard deviation over `dims` (`torch.std`).
    pub fn std_dim(&self, dims: &[i64], correction: f64, keepdim: bool) -> Result<Tensor> {
        self.var_dim(dims, correction, keepdim)?.sqrt()
    }

    /// Standard deviation of all elements (`torch.std(x)`).
    pub fn std(&self) -> Result<Tensor> {
        self.std_dim(&[], 1.0, false)
    }

    /// The `p`-norm over `dims` (`torch.norm` / `torch.linalg.vector_norm`): `p = inf` is the
    /// max of `|x|`, `p = 0` counts non-zeros. Integer and bool inputs are refused, as PyTorch
    /// refuses them.
    pub fn norm(&self, p: f64, dims: &[i64], keepdim: bool) -> Result<Tensor> {
        let dtype = self.dtype();
        if dtype.is_integral() || dtype == DType::Bool {
            return Err(Error::UnsupportedDType { op: "norm", dtype });
        }
        let a = self.abs()?;
        if p == f64::INFINITY {
            a.amax(dims, keepdim)
        } else if p == f64::NEG_INFINITY {
            a.amin(dims, keepdim)
        } else if p == 0.0 {
            a.ne_scalar(0.0)?
                .to_dtype(a.dtype())?
                .sum_dim(dims, keepdim)
        } else if p == 1.0 {
            a.sum_dim(dims, keepdim)
        } else if p == 2.0 {
            a.mul(&a)?.sum_dim(dims, keepdim)?.sqrt()
        } else {
            a.pow_scalar(p)?.sum_dim(dims, keepdim)?.pow_scalar(1.0 / p)
        }
    }

    /// Complex conjugate (`torch.conj`); real tensors are returned as is.
    pub fn conj(&self) -> Result<Tensor> {
        if self.dtype() != DType::C64 {
            return Ok(self.clone());
        }
        let y =
            crate::cpu::map_unary::<num_complex::Complex32, num_complex::Complex32>(self, |v| {
                v.conj()
            })?;
        struct ConjBackward;
        impl crate::autograd::GradFn for ConjBackward {
            fn name(&self) -> &'static str {
                "ConjBackward"
            }
            fn backward(
                &self,
                _: &crate::autograd::BackwardCtx,
                g: &Tensor,
            ) -> Result<Vec<Option<Tensor>>> {
                Ok(vec![Some(g.conj()?)])
            }
        }
        Ok(crate::autograd::record(y, &[self], |_| {
            Box::new(ConjBackward)
        }))
    }
}
