//! `spectrogram`, `inverse_spectrogram` and `griffinlim` (`torchaudio.functional`), over the
//! core's differentiable `stft`/`istft`, on batched `[..., time]` input.

use torch_core::{
    DType, Error, Generator, IstftOptions, Result, StftOptions, Tensor, TensorOptions,
};

/// torchaudio's `normalized` argument: `False`, `True` / `"window"` (divide by the window's
/// L2 norm) or `"frame_length"` (the stft's own `1/sqrt(n_fft)`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Normalized {
    /// `normalized=False`.
    #[default]
    False,
    /// `normalized=True` or `"window"`.
    Window,
    /// `normalized="frame_length"`.
    FrameLength,
}

/// The arguments of `torchaudio.functional.spectrogram` (all required there).
#[derive(Clone, Copy, Debug)]
pub struct SpectrogramArgs<'a> {
    /// Zero padding on both sides of the signal.
    pub pad: usize,
    /// The window, of `win_length` values.
    pub window: &'a Tensor,
    pub n_fft: usize,
    pub hop_length: usize,
    pub win_length: usize,
    /// Exponent of the magnitude; `None` keeps the complex spectrum (complex64).
    pub power: Option<f64>,
    pub normalized: Normalized,
    pub center: bool,
    pub pad_mode: &'a str,
    pub onesided: bool,
}

/// Reshapes `[..., time]` to `[B, time]`, applies `f`, and restores the leading dims in front
/// of `f`'s non-batch output dims.
pub(crate) fn batched(
    x: &Tensor,
    inner: usize,
    f: impl FnOnce(&Tensor) -> Result<Tensor>,
) -> Result<Tensor> {
    let shape = x.shape().to_vec();
    if shape.len() < inner {
        return Err(Error::invalid(
            "torchaudio",
            format!("expected at least {inner} dims, got shape {shape:?}"),
        ));
    }
    let lead = &shape[..shape.len() - inner];
    let mut flat: Vec<i64> = vec![-1];
    flat.extend(shape[shape.len() - inner..].iter().map(|&d| d as i64));
    let y = f(&x.reshape(&flat)?)?;
    let mut out: Vec<i64> = lead.iter().map(|&d| d as i64).collect();
    out.extend(y.shape()[1..].iter().map(|&d| d as i64));
    y.reshape(&out)
}

/// Spectrogram of `[..., time]` into `[..., freq, frames]`
/// (`torchaudio.functional.spectrogram`): `|stft(x)|^power`, or the complex stft when `power`
/// is `None`. Composite (differentiable through `stft`); without autograd, real powers run
/// one fused pass per frame (`power_spec`).
pub fn spectrogram(waveform: &Tensor, a: &SpectrogramArgs<'_>) -> Result<Tensor> {
    let x = if a.pad > 0 {
        waveform.pad(&[a.pad as i64, a.pad as i64], "constant", 0.0)?
    } else {
        waveform.clone()
    };
    let mut fused = false;
    let spec = batched(&x, 1, |x| {
        if super::power_spec::applies(x, a) {
            fused = true;
            return super::power_spec::power_spectrogram(x, a);
        }
        x.stft(
            a.n_fft,
            StftOptions {
                hop_length: Some(a.hop_length),
                win_length: Some(a.win_length),
                window: Some(a.window),
                center: a.center,
                pad_mode: a.pad_mode,
                normalized: a.normalized == Normalized::FrameLength,
                onesided: Some(a.onesided),
                return_complex: true,
            },
        )
    })?;
    if fused {
        return Ok(spec);
    }
    let spec = if a.normalized == Normalized::Window {
        spec.div_scalar(window_norm(a.window)?)?
    } else {
        spec
    };
    match a.power {
        None => Ok(spec),
        Some(1.0) => spec.abs(),
        Some(p) => spec.abs()?.pow_scalar(p),
    }
}

fn window_norm(window: &Tensor) -> Result<f64> {
    Ok(window
        .to_dtype(DType::F64)?
        .pow_scalar(2.0)?
        .sum()?
        .item()?
        .sqrt())
}

/// The arguments of `torchaudio.functional.inverse_spectrogram`.
#[derive(Clone, Copy, Debug)]
pub struct InverseSpectrogramArgs<'a> {
    /// Output length (before removing `pad`); `None` is what `istft` gives.
    pub length: Option<usize>,
    pub pad: usize,
    pub window: &'a Tensor,
    pub n_fft: usize,
    pub hop_length: usize,
    pub win_length: usize,
    pub normalized: Normalized,
    pub center: bool,
    pub onesided: bool,
}

/// Waveform `[..., time]` from a complex spectrogram `[..., freq, frames]`
/// (`torchaudio.functional.inverse_spectrogram`). Composite over `istft`.
pub fn inverse_spectrogram(spec: &Tensor, a: &InverseSpectrogramArgs<'_>) -> Result<Tensor> {
    if !spec.dtype().is_complex() {
        return Err(Error::invalid(
            "inverse_spectrogram",
            "Expected `spectrogram` to be complex dtype.",
        ));
    }
    let spec = if a.normalized == Normalized::Window {
        spec.mul_scalar(window_norm(a.window)?)?
    } else {
        spec.clone()
    };
    let y = batched(&spec, 2, |s| {
        s.istft(
            a.n_fft,
            IstftOptions {
                hop_length: Some(a.hop_length),
                win_length: Some(a.win_length),
                window: Some(a.window),
                center: a.center,
                normalized: a.normalized == Normalized::FrameLength,
                onesided: Some(a.onesided),
                length: a.length.map(|l| l + 2 * a.pad),
                return_complex: false,
            },
        )
    })?;
    if a.length.is_some() && a.pad > 0 {
        let n = y.shape()[y.dim() - 1] as i64;
        return y.slice(-1, Some(a.pad as i64), Some(n - a.pad as i64), 1);
    }
    Ok(y)
}

/// The arguments of `torchaudio.functional.griffinlim`.
#[derive(Clone, Copy, Debug)]
pub struct GriffinLimArgs<'a> {
    pub window: &'a Tensor,
    pub n_fft: usize,
    pub hop_length: usize,
    pub win_length: usize,
    /// The exponent the magnitude was raised to.
    pub power: f64,
    pub n_iter: usize,
    /// Fast Griffin-Lim momentum in [0, 1).
    pub momentum: f64,
    pub length: Option<usize>,
    /// Random initial phases (from `generator`) when true, zero phases when false.
    pub rand_init: bool,
}

/// Waveform from a magnitude spectrogram `[..., freq, frames]` by the (fast) Griffin-Lim
/// algorithm (`torchaudio.functional.griffinlim`). Random initial phases come from `generator`
/// (uniform real and imaginary parts in [0, 1), as `torch.rand` of a complex dtype).
pub fn griffinlim(
    specgram: &Tensor,
    a: &GriffinLimArgs<'_>,
    generator: Option<&Generator>,
) -> Result<Tensor> {
    if !(0.0..1.0).contains(&a.momentum) {
        return Err(Error::invalid(
            "griffinlim",
            format!("momentum must be in range [0, 1). Found: {}", a.momentum),
        ));
    }
    batched(specgram, 2, |spec| {
        let mag = spec.pow_scalar(1.0 / a.power)?.to_dtype(DType::C64)?;
        let opts = TensorOptions::default();
        let mut angles = if a.rand_init {
            let rand = |g: Option<&Generator>| match g {
                Some(g) => g.rand(spec.shape(), opts),
                None => Tensor::rand(spec.shape(), opts),
            };
            Tensor::complex(&rand(generator)?, &rand(generator)?)?
        } else {
            Tensor::ones(spec.shape(), opts)?.to_dtype(DType::C64)?
        };
        let istft = |s: &Tensor| {
            s.istft(
                a.n_fft,
                IstftOptions {
                    hop_length: Some(a.hop_length),
                    win_length: Some(a.win_length),
                    window: Some(a.window),
                    length: a.length,
                    ..Default::default()
                },
            )
        };
        let mut tprev: Option<Tensor> = None;
        for _ in 0..a.n_iter {
            let inverse = istft(&mag.mul(&angles)?)?;
            let rebuilt = inverse.stft(
                a.n_fft,
                StftOptions {
                    hop_length: Some(a.hop_length),
                    win_length: Some(a.win_length),
                    window: Some(a.window),
                    ..Default::default()
                },
            )?;
            angles = match (&tprev, a.momentum > 0.0) {
                (Some(p), true) => rebuilt.sub(&p.mul_scalar(a.momentum / (1.0 + a.momentum))?)?,
                _ => rebuilt.clone(),
            };
            let norm = angles.abs()?.add_scalar(1e-16)?.to_dtype(DType::C64)?;
            angles = angles.div(&norm)?;
            tprev = Some(rebuilt);
        }
        istft(&mag.mul(&angles)?)
    })
}
