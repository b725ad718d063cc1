//! `affine` and `rotate`: torchvision's inverse affine matrix, its `_affine_grid` (output
//! pixel centres mapped through the matrix and normalised by the input size) and
//! `grid_sample(align_corners=False, padding_mode="zeros")` in nearest or bilinear mode,
//! with the fill colour applied through a sampled mask as `_apply_grid_transform` does.
//! Math in f32 for uint8/f32 images (result rounded for uint8) and in f64 for f64.

use torch_core::{Error, Result, Tensor};

use super::geometry::rot90;
use super::image::{Geom, IntCast, Real, fill_per_channel, finish, float_image};
use super::resize::InterpolationMode;

/// torchvision's `_get_inverse_affine_matrix(center, angle, translate, scale, shear)`: the
/// 2x3 matrix mapping output to input coordinates (origin at the image centre), row-major.
pub fn get_inverse_affine_matrix(
    center: [f64; 2],
    angle: f64,
    translate: [f64; 2],
    scale: f64,
    shear: [f64; 2],
) -> [f64; 6] {
    let rot = angle.to_radians();
    let (sx, sy) = (shear[0].to_radians(), shear[1].to_radians());
    let [cx, cy] = center;
    let [tx, ty] = translate;
    let a = (rot - sy).cos() / sy.cos();
    let b = -(rot - sy).cos() * sx.tan() / sy.cos() - rot.sin();
    let c = (rot - sy).sin() / sy.cos();
    let d = -(rot - sy).sin() * sx.tan() / sy.cos() + rot.cos();
    let mut m = [d, -b, 0.0, -c, a, 0.0].map(|v| v / scale);
    m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty);
    m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty);
    m[2] += cx;
    m[5] += cy;
    m
}

/// Keyword arguments of [`affine`] with torchvision's defaults.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct AffineOptions {
    /// `interpolation=InterpolationMode.NEAREST` (nearest or bilinear).
    pub interpolation: Option<InterpolationMode>,
    /// `fill=None`: outside pixels are 0 without a mask; `Some` blends through the mask.
    pub fill: Option<Vec<f64>>,
    /// `center=None`: the image centre; else a pixel position `[x, y]`.
    pub center: Option<[f64; 2]>,
}

/// `F.affine(img, angle, translate, scale, shear, interpolation, fill, center)` on
/// `(..., C, H, W)` uint8/f32/f64 images; angle and shear in degrees, `shear` as `[x, y]`.
pub fn affine(
    img: &Tensor,
    angle: f64,
    translate: [f64; 2],
    scale: f64,
    shear: [f64; 2],
    opts: &AffineOptions,
) -> Result<Tensor> {
    if scale <= 0.0 {
        return Err(Error::invalid(
            "affine",
            format!("scale ({scale}) should be positive"),
        ));
    }
    let g = Geom::image(img, "affine")?;
    let center = centre(opts.center, &g);
    let m = get_inverse_affine_matrix(center, angle, translate, scale, shear);
    grid_transform(
        img,
        &g,
        &m,
        g.w,
        g.h,
        mode(opts.interpolation, "affine")?,
        opts.fill.as_deref(),
    )
}

fn centre(center: Option<[f64; 2]>, g: &Geom) -> [f64; 2] {
    center.map_or([0.0, 0.0], |[x, y]| {
        [x - g.w as f64 * 0.5, y - g.h as f64 * 0.5]
    })
}

fn mode(m: Option<InterpolationMode>, op: &'static str) -> Result<bool> {
    match m.unwrap_or(InterpolationMode::Nearest) {
        InterpolationMode::Nearest => Ok(false),
        InterpolationMode::Bilinear => Ok(true),
        other => Err(Error::invalid(
            op,
            format!(
                "interpolation mode {other:?} is unsupported with Tensor input (nearest or bilinear)"
            ),
        )),
    }
}

/// Keyword arguments of [`rotate`] with torchvision's defaults.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct RotateOptions {
    /// `interpolation=InterpolationMode.NEAREST` (nearest or bilinear).
    pub interpolation: Option<InterpolationMode>,
    /// `expand=False`: grow the output to hold the whole rotated image.
    pub expand: bool,
    /// `center=None`.
    pub center: Option<[f64; 2]>,
    /// `fill=None`.
    pub fill: Option<Vec<f64>>,
}

/// `F.rotate(img, angle, interpolation, expand, center, fill)`: counter-clockwise by
/// `angle` degrees; multiples of 90 about the centre are exact transposes as in torchvision.
pub fn rotate(img: &Tensor, angle: f64, opts: &RotateOptions) -> Result<Tensor> {
    let g = Geom::image(img, "rotate")?;
    let angle = angle.rem_euclid(360.0);
    if opts.center.is_none() {
        if angle == 0.0 {
            return img.deep_clone();
        }
        if angle == 180.0 {
            return rot90(img, 2);
        }
        if opts.expand || g.h == g.w {
            if angle == 90.0 {
                return rot90(img, 1);
            }
            if angle == 270.0 {
                return rot90(img, 3);
            }
        }
    }
    let bilinear = mode(opts.interpolation, "rotate")?;
    let center = centre(opts.center, &g);
    let m = get_inverse_affine_matrix(center, -angle, [0.0, 0.0], 1.0, [0.0, 0.0]);
    let (ow, oh) = if opts.expand {
        expanded_size(&m, g.w, g.h)
    } else {
        (g.w, g.h)
    };
    grid_transform(img, &g, &m, ow, oh, bilinear, opts.fill.as_deref())
}

/// `_compute_affine_output_size_tensor` (f32, corners truncated to 1e-4 before ceil/floor).
fn expanded_size(m: &[f64; 6], w: usize, h: usize) -> (usize, usize) {
    let (hw, hh) = (0.5 * w as f32, 0.5 * h as f32);
    let t: Vec<f32> = m.iter().map(|&v| v as f32).collect();
    let pts = [(-hw, -hh), (-hw, hh), (hw, hh), (hw, -hh)];
    let mut lo = [f32::INFINITY; 2];
    let mut hi = [f32::NEG_INFINITY; 2];
    for (x, y) in pts {
        let p = [t[0] * x + t[1] * y + t[2], t[3] * x + t[4] * y + t[5]];
        for k in 0..2 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    let halfs = [hw, hh];
    let size: Vec<usize> = (0..2)
        .map(|k| {
            let cmax = (((hi[k] + halfs[k]) * 1e4).trunc() * 1e-4).ceil();
            let cmin = (((lo[k] + halfs[k]) * 1e4).trunc() * 1e-4).floor();
            (cmax - cmin).max(0.0) as usize
        })
        .collect();
    (size[0], size[1])
}

fn grid_transform(
    img: &Tensor,
    g: &Geom,
    m: &[f64; 6],
    ow: usize,
    oh: usize,
    bilinear: bool,
    fill: Option<&[f64]>,
) -> Result<Tensor> {
    let fill = fill
        .map(|f| fill_per_channel(f, g.c, "affine"))
        .transpose()?;
    let shape = g.with_hw(oh, ow);
    let dtype = img.dtype();
    float_image!(img, "affine", F, data, {
        let out = sample::<F>(&data, g, m, ow, oh, bilinear, fill.as_deref());
        finish(out, &shape, dtype, IntCast::Round)
    })
}

/// `_affine_grid` + `grid_sample` + the fill blend, for every plane.
fn sample<F: Real>(
    src: &[F],
    g: &Geom,
    m: &[f64; 6],
    ow: usize,
    oh: usize,
    bilinear: bool,
    fill: Option<&[f64]>,
) -> Vec<F> {
    let f = F::from_f64;
    let (w, h) = (g.w, g.h);
    let theta: Vec<F> = m.iter().map(|&v| f(v)).collect();
    let (sw, sh) = (f(0.5 * w as f64), f(0.5 * h as f64));
    // rescaled_theta = theta^T / [0.5 w, 0.5 h]
    let rt = [
        [theta[0] / sw, theta[3] / sh],
        [theta[1] / sw, theta[4] / sh],
        [theta[2] / sw, theta[5] / sh],
    ];
    let (hxw, hxh) = (f(w as f64) / f(2.0), f(h as f64) / f(2.0));
    let half = f(0.5);
    let mut coords = Vec::with_capacity(oh * ow);
    for oy in 0..oh {
        let by = f((1.0 - oh as f64) * 0.5 + oy as f64);
        for ox in 0..ow {
            let bx = f((1.0 - ow as f64) * 0.5 + ox as f64);
            let gx = bx * rt[0][0] + by * rt[1][0] + rt[2][0];
            let gy = bx * rt[0][1] + by * rt[1][1] + rt[2][1];
            coords.push(((gx + F::one()) * hxw - half, (gy + F::one()) * hxh - half));
        }
    }
    let mut out = vec![F::zero(); g.planes * oh * ow];
    let (wi, hi) = (w as i64, h as i64);
    let inb = |x: i64, y: i64| x >= 0 && x < wi && y >= 0 && y < hi;
    for p in 0..g.planes {
        let plane = &src[p * h * w..(p + 1) * h * w];
        let o = &mut out[p * oh * ow..(p + 1) * oh * ow];
        let fv = fill.map(|fl| f(fl[p % g.c]));
        for (k, &(ix, iy)) in coords.iter().enumerate() {
            o[k] = if bilinear {
                let (x0, y0) = (ix.floor(), iy.floor());
                let (we, wn) = (ix - x0, iy - y0);
                let (ww, ws) = (F::one() - we, F::one() - wn);
                let (xi, yi) = (x0.to_f64() as i64, y0.to_f64() as i64);
                let at = |x: i64, y: i64| {
                    if inb(x, y) {
                        (plane[y as usize * w + x as usize], F::one())
                    } else {
                        (F::zero(), F::zero())
                    }
                };
                let (nw, ne, sw_, se) = (ws * ww, ws * we, wn * ww, wn * we);
                let (a, ma) = at(xi, yi);
                let (b, mb) = at(xi + 1, yi);
                let (c, mc) = at(xi, yi + 1);
                let (d, md) = at(xi + 1, yi + 1);
                let v = a * nw + b * ne + c * sw_ + d * se;
                match fv {
                    Some(fv) => {
                        let mask = ma * nw + mb * ne + mc * sw_ + md * se;
                        (v - fv) * mask + fv
                    }
                    None => v,
                }
            } else {
                let (x, y) = (
                    ix.to_f64().round_ties_even() as i64,
                    iy.to_f64().round_ties_even() as i64,
                );
                if inb(x, y) {
                    plane[y as usize * w + x as usize]
                } else {
                    fv.unwrap_or(F::zero())
                }
            };
        }
    }
    out
}
