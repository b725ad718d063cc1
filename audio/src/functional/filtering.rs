//! IIR filtering: `lfilter`, `biquad`, `lowpass_biquad`, `highpass_biquad`,
//! `bandpass_biquad`, `preemphasis` and `deemphasis` (`torchaudio.functional`).
//!
//! `lfilter` runs its recursion in f64 on the CPU and returns the input's dtype; unlike
//! torchaudio's it does not record a gradient (the output is detached). `preemphasis` is a
//! differentiable composite.

use torch_core::{DType, Error, Result, Tensor};

const OP: &str = "lfilter";

/// Direct-form II transposed IIR filter along the last dim (`torchaudio.functional.lfilter(
/// waveform, a_coeffs, b_coeffs, clamp, batching)`): `a[0] y[n] = sum_k b[k] x[n-k] - sum_{k>0}
/// a[k] y[n-k]`. Coefficients are 1-D `[order + 1]` (one filter for all), or 2-D `[F, order +
/// 1]`: with `batching`, filter `f` applies to `waveform[..., f, :]`; without, every filter is
/// applied to the whole input, stacked at dim -2. `clamp` clips the output to [-1, 1].
pub fn lfilter(
    waveform: &Tensor,
    a_coeffs: &Tensor,
    b_coeffs: &Tensor,
    clamp: bool,
    batching: bool,
) -> Result<Tensor> {
    if a_coeffs.shape() != b_coeffs.shape() {
        return Err(Error::invalid(
            OP,
            format!(
                "Expected coeffs to be the same size, but got a_coeffs {:?} and b_coeffs {:?}",
                a_coeffs.shape(),
                b_coeffs.shape()
            ),
        ));
    }
    if !(1..=2).contains(&a_coeffs.dim()) {
        return Err(Error::invalid(
            OP,
            format!(
                "Expected coeffs to be 1D or 2D, but got {}D",
                a_coeffs.dim()
            ),
        ));
    }
    if waveform.dim() == 0 {
        return Err(Error::invalid(
            OP,
            "Expected waveform to have at least 1 dim",
        ));
    }
    let (a, b) = (
        a_coeffs.reshape(&[-1, a_coeffs.shape()[a_coeffs.dim() - 1] as i64])?,
        b_coeffs.reshape(&[-1, b_coeffs.shape()[b_coeffs.dim() - 1] as i64])?,
    );
    let n_filters = a.shape()[0];
    let mut x = waveform.clone();
    if a_coeffs.dim() == 2 {
        if !batching {
            let copies: Vec<&Tensor> = vec![waveform; n_filters];
            x = Tensor::stack(&copies, -2)?;
        } else if waveform.dim() < 2 || waveform.shape()[waveform.dim() - 2] != n_filters {
            return Err(Error::invalid(
                OP,
                format!(
                    "Expected number of batches in waveform and coeffs to be the same, but got waveform {:?} and coeffs {:?}",
                    waveform.shape(),
                    a_coeffs.shape()
                ),
            ));
        }
    }
    let shape = x.shape().to_vec();
    let t = shape[shape.len() - 1];
    let order = a.shape()[1];
    let av = a.to_vec_f64()?;
    let bv = b.to_vec_f64()?;
    if av.chunks(order).any(|r| r[0] == 0.0) {
        return Err(Error::invalid(OP, "a_coeffs[..., 0] must be nonzero"));
    }
    let xv = x.contiguous()?.to_vec_f64()?;
    let mut out = vec![0.0f64; xv.len()];
    for (row, (xs, ys)) in xv
        .chunks(t.max(1))
        .zip(out.chunks_mut(t.max(1)))
        .enumerate()
    {
        let f = if n_filters == 1 { 0 } else { row % n_filters };
        let (ac, bc) = (
            &av[f * order..(f + 1) * order],
            &bv[f * order..(f + 1) * order],
        );
        filter_row(xs, ys, ac, bc);
    }
    if clamp {
        out.iter_mut().for_each(|v| *v = v.clamp(-1.0, 1.0));
    }
    let dtype = if waveform.dtype().is_float() {
        waveform.dtype()
    } else {
        DType::F32
    };
    Tensor::from_vec(out, &shape)?.to_dtype(dtype)
}

/// One row: `y[n] = (sum_k b[k] x[n-k] - sum_{k>=1} a[k] y[n-k]) / a[0]`.
fn filter_row(x: &[f64], y: &mut [f64], a: &[f64], b: &[f64]) {
    let a0 = a[0];
    for n in 0..x.len() {
        let mut acc = 0.0;
        for k in 0..b.len().min(n + 1) {
            acc += b[k] * x[n - k];
        }
        acc /= a0;
        for k in 1..a.len().min(n + 1) {
            acc -= a[k] / a0 * y[n - k];
        }
        y[n] = acc;
    }
}

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
