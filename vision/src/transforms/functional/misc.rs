//! `gaussian_blur`, `erase`, `normalize` and `to_dtype` of
//! torchvision.transforms.v2.functional.

use torch_core::{DType, Element, Error, Result, Tensor};

use super::image::{Geom, Real, float_image, real_dtype};
use super::resize::{Taps, separable};

/// torchvision's `_get_gaussian_kernel1d`: `softmax(-(x / sigma)^2)` over
/// `x = linspace(-lim, lim, k)`, `lim = (k - 1) / (2 sqrt 2)`, in the math type.
pub(crate) fn gaussian_kernel1d<F: Real>(kernel_size: usize, sigma: f64) -> Vec<F> {
    let lim = (kernel_size as f64 - 1.0) / (2.0 * 2f64.sqrt());
    let (start, end) = (F::from_f64(-lim), F::from_f64(lim));
    let n = kernel_size;
    // torch.linspace: from the start for the first half, from the end for the second.
    let step = if n > 1 {
        (end - start) / F::from_f64((n - 1) as f64)
    } else {
        F::zero()
    };
    let sig = F::from_f64(sigma);
    let v: Vec<F> = (0..n)
        .map(|i| {
            let x = if i < n / 2 {
                start + step * F::from_f64(i as f64)
            } else {
                end - step * F::from_f64((n - i - 1) as f64)
            };
            let x = x / sig;
            -(x * x)
        })
        .collect();
    let max = v.iter().copied().fold(F::neg_infinity(), F::max);
    let e: Vec<F> = v.iter().map(|&x| (x - max).exp()).collect();
    let sum = e.iter().copied().fold(F::zero(), |a, b| a + b);
    e.into_iter().map(|x| x / sum).collect()
}

fn blur_taps<F: Real>(n: usize, k: usize, sigma: f64, shape: &[usize]) -> Result<Taps<F>> {
    let half = k / 2;
    if half >= n && half > 0 {
        return Err(Error::invalid(
            "gaussian_blur",
            format!(
                "reflect padding of {half} must be less than the dimension size {n} (kernel size {k}, input shape {shape:?})"
            ),
        ));
    }
    let w = gaussian_kernel1d::<F>(k, sigma);
    let mut t = Taps::empty(n, k);
    let last = n as i64 - 1;
    for o in 0..n {
        for (j, &wj) in w.iter().enumerate() {
            let s = o as i64 + j as i64 - half as i64;
            let s = if s < 0 {
                -s
            } else if s > last {
                2 * last - s
            } else {
                s
            };
            t.idx[o * k + j] = s as usize;
            t.w[o * k + j] = wj;
        }
        t.count[o] = k;
    }
    Ok(t)
}

/// `F.gaussian_blur(img, kernel_size, sigma)`: `kernel_size = [kx, ky]` (odd, positive);
/// `sigma = [sx, sy]`, or `None` for `0.3 * ((k - 1) * 0.5 - 1) + 0.8` per axis. Reflect
/// padding; applied as two separable passes (uint8 rounded half to even).
pub fn gaussian_blur(
    img: &Tensor,
    kernel_size: [usize; 2],
    sigma: Option<[f64; 2]>,
) -> Result<Tensor> {
    for k in kernel_size {
        if k % 2 == 0 || k == 0 {
            return Err(Error::invalid(
                "gaussian_blur",
                format!("kernel_size should have odd and positive integers. Got {kernel_size:?}"),
            ));
        }
    }
    let sigma = sigma.unwrap_or(kernel_size.map(|k| k as f64 * 0.15 + 0.35));
    for s in sigma {
        if s <= 0.0 {
            return Err(Error::invalid(
                "gaussian_blur",
                format!("sigma should have positive values. Got {sigma:?}"),
            ));
        }
    }
    let g = Geom::image(img, "gaussian_blur")?;
    if img.numel() == 0 {
        return Ok(img.clone());
    }
    let [kx, ky] = kernel_size;
    match img.dtype() {
        DType::U8 => {
            let tw = blur_taps::<f32>(g.w, kx, sigma[0], &g.shape)?;
            let th = blur_taps::<f32>(g.h, ky, sigma[1], &g.shape)?;
            let out = img.with_slice(|s: &[u8]| {
                separable(
                    s,
                    &g,
                    Some(&th),
                    Some(&tw),
                    |v| v as f32,
                    |v: f32| v.clamp(0.0, 255.0).round_ties_even() as u8,
                )
            })?;
            Tensor::from_vec(out, &g.shape)
        }
        DType::F32 => {
            let tw = blur_taps::<f32>(g.w, kx, sigma[0], &g.shape)?;
            let th = blur_taps::<f32>(g.h, ky, sigma[1], &g.shape)?;
            let out =
                img.with_slice(|s: &[f32]| separable(s, &g, Some(&th), Some(&tw), |v| v, |v| v))?;
            Tensor::from_vec(out, &g.shape)
        }
        DType::F64 => {
            let tw = blur_taps::<f64>(g.w, kx, sigma[0], &g.shape)?;
            let th = blur_taps::<f64>(g.h, ky, sigma[1], &g.shape)?;
            let out =
                img.with_slice(|s: &[f64]| separable(s, &g, Some(&th), Some(&tw), |v| v, |v| v))?;
            Tensor::from_vec(out, &g.shape)
        }
        d => Err(Error::UnsupportedDType {
            op: "gaussian_blur",
            dtype: d,
        }),
    }
}

/// `F.erase(img, i, j, h, w, v)`: a copy of `img` with the window `[i, i+h) x [j, j+w)`
/// (clipped to the image) set to `v`, which broadcasts to `(..., C, h, w)` (a scalar, a
/// `(C, 1, 1)` colour or a `(C, h, w)` patch) and is converted to the image's dtype.
pub fn erase(img: &Tensor, i: usize, j: usize, h: usize, w: usize, v: &Tensor) -> Result<Tensor> {
    let g = Geom::image(img, "erase")?;
    let (h, w) = (h.min(g.h.saturating_sub(i)), w.min(g.w.saturating_sub(j)));
    let region = g.with_hw(h, w);
    let vals = v
        .to_dtype(img.dtype())?
        .broadcast_to(&region)
        .map_err(|e| {
            Error::invalid(
                "erase",
                format!(
                    "value of shape {:?} does not broadcast to the erased region {region:?}: {e}",
                    v.shape()
                ),
            )
        })?
        .contiguous()?;
    real_dtype!(img.dtype(), "erase", T, {
        let mut out = img.to_vec::<T>()?;
        let vv = vals.to_vec::<T>()?;
        for p in 0..g.planes {
            for r in 0..h {
                let dst = p * g.h * g.w + (i + r) * g.w + j;
                let src = (p * h + r) * w;
                out[dst..dst + w].copy_from_slice(&vv[src..src + w]);
            }
        }
        Tensor::from_vec(out, &g.shape)
    })
}

/// `F.normalize(img, mean, std)`: `(img - mean[c]) / std[c]` on float images; `mean` and
/// `std` hold one value or one per channel.
pub fn normalize(img: &Tensor, mean: &[f64], std: &[f64]) -> Result<Tensor> {
    if !img.dtype().is_float() {
        return Err(Error::invalid(
            "normalize",
            format!(
                "Input tensor should be a float tensor. Got {}.",
                img.dtype().torch_name()
            ),
        ));
    }
    if img.dim() < 3 {
        return Err(Error::invalid(
            "normalize",
            format!(
                "Expected tensor to be a tensor image of size (..., C, H, W). Got shape {:?}.",
                img.shape()
            ),
        ));
    }
    if std.contains(&0.0) {
        return Err(Error::invalid(
            "normalize",
            "std evaluated to zero, leading to division by zero.",
        ));
    }
    let g = Geom::image(img, "normalize")?;
    let per = |v: &[f64], name: &str| -> Result<Vec<f64>> {
        match v.len() {
            1 => Ok(vec![v[0]; g.c]),
            n if n == g.c => Ok(v.to_vec()),
            n => Err(Error::invalid(
                "normalize",
                format!(
                    "{name} has {n} values but the image of shape {:?} has {} channels",
                    g.shape, g.c
                ),
            )),
        }
    };
    let (mean, std) = (per(mean, "mean")?, per(std, "std")?);
    let hw = g.h * g.w;
    float_image!(img, "normalize", F, data, {
        let out: Vec<F> = data
            .iter()
            .enumerate()
            .map(|(k, &x)| {
                let c = (k / hw.max(1)) % g.c;
                (x - F::from_f64(mean[c])) / F::from_f64(std[c])
            })
            .collect();
        Tensor::from_vec(out, &g.shape)
    })
}

fn max_value(dtype: DType) -> Option<f64> {
    Some(match dtype {
        DType::U8 => 255.0,
        DType::I8 => 127.0,
        DType::I16 => 32767.0,
        DType::I32 => 2147483647.0,
        DType::I64 => i64::MAX as f64,
        _ => return None,
    })
}

fn value_bits(dtype: DType) -> Option<u32> {
    Some(match dtype {
        DType::U8 => 8,
        DType::I8 => 7,
        DType::I16 => 15,
        DType::I32 => 31,
        DType::I64 => 63,
        _ => return None,
    })
}

/// `F.to_dtype(img, dtype, scale)`: a plain cast without `scale`; with it, ints -> float
/// multiply by `1 / max`, float -> int by `max + 1 - 1e-3` then truncate, int -> int shift
/// bits, as torchvision does.
pub fn to_dtype(img: &Tensor, dtype: DType, scale: bool) -> Result<Tensor> {
    let src = img.dtype();
    if src == dtype {
        return Ok(img.clone());
    }
    if !scale {
        return img.to_dtype(dtype);
    }
    let unsupported = |d| Error::UnsupportedDType {
        op: "to_dtype",
        dtype: d,
    };
    match (src.is_float(), dtype.is_float()) {
        (true, true) => img.to_dtype(dtype),
        (true, false) => {
            if (src == DType::F32 && matches!(dtype, DType::I32 | DType::I64))
                || (src == DType::F64 && dtype == DType::I64)
            {
                return Err(Error::invalid(
                    "to_dtype",
                    format!(
                        "The conversion from {} to {} cannot be performed safely.",
                        src.torch_name(),
                        dtype.torch_name()
                    ),
                ));
            }
            let m = max_value(dtype).ok_or_else(|| unsupported(dtype))?;
            match src {
                DType::F32 => {
                    let f = (m + 1.0 - 1e-3) as f32;
                    let v: Vec<f32> =
                        img.with_slice(|s: &[f32]| s.iter().map(|&x| x * f).collect())?;
                    Tensor::from_vec(v, img.shape())?.to_dtype(dtype)
                }
                _ => img
                    .to_dtype(DType::F64)?
                    .mul_scalar(m + 1.0 - 1e-3)?
                    .to_dtype(dtype),
            }
        }
        (false, true) => {
            let m = max_value(src).ok_or_else(|| unsupported(src))?;
            match (src, dtype) {
                (DType::U8, DType::F32) => {
                    let f = (1.0 / m) as f32;
                    let v: Vec<f32> =
                        img.with_slice(|s: &[u8]| s.iter().map(|&x| x as f32 * f).collect())?;
                    Tensor::from_vec(v, img.shape())
                }
                _ => img.to_dtype(dtype)?.mul_scalar(1.0 / m),
            }
        }
        (false, false) => {
            let bi = value_bits(src).ok_or_else(|| unsupported(src))?;
            let bo = value_bits(dtype).ok_or_else(|| unsupported(dtype))?;
            let v = img.to_vec_f64()?;
            let i: Vec<i64> = v.iter().map(|&x| x as i64).collect();
            let shifted: Vec<i64> = if bi > bo {
                i.iter().map(|&x| x >> (bi - bo)).collect()
            } else {
                i.iter().map(|&x| x << (bo - bi)).collect()
            };
            Tensor::from_vec(shifted, img.shape())?.to_dtype(dtype)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaussian_kernel_sums_to_one_and_is_symmetric() {
        let k = gaussian_kernel1d::<f64>(7, 1.3);
        assert!((k.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        for i in 0..3 {
            assert!((k[i] - k[6 - i]).abs() < 1e-12);
        }
        assert!(k[3] > k[2] && k[2] > k[1]);
    }
}
