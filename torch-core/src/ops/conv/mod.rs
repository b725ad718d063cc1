//! Convolutions with PyTorch's semantics: the Tensor methods `conv1d`, `conv2d`,
//! `conv_transpose1d`, `conv_transpose2d`, and the functions [`unfold`] / [`fold`]
//! (`torch.nn.functional.unfold` / `fold`, im2col / col2im). Shapes and options are checked
//! here; everything then runs in the 2-D NCHW form (1-D adds a unit height, unbatched input a
//! unit batch) through the recorded primitives of `grad.rs` and the kernels of `cpu.rs`.

mod cpu;
mod exec;
mod grad;
mod im2col;
mod shifted;

pub(crate) use exec::Real;
use im2col::{Geom, Plan};

use crate::{Error, Result, Tensor};

/// The `padding=` argument of a convolution: sizes, or PyTorch's `"same"` / `"valid"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Padding<const N: usize> {
    /// Zeros added on both sides of each spatial dim (`padding=(ph, pw)`).
    Explicit([usize; N]),
    /// `padding="same"`: the output has the input's size (stride 1 only). An odd total
    /// `dilation * (kernel - 1)` puts the extra zero at the end, as PyTorch does.
    Same,
    /// `padding="valid"`: no padding.
    Valid,
}

impl<const N: usize> Default for Padding<N> {
    fn default() -> Self {
        Padding::Explicit([0; N])
    }
}

impl<const N: usize> From<usize> for Padding<N> {
    fn from(p: usize) -> Self {
        Padding::Explicit([p; N])
    }
}

impl<const N: usize> From<[usize; N]> for Padding<N> {
    fn from(p: [usize; N]) -> Self {
        Padding::Explicit(p)
    }
}

/// Keyword arguments of `torch.nn.functional.conv2d`, with PyTorch's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv2dOptions {
    /// Step between output positions, `(sh, sw)`; default 1.
    pub stride: [usize; 2],
    /// Zero padding; default 0.
    pub padding: Padding<2>,
    /// Spacing between kernel taps; default 1.
    pub dilation: [usize; 2],
    /// Input and output channels split into this many independent groups; default 1.
    pub groups: usize,
}

impl Default for Conv2dOptions {
    fn default() -> Self {
        Conv2dOptions {
            stride: [1, 1],
            padding: Padding::default(),
            dilation: [1, 1],
            groups: 1,
        }
    }
}

/// Keyword arguments of `torch.nn.functional.conv1d`, with PyTorch's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv1dOptions {
    /// Step between output positions; default 1.
    pub stride: usize,
    /// Zero padding; default 0.
    pub padding: Padding<1>,
    /// Spacing between kernel taps; default 1.
    pub dilation: usize,
    /// Channel groups; default 1.
    pub groups: usize,
}

impl Default for Conv1dOptions {
    fn default() -> Self {
        Conv1dOptions {
            stride: 1,
            padding: Padding::default(),
            dilation: 1,
            groups: 1,
        }
    }
}

/// Keyword arguments of `torch.nn.functional.conv_transpose2d`, with PyTorch's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvTranspose2dOptions {
    /// Stride of the convolution this transposes; default 1.
    pub stride: [usize; 2],
    /// Padding of the convolution this transposes (removed from the output); default 0.
    pub padding: [usize; 2],
    /// Extra size added at the end of each output dim; must be below stride or dilation.
    pub output_padding: [usize; 2],
    /// Channel groups; default 1.
    pub groups: usize,
    /// Spacing between kernel taps; default 1.
    pub dilation: [usize; 2],
}

impl Default for ConvTranspose2dOptions {
    fn default() -> Self {
        ConvTranspose2dOptions {
            stride: [1, 1],
            padding: [0, 0],
            output_padding: [0, 0],
            groups: 1,
            dilation: [1, 1],
        }
    }
}

/// Keyword arguments of `torch.nn.functional.conv_transpose1d`, with PyTorch's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvTranspose1dOptions {
    /// Stride of the convolution this transposes; default 1.
    pub stride: usize,
    /// Padding of the convolution this transposes; default 0.
    pub padding: usize,
    /// Extra size added at the end of the output; must be below stride or dilation.
    pub output_padding: usize,
    /// Channel groups; default 1.
    pub groups: usize,
    /// Spacing between kernel taps; default 1.
    pub dilation: usize,
}

impl Default for ConvTranspose1dOptions {
    fn default() -> Self {
        ConvTranspose1dOptions {
            stride: 1,
            padding: 0,
            output_padding: 0,
            groups: 1,
            dilation: 1,
        }
    }
}

/// Keyword arguments shared by [`unfold`] and [`fold`] (`dilation=1, padding=0, stride=1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FoldOptions {
    /// Spacing between kernel taps; default 1.
    pub dilation: [usize; 2],
    /// Zero padding on both sides; default 0.
    pub padding: [usize; 2],
    /// Step between blocks; default 1.
    pub stride: [usize; 2],
}

impl Default for FoldOptions {
    fn default() -> Self {
        FoldOptions {
            dilation: [1, 1],
            padding: [0, 0],
            stride: [1, 1],
        }
    }
}

/// A convolution's arguments in the 2-D form (1-D ops put 1 in front).
struct Args {
    op: &'static str,
    /// Spatial dims of the public op: 1 or 2.
    nd: usize,
    stride: [usize; 2],
    dilation: [usize; 2],
    groups: usize,
}

impl Args {
    fn check_positive(&self) -> Result<()> {
        if self.stride.contains(&0) {
            return Err(Error::invalid(
                self.op,
                "non-positive stride is not supported",
            ));
        }
        if self.dilation.contains(&0) {
            return Err(Error::invalid(
                self.op,
                "dilation should be greater than zero",
            ));
        }
        if self.groups == 0 {
            return Err(Error::invalid(
                self.op,
                "non-positive groups is not supported",
            ));
        }
        Ok(())
    }

    /// Checks ranks and dtypes; returns whether the input is batched.
    fn check_ranks(&self, x: &Tensor, w: &Tensor, b: Option<&Tensor>) -> Result<bool> {
        let nd = self.nd;
        if x.dim() != nd + 1 && x.dim() != nd + 2 {
            return Err(Error::invalid(
                self.op,
                format!(
                    "Expected {}D (unbatched) or {}D (batched) input, but got input of size {:?}",
                    nd + 1,
                    nd + 2,
                    x.shape()
                ),
            ));
        }
        if w.dim() != nd + 2 {
            return Err(Error::invalid(
                self.op,
                format!(
                    "Expected {}D weight, but got weight of size {:?} (input {:?})",
                    nd + 2,
                    w.shape(),
                    x.shape()
                ),
            ));
        }
        for t in [Some(w), b].into_iter().flatten() {
            if t.dtype() != x.dtype() {
                return Err(Error::DTypeMismatch {
                    op: self.op,
                    expected: x.dtype(),
                    got: t.dtype(),
                });
            }
            if t.device() != x.device() {
                return Err(Error::DeviceMismatch {
                    op: self.op,
                    lhs: x.device().to_string(),
                    rhs: t.device().to_string(),
                });
            }
        }
        self.check_positive()?;
        Ok(x.dim() == nd + 2)
    }

    fn check_bias(&self, w: &Tensor, b: Option<&Tensor>, out_channels: usize) -> Result<()> {
        match b {
            Some(b) if b.shape() != [out_channels] => Err(Error::ShapeMismatch {
                op: self.op,
                lhs: w.shape().to_vec(),
                rhs: b.shape().to_vec(),
                detail: format!(
                    "Given weight of size {:?}, expected bias to be 1-dimensional with {out_channels} elements, but got bias of size {:?} instead",
                    w.shape(),
                    b.shape()
                ),
            }),
            _ => Ok(()),
        }
    }

    /// `x` as `[N, C, H, W]`.
    fn as_4d(&self, x: &Tensor, batched: bool) -> Result<Tensor> {
        let x = if batched { x.clone() } else { x.unsqueeze(0)? };
        if self.nd == 1 { x.unsqueeze(2) } else { Ok(x) }
    }

    /// A weight as `[O, I, kh, kw]`.
    fn weight_4d(&self, w: &Tensor) -> Result<Tensor> {
        if self.nd == 1 {
            w.unsqueeze(2)
        } else {
            Ok(w.clone())
        }
    }

    /// Undoes `as_4d` on a result.
    fn restore(&self, y: Tensor, batched: bool) -> Result<Tensor> {
        let y = if self.nd == 1 { y.squeeze_dim(2)? } else { y };
        if batched { Ok(y) } else { y.squeeze_dim(0) }
    }
}

fn conv_impl(
    a: Args,
    x: &Tensor,
    w: &Tensor,
    b: Option<&Tensor>,
    padding: Padding<2>,
) -> Result<Tensor> {
    let batched = a.check_ranks(x, w, b)?;
    let (x4, w4) = (a.as_4d(x, batched)?, a.weight_4d(w)?);
    let (c, o, wc) = (x4.shape()[1], w4.shape()[0], w4.shape()[1]);
    if !o.is_multiple_of(a.groups) {
        return Err(Error::ShapeMismatch {
            op: a.op,
            lhs: x.shape().to_vec(),
            rhs: w.shape().to_vec(),
            detail: format!(
                "Given groups={}, expected weight to be divisible by {} at dimension 0, but got weight of size {:?} instead",
                a.groups,
                a.groups,
                w.shape()
            ),
        });
    }
    if wc * a.groups != c {
        return Err(Error::ShapeMismatch {
            op: a.op,
            lhs: x.shape().to_vec(),
            rhs: w.shape().to_vec(),
            detail: format!(
                "Given groups={}, weight of size {:?}, expected input{:?} to have {} channels, but got {} channels instead",
                a.groups,
                w.shape(),
                x.shape(),
                wc * a.groups,
                c
            ),
        });
    }
    a.check_bias(w, b, o)?;
    let (ins, ks) = (
        [x4.shape()[2], x4.shape()[3]],
        [w4.shape()[2], w4.shape()[3]],
    );
    if ks.contains(&0) {
        return Err(Error::invalid(
            a.op,
            format!(
                "kernel size must be positive, got weight of size {:?}",
                w.shape()
            ),
        ));
    }
    // Effective kernel extent d(k-1)+1 and the top/left padding per dim.
    let ext = |i: usize| a.dilation[i] * (ks[i] - 1) + 1;
    let (pad, out) = match padding {
        Padding::Same => {
            if a.stride != [1, 1] {
                return Err(Error::invalid(
                    a.op,
                    "padding='same' is not supported for strided convolutions",
                ));
            }
            ([(ext(0) - 1) / 2, (ext(1) - 1) / 2], ins)
        }
        Padding::Valid | Padding::Explicit(_) => {
            let p = match padding {
                Padding::Explicit(p) => p,
                _ => [0, 0],
            };
            let (padded, kernel) = ([ins[0] + 2 * p[0], ins[1] + 2 * p[1]], [ext(0), ext(1)]);
            if padded[0] < kernel[0] || padded[1] < kernel[1] {
                let sp = a.nd;
                return Err(Error::ShapeMismatch {
                    op: a.op,
                    lhs: x.shape().to_vec(),
                    rhs: w.shape().to_vec(),
                    detail: format!(
                        "Calculated padded input size per channel: {:?}. Kernel size: {:?}. Kernel size can't be greater than actual input size",
                        &padded[2 - sp..],
                        &kernel[2 - sp..]
                    ),
                });
            }
            let out = [
                (padded[0] - kernel[0]) / a.stride[0] + 1,
                (padded[1] - kernel[1]) / a.stride[1] + 1,
            ];
            (p, out)
        }
    };
    let geom = Geom {
        stride: a.stride,
        pad: [pad[0] as isize, pad[1] as isize],
        dilation: a.dilation,
        groups: a.groups,
    };
    let y = grad::conv(&x4, &w4, b, geom, out)?;
    a.restore(y, batched)
}

fn conv_transpose_impl(
    a: Args,
    x: &Tensor,
    w: &Tensor,
    b: Option<&Tensor>,
    padding: [usize; 2],
    output_padding: [usize; 2],
) -> Result<Tensor> {
    let batched = a.check_ranks(x, w, b)?;
    let (x4, w4) = (a.as_4d(x, batched)?, a.weight_4d(w)?);
    let (c, cin, cog) = (x4.shape()[1], w4.shape()[0], w4.shape()[1]);
    if !cin.is_multiple_of(a.groups) {
        return Err(Error::ShapeMismatch {
            op: a.op,
            lhs: x.shape().to_vec(),
            rhs: w.shape().to_vec(),
            detail: format!(
                "Given groups={}, expected weight to be divisible by {} at dimension 0, but got weight of size {:?} instead",
                a.groups,
                a.groups,
                w.shape()
            ),
        });
    }
    if c != cin {
        return Err(Error::ShapeMismatch {
            op: a.op,
            lhs: x.shape().to_vec(),
            rhs: w.shape().to_vec(),
            detail: format!(
                "Given transposed=1, weight of size {:?}, expected input{:?} to have {} channels, but got {} channels instead",
                w.shape(),
                x.shape(),
                cin,
                c
            ),
        });
    }
    a.check_bias(w, b, cog * a.groups)?;
    for i in 0..2 {
        let op = output_padding[i];
        if op >= a.stride[i] && op >= a.dilation[i] {
            return Err(Error::invalid(
                a.op,
                format!(
                    "output padding must be smaller than either stride or dilation, but got output_padding {:?}, stride {:?}, dilation {:?}",
                    &output_padding[2 - a.nd..],
                    &a.stride[2 - a.nd..],
                    &a.dilation[2 - a.nd..]
                ),
            ));
        }
    }
    let (ins, ks) = (
        [x4.shape()[2], x4.shape()[3]],
        [w4.shape()[2], w4.shape()[3]],
    );
    if ks.contains(&0) {
        return Err(Error::invalid(
            a.op,
            format!(
                "kernel size must be positive, got weight of size {:?}",
                w.shape()
            ),
        ));
    }
    let mut out = [0usize; 2];
    for i in 0..2 {
        let o = (ins[i] as isize - 1) * a.stride[i] as isize - 2 * padding[i] as isize
            + (a.dilation[i] * (ks[i] - 1)) as isize
            + output_padding[i] as isize
            + 1;
        if o <= 0 || ins[i] == 0 {
            return Err(Error::ShapeMismatch {
                op: a.op,
                lhs: x.shape().to_vec(),
                rhs: w.shape().to_vec(),
                detail: format!("calculated output size {o} along spatial dim {i} is too small"),
            });
        }
        out[i] = o as usize;
    }
    let geom = Geom {
        stride: a.stride,
        pad: [padding[0] as isize, padding[1] as isize],
        dilation: a.dilation,
        groups: a.groups,
    };
    let y = grad::conv_transpose(&x4, &w4, b, geom, out)?;
    a.restore(y, batched)
}

impl Tensor {
    /// 2-D cross-correlation of `(N, C, H, W)` or unbatched `(C, H, W)` input with weight
    /// `(O, C / groups, kh, kw)` plus optional bias `(O,)`: `out[n, o] = b[o] + sum_c
    /// w[o, c] (*) x[n, c]` (`torch.nn.functional.conv2d`). Derivative: input gradient is
    /// `conv_transpose2d` of the output gradient, weight gradient a correlation of input and
    /// output gradient, bias gradient its sum over (N, H, W); all differentiable again.
    pub fn conv2d(
        &self,
        weight: &Tensor,
        bias: Option<&Tensor>,
        opts: Conv2dOptions,
    ) -> Result<Tensor> {
        let a = Args {
            op: "conv2d",
            nd: 2,
            stride: opts.stride,
            dilation: opts.dilation,
            groups: opts.groups,
        };
        conv_impl(a, self, weight, bias, opts.padding)
    }

    /// 1-D cross-correlation of `(N, C, L)` or `(C, L)` input with weight `(O, C / groups, k)`
    /// (`torch.nn.functional.conv1d`). Derivative: as `conv2d`.
    pub fn conv1d(
        &self,
        weight: &Tensor,
        bias: Option<&Tensor>,
        opts: Conv1dOptions,
    ) -> Result<Tensor> {
        let a = Args {
            op: "conv1d",
            nd: 1,
            stride: [1, opts.stride],
            dilation: [1, opts.dilation],
            groups: opts.groups,
        };
        let padding = match opts.padding {
            Padding::Explicit([p]) => Padding::Explicit([0, p]),
            Padding::Same => Padding::Same,
            Padding::Valid => Padding::Valid,
        };
        conv_impl(a, self, weight, bias, padding)
    }

    /// Transposed 2-D convolution ("deconvolution") of `(N, Cin, H, W)` or `(Cin, H, W)` with
    /// weight `(Cin, Cout / groups, kh, kw)`: the adjoint of `conv2d` in its input, output size
    /// `(H - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1`
    /// (`torch.nn.functional.conv_transpose2d`). Derivative: input gradient is `conv2d` of the
    /// output gradient, weight gradient a correlation; differentiable again.
    pub fn conv_transpose2d(
        &self,
        weight: &Tensor,
        bias: Option<&Tensor>,
        opts: ConvTranspose2dOptions,
    ) -> Result<Tensor> {
        let a = Args {
            op: "conv_transpose2d",
            nd: 2,
            stride: opts.stride,
            dilation: opts.dilation,
            groups: opts.groups,
        };
        conv_transpose_impl(a, self, weight, bias, opts.padding, opts.output_padding)
    }

    /// Transposed 1-D convolution of `(N, Cin, L)` or `(Cin, L)` with weight
    /// `(Cin, Cout / groups, k)` (`torch.nn.functional.conv_transpose1d`). Derivative: as
    /// `conv_transpose2d`.
    pub fn conv_transpose1d(
        &self,
        weight: &Tensor,
        bias: Option<&Tensor>,
        opts: ConvTranspose1dOptions,
    ) -> Result<Tensor> {
        let a = Args {
            op: "conv_transpose1d",
            nd: 1,
            stride: [1, opts.stride],
            dilation: [1, opts.dilation],
            groups: opts.groups,
        };
        conv_transpose_impl(
            a,
            self,
            weight,
            bias,
            [0, opts.padding],
            [0, opts.output_padding],
        )
    }
}

/// Number of sliding blocks per spatial dim, or the error PyTorch gives when one is < 1.
fn blocks(
    op: &'static str,
    size: [usize; 2],
    k: [usize; 2],
    o: &FoldOptions,
) -> Result<[usize; 2]> {
    if k.contains(&0) || o.stride.contains(&0) || o.dilation.contains(&0) {
        return Err(Error::invalid(
            op,
            format!(
                "kernel_size {k:?}, stride {:?} and dilation {:?} must be positive",
                o.stride, o.dilation
            ),
        ));
    }
    let mut out = [0; 2];
    for i in 0..2 {
        let padded = size[i] + 2 * o.padding[i];
        let ext = o.dilation[i] * (k[i] - 1) + 1;
        if padded < ext {
            return Err(Error::invalid(
                op,
                format!(
                    "Given input with spatial size {size:?}, kernel_size={k:?}, dilation={:?}, padding={:?}, calculated shape of the array of sliding blocks is non-positive",
                    o.dilation, o.padding
                ),
            ));
        }
        out[i] = (padded - ext) / o.stride[i] + 1;
    }
    Ok(out)
}

fn fold_plan(c: usize, size: [usize; 2], k: [usize; 2], nb: [usize; 2], o: &FoldOptions) -> Plan {
    Plan {
        c,
        h: size[0],
        w: size[1],
        kh: k[0],
        kw: k[1],
        oh: nb[0],
        ow: nb[1],
        geom: Geom {
            stride: o.stride,
            pad: [o.padding[0] as isize, o.padding[1] as isize],
            dilation: o.dilation,
            groups: 1,
        },
    }
}

/// Extracts sliding blocks (im2col): `(N, C, H, W)` or `(C, H, W)` to `(N, C * kh * kw, L)`,
/// `L` the number of blocks, column `l` holding block `l` flattened channel-major
/// (`torch.nn.functional.unfold`). Derivative: `fold` of the gradient.
pub fn unfold(input: &Tensor, kernel_size: [usize; 2], opts: FoldOptions) -> Result<Tensor> {
    const OP: &str = "unfold";
    if input.dim() != 3 && input.dim() != 4 {
        return Err(Error::invalid(
            OP,
            format!(
                "Input Error: Only 3D or 4D input Tensors are supported (got input of size {:?})",
                input.shape()
            ),
        ));
    }
    let batched = input.dim() == 4;
    let x = if batched {
        input.clone()
    } else {
        input.unsqueeze(0)?
    };
    let size = [x.shape()[2], x.shape()[3]];
    let nb = blocks(OP, size, kernel_size, &opts)?;
    let y = grad::unfold(&x, fold_plan(x.shape()[1], size, kernel_size, nb, &opts))?;
    if batched { Ok(y) } else { y.squeeze_dim(0) }
}

/// Sums sliding blocks back into a tensor (col2im): `(N, C * kh * kw, L)` or
/// `(C * kh * kw, L)` to `(N, C, output_size)`; overlapping entries add up
/// (`torch.nn.functional.fold`). Derivative: `unfold` of the gradient.
pub fn fold(
    input: &Tensor,
    output_size: [usize; 2],
    kernel_size: [usize; 2],
    opts: FoldOptions,
) -> Result<Tensor> {
    const OP: &str = "fold";
    if input.dim() != 2 && input.dim() != 3 {
        return Err(Error::invalid(
            OP,
            format!(
                "Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got input of size {:?})",
                input.shape()
            ),
        ));
    }
    let batched = input.dim() == 3;
    let x = if batched {
        input.clone()
    } else {
        input.unsqueeze(0)?
    };
    let nb = blocks(OP, output_size, kernel_size, &opts)?;
    let k = kernel_size[0] * kernel_size[1];
    let ck = x.shape()[1];
    if !ck.is_multiple_of(k) {
        return Err(Error::invalid(
            OP,
            format!(
                "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input of size {:?} and kernel_size={kernel_size:?}",
                input.shape()
            ),
        ));
    }
    if x.shape()[2] != nb[0] * nb[1] {
        return Err(Error::invalid(
            OP,
            format!(
                "Given output_size={output_size:?}, kernel_size={kernel_size:?}, dilation={:?}, padding={:?}, stride={:?}, expected size of input's dimension 2 to match the calculated number of sliding blocks {} * {} = {}, but got input of size {:?}",
                opts.dilation,
                opts.padding,
                opts.stride,
                nb[0],
                nb[1],
                nb[0] * nb[1],
                input.shape()
            ),
        ));
    }
    let y = grad::fold(&x, fold_plan(ck / k, output_size, kernel_size, nb, &opts))?;
    if batched { Ok(y) } else { y.squeeze_dim(0) }
}
