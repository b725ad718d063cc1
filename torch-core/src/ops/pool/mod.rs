//! Pooling with PyTorch's semantics: `max_pool1d/2d` (with indices), `avg_pool1d/2d`,
//! `adaptive_avg_pool1d/2d`, `adaptive_max_pool1d/2d`. Each op builds per-axis windows here
//! (padding, dilation, ceil_mode and adaptive bounds resolved once) and runs one kernel of
//! `cpu.rs` in the 2-D NCHW form. Backward rules are differentiable again (DESIGN R12): max
//! pooling scatters the gradient to the saved indices (`scatter_add`), average pooling has an
//! adjoint kernel whose own backward is the average pool.

mod cpu;

use std::sync::Arc;

use cpu::{AvgSpec, AvgWin, Divisor, MaxSpec, MaxWin};

use crate::autograd::{BackwardCtx, GradFn, record};
use crate::{Error, Result, Tensor, TensorOptions};

/// Keyword arguments of `torch.nn.functional.max_pool2d`, with PyTorch's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaxPool2dOptions {
    /// Step between windows; `None` (default) is the kernel size.
    pub stride: Option<[usize; 2]>,
    /// Implicit `-inf` padding on both sides, at most half the kernel; default 0.
    pub padding: [usize; 2],
    /// Spacing between window elements; default 1.
    pub dilation: [usize; 2],
    /// Round the output size up instead of down (the last window may start in the padding
    /// but not beyond it); default false.
    pub ceil_mode: bool,
}

/// Keyword arguments of `torch.nn.functional.max_pool1d`, with PyTorch's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaxPool1dOptions {
    /// Step between windows; `None` (default) is the kernel size.
    pub stride: Option<usize>,
    /// Implicit `-inf` padding on both sides; default 0.
    pub padding: usize,
    /// Spacing between window elements; default 1.
    pub dilation: usize,
    /// Round the output size up; default false.
    pub ceil_mode: bool,
}

impl Default for MaxPool2dOptions {
    fn default() -> Self {
        MaxPool2dOptions {
            stride: None,
            padding: [0, 0],
            dilation: [1, 1],
            ceil_mode: false,
        }
    }
}

impl Default for MaxPool1dOptions {
    fn default() -> Self {
        MaxPool1dOptions {
            stride: None,
            padding: 0,
            dilation: 1,
            ceil_mode: false,
        }
    }
}

/// Keyword arguments of `torch.nn.functional.avg_pool2d`, with PyTorch's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AvgPool2dOptions {
    /// Step between windows; `None` (default) is the kernel size.
    pub stride: Option<[usize; 2]>,
    /// Implicit zero padding on both sides, at most half the kernel; default 0.
    pub padding: [usize; 2],
    /// Round the output size up; default false.
    pub ceil_mode: bool,
    /// Count padded zeros in the divisor; default true.
    pub count_include_pad: bool,
    /// Divide by this instead of the window size; default `None`.
    pub divisor_override: Option<usize>,
}

impl Default for AvgPool2dOptions {
    fn default() -> Self {
        AvgPool2dOptions {
            stride: None,
            padding: [0, 0],
            ceil_mode: false,
            count_include_pad: true,
            divisor_override: None,
        }
    }
}

/// Keyword arguments of `torch.nn.functional.avg_pool1d`, with PyTorch's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AvgPool1dOptions {
    /// Step between windows; `None` (default) is the kernel size.
    pub stride: Option<usize>,
    /// Implicit zero padding on both sides; default 0.
    pub padding: usize,
    /// Round the output size up; default false.
    pub ceil_mode: bool,
    /// Count padded zeros in the divisor; default true.
    pub count_include_pad: bool,
}

impl Default for AvgPool1dOptions {
    fn default() -> Self {
        AvgPool1dOptions {
            stride: None,
            padding: 0,
            ceil_mode: false,
            count_include_pad: true,
        }
    }
}

/// A pooling call in the 2-D form (1-D ops put a unit height in front).
#[derive(Clone, Copy)]
struct Pool {
    op: &'static str,
    nd: usize,
}

impl Pool {
    /// `x` as `[N, C, H, W]` and whether it was batched; checks the rank and sizes.
    fn as_4d(self, x: &Tensor) -> Result<(Tensor, bool)> {
        let nd = self.nd;
        if (x.dim() != nd + 1 && x.dim() != nd + 2) || x.shape()[x.dim() - nd - 1..].contains(&0) {
            return Err(Error::invalid(
                self.op,
                format!(
                    "Expected {}D or {}D (batch mode) tensor with optional 0 dim batch size for input and non-zero sizes otherwise, but got input of size {:?}",
                    nd + 1,
                    nd + 2,
                    x.shape()
                ),
            ));
        }
        let batched = x.dim() == nd + 2;
        let x4 = if batched { x.clone() } else { x.unsqueeze(0)? };
        let x4 = if nd == 1 { x4.unsqueeze(2)? } else { x4 };
        Ok((x4, batched))
    }

    fn restore(self, y: Tensor, batched: bool) -> Result<Tensor> {
        let y = if self.nd == 1 { y.squeeze_dim(2)? } else { y };
        if batched { Ok(y) } else { y.squeeze_dim(0) }
    }

    /// Output sizes of a windowed pool, with PyTorch's checks and ceil_mode rule.
    fn out_size(self, x: &Tensor, in_hw: [usize; 2], w: &Windows) -> Result<[usize; 2]> {
        let sp = 2 - self.nd;
        let bad = |what: &str| {
            Error::invalid(
                self.op,
                format!(
                    "{what}, but got kernel_size={:?}, stride={:?}, padding={:?}, dilation={:?} for input of size {:?}",
                    &w.kernel[sp..],
                    &w.stride[sp..],
                    &w.padding[sp..],
                    &w.dilation[sp..],
                    x.shape()
                ),
            )
        };
        if w.kernel.contains(&0) || w.stride.contains(&0) || w.dilation.contains(&0) {
            return Err(bad(
                "kernel_size, stride and dilation must be greater than zero",
            ));
        }
        if (0..2).any(|i| w.padding[i] > w.kernel[i] / 2) {
            return Err(bad("pad should be at most half of kernel size"));
        }
        let mut out = [0; 2];
        for i in 0..2 {
            let (k, s, p, d) = (w.kernel[i], w.stride[i], w.padding[i], w.dilation[i]);
            let num = (in_hw[i] + 2 * p) as isize - (d * (k - 1)) as isize - 1
                + if w.ceil_mode { s as isize - 1 } else { 0 };
            let mut o = num.div_euclid(s as isize) + 1;
            if w.ceil_mode && (o - 1) * s as isize >= (in_hw[i] + p) as isize {
                o -= 1;
            }
            if o < 1 {
                return Err(bad("Output size is too small"));
            }
            out[i] = o as usize;
        }
        Ok(out)
    }
}

/// Window parameters of a (non-adaptive) pool in the 2-D form.
struct Windows {
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: [usize; 2],
    dilation: [usize; 2],
    ceil_mode: bool,
}

fn max_windows(input: usize, out: usize, k: usize, s: usize, p: usize, d: usize) -> Vec<MaxWin> {
    (0..out)
        .map(|o| {
            let mut start = (o * s) as isize - p as isize;
            let end = (start + (d * (k - 1)) as isize + 1).min(input as isize);
            while start < 0 {
                start += d as isize;
            }
            let count = if end > start {
                ((end - start) as usize).div_ceil(d)
            } else {
                0
            };
            MaxWin {
                start: start as usize,
                step: d,
                count,
            }
        })
        .collect()
}

fn avg_windows(input: usize, out: usize, k: usize, s: usize, p: usize) -> Vec<AvgWin> {
    (0..out)
        .map(|o| {
            let start = (o * s) as isize - p as isize;
            let end = (start + k as isize).min((input + p) as isize);
            AvgWin {
                start: start.max(0) as usize,
                end: end.min(input as isize).max(0) as usize,
                span: (end - start).max(0) as usize,
            }
        })
        .collect()
}

/// PyTorch's adaptive bounds: `floor(o * in / out) .. ceil((o + 1) * in / out)`.
fn adaptive_windows(input: usize, out: usize) -> Vec<AvgWin> {
    (0..out)
        .map(|o| {
            let (start, end) = (o * input / out, ((o + 1) * input).div_ceil(out));
            AvgWin {
                start,
                end,
                span: end - start,
            }
        })
        .collect()
}

fn hw(t: &Tensor) -> [usize; 2] {
    [t.shape()[2], t.shape()[3]]
}

/// Max pool gradient: the output gradient added at the saved flat indices of each plane.
struct MaxPoolBackward {
    name: &'static str,
    indices: Tensor,
    in_shape: [usize; 4],
}
impl GradFn for MaxPoolBackward {
    fn name(&self) -> &'static str {
        self.name
    }
    fn backward(&self, _: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let [n, c, h, w] = self.in_shape;
        let (n, c) = (n as i64, c as i64);
        let l = (g.shape()[2] * g.shape()[3]) as i64;
        let z = Tensor::zeros(
            &[self.in_shape[0], self.in_shape[1], h * w],
            TensorOptions::default().dtype(g.dtype()),
        )?;
        let gi = z.scatter_add(
            2,
            &self.indices.reshape(&[n, c, l])?,
            &g.reshape(&[n, c, l])?,
        )?;
        Ok(vec![Some(gi.reshape(&[n, c, h as i64, w as i64])?)])
    }
}

/// Runs the max pool kernel and records the backward; indices are computed when asked for
/// or when the result will be differentiated.
fn max_prim(
    x: &Tensor,
    spec: MaxSpec,
    name: &'static str,
    want_indices: bool,
) -> Result<(Tensor, Option<Tensor>)> {
    let needs_grad = crate::autograd::is_grad_enabled() && x.requires_grad();
    let (v, i) = cpu::max_pool(&x.detach(), &spec, want_indices || needs_grad)?;
    let s = x.shape();
    let in_shape = [s[0], s[1], s[2], s[3]];
    let v = match &i {
        Some(indices) => record(v, &[x], |_| {
            Box::new(MaxPoolBackward {
                name,
                indices: indices.clone(),
                in_shape,
            })
        }),
        None => v,
    };
    Ok((v, i))
}

/// Average pool gradient: the adjoint kernel (itself recorded, with the pool as its rule).
struct AvgPoolBackward {
    name: &'static str,
    spec: Arc<AvgSpec>,
}
impl GradFn for AvgPoolBackward {
    fn name(&self) -> &'static str {
        self.name
    }
    fn backward(&self, _: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some(avg_adjoint_prim(g, &self.spec)?)])
    }
}

/// Gradient of the adjoint: the average pool itself (the map is linear).
struct AvgPoolAdjointBackward(Arc<AvgSpec>);
impl GradFn for AvgPoolAdjointBackward {
    fn name(&self) -> &'static str {
        "AvgPool2DBackwardBackward"
    }
    fn backward(&self, _: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some(avg_prim(g, &self.0, "AvgPool2DBackward")?)])
    }
}

fn avg_prim(x: &Tensor, spec: &Arc<AvgSpec>, name: &'static str) -> Result<Tensor> {
    let out = cpu::avg_pool(&x.detach(), spec)?;
    Ok(record(out, &[x], |_| {
        Box::new(AvgPoolBackward {
            name,
            spec: spec.clone(),
        })
    }))
}

fn avg_adjoint_prim(g: &Tensor, spec: &Arc<AvgSpec>) -> Result<Tensor> {
    let out = cpu::avg_pool_adjoint(&g.detach(), spec)?;
    Ok(record(out, &[g], |_| {
        Box::new(AvgPoolAdjointBackward(spec.clone()))
    }))
}

const MAX2D: Pool = Pool {
    op: "max_pool2d",
    nd: 2,
};
const MAX1D: Pool = Pool {
    op: "max_pool1d",
    nd: 1,
};
const ADAPTIVE_MAX2D: Pool = Pool {
    op: "adaptive_max_pool2d",
    nd: 2,
};
const ADAPTIVE_MAX1D: Pool = Pool {
    op: "adaptive_max_pool1d",
    nd: 1,
};

fn max2d_windows(kernel_size: [usize; 2], opts: MaxPool2dOptions) -> Windows {
    Windows {
        kernel: kernel_size,
        stride: opts.stride.unwrap_or(kernel_size),
        padding: opts.padding,
        dilation: opts.dilation,
        ceil_mode: opts.ceil_mode,
    }
}

fn max1d_windows(kernel_size: usize, opts: MaxPool1dOptions) -> Windows {
    Windows {
        kernel: [1, kernel_size],
        stride: [1, opts.stride.unwrap_or(kernel_size)],
        padding: [0, opts.padding],
        dilation: [1, opts.dilation],
        ceil_mode: opts.ceil_mode,
    }
}

/// The `(values, indices)` of a max pool asked for its indices.
fn with_indices(r: Result<(Tensor, Option<Tensor>)>) -> Result<(Tensor, Tensor)> {
    let (v, i) = r?;
    let i = i.ok_or_else(|| Error::invalid("max_pool2d", "internal: indices were not computed"))?;
    Ok((v, i))
}

impl Tensor {
    fn max_pool_impl(&self, p: Pool, w: Windows, want: bool) -> Result<(Tensor, Option<Tensor>)> {
        let (x, batched) = p.as_4d(self)?;
        let in_hw = hw(&x);
        let out = p.out_size(self, in_hw, &w)?;
        let axis = |i: usize| {
            max_windows(
                in_hw[i],
                out[i],
                w.kernel[i],
                w.stride[i],
                w.padding[i],
                w.dilation[i],
            )
        };
        let spec = MaxSpec {
            rows: axis(0),
            cols: axis(1),
            in_hw,
        };
        let (v, i) = max_prim(&x, spec, "MaxPool2DWithIndicesBackward", want)?;
        Ok((
            p.restore(v, batched)?,
            i.map(|i| p.restore(i, batched)).transpose()?,
        ))
    }

    /// Max over sliding windows of `(N, C, H, W)` or `(C, H, W)`, with the flat `h * W + w`
    /// index of each maximum in its input plane (`torch.nn.functional.max_pool2d(...,
    /// return_indices=True)`). Derivative: the gradient scattered to the indices.
    pub fn max_pool2d_with_indices(
        &self,
        kernel_size: [usize; 2],
        opts: MaxPool2dOptions,
    ) -> Result<(Tensor, Tensor)> {
        with_indices(self.max_pool_impl(MAX2D, max2d_windows(kernel_size, opts), true))
    }

    /// Max over sliding windows (`torch.nn.functional.max_pool2d`). Derivative: the gradient
    /// scattered to the position of each maximum (indices are only computed when recorded).
    pub fn max_pool2d(&self, kernel_size: [usize; 2], opts: MaxPool2dOptions) -> Result<Tensor> {
        Ok(self
            .max_pool_impl(MAX2D, max2d_windows(kernel_size, opts), false)?
            .0)
    }

    /// Max over sliding windows of `(N, C, L)` or `(C, L)` with the index of each maximum
    /// (`torch.nn.functional.max_pool1d(..., return_indices=True)`). Derivative: scatter.
    pub fn max_pool1d_with_indices(
        &self,
        kernel_size: usize,
        opts: MaxPool1dOptions,
    ) -> Result<(Tensor, Tensor)> {
        with_indices(self.max_pool_impl(MAX1D, max1d_windows(kernel_size, opts), true))
    }

    /// Max over sliding windows of `(N, C, L)` or `(C, L)` (`torch.nn.functional.max_pool1d`).
    /// Derivative: the gradient scattered to each maximum.
    pub fn max_pool1d(&self, kernel_size: usize, opts: MaxPool1dOptions) -> Result<Tensor> {
        Ok(self
            .max_pool_impl(MAX1D, max1d_windows(kernel_size, opts), false)?
            .0)
    }

    fn avg_pool_impl(&self, p: Pool, w: Windows, div: Divisor) -> Result<Tensor> {
        let (x, batched) = p.as_4d(self)?;
        let in_hw = hw(&x);
        let out = p.out_size(self, in_hw, &w)?;
        let axis = |i: usize| avg_windows(in_hw[i], out[i], w.kernel[i], w.stride[i], w.padding[i]);
        let spec = Arc::new(AvgSpec {
            rows: axis(0),
            cols: axis(1),
            div,
            in_hw,
        });
        p.restore(avg_prim(&x, &spec, "AvgPool2DBackward")?, batched)
    }

    /// Mean over sliding windows of `(N, C, H, W)` or `(C, H, W)`: `sum(window) / divisor`,
    /// the divisor being `divisor_override`, else the window size with padding
    /// (`count_include_pad`) or without (`torch.nn.functional.avg_pool2d`). Derivative: the
    /// gradient spread evenly back over each window (an op with its own backward).
    pub fn avg_pool2d(&self, kernel_size: [usize; 2], opts: AvgPool2dOptions) -> Result<Tensor> {
        let div = match opts.divisor_override {
            Some(0) => return Err(Error::invalid("avg_pool2d", "divisor must be not zero")),
            Some(d) => Divisor::Fixed(d),
            None if opts.count_include_pad => Divisor::IncludePad,
            None => Divisor::Exclude,
        };
        let w = Windows {
            kernel: kernel_size,
            stride: opts.stride.unwrap_or(kernel_size),
            padding: opts.padding,
            dilation: [1, 1],
            ceil_mode: opts.ceil_mode,
        };
        self.avg_pool_impl(
            Pool {
                op: "avg_pool2d",
                nd: 2,
            },
            w,
            div,
        )
    }

    /// Mean over sliding windows of `(N, C, L)` or `(C, L)`
    /// (`torch.nn.functional.avg_pool1d`). Derivative: as `avg_pool2d`.
    pub fn avg_pool1d(&self, kernel_size: usize, opts: AvgPool1dOptions) -> Result<Tensor> {
        let div = if opts.count_include_pad {
            Divisor::IncludePad
        } else {
            Divisor::Exclude
        };
        let w = Windows {
            kernel: [1, kernel_size],
            stride: [1, opts.stride.unwrap_or(kernel_size)],
            padding: [0, opts.padding],
            dilation: [1, 1],
            ceil_mode: opts.ceil_mode,
        };
        self.avg_pool_impl(
            Pool {
                op: "avg_pool1d",
                nd: 1,
            },
            w,
            div,
        )
    }

    fn adaptive_impl(&self, p: Pool, out: [usize; 2]) -> Result<(Tensor, bool, [Vec<AvgWin>; 2])> {
        let (x, batched) = p.as_4d(self)?;
        let in_hw = hw(&x);
        Ok((
            x,
            batched,
            [
                adaptive_windows(in_hw[0], out[0]),
                adaptive_windows(in_hw[1], out[1]),
            ],
        ))
    }

    /// Mean over `output_size` adaptive windows of `(N, C, H, W)` or `(C, H, W)`: window `o`
    /// spans `floor(o * H / out) .. ceil((o + 1) * H / out)`
    /// (`torch.nn.functional.adaptive_avg_pool2d`). Derivative: as `avg_pool2d`.
    pub fn adaptive_avg_pool2d(&self, output_size: [usize; 2]) -> Result<Tensor> {
        let p = Pool {
            op: "adaptive_avg_pool2d",
            nd: 2,
        };
        let (x, batched, [rows, cols]) = self.adaptive_impl(p, output_size)?;
        let spec = Arc::new(AvgSpec {
            rows,
            cols,
            div: Divisor::Exclude,
            in_hw: hw(&x),
        });
        p.restore(avg_prim(&x, &spec, "AdaptiveAvgPool2DBackward")?, batched)
    }

    /// Adaptive mean pooling of `(N, C, L)` or `(C, L)`
    /// (`torch.nn.functional.adaptive_avg_pool1d`). Derivative: as `avg_pool2d`.
    pub fn adaptive_avg_pool1d(&self, output_size: usize) -> Result<Tensor> {
        let p = Pool {
            op: "adaptive_avg_pool1d",
            nd: 1,
        };
        let (x, batched, [rows, cols]) = self.adaptive_impl(p, [1, output_size])?;
        let spec = Arc::new(AvgSpec {
            rows,
            cols,
            div: Divisor::Exclude,
            in_hw: hw(&x),
        });
        p.restore(avg_prim(&x, &spec, "AdaptiveAvgPool2DBackward")?, batched)
    }

    fn adaptive_max_impl(
        &self,
        p: Pool,
        out: [usize; 2],
        want: bool,
    ) -> Result<(Tensor, Option<Tensor>)> {
        let (x, batched, [rows, cols]) = self.adaptive_impl(p, out)?;
        let win = |v: Vec<AvgWin>| {
            v.into_iter()
                .map(|a| MaxWin {
                    start: a.start,
                    step: 1,
                    count: a.end - a.start,
                })
                .collect()
        };
        let spec = MaxSpec {
            rows: win(rows),
            cols: win(cols),
            in_hw: hw(&x),
        };
        let (v, i) = max_prim(&x, spec, "AdaptiveMaxPool2DBackward", want)?;
        Ok((
            p.restore(v, batched)?,
            i.map(|i| p.restore(i, batched)).transpose()?,
        ))
    }

    /// Max over adaptive windows (bounds as `adaptive_avg_pool2d`) with flat `h * W + w`
    /// indices (`torch.nn.functional.adaptive_max_pool2d(..., return_indices=True)`).
    /// Derivative: the gradient scattered to the indices.
    pub fn adaptive_max_pool2d_with_indices(
        &self,
        output_size: [usize; 2],
    ) -> Result<(Tensor, Tensor)> {
        with_indices(self.adaptive_max_impl(ADAPTIVE_MAX2D, output_size, true))
    }

    /// Max over adaptive windows (`torch.nn.functional.adaptive_max_pool2d`). Derivative:
    /// scatter to the maxima.
    pub fn adaptive_max_pool2d(&self, output_size: [usize; 2]) -> Result<Tensor> {
        Ok(self
            .adaptive_max_impl(ADAPTIVE_MAX2D, output_size, false)?
            .0)
    }

    /// Adaptive max pooling of `(N, C, L)` or `(C, L)` with indices
    /// (`torch.nn.functional.adaptive_max_pool1d(..., return_indices=True)`).
    /// Derivative: scatter to the maxima.
    pub fn adaptive_max_pool1d_with_indices(&self, output_size: usize) -> Result<(Tensor, Tensor)> {
        with_indices(self.adaptive_max_impl(ADAPTIVE_MAX1D, [1, output_size], true))
    }

    /// Adaptive max pooling of `(N, C, L)` or `(C, L)`
    /// (`torch.nn.functional.adaptive_max_pool1d`). Derivative: scatter to the maxima.
    pub fn adaptive_max_pool1d(&self, output_size: usize) -> Result<Tensor> {
        Ok(self
            .adaptive_max_impl(ADAPTIVE_MAX1D, [1, output_size], false)?
            .0)
    }
}
