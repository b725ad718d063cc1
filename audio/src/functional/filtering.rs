//! Filters built on `lfilter`: `biquad`, `lowpass_biquad`, `highpass_biquad`,
//! `bandpass_biquad`, `deemphasis`, and the FIR `preemphasis` (`torchaudio.functional`).

use torch_core::{Result, Tensor};

use super::lfilter::lfilter;

/// Second-order IIR filter (`torchaudio.functional.biquad`): `lfilter` with `a = [a0, a1,
/// a2]`, `b = [b0, b1, b2]`, clamped to [-1, 1].
pub fn biquad(waveform: &Tensor, b: [f64; 3], a: [f64; 3]) -> Result<Tensor> {
    let a = Tensor::from_vec(a.to_vec(), &[3])?;
    let b = Tensor::from_vec(b.to_vec(), &[3])?;
    lfilter(waveform, &a, &b, true, true)
}

/// `(w0, cos w0, alpha, [a0, a1, a2])` of the Audio EQ Cookbook's two-pole filters, computed
/// in f32 as torchaudio does for an f32 waveform.
fn rbj(sample_rate: u32, freq: f64, q: f64) -> (f32, f32, f32, [f64; 3]) {
    let w0 = 2.0 * std::f32::consts::PI * freq as f32 / sample_rate as f32;
    let alpha = w0.sin() / 2.0 / q as f32;
    let c = w0.cos();
    (w0, c, alpha, f64s([1.0 + alpha, -2.0 * c, 1.0 - alpha]))
}

fn f64s(v: [f32; 3]) -> [f64; 3] {
    v.map(f64::from)
}

/// Two-pole low-pass filter (`torchaudio.functional.lowpass_biquad(waveform, sample_rate,
/// cutoff_freq, Q=0.707)`), the Audio EQ Cookbook design.
pub fn lowpass_biquad(
    waveform: &Tensor,
    sample_rate: u32,
    cutoff_freq: f64,
    q: f64,
) -> Result<Tensor> {
    let (_, c, _, a) = rbj(sample_rate, cutoff_freq, q);
    let b0 = (1.0 - c) / 2.0;
    biquad(waveform, f64s([b0, 1.0 - c, b0]), a)
}

/// Two-pole high-pass filter (`torchaudio.functional.highpass_biquad(waveform, sample_rate,
/// cutoff_freq, Q=0.707)`).
pub fn highpass_biquad(
    waveform: &Tensor,
    sample_rate: u32,
    cutoff_freq: f64,
    q: f64,
) -> Result<Tensor> {
    let (_, c, _, a) = rbj(sample_rate, cutoff_freq, q);
    let b0 = (1.0 + c) / 2.0;
    biquad(waveform, f64s([b0, -1.0 - c, b0]), a)
}

/// Two-pole band-pass filter (`torchaudio.functional.bandpass_biquad(waveform, sample_rate,
/// central_freq, Q=0.707, const_skirt_gain=False)`): constant skirt gain (peak gain Q) when
/// `const_skirt_gain`, else constant 0 dB peak gain.
pub fn bandpass_biquad(
    waveform: &Tensor,
    sample_rate: u32,
    central_freq: f64,
    q: f64,
    const_skirt_gain: bool,
) -> Result<Tensor> {
    let (w0, _, alpha, a) = rbj(sample_rate, central_freq, q);
    let temp = if const_skirt_gain {
        w0.sin() / 2.0
    } else {
        alpha
    };
    biquad(waveform, f64s([temp, 0.0, -temp]), a)
}

/// `y[n] = x[n] - coeff x[n-1]` along the last dim (`torchaudio.functional.preemphasis(
/// waveform, coeff=0.97)`). Composite (differentiable).
pub fn preemphasis(waveform: &Tensor, coeff: f64) -> Result<Tensor> {
    let n = waveform.shape().last().copied().unwrap_or(0) as i64;
    if n < 2 {
        return waveform.deep_clone();
    }
    let head = waveform.narrow(-1, 0, 1)?;
    let rest = waveform.narrow(-1, 1, (n - 1) as usize)?.sub(
        &waveform
            .narrow(-1, 0, (n - 1) as usize)?
            .mul_scalar(coeff)?,
    )?;
    Tensor::cat(&[&head, &rest], -1)
}

/// Inverse of `preemphasis`: `y[n] = x[n] + coeff y[n-1]` (`torchaudio.functional.deemphasis(
/// waveform, coeff=0.97)`), through `lfilter` (clamped to [-1, 1] as torchaudio's).
pub fn deemphasis(waveform: &Tensor, coeff: f64) -> Result<Tensor> {
    let a = Tensor::from_vec(vec![1.0f64, -coeff], &[2])?;
    let b = Tensor::from_vec(vec![1.0f64, 0.0], &[2])?;
    lfilter(waveform, &a, &b, true, true)
}
