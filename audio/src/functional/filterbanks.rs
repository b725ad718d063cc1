//! Filter banks and transforms matrices: `melscale_fbanks` (htk and slaney scales, slaney
//! norm), `linear_fbanks`, `create_dct`, and the mel/hz conversions (`torchaudio.functional`).
//! Computed in f64 and returned as f32 tensors `[n_freqs, n_filters]` / `[n_mels, n_mfcc]`.

use std::f64::consts::PI;

use torch_core::{Error, Result, Tensor};

/// The mel scale: `"htk"` (`2595 log10(1 + f / 700)`) or `"slaney"` (linear below 1 kHz,
/// logarithmic above).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MelScaleType {
    #[default]
    Htk,
    Slaney,
}

const F_SP: f64 = 200.0 / 3.0;
const MIN_LOG_HZ: f64 = 1000.0;

fn logstep() -> f64 {
    6.4f64.ln() / 27.0
}

/// Hertz to mels (`torchaudio.functional.hz_to_mel` semantics of `_hz_to_mel`).
pub fn hz_to_mel(freq: f64, scale: MelScaleType) -> f64 {
    match scale {
        MelScaleType::Htk => 2595.0 * (1.0 + freq / 700.0).log10(),
        MelScaleType::Slaney if freq >= MIN_LOG_HZ => {
            MIN_LOG_HZ / F_SP + (freq / MIN_LOG_HZ).ln() / logstep()
        }
        MelScaleType::Slaney => freq / F_SP,
    }
}

/// Mels to hertz, the inverse of `hz_to_mel`.
pub fn mel_to_hz(mel: f64, scale: MelScaleType) -> f64 {
    let min_log_mel = MIN_LOG_HZ / F_SP;
    match scale {
        MelScaleType::Htk => 700.0 * (10f64.powf(mel / 2595.0) - 1.0),
        MelScaleType::Slaney if mel >= min_log_mel => {
            MIN_LOG_HZ * (logstep() * (mel - min_log_mel)).exp()
        }
        MelScaleType::Slaney => F_SP * mel,
    }
}

fn linspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| {
            if n == 1 {
                a
            } else {
                a + (b - a) * i as f64 / (n - 1) as f64
            }
        })
        .collect()
}

/// Triangles rising from `f_pts[j]` to `f_pts[j+1]` and falling to `f_pts[j+2]`, evaluated
/// at `all_freqs`: `[n_freqs, f_pts.len() - 2]` row-major.
fn triangular(all_freqs: &[f64], f_pts: &[f64]) -> Vec<f64> {
    let n_filter = f_pts.len() - 2;
    let mut fb = vec![0.0; all_freqs.len() * n_filter];
    for (i, &f) in all_freqs.iter().enumerate() {
        for j in 0..n_filter {
            let down = (f - f_pts[j]) / (f_pts[j + 1] - f_pts[j]);
            let up = (f_pts[j + 2] - f) / (f_pts[j + 2] - f_pts[j + 1]);
            fb[i * n_filter + j] = down.min(up).max(0.0);
        }
    }
    fb
}

fn to_f32(v: Vec<f64>, shape: &[usize]) -> Result<Tensor> {
    Tensor::from_vec(v.into_iter().map(|x| x as f32).collect::<Vec<f32>>(), shape)
}

/// Triangular mel filter bank `[n_freqs, n_mels]` (`torchaudio.functional.melscale_fbanks(
/// n_freqs, f_min, f_max, n_mels, sample_rate, norm, mel_scale)`); `slaney_norm` divides each
/// triangle by its width in Hz (`norm="slaney"`, constant energy per channel).
pub fn melscale_fbanks(
    n_freqs: usize,
    f_min: f64,
    f_max: f64,
    n_mels: usize,
    sample_rate: u32,
    slaney_norm: bool,
    mel_scale: MelScaleType,
) -> Result<Tensor> {
    let all_freqs = linspace(0.0, (sample_rate / 2) as f64, n_freqs);
    let m_pts = linspace(
        hz_to_mel(f_min, mel_scale),
        hz_to_mel(f_max, mel_scale),
        n_mels + 2,
    );
    let f_pts: Vec<f64> = m_pts.iter().map(|&m| mel_to_hz(m, mel_scale)).collect();
    let mut fb = triangular(&all_freqs, &f_pts);
    if slaney_norm {
        for row in fb.chunks_mut(n_mels) {
            for (j, v) in row.iter_mut().enumerate() {
                *v *= 2.0 / (f_pts[j + 2] - f_pts[j]);
            }
        }
    }
    to_f32(fb, &[n_freqs, n_mels])
}

/// Triangular filter bank with linearly spaced centres `[n_freqs, n_filter]`
/// (`torchaudio.functional.linear_fbanks`).
pub fn linear_fbanks(
    n_freqs: usize,
    f_min: f64,
    f_max: f64,
    n_filter: usize,
    sample_rate: u32,
) -> Result<Tensor> {
    let all_freqs = linspace(0.0, (sample_rate / 2) as f64, n_freqs);
    let f_pts = linspace(f_min, f_max, n_filter + 2);
    to_f32(triangular(&all_freqs, &f_pts), &[n_freqs, n_filter])
}

/// DCT-II matrix `[n_mels, n_mfcc]` to right-multiply a mel spectrogram with
/// (`torchaudio.functional.create_dct(n_mfcc, n_mels, norm)`); `norm` is `None` or
/// `Some("ortho")`.
pub fn create_dct(n_mfcc: usize, n_mels: usize, norm: Option<&str>) -> Result<Tensor> {
    let ortho = match norm {
        None => false,
        Some("ortho") => true,
        Some(other) => {
            return Err(Error::invalid(
                "create_dct",
                format!("norm must be either 'ortho' or None, got {other:?}"),
            ));
        }
    };
    let mut m = vec![0.0; n_mels * n_mfcc];
    for n in 0..n_mels {
        for k in 0..n_mfcc {
            let mut v = (PI / n_mels as f64 * (n as f64 + 0.5) * k as f64).cos();
            if ortho {
                if k == 0 {
                    v /= 2f64.sqrt();
                }
                v *= (2.0 / n_mels as f64).sqrt();
            } else {
                v *= 2.0;
            }
            m[n * n_mfcc + k] = v;
        }
    }
    to_f32(m, &[n_mels, n_mfcc])
}
