//! CPU kernels of the FFT primitives: complex-to-complex (rustfft), real-to-complex and
//! complex-to-real (realfft) transforms over the rows of contiguous buffers, each row one
//! signal. Plans come from one process-wide planner cache, so repeated transforms of one
//! length reuse their twiddles; rows run on the thread pool above a size threshold.

use std::sync::{Arc, LazyLock, Mutex};

use num_complex::Complex32;
use realfft::{ComplexToReal, FftError, RealFftPlanner, RealToComplex};
use rustfft::{Fft, FftPlanner};

use crate::cpu::{GRAIN, get_num_threads, install};
use crate::{Error, Result};

struct Planners {
    complex: FftPlanner<f32>,
    real: RealFftPlanner<f32>,
}

/// The planner cache: planning is the expensive part of a transform and plans are immutable
/// (`Arc<dyn Fft>`), so all threads share one cache and only hold the lock while planning.
static PLANNERS: LazyLock<Mutex<Planners>> = LazyLock::new(|| {
    Mutex::new(Planners {
        complex: FftPlanner::new(),
        real: RealFftPlanner::new(),
    })
});

fn planners() -> std::sync::MutexGuard<'static, Planners> {
    PLANNERS.lock().unwrap_or_else(|e| e.into_inner())
}

fn kernel_error(op: &'static str, e: FftError) -> Error {
    Error::invalid(op, format!("internal FFT error: {e}"))
}

/// Rows per task so that each task holds at least `GRAIN` elements.
fn rows_per_task(rows: usize, row_len: usize) -> usize {
    let threads = get_num_threads();
    let min_rows = GRAIN.div_ceil(row_len.max(1));
    rows.div_ceil(threads * 4).max(min_rows).max(1)
}

/// Runs `f` over matching row blocks of `a` (rows of `la > 0`) and `b` (rows of `lb > 0`),
/// in parallel when the work is large.
fn for_row_blocks<A: Send, B: Send>(
    a: &mut [A],
    la: usize,
    b: &mut [B],
    lb: usize,
    f: impl Fn(&mut [A], &mut [B]) -> Result<()> + Sync + Send,
) -> Result<()> {
    let rows = a.len() / la;
    if rows == 0 {
        return Ok(());
    }
    if rows * la.max(lb) < 2 * GRAIN || get_num_threads() == 1 || rows == 1 {
        return f(a, b);
    }
    let per = rows_per_task(rows, la.max(lb));
    install(|| {
        use rayon::prelude::*;
        a.par_chunks_mut(per * la)
            .zip(b.par_chunks_mut(per * lb))
            .try_for_each(|(x, y)| f(x, y))
    })
}

fn scale_in_place<T: std::ops::MulAssign<f32>>(data: &mut [T], scale: f32) {
    if scale != 1.0 {
        data.iter_mut().for_each(|v| *v *= scale);
    }
}

/// In-place complex transforms of every length-`n` row of `data`, times `scale`.
pub(crate) fn c2c(data: &mut [Complex32], n: usize, forward: bool, scale: f32) -> Result<()> {
    let plan: Arc<dyn Fft<f32>> = {
        let mut p = planners();
        if forward {
            p.complex.plan_fft_forward(n)
        } else {
            p.complex.plan_fft_inverse(n)
        }
    };
    // rustfft transforms a buffer of several rows in one call.
    let rows = data.len() / n;
    let run = |block: &mut [Complex32]| {
        let mut scratch = vec![Complex32::default(); plan.get_inplace_scratch_len()];
        plan.process_with_scratch(block, &mut scratch);
        scale_in_place(block, scale);
    };
    if rows <= 1 || data.len() < 2 * GRAIN || get_num_threads() == 1 {
        run(data);
        return Ok(());
    }
    let per = rows_per_task(rows, n);
    install(|| {
        use rayon::prelude::*;
        data.par_chunks_mut(per * n).for_each(run);
    });
    Ok(())
}

/// One-sided transforms of every length-`n` row of real `input` (used as scratch) into rows
/// of `n / 2 + 1` bins, times `scale`.
pub(crate) fn r2c(input: &mut [f32], n: usize, scale: f32) -> Result<Vec<Complex32>> {
    let m = n / 2 + 1;
    let rows = input.len() / n;
    let mut out = vec![Complex32::default(); rows * m];
    let plan: Arc<dyn RealToComplex<f32>> = planners().real.plan_fft_forward(n);
    for_row_blocks(input, n, &mut out, m, |inp, outp| {
        let mut scratch = plan.make_scratch_vec();
        for (i, o) in inp.chunks_exact_mut(n).zip(outp.chunks_exact_mut(m)) {
            plan.process_with_scratch(i, o, &mut scratch)
                .map_err(|e| kernel_error("rfft", e))?;
        }
        scale_in_place(outp, scale);
        Ok(())
    })?;
    Ok(out)
}

/// Inverse one-sided transforms of every row of `n / 2 + 1` bins of `input` (used as scratch)
/// into real rows of length `n`, times `scale`. The imaginary parts of the zero (and, for even
/// `n`, the Nyquist) bin are ignored, as in pocketfft.
pub(crate) fn c2r(input: &mut [Complex32], n: usize, scale: f32) -> Result<Vec<f32>> {
    let m = n / 2 + 1;
    let rows = input.len() / m;
    let mut out = vec![0f32; rows * n];
    let plan: Arc<dyn ComplexToReal<f32>> = planners().real.plan_fft_inverse(n);
    for_row_blocks(input, m, &mut out, n, |inp, outp| {
        let mut scratch = plan.make_scratch_vec();
        for (i, o) in inp.chunks_exact_mut(m).zip(outp.chunks_exact_mut(n)) {
            match plan.process_with_scratch(i, o, &mut scratch) {
                // Non-zero imaginary parts where a real signal has none: realfft drops them
                // and still transforms, which is what we want.
                Ok(()) | Err(FftError::InputValues(..)) => {}
                Err(e) => return Err(kernel_error("irfft", e)),
            }
        }
        scale_in_place(outp, scale);
        Ok(())
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c2c_of_impulse_is_flat_and_inverse_round_trips() {
        let mut d = vec![Complex32::default(); 8];
        d[0] = Complex32::new(1.0, 0.0);
        d[4 + 1] = Complex32::new(2.0, 0.0);
        let orig = d.clone();
        c2c(&mut d, 4, true, 1.0).expect("fft");
        assert!(
            d[..4]
                .iter()
                .all(|v| (v.re - 1.0).abs() < 1e-6 && v.im.abs() < 1e-6)
        );
        c2c(&mut d, 4, false, 0.25).expect("ifft");
        for (a, b) in d.iter().zip(&orig) {
            assert!((a - b).norm() < 1e-6);
        }
    }

    #[test]
    fn r2c_then_c2r_round_trips_odd_and_even() {
        for n in [1usize, 5, 8] {
            let x: Vec<f32> = (0..2 * n).map(|i| (i as f32 * 0.7).sin()).collect();
            let mut spec = r2c(&mut x.clone(), n, 1.0).expect("rfft");
            assert_eq!(spec.len(), 2 * (n / 2 + 1));
            let y = c2r(&mut spec, n, 1.0 / n as f32).expect("irfft");
            for (a, b) in x.iter().zip(&y) {
                assert!((a - b).abs() < 1e-5, "{n}: {a} vs {b}");
            }
        }
    }
}
