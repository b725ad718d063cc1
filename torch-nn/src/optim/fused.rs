//! One-pass steps of the hot update rules (SGD with momentum, Adam/AdamW) through
//! `torch_core::cpu::zip_inplace`: parameter and state are read and written once per step
//! instead of once per in-place op, as PyTorch's fused optimizer kernels do. Each element
//! goes through the same operations, in the same order and precision, as the composite
//! path in `sgd.rs` / `adam.rs` (which still runs for other dtypes and layouts), so the two
//! give the same bits.

use std::ops::{Add, Div, Mul, Neg, Sub};

use torch_core::cpu::zip_inplace;
use torch_core::{DType, Element, Result, Tensor};

use super::adam::AdamOptions;
use super::sgd::SGDOptions;

/// The float element types the fused steps run on.
trait Real:
    Element
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    fn sqrt(self) -> Self;
}

impl Real for f32 {
    fn sqrt(self) -> Self {
        f32::sqrt(self)
    }
}

impl Real for f64 {
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
}

impl SGDOptions {
    /// `g = ±g + wd p; buf = m buf + (1 - dampening) g; p -= lr (nesterov ? g + m buf : buf)`
    /// in one pass, once the momentum buffer exists; `Ok(false)` when the tensors do not
    /// allow it (see `zip_inplace`).
    pub(super) fn fused_step(&self, p: &Tensor, g: &Tensor, buf: &Tensor) -> Result<bool> {
        match p.dtype() {
            DType::F32 => self.fused_typed::<f32>(p, g, buf),
            DType::F64 => self.fused_typed::<f64>(p, g, buf),
            _ => Ok(false),
        }
    }

    fn fused_typed<T: Real>(&self, p: &Tensor, g: &Tensor, buf: &Tensor) -> Result<bool> {
        let c = T::from_f64;
        let (m, damp, wd, neg_lr) = (
            c(self.momentum),
            c(1.0 - self.dampening),
            c(self.weight_decay),
            c(-self.lr),
        );
        let (maximize, decay, nesterov) = (self.maximize, self.weight_decay != 0.0, self.nesterov);
        // `move`: the constants live in the closure, so the loop keeps them in registers
        // (read through references, they would be reloaded per element: a scalar loop).
        zip_inplace::<T, 2, 1>([p, buf], [g], move |[p, b], [g]| {
            let mut g = if maximize { -g } else { g };
            if decay {
                g = g + wd * *p;
            }
            *b = *b * m + damp * g;
            let d = if nesterov { g + m * *b } else { *b };
            *p = *p + neg_lr * d;
        })
    }
}

impl AdamOptions {
    /// The Adam step (without AMSGrad) on `p`, `exp_avg` and `exp_avg_sq` from `g` in one
    /// pass, given the step's `lr / (1 - beta1^t)` and `sqrt(1 - beta2^t)`; `Ok(false)` when
    /// the tensors do not allow it (see `zip_inplace`).
    pub(super) fn fused_step(
        &self,
        corrections: (f64, f64),
        p: &Tensor,
        g: &Tensor,
        m: &Tensor,
        v: &Tensor,
    ) -> Result<bool> {
        match p.dtype() {
            DType::F32 => self.fused_typed::<f32>(corrections, p, g, m, v),
            DType::F64 => self.fused_typed::<f64>(corrections, p, g, m, v),
            _ => Ok(false),
        }
    }

    fn fused_typed<T: Real>(
        &self,
        (step_size, bias_correction2_sqrt): (f64, f64),
        p: &Tensor,
        g: &Tensor,
        m: &Tensor,
        v: &Tensor,
    ) -> Result<bool> {
        let c = T::from_f64;
        let (beta1, beta2) = self.betas;
        let w = 1.0 - beta1;
        // `lerp_`'s two formulas, `1 - w` taken in the op-math type (see `inplace::lerp_`).
        let small_w = w.abs() < 0.5;
        let one_minus_w = if T::DTYPE == DType::F64 {
            1.0 - w
        } else {
            (1.0f32 - w as f32) as f64
        };
        let (cw, comw, b2, omb2) = (c(w), c(one_minus_w), c(beta2), c(1.0 - beta2));
        let (bc2, eps, neg_step) = (c(bias_correction2_sqrt), c(self.eps), c(-step_size));
        let decay = self.weight_decay != 0.0;
        let (decoupled, wd) = (self.decoupled_weight_decay, c(self.weight_decay));
        let shrink = c(1.0 - self.lr * self.weight_decay);
        let maximize = self.maximize;
        zip_inplace::<T, 3, 1>([p, m, v], [g], move |[p, m, v], [g]| {
            let mut g = if maximize { -g } else { g };
            if decay {
                if decoupled {
                    *p = *p * shrink;
                } else {
                    g = g + wd * *p;
                }
            }
            let diff = g - *m;
            *m = if small_w {
                *m + diff * cw
            } else {
                g - diff * comw
            };
            *v = *v * b2 + omb2 * g * g;
            let denom = v.sqrt() / bc2 + eps;
            *p = *p + *m * neg_step / denom;
        })
    }
}
