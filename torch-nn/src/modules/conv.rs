//! `Conv1d`, `Conv2d`, `ConvTranspose1d`, `ConvTranspose2d` (torch.nn's), sharing one
//! implementation, [`ConvNd`], as PyTorch's `_ConvNd`.

use torch_core::{
    Conv1dOptions, Conv2dOptions, ConvTranspose1dOptions, ConvTranspose2dOptions, Error, Padding,
    Result, Tensor,
};

use super::linear::fan_in_uniform;
use super::size::IntoSize;
use crate::repr;
use crate::{Forward, Module, ModuleBase, Parameter};

/// How a convolution pads its input (`padding_mode=`); anything but `Zeros` pads with
/// `Tensor::pad` first and convolves without padding, as PyTorch does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PaddingMode {
    /// `'zeros'` (default): the convolution's own zero padding.
    #[default]
    Zeros,
    /// `'reflect'`: mirror without repeating the edge.
    Reflect,
    /// `'replicate'`: repeat the edge value.
    Replicate,
    /// `'circular'`: wrap around.
    Circular,
}

impl PaddingMode {
    /// PyTorch's name of the mode (`'reflect'`).
    pub fn name(self) -> &'static str {
        match self {
            PaddingMode::Zeros => "zeros",
            PaddingMode::Reflect => "reflect",
            PaddingMode::Replicate => "replicate",
            PaddingMode::Circular => "circular",
        }
    }
}

/// Keyword arguments of `nn.Conv1d` / `nn.Conv2d`, with PyTorch's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvOptions<const N: usize> {
    /// Step between output positions; default 1.
    pub stride: [usize; N],
    /// Padding sizes, or `Padding::Same` / `Padding::Valid`; default 0.
    pub padding: Padding<N>,
    /// Spacing between kernel taps; default 1.
    pub dilation: [usize; N],
    /// Channel groups; default 1.
    pub groups: usize,
    /// Learn an additive bias; default true.
    pub bias: bool,
    /// What the padding is filled with; default zeros.
    pub padding_mode: PaddingMode,
}

impl<const N: usize> Default for ConvOptions<N> {
    fn default() -> Self {
        ConvOptions {
            stride: [1; N],
            padding: Padding::default(),
            dilation: [1; N],
            groups: 1,
            bias: true,
            padding_mode: PaddingMode::Zeros,
        }
    }
}

/// Keyword arguments of `nn.ConvTranspose1d` / `nn.ConvTranspose2d`, with PyTorch's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvTransposeOptions<const N: usize> {
    /// Stride of the convolution this transposes; default 1.
    pub stride: [usize; N],
    /// Padding of the convolution this transposes (removed from the output); default 0.
    pub padding: [usize; N],
    /// Extra size at the end of each output dim, below stride or dilation; default 0.
    pub output_padding: [usize; N],
    /// Channel groups; default 1.
    pub groups: usize,
    /// Learn an additive bias; default true.
    pub bias: bool,
    /// Spacing between kernel taps; default 1.
    pub dilation: [usize; N],
}

impl<const N: usize> Default for ConvTransposeOptions<N> {
    fn default() -> Self {
        ConvTransposeOptions {
            stride: [1; N],
            padding: [0; N],
            output_padding: [0; N],
            groups: 1,
            bias: true,
            dilation: [1; N],
        }
    }
}

/// The state every convolution layer shares (PyTorch's `_ConvNd`): weight
/// `(out, in / groups, *kernel)` (transposed: `(in, out / groups, *kernel)`), optional bias
/// `(out,)`, both initialised `U(-1/√fan_in, 1/√fan_in)` with `fan_in = weight.size(1) *
/// prod(kernel)`, as `kaiming_uniform_(a=√5)` gives.
#[derive(Module)]
pub struct ConvNd<const N: usize> {
    base: ModuleBase,
    pub weight: Parameter,
    pub bias: Option<Parameter>,
    pub in_channels: usize,
    pub out_channels: usize,
    #[module(skip)]
    pub kernel_size: [usize; N],
    #[module(skip)]
    pub stride: [usize; N],
    #[module(skip)]
    pub padding: Padding<N>,
    #[module(skip)]
    pub dilation: [usize; N],
    #[module(skip)]
    pub output_padding: [usize; N],
    pub groups: usize,
    #[module(skip)]
    pub padding_mode: PaddingMode,
    pub transposed: bool,
    #[module(skip)]
    name: &'static str,
}

impl<const N: usize> ConvNd<N> {
    fn build(
        name: &'static str,
        (in_channels, out_channels): (usize, usize),
        kernel_size: [usize; N],
        o: ConvOptions<N>,
        transposed: Option<[usize; N]>,
    ) -> Result<Self> {
        let groups = o.groups;
        if groups == 0 {
            return Err(Error::invalid(name, "groups must be a positive integer"));
        }
        for (what, c) in [("in_channels", in_channels), ("out_channels", out_channels)] {
            if c % groups != 0 {
                return Err(Error::invalid(
                    name,
                    format!("{what} must be divisible by groups (got {c} and groups={groups})"),
                ));
            }
        }
        if o.padding == Padding::Same && o.stride.iter().any(|&s| s != 1) {
            return Err(Error::invalid(
                name,
                "padding='same' is not supported for strided convolutions",
            ));
        }
        let (rows, cols) = match transposed {
            Some(_) => (in_channels, out_channels / groups),
            None => (out_channels, in_channels / groups),
        };
        let mut shape = vec![rows, cols];
        shape.extend_from_slice(&kernel_size);
        let fan_in = cols * kernel_size.iter().product::<usize>();
        Ok(ConvNd {
            base: ModuleBase::default(),
            weight: fan_in_uniform(&shape, fan_in)?,
            bias: if o.bias {
                Some(fan_in_uniform(&[out_channels], fan_in)?)
            } else {
                None
            },
            in_channels,
            out_channels,
            kernel_size,
            stride: o.stride,
            padding: o.padding,
            dilation: o.dilation,
            output_padding: transposed.unwrap_or([0; N]),
            groups,
            padding_mode: o.padding_mode,
            transposed: transposed.is_some(),
            name,
        })
    }

    /// The input padded by `padding_mode` (when not zeros) and the padding left for the
    /// convolution itself.
    fn padded(&self, x: &Tensor) -> Result<(Tensor, Padding<N>)> {
        if self.padding_mode == PaddingMode::Zeros {
            return Ok((x.clone(), self.padding));
        }
        let sides: [(usize, usize); N] = match self.padding {
            Padding::Explicit(p) => p.map(|p| (p, p)),
            Padding::Valid => [(0, 0); N],
            Padding::Same => std::array::from_fn(|d| {
                let total = self.dilation[d] * (self.kernel_size[d] - 1);
                (total / 2, total - total / 2)
            }),
        };
        // F.pad lists the last dim first.
        let pad: Vec<i64> = sides
            .iter()
            .rev()
            .flat_map(|&(l, r)| [l as i64, r as i64])
            .collect();
        Ok((x.pad(&pad, self.padding_mode.name(), 0.0)?, Padding::Valid))
    }

    /// `output_padding` that makes a transposed convolution of `x` produce `output_size`
    /// (its last N entries; PyTorch's `_output_padding`).
    fn output_padding_for(&self, x: &Tensor, output_size: &[usize]) -> Result<[usize; N]> {
        let size = match output_size.len() {
            n if n == N || n == N + 2 => &output_size[n - N..],
            n => {
                return Err(Error::invalid(
                    self.name,
                    format!(
                        "ConvTranspose{N}D: for {N}D input, output_size must have {N} or {} elements (got {n})",
                        N + 2
                    ),
                ));
            }
        };
        let spatial = &x.shape()[x.dim().saturating_sub(N)..];
        let padding = match self.padding {
            Padding::Explicit(p) => p,
            _ => [0; N],
        };
        let mut out = [0; N];
        for d in 0..N {
            let min = ((spatial[d] as i64 - 1) * self.stride[d] as i64 - 2 * padding[d] as i64
                + (self.dilation[d] * (self.kernel_size[d] - 1)) as i64
                + 1)
            .max(0) as usize;
            let max = min + self.stride[d] - 1;
            if size[d] < min || size[d] > max {
                return Err(Error::invalid(
                    self.name,
                    format!(
                        "requested an output size of {size:?}, but valid sizes range from {min} to {max} (for an input of {:?})",
                        spatial
                    ),
                ));
            }
            out[d] = size[d] - min;
        }
        Ok(out)
    }

    fn extra_repr(&self) -> String {
        let mut s = format!(
            "{}, {}, kernel_size={}, stride={}",
            self.in_channels,
            self.out_channels,
            repr::tuple(&self.kernel_size),
            repr::tuple(&self.stride)
        );
        match self.padding {
            Padding::Explicit(p) if p == [0; N] => {}
            Padding::Explicit(p) => s += &format!(", padding={}", repr::tuple(&p)),
            Padding::Same => s += ", padding=same",
            Padding::Valid => s += ", padding=valid",
        }
        if self.dilation != [1; N] {
            s += &format!(", dilation={}", repr::tuple(&self.dilation));
        }
        if self.output_padding != [0; N] {
            s += &format!(", output_padding={}", repr::tuple(&self.output_padding));
        }
        if self.groups != 1 {
            s += &format!(", groups={}", self.groups);
        }
        if self.bias.is_none() {
            s += ", bias=False";
        }
        if self.padding_mode != PaddingMode::Zeros {
            s += &format!(", padding_mode={}", self.padding_mode.name());
        }
        s
    }
}

/// Declares a convolution module wrapping [`ConvNd`]; `$call` turns the layer and its
/// (padded) input into the functional call.
macro_rules! conv_layer {
    ($(#[$doc:meta])* $name:ident, $n:literal, |$c:ident, $x:ident, $pad:ident| $call:expr) => {
        $(#[$doc])*
        #[derive(Module)]
        #[module(repr)]
        pub struct $name {
            #[module(flatten)]
            inner: ConvNd<$n>,
        }

        impl $name {
            #[doc = concat!("`nn.", stringify!($name), "(in_channels, out_channels, kernel_size)`.")]
            pub fn new(
                in_channels: usize,
                out_channels: usize,
                kernel_size: impl IntoSize<$n>,
            ) -> Result<$name> {
                Self::with_options(in_channels, out_channels, kernel_size, Default::default())
            }

            /// The layer with explicit keyword arguments.
            pub fn with_options(
                in_channels: usize,
                out_channels: usize,
                kernel_size: impl IntoSize<$n>,
                options: ConvOptions<$n>,
            ) -> Result<$name> {
                let dims = (in_channels, out_channels);
                let kernel = kernel_size.into_size();
                let inner = ConvNd::build(stringify!($name), dims, kernel, options, None)?;
                Ok($name { inner })
            }

            fn extra_repr(&self) -> String {
                self.inner.extra_repr()
            }
        }

        impl std::ops::Deref for $name {
            type Target = ConvNd<$n>;
            fn deref(&self) -> &ConvNd<$n> {
                &self.inner
            }
        }

        impl Forward for $name {
            fn forward(&self, x: &Tensor) -> Result<Tensor> {
                let $c = &self.inner;
                let ($x, $pad) = $c.padded(x)?;
                $call
            }
        }
    };
}

/// Declares a transposed convolution module wrapping [`ConvNd`]; `$call` gets the layer,
/// the input and the output padding.
macro_rules! conv_transpose_layer {
    ($(#[$doc:meta])* $name:ident, $n:literal, |$c:ident, $x:ident, $op:ident| $call:expr) => {
        $(#[$doc])*
        #[derive(Module)]
        #[module(repr)]
        pub struct $name {
            #[module(flatten)]
            inner: ConvNd<$n>,
        }

        impl $name {
            #[doc = concat!("`nn.", stringify!($name), "(in_channels, out_channels, kernel_size)`.")]
            pub fn new(
                in_channels: usize,
                out_channels: usize,
                kernel_size: impl IntoSize<$n>,
            ) -> Result<$name> {
                Self::with_options(in_channels, out_channels, kernel_size, Default::default())
            }

            /// The layer with explicit keyword arguments.
            pub fn with_options(
                in_channels: usize,
                out_channels: usize,
                kernel_size: impl IntoSize<$n>,
                o: ConvTransposeOptions<$n>,
            ) -> Result<$name> {
                let options = ConvOptions {
                    stride: o.stride,
                    padding: Padding::Explicit(o.padding),
                    dilation: o.dilation,
                    groups: o.groups,
                    bias: o.bias,
                    padding_mode: PaddingMode::Zeros,
                };
                let dims = (in_channels, out_channels);
                let kernel = kernel_size.into_size();
                let op = Some(o.output_padding);
                let inner = ConvNd::build(stringify!($name), dims, kernel, options, op)?;
                Ok($name { inner })
            }

            /// `forward(input, output_size)`: picks the output padding that gives
            /// `output_size` (its last spatial entries), or errors naming the valid range.
            pub fn forward_with_output_size(
                &self,
                x: &Tensor,
                output_size: &[usize],
            ) -> Result<Tensor> {
                let op = self.inner.output_padding_for(x, output_size)?;
                self.run(x, op)
            }

            fn run(&self, $x: &Tensor, $op: [usize; $n]) -> Result<Tensor> {
                let $c = &self.inner;
                $call
            }

            fn extra_repr(&self) -> String {
                self.inner.extra_repr()
            }
        }

        impl std::ops::Deref for $name {
            type Target = ConvNd<$n>;
            fn deref(&self) -> &ConvNd<$n> {
                &self.inner
            }
        }

        impl Forward for $name {
            fn forward(&self, x: &Tensor) -> Result<Tensor> {
                self.run(x, self.inner.output_padding)
            }
        }
    };
}

fn explicit<const N: usize>(p: Padding<N>) -> [usize; N] {
    match p {
        Padding::Explicit(p) => p,
        _ => [0; N],
    }
}

conv_layer!(
    /// 1-D convolution over `(N, C_in, L)` or `(C_in, L)`, as `nn.Conv1d`.
    Conv1d, 1, |c, x, padding| x.conv1d(&c.weight, c.bias.as_deref(), Conv1dOptions {
        stride: c.stride[0],
        padding,
        dilation: c.dilation[0],
        groups: c.groups,
    })
);

conv_layer!(
    /// 2-D convolution over `(N, C_in, H, W)` or `(C_in, H, W)`, as `nn.Conv2d`.
    ///
    /// ```
    /// # use torch_nn::{Conv2d, ConvOptions, Forward};
    /// # use torch_core::{Tensor, TensorOptions};
    /// let conv = Conv2d::with_options(3, 8, 3, ConvOptions { padding: 1.into(), ..Default::default() })?;
    /// let y = conv.forward(&Tensor::zeros(&[2, 3, 16, 16], TensorOptions::default())?)?;
    /// assert_eq!(y.shape(), &[2, 8, 16, 16]);
    /// # Ok::<(), torch_core::Error>(())
    /// ```
    Conv2d, 2, |c, x, padding| x.conv2d(&c.weight, c.bias.as_deref(), Conv2dOptions {
        stride: c.stride,
        padding,
        dilation: c.dilation,
        groups: c.groups,
    })
);

conv_transpose_layer!(
    /// 1-D transposed convolution (the gradient of `conv1d` with respect to its input), as
    /// `nn.ConvTranspose1d`; weight `(C_in, C_out / groups, k)`.
    ConvTranspose1d, 1, |c, x, output_padding| x.conv_transpose1d(
        &c.weight,
        c.bias.as_deref(),
        ConvTranspose1dOptions {
            stride: c.stride[0],
            padding: explicit(c.padding)[0],
            output_padding: output_padding[0],
            groups: c.groups,
            dilation: c.dilation[0],
        },
    )
);

conv_transpose_layer!(
    /// 2-D transposed convolution, as `nn.ConvTranspose2d`; weight
    /// `(C_in, C_out / groups, kh, kw)`. DCGAN's generator is a stack of these.
    ConvTranspose2d, 2, |c, x, output_padding| x.conv_transpose2d(
        &c.weight,
        c.bias.as_deref(),
        ConvTranspose2dOptions {
            stride: c.stride,
            padding: explicit(c.padding),
            output_padding,
            groups: c.groups,
            dilation: c.dilation,
        },
    )
);
