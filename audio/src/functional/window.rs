//! Window functions (`torch.hann_window`, `hamming_window`, `blackman_window`,
//! `bartlett_window`, `kaiser_window`) as f32 tensors, for spectrogram transforms.

use std::f64::consts::PI;

use torch_core::{Result, Tensor};

/// The default `window_fn` of torchaudio's transforms: a periodic window of the given length.
pub type WindowFn = fn(usize) -> Result<Tensor>;

fn window(n: usize, periodic: bool, f: impl Fn(f64, f64) -> f64) -> Result<Tensor> {
    // A periodic window of length n is the symmetric one of length n + 1 without its last value.
    let denom = if periodic {
        n as f64
    } else {
        (n as f64 - 1.0).max(1.0)
    };
    let v: Vec<f32> = (0..n)
        .map(|i| {
            if n == 1 {
                1.0
            } else {
                f(i as f64, denom) as f32
            }
        })
        .collect();
    Tensor::from_vec(v, &[n])
}

/// `torch.hann_window(n, periodic)`: `0.5 - 0.5 cos(2 pi i / N)`.
pub fn hann_window(n: usize, periodic: bool) -> Result<Tensor> {
    window(n, periodic, |i, d| 0.5 - 0.5 * (2.0 * PI * i / d).cos())
}

/// `torch.hamming_window(n, periodic)`: `0.54 - 0.46 cos(2 pi i / N)`.
pub fn hamming_window(n: usize, periodic: bool) -> Result<Tensor> {
    window(n, periodic, |i, d| 0.54 - 0.46 * (2.0 * PI * i / d).cos())
}

/// `torch.blackman_window(n, periodic)`: `0.42 - 0.5 cos(2 pi i / N) + 0.08 cos(4 pi i / N)`.
pub fn blackman_window(n: usize, periodic: bool) -> Result<Tensor> {
    window(n, periodic, |i, d| {
        0.42 - 0.5 * (2.0 * PI * i / d).cos() + 0.08 * (4.0 * PI * i / d).cos()
    })
}

/// `torch.bartlett_window(n, periodic)`: `1 - |2 i / N - 1|`.
pub fn bartlett_window(n: usize, periodic: bool) -> Result<Tensor> {
    window(n, periodic, |i, d| 1.0 - (2.0 * i / d - 1.0).abs())
}

/// `torch.kaiser_window(n, periodic, beta)`: `I0(beta sqrt(1 - (2 i / N - 1)^2)) / I0(beta)`.
pub fn kaiser_window(n: usize, periodic: bool, beta: f64) -> Result<Tensor> {
    window(n, periodic, |i, d| {
        let r = 2.0 * i / d - 1.0;
        bessel_i0(beta * (1.0 - r * r).max(0.0).sqrt()) / bessel_i0(beta)
    })
}

/// The periodic Hann window, torchaudio's default `window_fn`.
pub fn hann_periodic(n: usize) -> Result<Tensor> {
    hann_window(n, true)
}

/// The modified Bessel function of the first kind, order 0 (`torch.i0`), by its power series
/// `sum_k ((x/2)^k / k!)^2` (converges for every x; terms stop adding at f64 precision).
pub fn bessel_i0(x: f64) -> f64 {
    let q = x * x / 4.0;
    let (mut term, mut sum) = (1.0f64, 1.0f64);
    for k in 1..500 {
        term *= q / (k * k) as f64;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}
