//! `Parameter`: a tensor that is a trainable member of a module (torch.nn.Parameter).

use std::ops::Deref;

use torch_core::{DType, Result, Tensor};

/// A trainable tensor: a leaf with `requires_grad = true`. Derefs to [`Tensor`], so
/// `self.weight.matmul(x)` reads as in PyTorch. `Clone` shares the tensor (weight tying).
#[derive(Clone)]
pub struct Parameter(Tensor);

impl Parameter {
    /// Wraps `t` as a parameter: detached from any history, `requires_grad = true`
    /// (`nn.Parameter(t)`). Errors for integer dtypes, which cannot require gradients.
    pub fn new(t: Tensor) -> Result<Parameter> {
        Ok(Parameter(t.detach().requires_grad_(true)?))
    }

    /// The underlying tensor.
    pub fn tensor(&self) -> &Tensor {
        &self.0
    }

    /// Replaces the tensor by its cast to `dtype` (keeping `requires_grad`).
    pub(crate) fn set_dtype(&mut self, dtype: DType) -> Result<()> {
        let requires_grad = self.0.requires_grad();
        self.0 = self
            .0
            .detach()
            .to_dtype(dtype)?
            .requires_grad_(requires_grad)?;
        Ok(())
    }
}

impl Deref for Parameter {
    type Target = Tensor;
    fn deref(&self) -> &Tensor {
        &self.0
    }
}

impl AsRef<Tensor> for Parameter {
    fn as_ref(&self) -> &Tensor {
        &self.0
    }
}

impl std::fmt::Debug for Parameter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Parameter containing:\n{}", self.0)
    }
}
