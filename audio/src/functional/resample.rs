//! Band-limited resampling by windowed sinc interpolation (`torchaudio.functional.resample`):
//! a polyphase kernel built in f64 and applied as a strided `conv1d` (differentiable).

use std::f64::consts::PI;

use torch_core::{Conv1dOptions, DType, Error, Result, Tensor};

use super::spectrogram::batched;
use super::window::bessel_i0;

/// The interpolation window of `resample`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum ResamplingMethod {
    /// `"sinc_interp_hann"`: a Hann window over the sinc's support.
    #[default]
    SincInterpHann,
    /// `"sinc_interp_kaiser"` with `beta` (`None`: torchaudio's 14.769656459379492).
    SincInterpKaiser { beta: Option<f64> },
}

/// Keyword arguments of `torchaudio.functional.resample`, with its defaults.
#[derive(Clone, Copy, Debug)]
pub struct ResampleOptions {
    /// Zero crossings of the sinc on each side (sharper filter when larger).
    pub lowpass_filter_width: usize,
    /// Cutoff as a fraction of the lower Nyquist frequency.
    pub rolloff: f64,
    pub resampling_method: ResamplingMethod,
}

impl Default for ResampleOptions {
    fn default() -> Self {
        ResampleOptions {
            lowpass_filter_width: 6,
            rolloff: 0.99,
            resampling_method: ResamplingMethod::SincInterpHann,
        }
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// The polyphase kernel `[new, 1, 2 width + orig]` (reduced rates) and `width`, as
/// torchaudio's `_get_sinc_resample_kernel`.
pub(crate) fn sinc_resample_kernel(
    orig: u64,
    new: u64,
    opts: &ResampleOptions,
) -> Result<(Tensor, usize)> {
    if opts.lowpass_filter_width == 0 {
        return Err(Error::invalid(
            "resample",
            "Low pass filter width should be positive.",
        ));
    }
    let lpw = opts.lowpass_filter_width as f64;
    let base = orig.min(new) as f64 * opts.rolloff;
    let width = (lpw * orig as f64 / base).ceil() as usize;
    let taps = 2 * width + orig as usize;
    let mut k = Vec::with_capacity(new as usize * taps);
    for phase in 0..new {
        for j in 0..taps {
            let idx = (j as f64 - width as f64) / orig as f64;
            let t = ((-(phase as f64) / new as f64 + idx) * base).clamp(-lpw, lpw);
            let window = match opts.resampling_method {
                ResamplingMethod::SincInterpHann => (t * PI / lpw / 2.0).cos().powi(2),
                ResamplingMethod::SincInterpKaiser { beta } => {
                    let beta = beta.unwrap_or(14.769656459379492);
                    let r = t / lpw;
                    bessel_i0(beta * (1.0 - r * r).max(0.0).sqrt()) / bessel_i0(beta)
                }
            };
            let tp = t * PI;
            let sinc = if tp == 0.0 { 1.0 } else { tp.sin() / tp };
            k.push((sinc * window * base / orig as f64) as f32);
        }
    }
    Ok((Tensor::from_vec(k, &[new as usize, 1, taps])?, width))
}

/// Applies a kernel from `sinc_resample_kernel` to `[..., time]`.
pub(crate) fn apply_sinc_kernel(
    x: &Tensor,
    orig: u64,
    new: u64,
    kernel: &Tensor,
    width: usize,
) -> Result<Tensor> {
    batched(x, 1, |x| {
        let (b, len) = (x.shape()[0], x.shape()[1]);
        let x = if x.dtype() == DType::F32 {
            x.clone()
        } else {
            x.to_dtype(DType::F32)?
        };
        let padded = x.pad(
            &[width as i64, (width + orig as usize) as i64],
            "constant",
            0.0,
        )?;
        let y = padded.unsqueeze(1)?.conv1d(
            kernel,
            None,
            Conv1dOptions {
                stride: orig as usize,
                ..Default::default()
            },
        )?;
        // (B, new, frames) -> (B, frames * new): phases interleave.
        let y = y.transpose(1, 2)?.reshape(&[b as i64, -1])?;
        let target = (new as f64 * len as f64 / orig as f64).ceil() as usize;
        y.narrow(1, 0, target.min(y.shape()[1]))
    })
}

/// Resamples `[..., time]` from `orig_freq` to `new_freq` Hz (`torchaudio.functional.resample`);
/// the output has `ceil(new * time / orig)` samples. Composite over `conv1d`.
pub fn resample(
    waveform: &Tensor,
    orig_freq: u32,
    new_freq: u32,
    opts: ResampleOptions,
) -> Result<Tensor> {
    if orig_freq == 0 || new_freq == 0 {
        return Err(Error::invalid(
            "resample",
            "Original frequency and desired frequecy should be positive",
        ));
    }
    if orig_freq == new_freq {
        return Ok(waveform.clone());
    }
    let g = gcd(orig_freq as u64, new_freq as u64);
    let (orig, new) = (orig_freq as u64 / g, new_freq as u64 / g);
    let (kernel, width) = sinc_resample_kernel(orig, new, &opts)?;
    apply_sinc_kernel(waveform, orig, new, &kernel, width)
}
