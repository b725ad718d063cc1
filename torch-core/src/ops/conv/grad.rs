//! The recorded convolution primitives in 2-D form and their backward rules. Each rule is
//! written with these same primitives (DESIGN R12), so every order of derivative exists:
//! `conv` <-> `conv_transpose` are adjoint in the input, `conv_weight` is the bilinear
//! weight gradient, and `unfold` <-> `fold` are adjoint.

use super::cpu;
use super::im2col::{Geom, Plan};
use crate::autograd::{BackwardCtx, GradFn, SavedTensor, record};
use crate::{Result, Tensor};

fn hw(t: &Tensor) -> [usize; 2] {
    let s = t.shape();
    [s[2], s[3]]
}

fn inputs<'a>(x: &'a Tensor, w: &'a Tensor, b: Option<&'a Tensor>) -> Vec<&'a Tensor> {
    let mut v = vec![x, w];
    v.extend(b);
    v
}

fn bias_grad(ctx: &BackwardCtx, has_bias: bool, g: &Tensor) -> Result<Option<Tensor>> {
    (has_bias && ctx.needs_input_grad(2))
        .then(|| g.sum_dim(&[0, 2, 3], false))
        .transpose()
}

/// `conv2d` of 4-D `x` and `w` with `out_hw` output positions; records `ConvolutionBackward`.
pub(crate) fn conv(
    x: &Tensor,
    w: &Tensor,
    b: Option<&Tensor>,
    geom: Geom,
    out_hw: [usize; 2],
) -> Result<Tensor> {
    let bd = b.map(Tensor::detach);
    let out = cpu::conv2d(&x.detach(), &w.detach(), bd.as_ref(), geom, out_hw)?;
    Ok(record(out, &inputs(x, w, b), |_| {
        Box::new(ConvBackward {
            x: SavedTensor::input(x),
            w: SavedTensor::input(w),
            geom,
            has_bias: b.is_some(),
        })
    }))
}

/// Transposed convolution of 4-D `x` (`w: [Cin, Cout/g, kh, kw]`) with `out_hw` output
/// positions; records `ConvolutionBackward` (transposed).
pub(crate) fn conv_transpose(
    x: &Tensor,
    w: &Tensor,
    b: Option<&Tensor>,
    geom: Geom,
    out_hw: [usize; 2],
) -> Result<Tensor> {
    let bd = b.map(Tensor::detach);
    let out = cpu::conv_transpose2d(&x.detach(), &w.detach(), bd.as_ref(), geom, out_hw)?;
    Ok(record(out, &inputs(x, w, b), |_| {
        Box::new(ConvTransposeBackward {
            x: SavedTensor::input(x),
            w: SavedTensor::input(w),
            geom,
            has_bias: b.is_some(),
        })
    }))
}

/// The weight gradient of `conv(x, w)` for output gradient `go`, bilinear in `(x, go)`.
pub(crate) fn conv_weight(x: &Tensor, go: &Tensor, geom: Geom, k: [usize; 2]) -> Result<Tensor> {
    let out = cpu::conv2d_weight(&x.detach(), &go.detach(), geom, k)?;
    Ok(record(out, &[x, go], |_| {
        Box::new(ConvWeightBackward {
            x: SavedTensor::input(x),
            go: SavedTensor::input(go),
            geom,
        })
    }))
}

/// `y = conv(x, w) + b`: `dx = conv_transpose(g, w)`, `dw = conv_weight(x, g)`,
/// `db = g.sum((0, 2, 3))`.
struct ConvBackward {
    x: SavedTensor,
    w: SavedTensor,
    geom: Geom,
    has_bias: bool,
}
impl GradFn for ConvBackward {
    fn name(&self) -> &'static str {
        "ConvolutionBackward"
    }
    fn backward(&self, ctx: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let (x, w) = (self.x.unpack(ctx)?, self.w.unpack(ctx)?);
        let gx = ctx
            .needs_input_grad(0)
            .then(|| conv_transpose(g, &w, None, self.geom, hw(&x)))
            .transpose()?;
        let gw = ctx
            .needs_input_grad(1)
            .then(|| conv_weight(&x, g, self.geom, hw(&w)))
            .transpose()?;
        let mut v = vec![gx, gw];
        if self.has_bias {
            v.push(bias_grad(ctx, true, g)?);
        }
        Ok(v)
    }
}

/// `y = conv_transpose(x, w) + b`: `dx = conv(g, w)`, `dw = conv_weight(g, x)` (the roles
/// of input and output swap), `db = g.sum((0, 2, 3))`.
struct ConvTransposeBackward {
    x: SavedTensor,
    w: SavedTensor,
    geom: Geom,
    has_bias: bool,
}
impl GradFn for ConvTransposeBackward {
    fn name(&self) -> &'static str {
        "ConvolutionBackward"
    }
    fn backward(&self, ctx: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let (x, w) = (self.x.unpack(ctx)?, self.w.unpack(ctx)?);
        let gx = ctx
            .needs_input_grad(0)
            .then(|| conv(g, &w, None, self.geom, hw(&x)))
            .transpose()?;
        let gw = ctx
            .needs_input_grad(1)
            .then(|| conv_weight(g, &x, self.geom, hw(&w)))
            .transpose()?;
        let mut v = vec![gx, gw];
        if self.has_bias {
            v.push(bias_grad(ctx, true, g)?);
        }
        Ok(v)
    }
}

/// `gw = conv_weight(x, go)` with incoming gradient `G` (weight-shaped):
/// `dx = conv_transpose(go, G)`, `dgo = conv(x, G)`.
struct ConvWeightBackward {
    x: SavedTensor,
    go: SavedTensor,
    geom: Geom,
}
impl GradFn for ConvWeightBackward {
    fn name(&self) -> &'static str {
        "ConvolutionBackwardWeight"
    }
    fn backward(&self, ctx: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let (x, go) = (self.x.unpack(ctx)?, self.go.unpack(ctx)?);
        let gx = ctx
            .needs_input_grad(0)
            .then(|| conv_transpose(&go, g, None, self.geom, hw(&x)))
            .transpose()?;
        let ggo = ctx
            .needs_input_grad(1)
            .then(|| conv(&x, g, None, self.geom, hw(&go)))
            .transpose()?;
        Ok(vec![gx, ggo])
    }
}

/// im2col of 4-D `x`: `[N, C * kh * kw, L]`; records `Im2ColBackward` (= `fold`).
pub(crate) fn unfold(x: &Tensor, pl: Plan) -> Result<Tensor> {
    let out = cpu::unfold(&x.detach(), pl)?;
    Ok(record(out, &[x], |_| Box::new(UnfoldBackward(pl))))
}

/// col2im of `[N, C * kh * kw, L]` into `[N, C, H, W]`; records `Col2ImBackward` (= `unfold`).
pub(crate) fn fold(col: &Tensor, pl: Plan) -> Result<Tensor> {
    let out = cpu::fold(&col.detach(), pl)?;
    Ok(record(out, &[col], |_| Box::new(FoldBackward(pl))))
}

struct UnfoldBackward(Plan);
impl GradFn for UnfoldBackward {
    fn name(&self) -> &'static str {
        "Im2ColBackward"
    }
    fn backward(&self, _: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some(fold(g, self.0)?)])
    }
}

struct FoldBackward(Plan);
impl GradFn for FoldBackward {
    fn name(&self) -> &'static str {
        "Col2ImBackward"
    }
    fn backward(&self, _: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some(unfold(g, self.0)?)])
    }
}
