//! `SavedTensor`: a tensor a backward rule keeps, with the storage version it saw, so that a
//! later in-place write is caught (PyTorch's SavedVariable).

use crate::autograd::BackwardCtx;
use crate::{Error, Result, Tensor};

/// A tensor saved for backward.
pub struct SavedTensor {
    tensor: Tensor,
    version: u64,
    /// Saved outputs are kept without history (no reference cycle) and re-attached to the
    /// running node when unpacked under `create_graph`.
    is_output: bool,
}

impl SavedTensor {
    /// Saves an input of the op.
    pub fn input(t: &Tensor) -> Self {
        SavedTensor {
            tensor: t.clone(),
            version: t.version(),
            is_output: false,
        }
    }

    /// Saves the op's own result.
    pub fn output(t: &Tensor) -> Self {
        SavedTensor {
            tensor: t.alias_with_layout(t.layout().clone()),
            version: t.version(),
            is_output: true,
        }
    }

    /// The saved tensor, or PyTorch's error if it was modified in place since.
    pub fn unpack(&self, ctx: &BackwardCtx) -> Result<Tensor> {
        let now = self.tensor.version();
        if now != self.version {
            return Err(Error::Autograd(format!(
                "one of the variables needed for gradient computation has been modified by an inplace operation: [{}{:?}], which is {} of {}, is at version {}; expected version {} instead.",
                self.tensor.dtype().torch_name(),
                self.tensor.shape(),
                if self.is_output {
                    "output 0"
                } else {
                    "an input"
                },
                ctx.name(),
                now,
                self.version
            )));
        }
        if self.is_output && ctx.create_graph() {
            return Ok(Tensor::from_parts(
                self.tensor.storage().clone(),
                self.tensor.layout().clone(),
                self.tensor.dtype(),
                Some(ctx.node().clone()),
            ));
        }
        Ok(self.tensor.clone())
    }
}
