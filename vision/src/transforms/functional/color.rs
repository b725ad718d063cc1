//! Colour ops of torchvision.transforms.v2.functional: `rgb_to_grayscale`,
//! `adjust_brightness`, `adjust_contrast`, `adjust_saturation` (all `_blend`-based: f32
//! math, clamped, truncated back to uint8) and `adjust_hue` (through HSV, on the [0, 1]
//! float image). Images are `(..., C, H, W)`, uint8, f32 or f64.

use num_traits::{One, Zero};
use torch_core::{DType, Element, Error, Result, Tensor};

use super::image::{Geom, IntCast, Real, finish, float_image};
use super::misc::to_dtype;

/// ITU-R 601-2 luma weights torchvision uses.
const LUMA: [f64; 3] = [0.2989, 0.587, 0.114];

fn bound(dtype: DType) -> f64 {
    if dtype == DType::U8 { 255.0 } else { 1.0 }
}

/// Luma of each pixel, `r * 0.2989 + g * 0.587 + b * 0.114` in the math type, one value
/// per `(image, pixel)`.
fn luma<F: Real>(data: &[F], g: &Geom) -> Vec<F> {
    let hw = g.h * g.w;
    let [wr, wg, wb] = LUMA.map(F::from_f64);
    let images = g.planes / g.c;
    let mut out = Vec::with_capacity(images * hw);
    for i in 0..images {
        let base = i * 3 * hw;
        let (r, gg, b) = (
            &data[base..base + hw],
            &data[base + hw..base + 2 * hw],
            &data[base + 2 * hw..base + 3 * hw],
        );
        out.extend((0..hw).map(|k| r[k] * wr + gg[k] * wg + b[k] * wb));
    }
    out
}

fn check_channels(g: &Geom, op: &'static str, allowed: &[usize]) -> Result<()> {
    if !allowed.contains(&g.c) {
        return Err(Error::invalid(
            op,
            format!(
                "Input image tensor permitted channel values are {allowed:?}, but found {} (shape {:?})",
                g.c, g.shape
            ),
        ));
    }
    Ok(())
}

/// `F.rgb_to_grayscale(img, num_output_channels)`: luma `0.2989 r + 0.587 g + 0.114 b`
/// (truncated for uint8), 1 or 3 output channels; a 1-channel input is copied or repeated.
pub fn rgb_to_grayscale(img: &Tensor, num_output_channels: usize) -> Result<Tensor> {
    if num_output_channels != 1 && num_output_channels != 3 {
        return Err(Error::invalid(
            "rgb_to_grayscale",
            format!("num_output_channels must be 1 or 3, got {num_output_channels}."),
        ));
    }
    let g = Geom::image(img, "rgb_to_grayscale")?;
    check_channels(&g, "rgb_to_grayscale", &[1, 3])?;
    let n = g.shape.len();
    if g.c == 1 {
        let mut reps = vec![1; n];
        reps[n - 3] = num_output_channels;
        return img.repeat(&reps);
    }
    let mut shape = g.shape.clone();
    shape[n - 3] = 1;
    let dtype = img.dtype();
    let gray = float_image!(img, "rgb_to_grayscale", F, data, {
        finish(luma(&data, &g), &shape, dtype, IntCast::Trunc)
    })?;
    if num_output_channels == 3 {
        let mut reps = vec![1; n];
        reps[n - 3] = 3;
        return gray.repeat(&reps);
    }
    Ok(gray)
}

/// torchvision's `_blend(image1, image2, ratio)`: `clamp(image1 * ratio + image2 * (1 -
/// ratio), 0, bound)`, `image2` given per `(image, pixel)` by `other(image, pixel)`.
fn blend<F: Real>(
    data: &[F],
    g: &Geom,
    ratio: f64,
    dtype: DType,
    other: impl Fn(usize, usize) -> F,
) -> Vec<F> {
    let hw = g.h * g.w;
    let r = F::from_f64(ratio);
    let alpha = F::from_f64(1.0 - ratio);
    let hi = F::from_f64(bound(dtype));
    data.iter()
        .enumerate()
        .map(|(k, &v)| {
            let (p, pix) = (k / hw, k % hw);
            let img = p / g.c;
            (v * r + other(img, pix) * alpha).max(F::zero()).min(hi)
        })
        .collect()
}

fn check_factor(op: &'static str, name: &str, f: f64) -> Result<()> {
    if f < 0.0 {
        return Err(Error::invalid(
            op,
            format!("{name} ({f}) is not non-negative."),
        ));
    }
    Ok(())
}

/// `F.adjust_brightness(img, brightness_factor)`: `_blend(img, zeros, factor)`.
pub fn adjust_brightness(img: &Tensor, brightness_factor: f64) -> Result<Tensor> {
    check_factor("adjust_brightness", "brightness_factor", brightness_factor)?;
    let g = Geom::image(img, "adjust_brightness")?;
    check_channels(&g, "adjust_brightness", &[1, 3])?;
    let dtype = img.dtype();
    float_image!(img, "adjust_brightness", F, data, {
        let out = blend(&data, &g, brightness_factor, dtype, |_, _| F::zero());
        finish(out, &g.shape, dtype, IntCast::Trunc)
    })
}

/// `F.adjust_contrast(img, contrast_factor)`: blend with the mean of the grayscale image
/// (floored for uint8) over `(C, H, W)` of each image.
pub fn adjust_contrast(img: &Tensor, contrast_factor: f64) -> Result<Tensor> {
    check_factor("adjust_contrast", "contrast_factor", contrast_factor)?;
    let g = Geom::image(img, "adjust_contrast")?;
    check_channels(&g, "adjust_contrast", &[1, 3])?;
    let dtype = img.dtype();
    let hw = g.h * g.w;
    float_image!(img, "adjust_contrast", F, data, {
        let gray: Vec<F> = if g.c == 3 {
            let l = luma(&data, &g);
            if dtype == DType::U8 {
                l.into_iter().map(|v| v.floor()).collect()
            } else {
                l
            }
        } else {
            data.clone()
        };
        let means: Vec<F> = gray
            .chunks(hw.max(1))
            .map(|c| {
                let s: f64 = c.iter().map(|v| v.to_f64()).sum();
                F::from_f64(s / hw.max(1) as f64)
            })
            .collect();
        let out = blend(&data, &g, contrast_factor, dtype, |i, _| means[i]);
        finish(out, &g.shape, dtype, IntCast::Trunc)
    })
}

/// `F.adjust_saturation(img, saturation_factor)`: blend with the grayscale image (floored
/// for uint8); 1-channel images are returned unchanged.
pub fn adjust_saturation(img: &Tensor, saturation_factor: f64) -> Result<Tensor> {
    check_factor("adjust_saturation", "saturation_factor", saturation_factor)?;
    let g = Geom::image(img, "adjust_saturation")?;
    check_channels(&g, "adjust_saturation", &[1, 3])?;
    if g.c == 1 {
        return Ok(img.clone());
    }
    let dtype = img.dtype();
    let hw = g.h * g.w;
    float_image!(img, "adjust_saturation", F, data, {
        let mut gray = luma(&data, &g);
        if dtype == DType::U8 {
            gray.iter_mut().for_each(|v| *v = v.floor());
        }
        let out = blend(&data, &g, saturation_factor, dtype, |i, p| gray[i * hw + p]);
        finish(out, &g.shape, dtype, IntCast::Trunc)
    })
}

/// torch's float `remainder`: the result has the sign of the divisor.
fn remainder<F: Real>(a: F, b: F) -> F {
    let m = a % b;
    if m != F::zero() && ((b < F::zero()) != (m < F::zero())) {
        m + b
    } else {
        m
    }
}

/// `F.adjust_hue(img, hue_factor)`, `hue_factor` in `[-0.5, 0.5]`: RGB -> HSV (Pillow's
/// formulas as torchvision writes them), hue shifted modulo 1, HSV -> RGB; uint8 images go
/// through `to_dtype(float32, scale=True)` and back.
pub fn adjust_hue(img: &Tensor, hue_factor: f64) -> Result<Tensor> {
    if !(-0.5..=0.5).contains(&hue_factor) {
        return Err(Error::invalid(
            "adjust_hue",
            format!("hue_factor ({hue_factor}) is not in [-0.5, 0.5]."),
        ));
    }
    let g = Geom::image(img, "adjust_hue")?;
    check_channels(&g, "adjust_hue", &[1, 3])?;
    if g.c == 1 || img.numel() == 0 {
        return Ok(img.clone());
    }
    let dtype = img.dtype();
    let x = match dtype {
        DType::U8 => to_dtype(img, DType::F32, true)?,
        DType::F32 | DType::F64 => img.clone(),
        d => {
            return Err(Error::UnsupportedDType {
                op: "adjust_hue",
                dtype: d,
            });
        }
    };
    let hw = g.h * g.w;
    let out = float_image!(&x, "adjust_hue", F, data, {
        let mut out = vec![F::zero(); data.len()];
        let hf = F::from_f64(hue_factor);
        for (src, dst) in data.chunks(3 * hw).zip(out.chunks_mut(3 * hw)) {
            for k in 0..hw {
                let rgb = [src[k], src[hw + k], src[2 * hw + k]];
                let [h, s, v] = rgb_to_hsv(rgb);
                let h = remainder(h + hf, F::one());
                let [r, gg, b] = hsv_to_rgb([h, s, v]);
                dst[k] = r;
                dst[hw + k] = gg;
                dst[2 * hw + k] = b;
            }
        }
        finish(out, &g.shape, x.dtype(), IntCast::Trunc)
    })?;
    to_dtype(&out, dtype, true)
}

fn rgb_to_hsv<F: Real>([r, g, b]: [F; 3]) -> [F; 3] {
    let one = F::one();
    let zero = F::zero();
    let maxc = r.max(g).max(b);
    let minc = r.min(g).min(b);
    let eqc = maxc == minc;
    let range = maxc - minc;
    let s = range / if eqc { one } else { maxc };
    let div = if eqc { one } else { range };
    let (rc, gc, bc) = ((maxc - r) / div, (maxc - g) / div, (maxc - b) / div);
    let pick = |cond: bool, v: F| if cond { v } else { v * zero };
    let hg = pick(maxc == g && maxc != r, rc + F::from_f64(2.0) - bc);
    let hr = pick(maxc == r, bc - gc);
    let hb = pick(maxc != r && maxc != g, gc + F::from_f64(4.0) - rc);
    let h = hr + hg + hb;
    let h = (h * F::from_f64(1.0 / 6.0) + one) % one;
    [h, s, maxc]
}

fn hsv_to_rgb<F: Real>([h, s, v]: [F; 3]) -> [F; 3] {
    let one = F::one();
    let clamp = |x: F| x.max(F::zero()).min(one);
    let h6 = h * F::from_f64(6.0);
    let i = h6.floor();
    let f = h6 - i;
    let i = (i.to_f64() as i32).rem_euclid(6) as usize;
    let sxf = s * f;
    let one_minus_s = one - s;
    let q = clamp((one - sxf) * v);
    let t = clamp((sxf + one_minus_s) * v);
    let p = clamp(one_minus_s * v);
    let vpqt = [v, p, q, t];
    const SELECT: [[usize; 6]; 3] = [[0, 2, 1, 1, 3, 0], [3, 0, 0, 2, 1, 1], [1, 1, 3, 0, 0, 2]];
    [vpqt[SELECT[0][i]], vpqt[SELECT[1][i]], vpqt[SELECT[2][i]]]
}
