//! The fused magnitude/power spectrogram: the fast path of `spectrogram` when nothing needs
//! a gradient. One pass per frame (window, real FFT, `|X|^power`) straight into the output,
//! instead of the composite's separate framing, windowing, transform, `abs` and `pow`
//! passes over full-size intermediates. The composite stays the reference (the tests check
//! fused == composite) and the path for autograd.

use std::sync::{Arc, LazyLock, Mutex};

use realfft::num_complex::Complex32;
use realfft::{RealFftPlanner, RealToComplex};
use torch_core::cpu::parallel_chunks_mut;
use torch_core::{DType, Error, Result, Tensor, autograd, get_num_threads};

use super::spectrogram::{Normalized, SpectrogramArgs};

/// Planned transforms by length, shared by all calls (planning costs more than a transform).
static PLANNER: LazyLock<Mutex<RealFftPlanner<f32>>> =
    LazyLock::new(|| Mutex::new(RealFftPlanner::new()));

fn plan(n: usize) -> Arc<dyn RealToComplex<f32>> {
    PLANNER
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .plan_fft_forward(n)
}

/// Frames per thread below which the work stays on the calling thread.
const MIN_FRAMES_PER_THREAD: usize = 64;

/// Whether the fused path computes exactly what the composite would for `x` (`[B, T]`).
pub(crate) fn applies(x: &Tensor, a: &SpectrogramArgs<'_>) -> bool {
    let grad = autograd::is_grad_enabled() && (x.requires_grad() || a.window.requires_grad());
    !grad
        && a.power.is_some_and(|p| p > 0.0)
        && a.onesided
        && a.normalized == Normalized::False
        && x.dtype() == DType::F32
        && x.dim() == 2
        && !a.window.dtype().is_complex()
        && a.window.dim() == 1
        && a.window.shape()[0] == a.win_length
        && a.win_length <= a.n_fft
        && a.hop_length > 0
}

/// `|rfft(frame · window)|^power` for every frame of every row of `x` (`[B, T]`, already
/// padded by `pad`), as `[B, n_fft / 2 + 1, frames]` (a transposed view of a `[B, frames,
/// freq]` buffer, as the composite returns).
pub(crate) fn power_spectrogram(x: &Tensor, a: &SpectrogramArgs<'_>) -> Result<Tensor> {
    let power = a.power.unwrap_or(2.0);
    let n = a.n_fft;
    let x = if a.center {
        let p = (n / 2) as i64;
        x.pad(&[p, p], a.pad_mode, 0.0)?
    } else {
        x.clone()
    };
    let (batch, len) = (x.shape()[0], x.shape()[1]);
    if n == 0 || n > len {
        return Err(Error::invalid(
            "stft",
            format!("expected 0 < n_fft <= {len}, but got n_fft={n}"),
        ));
    }
    let frames = 1 + (len - n) / a.hop_length;
    let m = n / 2 + 1;
    let signal = x.to_vec::<f32>()?;
    // The window zero-padded on both sides to n_fft, as torch.stft does.
    let mut window = vec![0f32; n];
    let left = (n - a.win_length) / 2;
    window[left..left + a.win_length].copy_from_slice(&a.window.to_dtype(DType::F32)?.to_vec()?);
    let fft = plan(n);
    let mut out = vec![0f32; batch * frames * m];
    // One task: frames `[first, first + rows)` of the flattened (batch, frame) list.
    let task = |first: usize, block: &mut [f32]| -> Result<()> {
        let mut buf = vec![0f32; n];
        let mut spec = fft.make_output_vec();
        let mut scratch = fft.make_scratch_vec();
        for (i, row) in block.chunks_exact_mut(m).enumerate() {
            let (b, t) = ((first + i) / frames, (first + i) % frames);
            let start = b * len + t * a.hop_length;
            for ((o, s), w) in buf.iter_mut().zip(&signal[start..start + n]).zip(&window) {
                *o = s * w;
            }
            fft.process_with_scratch(&mut buf, &mut spec, &mut scratch)
                .map_err(|e| Error::invalid("spectrogram", format!("internal FFT error: {e}")))?;
            write_power(&spec, row, power);
        }
        Ok(())
    };
    let rows = batch * frames;
    let threads = get_num_threads().min(rows / MIN_FRAMES_PER_THREAD).max(1);
    let per = rows.div_ceil(threads);
    let results = std::sync::Mutex::new(Ok(()));
    parallel_chunks_mut(&mut out, per * m, |k, block| {
        if let Err(e) = task(k * per, block) {
            *results.lock().unwrap_or_else(|e| e.into_inner()) = Err(e);
        }
    });
    results.into_inner().unwrap_or_else(|e| e.into_inner())?;
    // (B, frames, freq) -> (B, freq, frames)
    Tensor::from_vec(out, &[batch, frames, m])?.transpose(1, 2)
}

/// `row[f] = |spec[f]|^power`, with the common powers written without `powf`.
fn write_power(spec: &[Complex32], row: &mut [f32], power: f64) {
    let sq = spec.iter().map(|z| z.re * z.re + z.im * z.im);
    if power == 2.0 {
        row.iter_mut().zip(sq).for_each(|(o, v)| *o = v);
    } else if power == 1.0 {
        row.iter_mut().zip(sq).for_each(|(o, v)| *o = v.sqrt());
    } else {
        let half = (power / 2.0) as f32;
        row.iter_mut().zip(sq).for_each(|(o, v)| *o = v.powf(half));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functional::{hann_periodic, spectrogram};
    use torch_core::TensorOptions;
    use torch_core::testing::assert_close_tol as assert_close;

    /// The composite path (an input that requires grad keeps autograd on) against the fused
    /// one, on one setting.
    fn fused_matches_composite(x: &Tensor, a: &SpectrogramArgs<'_>) -> Result<()> {
        assert!(applies(
            &x.reshape(&[-1, x.shape()[x.dim() - 1] as i64])?,
            a
        ));
        let fused = spectrogram(x, a)?;
        let composite = spectrogram(&x.detach().requires_grad_(true)?, a)?.detach();
        assert_eq!(fused.shape(), composite.shape());
        // |X|^2 reaches ~1e3 on unit-variance noise: atol scaled to the output.
        let scale = composite.abs()?.max()?.item()?;
        assert_close(&fused, &composite, 1e-4, 1e-5 * scale.max(1.0));
        Ok(())
    }

    #[test]
    fn fused_power_spectrogram_equals_composite() -> Result<()> {
        torch_core::manual_seed(3);
        let x = Tensor::randn(&[2, 3, 4000], TensorOptions::default())?;
        for (n_fft, win, hop, power, center, mode) in [
            (400, 400, 160, 2.0, true, "reflect"),
            (512, 400, 160, 1.0, true, "reflect"),
            (256, 200, 100, 0.5, false, "reflect"),
            (255, 255, 64, 2.0, true, "constant"),
        ] {
            let window = hann_periodic(win)?;
            let a = SpectrogramArgs {
                pad: 3,
                window: &window,
                n_fft,
                hop_length: hop,
                win_length: win,
                power: Some(power),
                normalized: Normalized::False,
                center,
                pad_mode: mode,
                onesided: true,
            };
            fused_matches_composite(&x, &a)?;
        }
        Ok(())
    }

    #[test]
    fn fused_power_spectrogram_threads_agree() -> Result<()> {
        let x = Tensor::randn(&[1, 32000], TensorOptions::default())?;
        let window = hann_periodic(400)?;
        let a = SpectrogramArgs {
            pad: 0,
            window: &window,
            n_fft: 400,
            hop_length: 160,
            win_length: 400,
            power: Some(2.0),
            normalized: Normalized::False,
            center: true,
            pad_mode: "reflect",
            onesided: true,
        };
        let before = get_num_threads();
        torch_core::set_num_threads(2);
        let two = spectrogram(&x, &a);
        torch_core::set_num_threads(1);
        let one = spectrogram(&x, &a);
        torch_core::set_num_threads(before);
        assert_close(&two?, &one?, 0.0, 0.0);
        fused_matches_composite(&x, &a)
    }

    #[test]
    fn complex_or_normalized_output_keeps_the_composite() -> Result<()> {
        let x = Tensor::randn(&[1, 1000], TensorOptions::default())?;
        let window = hann_periodic(400)?;
        let mut a = SpectrogramArgs {
            pad: 0,
            window: &window,
            n_fft: 400,
            hop_length: 160,
            win_length: 400,
            power: None,
            normalized: Normalized::False,
            center: true,
            pad_mode: "reflect",
            onesided: true,
        };
        assert!(!applies(&x, &a));
        a.power = Some(2.0);
        a.normalized = Normalized::Window;
        assert!(!applies(&x, &a));
        a.normalized = Normalized::False;
        let leaf = x.requires_grad_(true)?;
        assert!(!applies(&leaf, &a));
        let _g = autograd::no_grad();
        assert!(applies(&leaf, &a));
        Ok(())
    }
}
