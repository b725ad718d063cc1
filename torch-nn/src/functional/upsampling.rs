//! `interpolate` (nearest, linear, bilinear) and `pixel_shuffle`/`pixel_unshuffle`
//! (torch.nn.functional's), as composites of gathers along each spatial dim, so gradients and
//! double backward come from `index_select`.

use torch_core::{DType, Error, Result, Tensor};

/// Interpolation mode of `interpolate` and `Upsample`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InterpolateMode {
    /// PyTorch's default: `src = floor(dst * in / out)`.
    #[default]
    Nearest,
    /// Linear along the one spatial dim of `(N, C, L)`.
    Linear,
    /// Bilinear along the two spatial dims of `(N, C, H, W)`.
    Bilinear,
}

impl InterpolateMode {
    /// PyTorch's name of the mode (`'nearest'`).
    pub fn name(self) -> &'static str {
        match self {
            InterpolateMode::Nearest => "nearest",
            InterpolateMode::Linear => "linear",
            InterpolateMode::Bilinear => "bilinear",
        }
    }
}

/// The output size: given directly, or `floor(in * scale_factor)` per spatial dim.
#[derive(Clone, Debug, PartialEq)]
pub enum OutputSize {
    Size(Vec<usize>),
    ScaleFactor(Vec<f64>),
}

/// Source coordinate scale for one dim (`area_pixel_compute_scale` in ATen).
fn scale(input: usize, output: usize, align_corners: bool, factor: Option<f64>) -> f64 {
    if align_corners {
        if output > 1 {
            (input as f64 - 1.0) / (output as f64 - 1.0)
        } else {
            0.0
        }
    } else {
        match factor {
            Some(f) if f > 0.0 => 1.0 / f,
            _ => input as f64 / output as f64,
        }
    }
}

fn index(v: Vec<i64>) -> Result<Tensor> {
    let n = v.len();
    Tensor::from_vec(v, &[n])
}

fn nearest_dim(x: &Tensor, dim: usize, out: usize, factor: Option<f64>) -> Result<Tensor> {
    let input = x.shape()[dim];
    // ATen computes nearest indices in f32; doing the same keeps ties identical.
    let s = match factor {
        Some(f) if f > 0.0 => (1.0 / f) as f32,
        _ => input as f32 / out as f32,
    };
    let idx: Vec<i64> = (0..out)
        .map(|o| ((o as f32 * s).floor() as i64).min(input as i64 - 1))
        .collect();
    x.index_select(dim as i64, &index(idx)?)
}

fn linear_dim(
    x: &Tensor,
    dim: usize,
    out: usize,
    align_corners: bool,
    factor: Option<f64>,
) -> Result<Tensor> {
    let input = x.shape()[dim];
    let s = scale(input, out, align_corners, factor);
    let mut i0 = Vec::with_capacity(out);
    let mut i1 = Vec::with_capacity(out);
    let mut lambda = Vec::with_capacity(out);
    for o in 0..out {
        let src = if align_corners {
            o as f64 * s
        } else {
            ((o as f64 + 0.5) * s - 0.5).max(0.0)
        };
        let lo = (src.floor() as usize).min(input - 1);
        let hi = (lo + 1).min(input - 1);
        i0.push(lo as i64);
        i1.push(hi as i64);
        lambda.push(src - lo as f64);
    }
    let a = x.index_select(dim as i64, &index(i0)?)?;
    let b = x.index_select(dim as i64, &index(i1)?)?;
    // λ broadcast along `dim`: shape [1, .., out, .., 1].
    let mut shape = vec![1usize; x.dim()];
    shape[dim] = out;
    let lambda = Tensor::from_vec(lambda, &shape)?.to_dtype(x.dtype())?;
    a.add(&b.sub(&a)?.mul(&lambda)?)
}

/// Resizes the spatial dims (all dims after the first two), as `F.interpolate(x, size=...,
/// scale_factor=..., mode=..., align_corners=...)`. `Linear` needs a 3-D input, `Bilinear`
/// a 4-D one; `align_corners` is only meaningful for them.
pub fn interpolate(
    x: &Tensor,
    size: &OutputSize,
    mode: InterpolateMode,
    align_corners: bool,
) -> Result<Tensor> {
    let spatial = x.dim().saturating_sub(2);
    if spatial == 0 || !x.dtype().is_float() && x.dtype() != DType::U8 {
        return Err(Error::invalid(
            "interpolate",
            format!(
                "expected a (N, C, *spatial) input, got {:?} {:?}",
                x.shape(),
                x.dtype()
            ),
        ));
    }
    let wanted = match mode {
        InterpolateMode::Nearest => spatial,
        InterpolateMode::Linear => 1,
        InterpolateMode::Bilinear => 2,
    };
    if spatial != wanted {
        return Err(Error::invalid(
            "interpolate",
            format!(
                "mode '{}' expects {}-D input, got {:?}",
                mode.name(),
                wanted + 2,
                x.shape()
            ),
        ));
    }
    let (outs, factors): (Vec<usize>, Vec<Option<f64>>) = match size {
        OutputSize::Size(s) if s.len() == spatial || s.len() == 1 => (
            (0..spatial).map(|i| s[i.min(s.len() - 1)]).collect(),
            vec![None; spatial],
        ),
        OutputSize::ScaleFactor(f) if f.len() == spatial || f.len() == 1 => {
            let f: Vec<f64> = (0..spatial).map(|i| f[i.min(f.len() - 1)]).collect();
            (
                f.iter()
                    .enumerate()
                    .map(|(i, &f)| (x.shape()[i + 2] as f64 * f).floor() as usize)
                    .collect(),
                f.into_iter().map(Some).collect(),
            )
        }
        _ => {
            return Err(Error::invalid(
                "interpolate",
                format!("size/scale_factor must have 1 or {spatial} entries, got {size:?}"),
            ));
        }
    };
    if outs.contains(&0) {
        return Err(Error::invalid(
            "interpolate",
            format!("output size {outs:?} must be positive"),
        ));
    }
    let mut y = x.clone();
    for (i, (&out, &factor)) in outs.iter().zip(&factors).enumerate() {
        y = match mode {
            InterpolateMode::Nearest => nearest_dim(&y, i + 2, out, factor)?,
            _ => linear_dim(&y, i + 2, out, align_corners, factor)?,
        };
    }
    Ok(y)
}

/// `(*, C r², H, W)` → `(*, C, H r, W r)`, as `F.pixel_shuffle(x, upscale_factor)`.
pub fn pixel_shuffle(x: &Tensor, r: usize) -> Result<Tensor> {
    let n = x.dim();
    if n < 3 || r == 0 || !x.shape()[n - 3].is_multiple_of(r * r) {
        return Err(Error::invalid(
            "pixel_shuffle",
            format!(
                "expected (*, C*r^2, H, W) with r = {r}, got {:?}",
                x.shape()
            ),
        ));
    }
    let s: Vec<i64> = x.shape().iter().map(|&d| d as i64).collect();
    let (c, h, w, r) = (s[n - 3], s[n - 2], s[n - 1], r as i64);
    let lead = &s[..n - 3];
    let mut split = lead.to_vec();
    split.extend([c / (r * r), r, r, h, w]); // (*, C, r, r, H, W)
    let k = lead.len();
    let mut perm: Vec<i64> = (0..k as i64).collect();
    let k = k as i64;
    perm.extend([k, k + 3, k + 1, k + 4, k + 2]); // (*, C, H, r, W, r)
    let mut out = lead.to_vec();
    out.extend([c / (r * r), h * r, w * r]);
    x.reshape(&split)?.permute(&perm)?.reshape(&out)
}

/// `(*, C, H r, W r)` → `(*, C r², H, W)`, as `F.pixel_unshuffle(x, downscale_factor)`.
pub fn pixel_unshuffle(x: &Tensor, r: usize) -> Result<Tensor> {
    let n = x.dim();
    if n < 3 || r == 0 || !x.shape()[n - 2].is_multiple_of(r) || !x.shape()[n - 1].is_multiple_of(r)
    {
        return Err(Error::invalid(
            "pixel_unshuffle",
            format!(
                "expected (*, C, H*r, W*r) with r = {r}, got {:?}",
                x.shape()
            ),
        ));
    }
    let s: Vec<i64> = x.shape().iter().map(|&d| d as i64).collect();
    let (c, h, w, r) = (s[n - 3], s[n - 2], s[n - 1], r as i64);
    let lead = &s[..n - 3];
    let mut split = lead.to_vec();
    split.extend([c, h / r, r, w / r, r]); // (*, C, H, r, W, r)
    let k = lead.len() as i64;
    let mut perm: Vec<i64> = (0..k).collect();
    perm.extend([k, k + 2, k + 4, k + 1, k + 3]); // (*, C, r, r, H, W)
    let mut out = lead.to_vec();
    out.extend([c * r * r, h / r, w / r]);
    x.reshape(&split)?.permute(&perm)?.reshape(&out)
}
