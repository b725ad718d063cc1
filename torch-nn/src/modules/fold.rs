//! `Unfold` and `Fold` (torch.nn's): sliding blocks to columns and back.

use torch_core::{FoldOptions, Result, Tensor};

use super::size::IntoSize;
use crate::repr;
use crate::{Forward, Module, ModuleBase};

fn fold_repr(kernel_size: &[usize], o: &FoldOptions) -> String {
    format!(
        "kernel_size={}, dilation={}, padding={}, stride={}",
        repr::size(kernel_size),
        repr::size(&o.dilation),
        repr::size(&o.padding),
        repr::size(&o.stride)
    )
}

/// Extracts sliding `kernel_size` blocks of `(N, C, H, W)` into columns
/// `(N, C * kh * kw, L)`, as `nn.Unfold`.
#[derive(Module)]
#[module(repr)]
pub struct Unfold {
    base: ModuleBase,
    #[module(skip)]
    pub kernel_size: [usize; 2],
    #[module(skip)]
    pub options: FoldOptions,
}

impl Unfold {
    /// `nn.Unfold(kernel_size, dilation, padding, stride)`.
    pub fn new(kernel_size: impl IntoSize<2>, options: FoldOptions) -> Unfold {
        Unfold {
            base: ModuleBase::default(),
            kernel_size: kernel_size.into_size(),
            options,
        }
    }

    fn extra_repr(&self) -> String {
        fold_repr(&self.kernel_size, &self.options)
    }
}

impl Forward for Unfold {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        torch_core::unfold(x, self.kernel_size, self.options)
    }
}

/// Sums columns `(N, C * kh * kw, L)` back into an `(N, C, *output_size)` image, as
/// `nn.Fold` (the adjoint of [`Unfold`]).
#[derive(Module)]
#[module(repr)]
pub struct Fold {
    base: ModuleBase,
    #[module(skip)]
    pub output_size: [usize; 2],
    #[module(skip)]
    pub kernel_size: [usize; 2],
    #[module(skip)]
    pub options: FoldOptions,
}

impl Fold {
    /// `nn.Fold(output_size, kernel_size, dilation, padding, stride)`.
    pub fn new(
        output_size: impl IntoSize<2>,
        kernel_size: impl IntoSize<2>,
        options: FoldOptions,
    ) -> Fold {
        Fold {
            base: ModuleBase::default(),
            output_size: output_size.into_size(),
            kernel_size: kernel_size.into_size(),
            options,
        }
    }

    fn extra_repr(&self) -> String {
        format!(
            "output_size={}, {}",
            repr::size(&self.output_size),
            fold_repr(&self.kernel_size, &self.options)
        )
    }
}

impl Forward for Fold {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        torch_core::fold(x, self.output_size, self.kernel_size, self.options)
    }
}
