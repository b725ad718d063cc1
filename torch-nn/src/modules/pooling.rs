//! Pooling layers (torch.nn's `MaxPool1d/2d`, `AvgPool1d/2d`, `AdaptiveAvgPool1d/2d`,
//! `AdaptiveMaxPool1d/2d`): configuration around torch-core's pooling ops.
//!
//! Sizes in the repr print as an int when every entry is equal (`MaxPool2d(2)` shows
//! `kernel_size=2`), which is what PyTorch prints for the usual int argument.

use torch_core::{
    AvgPool1dOptions, AvgPool2dOptions, MaxPool1dOptions, MaxPool2dOptions, Result, Tensor,
};

use super::size::IntoSize;
use crate::repr;
use crate::{Forward, Module, ModuleBase};

/// Declares a windowed pooling module: kernel size `[usize; N]` and the functional options.
macro_rules! pool_layer {
    (
        $(#[$doc:meta])* $name:ident, $n:literal, $opts:ty,
        |$s:ident, $x:ident| $fwd:expr,
        |$r:ident| $repr:expr
    ) => {
        $(#[$doc])*
        #[derive(Module)]
        #[module(repr)]
        pub struct $name {
            base: ModuleBase,
            #[module(skip)]
            pub kernel_size: [usize; $n],
            #[module(skip)]
            pub options: $opts,
        }

        impl $name {
            #[doc = concat!("`nn.", stringify!($name), "(kernel_size)` with the other arguments' defaults.")]
            pub fn new(kernel_size: impl IntoSize<$n>) -> $name {
                Self::with_options(kernel_size, Default::default())
            }

            /// The layer with explicit keyword arguments.
            pub fn with_options(kernel_size: impl IntoSize<$n>, options: $opts) -> $name {
                $name {
                    base: ModuleBase::default(),
                    kernel_size: kernel_size.into_size(),
                    options,
                }
            }

            fn extra_repr(&self) -> String {
                let $r = self;
                $repr
            }
        }

        impl Forward for $name {
            fn forward(&self, $x: &Tensor) -> Result<Tensor> {
                let $s = self;
                $fwd
            }
        }
    };
}

pool_layer!(
    /// Max over sliding windows of `(N, C, L)` or `(C, L)`, as `nn.MaxPool1d`.
    MaxPool1d, 1, MaxPool1dOptions,
    |s, x| x.max_pool1d(s.kernel_size[0], s.options),
    |s| {
        let o = &s.options;
        format!(
            "kernel_size={}, stride={}, padding={}, dilation={}, ceil_mode={}",
            s.kernel_size[0],
            o.stride.unwrap_or(s.kernel_size[0]),
            o.padding,
            o.dilation,
            repr::bool(o.ceil_mode)
        )
    }
);

pool_layer!(
    /// Max over sliding windows of `(N, C, H, W)` or `(C, H, W)`, as `nn.MaxPool2d`.
    MaxPool2d, 2, MaxPool2dOptions,
    |s, x| x.max_pool2d(s.kernel_size, s.options),
    |s| {
        let o = &s.options;
        format!(
            "kernel_size={}, stride={}, padding={}, dilation={}, ceil_mode={}",
            repr::size(&s.kernel_size),
            repr::size(&o.stride.unwrap_or(s.kernel_size)),
            repr::size(&o.padding),
            repr::size(&o.dilation),
            repr::bool(o.ceil_mode)
        )
    }
);

impl MaxPool1d {
    /// `return_indices=True`: the values and the flat index of each maximum.
    pub fn forward_with_indices(&self, x: &Tensor) -> Result<(Tensor, Tensor)> {
        x.max_pool1d_with_indices(self.kernel_size[0], self.options)
    }
}

impl MaxPool2d {
    /// `return_indices=True`: the values and the flat index (`h * W + w`) of each maximum.
    pub fn forward_with_indices(&self, x: &Tensor) -> Result<(Tensor, Tensor)> {
        x.max_pool2d_with_indices(self.kernel_size, self.options)
    }
}

pool_layer!(
    /// Mean over sliding windows of `(N, C, L)` or `(C, L)`, as `nn.AvgPool1d` (whose repr
    /// shows tuples, since it stores `_single(kernel_size)`).
    AvgPool1d, 1, AvgPool1dOptions,
    |s, x| x.avg_pool1d(s.kernel_size[0], s.options),
    |s| {
        let o = &s.options;
        format!(
            "kernel_size={}, stride={}, padding={}",
            repr::tuple(&s.kernel_size),
            repr::tuple(&[o.stride.unwrap_or(s.kernel_size[0])]),
            repr::tuple(&[o.padding])
        )
    }
);

pool_layer!(
    /// Mean over sliding windows of `(N, C, H, W)` or `(C, H, W)`, as `nn.AvgPool2d`.
    AvgPool2d, 2, AvgPool2dOptions,
    |s, x| x.avg_pool2d(s.kernel_size, s.options),
    |s| {
        let o = &s.options;
        format!(
            "kernel_size={}, stride={}, padding={}",
            repr::size(&s.kernel_size),
            repr::size(&o.stride.unwrap_or(s.kernel_size)),
            repr::size(&o.padding)
        )
    }
);

/// Declares an adaptive pooling module: a target output size `[usize; N]`.
macro_rules! adaptive_layer {
    ($(#[$doc:meta])* $name:ident, $n:literal, |$s:ident, $x:ident| $fwd:expr) => {
        $(#[$doc])*
        #[derive(Module)]
        #[module(repr)]
        pub struct $name {
            base: ModuleBase,
            #[module(skip)]
            pub output_size: [usize; $n],
        }

        impl $name {
            #[doc = concat!("`nn.", stringify!($name), "(output_size)`.")]
            pub fn new(output_size: impl IntoSize<$n>) -> $name {
                $name {
                    base: ModuleBase::default(),
                    output_size: output_size.into_size(),
                }
            }

            fn extra_repr(&self) -> String {
                format!("output_size={}", repr::size(&self.output_size))
            }
        }

        impl Forward for $name {
            fn forward(&self, $x: &Tensor) -> Result<Tensor> {
                let $s = self;
                $fwd
            }
        }
    };
}

adaptive_layer!(
    /// Mean over `output_size` adaptive windows of `(N, C, L)`, as `nn.AdaptiveAvgPool1d`.
    AdaptiveAvgPool1d, 1, |s, x| x.adaptive_avg_pool1d(s.output_size[0])
);

adaptive_layer!(
    /// Mean over adaptive windows of `(N, C, H, W)`, as `nn.AdaptiveAvgPool2d`
    /// (`AdaptiveAvgPool2d::new(1)` is ResNet's global average pool).
    AdaptiveAvgPool2d, 2, |s, x| x.adaptive_avg_pool2d(s.output_size)
);

adaptive_layer!(
    /// Max over adaptive windows of `(N, C, L)`, as `nn.AdaptiveMaxPool1d`.
    AdaptiveMaxPool1d, 1, |s, x| x.adaptive_max_pool1d(s.output_size[0])
);

adaptive_layer!(
    /// Max over adaptive windows of `(N, C, H, W)`, as `nn.AdaptiveMaxPool2d`.
    AdaptiveMaxPool2d, 2, |s, x| x.adaptive_max_pool2d(s.output_size)
);
