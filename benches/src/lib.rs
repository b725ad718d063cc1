//! The anchor workloads of DESIGN.md "Performance", shared by the criterion bench
//! (`benches/core.rs`) and the side-by-side comparison with PyTorch (`src/bin/compare.rs`,
//! mirrored in `compare/bench_torch.py`).
//!
//! Each [`Workload`] has a name, a [`Metric`] that turns a time into its headline figure, and a
//! setup that builds the inputs (outside the timed region) and returns the closure to time.
//! [`median_time`] is the timing method both sides of the comparison use: warm-up, calls batched
//! so one sample lasts at least [`MIN_SAMPLE_SECS`], median over samples.

use std::hint::black_box;
use std::time::{Duration, Instant};

use torch_core::{Conv2dOptions, MaxPool2dOptions, Result, Tensor, TensorOptions};

pub mod audio_workloads;
pub mod data_workloads;
pub mod nn_workloads;
pub mod text_workloads;
pub mod vision_workloads;

/// One timed call of a workload, built by its setup.
pub type Run = Box<dyn FnMut() -> Result<()>>;

/// How a median time becomes the figure reported next to it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Metric {
    /// Floating-point operations per call; reported as GFLOP/s.
    Flops(f64),
    /// Bytes read plus written per call (inputs once, output once); reported as GB/s.
    Bytes(f64),
    /// Reported as microseconds per call (the eager-overhead loop).
    MicrosPerIter,
    /// Samples delivered per call (a data-loading epoch); reported as thousands per second.
    Samples(f64),
    /// Tokens generated per call; reported as tokens per second.
    Tokens(f64),
}

impl Metric {
    /// The figure for a median of `secs` per call, with its unit.
    pub fn figure(&self, secs: f64) -> (f64, &'static str) {
        match *self {
            Metric::Flops(f) => (f / secs / 1e9, "GFLOP/s"),
            Metric::Bytes(b) => (b / secs / 1e9, "GB/s"),
            Metric::MicrosPerIter => (secs * 1e6, "us/iter"),
            Metric::Samples(n) => (n / secs / 1e3, "ksamples/s"),
            Metric::Tokens(n) => (n / secs, "tokens/s"),
        }
    }

    /// Whether a larger figure is better (false for time per iteration).
    pub fn higher_is_better(&self) -> bool {
        !matches!(self, Metric::MicrosPerIter)
    }
}

type Setup = Box<dyn Fn() -> Result<Run>>;

/// A named workload: inputs are built by [`Workload::setup`], the returned [`Run`] is timed.
pub struct Workload {
    /// Stable identifier, the same in `bench_torch.py` (`matmul_n512`, `add_10m`, ...).
    pub name: &'static str,
    /// What the figure measures.
    pub metric: Metric,
    /// Whether the bench should use few samples (the call takes tens of milliseconds or more).
    pub heavy: bool,
    setup: Setup,
}

impl Workload {
    fn new(
        name: &'static str,
        metric: Metric,
        heavy: bool,
        setup: impl Fn() -> Result<Run> + 'static,
    ) -> Self {
        Workload {
            name,
            metric,
            heavy,
            setup: Box::new(setup),
        }
    }

    /// Builds the inputs (seeded, so every setup sees the same data) and returns the call to time.
    pub fn setup(&self) -> Result<Run> {
        torch_core::manual_seed(0);
        (self.setup)()
    }
}

impl std::fmt::Debug for Workload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workload")
            .field("name", &self.name)
            .field("metric", &self.metric)
            .field("heavy", &self.heavy)
            .finish_non_exhaustive()
    }
}

/// Square matmul sizes of the anchor set.
pub const MATMUL_SIZES: [usize; 4] = [128, 512, 1024, 2048];
/// Elements of the elementwise workloads (10M f32).
pub const ELEMENTWISE_N: usize = 10_000_000;
/// Shape of the row-wise reduction workloads.
pub const ROWS: [usize; 2] = [4096, 1024];
/// Length of the two leaves in the eager-overhead loop.
pub const EAGER_N: usize = 16;
/// Input of the conv2d workloads, `[N, C, H, W]` (a ResNet stage-1 layer at batch 8).
pub const CONV_X: [usize; 4] = [8, 64, 56, 56];
/// Weight of the conv2d workloads, `[O, C, kh, kw]`; stride 1, padding 1, no bias.
pub const CONV_W: [usize; 4] = [64, 64, 3, 3];
/// Input of the pooling workload; max_pool2d with a 2 x 2 kernel (stride 2).
pub const POOL_X: [usize; 4] = [64, 32, 26, 26];

fn randn(shape: &[usize]) -> Result<Tensor> {
    Tensor::randn(shape, TensorOptions::default())
}

fn matmul(n: usize) -> Workload {
    let name = match n {
        128 => "matmul_n128",
        512 => "matmul_n512",
        1024 => "matmul_n1024",
        2048 => "matmul_n2048",
        _ => "matmul",
    };
    let nf = n as f64;
    Workload::new(
        name,
        Metric::Flops(2.0 * nf * nf * nf),
        n >= 1024,
        move || {
            let (a, b) = (randn(&[n, n])?, randn(&[n, n])?);
            Ok(Box::new(move || {
                black_box(a.matmul(&b)?);
                Ok(())
            }))
        },
    )
}

/// Multiply-adds of the conv2d workload times two: its forward FLOPs.
fn conv_flops() -> f64 {
    let [n, c, h, w] = CONV_X;
    let [o, _, kh, kw] = CONV_W;
    2.0 * (n * o * c * kh * kw * h * w) as f64
}

fn conv_opts() -> Conv2dOptions {
    Conv2dOptions {
        padding: 1.into(),
        ..Default::default()
    }
}

fn conv_workloads() -> Vec<Workload> {
    let fwd = Workload::new(
        "conv2d_8x64x56x56_k3",
        Metric::Flops(conv_flops()),
        true,
        || {
            let (x, w) = (randn(&CONV_X)?, randn(&CONV_W)?);
            Ok(Box::new(move || {
                black_box(x.conv2d(&w, None, conv_opts())?);
                Ok(())
            }))
        },
    );
    // Forward, then input and weight gradients: three convolutions' worth of FLOPs.
    let fwd_bwd = Workload::new(
        "conv2d_fwd_bwd_8x64x56x56_k3",
        Metric::Flops(3.0 * conv_flops()),
        true,
        || {
            let x = randn(&CONV_X)?.requires_grad_(true)?;
            let w = randn(&CONV_W)?.requires_grad_(true)?;
            let [n, _, h, wd] = CONV_X;
            let gy = randn(&[n, CONV_W[0], h, wd])?;
            Ok(Box::new(move || {
                x.set_grad(None);
                w.set_grad(None);
                let y = x.conv2d(&w, None, conv_opts())?;
                y.backward_with(Some(&gy), false, false)?;
                black_box(&y);
                Ok(())
            }))
        },
    );
    let [n, c, h, w] = POOL_X;
    let pool_bytes = ((n * c * h * w) + (n * c * (h / 2) * (w / 2))) as f64 * 4.0;
    let pool = Workload::new(
        "max_pool2d_64x32x26x26_k2",
        Metric::Bytes(pool_bytes),
        false,
        || {
            let x = randn(&POOL_X)?;
            Ok(Box::new(move || {
                black_box(x.max_pool2d([2, 2], MaxPool2dOptions::default())?);
                Ok(())
            }))
        },
    );
    // What training runs: an input that requires grad makes the pool keep its argmax indices.
    let pool_indices = Workload::new(
        "max_pool2d_indices_64x32x26x26_k2",
        Metric::Bytes(pool_bytes),
        false,
        || {
            let x = randn(&POOL_X)?.requires_grad_(true)?;
            Ok(Box::new(move || {
                black_box(x.max_pool2d([2, 2], MaxPool2dOptions::default())?);
                Ok(())
            }))
        },
    );
    vec![fwd, fwd_bwd, pool, pool_indices]
}

/// Every anchor workload, in report order.
pub fn workloads() -> Vec<Workload> {
    let f32_bytes = std::mem::size_of::<f32>() as f64;
    let n = ELEMENTWISE_N;
    let rows = (ROWS[0] * ROWS[1]) as f64;
    let mut w: Vec<Workload> = MATMUL_SIZES.iter().map(|&n| matmul(n)).collect();
    w.push(Workload::new(
        "add_10m",
        Metric::Bytes(3.0 * n as f64 * f32_bytes),
        true,
        move || {
            let (x, y) = (randn(&[n])?, randn(&[n])?);
            Ok(Box::new(move || {
                black_box(x.add(&y)?);
                Ok(())
            }))
        },
    ));
    w.push(Workload::new(
        "gelu_10m",
        Metric::Bytes(2.0 * n as f64 * f32_bytes),
        true,
        move || {
            let x = randn(&[n])?;
            Ok(Box::new(move || {
                black_box(x.gelu("none")?);
                Ok(())
            }))
        },
    ));
    w.push(Workload::new(
        "sum_dim_4096x1024",
        Metric::Bytes((rows + ROWS[0] as f64) * f32_bytes),
        false,
        || {
            let x = randn(&ROWS)?;
            Ok(Box::new(move || {
                black_box(x.sum_dim(&[-1], false)?);
                Ok(())
            }))
        },
    ));
    w.push(Workload::new(
        "softmax_4096x1024",
        Metric::Bytes(2.0 * rows * f32_bytes),
        false,
        || {
            let x = randn(&ROWS)?;
            Ok(Box::new(move || {
                black_box(x.softmax(-1)?);
                Ok(())
            }))
        },
    ));
    w.extend(conv_workloads());
    w.push(Workload::new(
        "eager_overhead",
        Metric::MicrosPerIter,
        false,
        || {
            let x = randn(&[EAGER_N])?.requires_grad_(true)?;
            let y = randn(&[EAGER_N])?.requires_grad_(true)?;
            Ok(Box::new(move || {
                x.set_grad(None);
                y.set_grad(None);
                let z = x.mul(&y)?.add(&x)?.sum()?;
                z.backward()?;
                black_box(&z);
                Ok(())
            }))
        },
    ));
    w.extend(nn_workloads::workloads());
    w.extend(data_workloads::workloads());
    w.extend(vision_workloads::workloads());
    w.extend(audio_workloads::workloads());
    w.extend(text_workloads::workloads());
    w
}

/// A sample lasts at least this long: fast calls are batched so the clock's resolution and
/// the cost of reading it do not count.
pub const MIN_SAMPLE_SECS: f64 = 1e-3;

/// Result of [`median_time`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// Median seconds per call.
    pub median_s: f64,
    /// Samples taken (each the mean of `batch` calls).
    pub samples: usize,
    /// Calls per sample.
    pub batch: usize,
}

/// Median seconds per call of `run`: three warm-up calls, then samples of `batch` calls
/// (`batch` chosen from the warm-up so a sample lasts at least [`MIN_SAMPLE_SECS`]) until at
/// least `min_iters` samples and `min_secs` seconds are in. `bench_torch.py` implements the
/// same procedure.
pub fn median_time(
    mut run: impl FnMut() -> Result<()>,
    min_iters: usize,
    min_secs: f64,
) -> Result<Timing> {
    let mut warm = f64::INFINITY;
    for _ in 0..3 {
        let t = Instant::now();
        run()?;
        warm = warm.min(t.elapsed().as_secs_f64());
    }
    let batch = if warm >= MIN_SAMPLE_SECS {
        1
    } else {
        (MIN_SAMPLE_SECS / warm.max(1e-9)).ceil() as usize
    };
    let min_iters = min_iters.max(1);
    let budget = Duration::from_secs_f64(min_secs.max(0.0));
    let mut samples = Vec::with_capacity(min_iters);
    let start = Instant::now();
    while samples.len() < min_iters || start.elapsed() < budget {
        let t = Instant::now();
        for _ in 0..batch {
            run()?;
        }
        samples.push(t.elapsed().as_secs_f64() / batch as f64);
    }
    Ok(Timing {
        median_s: median(&mut samples),
        samples: samples.len(),
        batch,
    })
}

/// Median of `v` (mean of the middle two for an even count); NaN when empty.
pub fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&mut []).is_nan());
    }

    #[test]
    fn figures() {
        assert_eq!(Metric::Flops(2e9).figure(1.0), (2.0, "GFLOP/s"));
        assert_eq!(Metric::Bytes(4e9).figure(2.0), (2.0, "GB/s"));
        assert_eq!(Metric::MicrosPerIter.figure(3e-6).1, "us/iter");
        assert_eq!(Metric::Samples(6e4).figure(0.5), (120.0, "ksamples/s"));
        assert_eq!(Metric::Tokens(64.0).figure(2.0), (32.0, "tokens/s"));
    }

    #[test]
    fn names_are_unique() {
        let w = workloads();
        let mut names: Vec<_> = w.iter().map(|w| w.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), w.len());
    }

    #[test]
    fn small_workloads_run_and_time() -> Result<()> {
        for w in workloads() {
            if w.name == "eager_overhead" || w.name == "matmul_n128" {
                let t = median_time(w.setup()?, 2, 0.0)?;
                assert!(t.median_s > 0.0 && t.samples >= 2 && t.batch >= 1);
            }
        }
        Ok(())
    }
}
