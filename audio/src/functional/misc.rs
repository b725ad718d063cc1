//! `compute_deltas`, `mask_along_axis` / `mask_along_axis_iid` and the fade curves
//! (`torchaudio.functional`, `torchaudio.transforms.Fade`).

use torch_core::{Conv1dOptions, Error, Generator, Result, Tensor, TensorOptions};

/// Delta coefficients along the last dim (`torchaudio.functional.compute_deltas(specgram,
/// win_length=5, mode="replicate")`): `d[t] = sum_{n=1}^{N} n (c[t+n] - c[t-n]) / (2 sum n^2)`
/// with `N = (win_length - 1) / 2`. Composite (pad + grouped `conv1d`).
pub fn compute_deltas(specgram: &Tensor, win_length: usize, mode: &str) -> Result<Tensor> {
    if win_length < 3 {
        return Err(Error::invalid(
            "compute_deltas",
            format!(
                "Window length should be greater than or equal to 3. Found win_length {win_length}"
            ),
        ));
    }
    let shape: Vec<i64> = specgram.shape().iter().map(|&d| d as i64).collect();
    let t = *shape
        .last()
        .ok_or_else(|| Error::invalid("compute_deltas", "expected at least 1 dim"))?;
    let x = specgram.reshape(&[1, -1, t])?;
    let rows = x.shape()[1];
    let n = (win_length - 1) / 2;
    let denom = (n * (n + 1) * (2 * n + 1)) as f64 / 3.0;
    let x = x.pad(&[n as i64, n as i64], mode, 0.0)?;
    let taps: Vec<f32> = (0..2 * n + 1).map(|i| i as f32 - n as f32).collect();
    let kernel = Tensor::from_vec(taps, &[1, 1, 2 * n + 1])?
        .expand(&[rows as i64, 1, (2 * n + 1) as i64])?
        .to_dtype(x.dtype())?;
    let y = x.conv1d(
        &kernel,
        None,
        Conv1dOptions {
            groups: rows,
            ..Default::default()
        },
    )?;
    y.div_scalar(denom)?.reshape(&shape)
}

fn mask_param(op: &'static str, mask_param: usize, p: f64, axis_len: usize) -> Result<usize> {
    if !(0.0..=1.0).contains(&p) {
        return Err(Error::invalid(
            op,
            format!("The value of p must be between 0.0 and 1.0 ({p} given)."),
        ));
    }
    Ok(if p == 1.0 {
        mask_param
    } else {
        mask_param.min((axis_len as f64 * p) as usize)
    })
}

/// `[start, end)` of one random mask: `value ~ U(0, param)`, `start ~ U(0, len - value)`.
fn sample_range(g: Option<&Generator>, param: usize, len: usize) -> Result<(usize, usize)> {
    let u = match g {
        Some(g) => g.rand(&[2], TensorOptions::default().dtype(torch_core::DType::F64))?,
        None => Tensor::rand(&[2], TensorOptions::default().dtype(torch_core::DType::F64))?,
    }
    .to_vec_f64()?;
    let value = u[0] * param as f64;
    let min_value = u[1] * (len as f64 - value);
    let start = min_value as usize;
    Ok((start, start + value as usize))
}

/// Fills `[start, end)` along `axis` (`-2` frequency or `-1` time) with `value`.
pub fn mask_range(
    specgram: &Tensor,
    start: usize,
    end: usize,
    value: f64,
    axis: i64,
) -> Result<Tensor> {
    let d = specgram.dim() as i64;
    let axis = if axis < 0 { axis + d } else { axis };
    if d < 2 || !(axis == d - 1 || axis == d - 2) {
        return Err(Error::invalid(
            "mask_along_axis",
            "Only Frequency and Time masking are supported (axis must be one of the last two dims)",
        ));
    }
    let len = specgram.shape()[axis as usize];
    let keep: Vec<bool> = (0..len).map(|i| i >= start && i < end).collect();
    let mut mshape = vec![1usize; d as usize];
    mshape[axis as usize] = len;
    let mask = Tensor::from_vec(keep, &mshape)?;
    specgram.masked_fill(&mask, value)
}

/// One random mask of width `U(0, mask_param)` along `axis` (the same for every batch item)
/// filled with `mask_value` (`torchaudio.functional.mask_along_axis(specgram, mask_param,
/// mask_value, axis, p)`).
pub fn mask_along_axis(
    specgram: &Tensor,
    mask_param_: usize,
    mask_value: f64,
    axis: i64,
    p: f64,
    generator: Option<&Generator>,
) -> Result<Tensor> {
    let d = specgram.dim() as i64;
    let ax = if axis < 0 { axis + d } else { axis };
    if d < 2 || ax < 0 || ax >= d {
        return Err(Error::invalid(
            "mask_along_axis",
            format!("axis {axis} out of range for {d}D input"),
        ));
    }
    let len = specgram.shape()[ax as usize];
    let param = mask_param("mask_along_axis", mask_param_, p, len)?;
    if param < 1 {
        return Ok(specgram.clone());
    }
    let (start, end) = sample_range(generator, param, len)?;
    mask_range(specgram, start, end, mask_value, ax)
}

/// A separate random mask for every `[freq, time]` matrix of a 3-D or 4-D input
/// (`torchaudio.functional.mask_along_axis_iid`).
pub fn mask_along_axis_iid(
    specgrams: &Tensor,
    mask_param_: usize,
    mask_value: f64,
    axis: i64,
    p: f64,
    generator: Option<&Generator>,
) -> Result<Tensor> {
    let d = specgrams.dim() as i64;
    if !(d == 3 || d == 4) {
        return Err(Error::invalid(
            "mask_along_axis_iid",
            format!("expected a 3D or 4D input, got {d}D"),
        ));
    }
    let ax = if axis < 0 { axis + d } else { axis };
    if !(ax == d - 1 || ax == d - 2) {
        return Err(Error::invalid(
            "mask_along_axis_iid",
            "Only Frequency and Time masking are supported",
        ));
    }
    let shape = specgrams.shape().to_vec();
    let (f, t) = (shape[d as usize - 2], shape[d as usize - 1]);
    let len = shape[ax as usize];
    let param = mask_param("mask_along_axis_iid", mask_param_, p, len)?;
    if param < 1 {
        return Ok(specgrams.clone());
    }
    let mats = specgrams.reshape(&[-1, f as i64, t as i64])?;
    let mut out = Vec::with_capacity(mats.shape()[0]);
    for m in mats.unbind(0)? {
        let (start, end) = sample_range(generator, param, len)?;
        out.push(mask_range(
            &m,
            start,
            end,
            mask_value,
            if ax == d - 1 { 1 } else { 0 },
        )?);
    }
    let refs: Vec<&Tensor> = out.iter().collect();
    Tensor::stack(&refs, 0)?.reshape(&shape.iter().map(|&s| s as i64).collect::<Vec<_>>())
}

/// The fade shapes of `torchaudio.transforms.Fade`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FadeShape {
    #[default]
    Linear,
    Exponential,
    Logarithmic,
    QuarterSine,
    HalfSine,
}

/// The fade-in curve of length `len` over `x = linspace(0, 1, len)`.
pub(crate) fn fade_in_curve(shape: FadeShape, len: usize) -> Vec<f64> {
    use std::f64::consts::PI;
    linspace01(len)
        .map(|x| match shape {
            FadeShape::Linear => x,
            FadeShape::Exponential => 2f64.powf(x - 1.0) * x,
            FadeShape::Logarithmic => (0.1 + x).log10() + 1.0,
            FadeShape::QuarterSine => (x * PI / 2.0).sin(),
            FadeShape::HalfSine => (x * PI - PI / 2.0).sin() / 2.0 + 0.5,
        })
        .map(|v| v.clamp(0.0, 1.0))
        .collect()
}

/// The fade-out curve of length `len`.
pub(crate) fn fade_out_curve(shape: FadeShape, len: usize) -> Vec<f64> {
    use std::f64::consts::PI;
    linspace01(len)
        .map(|x| match shape {
            FadeShape::Linear => 1.0 - x,
            FadeShape::Exponential => 2f64.powf(-x) * (1.0 - x),
            FadeShape::Logarithmic => (1.1 - x).log10() + 1.0,
            FadeShape::QuarterSine => (x * PI / 2.0 + PI / 2.0).sin(),
            FadeShape::HalfSine => (x * PI + PI / 2.0).sin() / 2.0 + 0.5,
        })
        .map(|v| v.clamp(0.0, 1.0))
        .collect()
}

fn linspace01(n: usize) -> impl Iterator<Item = f64> {
    (0..n).map(move |i| {
        if n == 1 {
            0.0
        } else {
            i as f64 / (n - 1) as f64
        }
    })
}
