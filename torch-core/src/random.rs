//! Random numbers: counter-based `Generator`s (a seed and an offset, so draws are reproducible
//! on every machine and parallel kernels need no shared stream), the global default generator
//! (`torch.manual_seed`), and `rand`, `randn`, `randint`, `normal`, `bernoulli`,
//! `multinomial`, `randperm`.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::creation::{TensorOptions, from_fn};
use crate::{DType, Element, Error, Result, Tensor, with_dtype};

/// A reproducible random stream (`torch.Generator`). Element `i` of a draw is a hash of
/// `(seed, offset + i)`; each draw advances the offset.
pub struct Generator {
    seed: AtomicU64,
    offset: AtomicU64,
}

static DEFAULT: LazyLock<Generator> = LazyLock::new(|| Generator::new(67280421310721));

/// The global generator used by `Tensor::rand` and friends.
pub fn default_generator() -> &'static Generator {
    &DEFAULT
}

/// Seeds the global generator (`torch.manual_seed`).
pub fn manual_seed(seed: u64) {
    DEFAULT.manual_seed(seed);
}

#[inline(always)]
fn mix(mut z: u64) -> u64 {
    // SplitMix64's finaliser: a bijective, well-distributed hash of the counter.
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
    z ^ (z >> 31)
}

/// A generator's state: its seed and how many numbers it has produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GeneratorState {
    pub seed: u64,
    pub offset: u64,
}

impl Generator {
    /// A generator with this seed.
    pub fn new(seed: u64) -> Self {
        Generator {
            seed: AtomicU64::new(seed),
            offset: AtomicU64::new(0),
        }
    }

    /// Re-seeds and rewinds (`g.manual_seed(s)`).
    pub fn manual_seed(&self, seed: u64) {
        self.seed.store(seed, Ordering::SeqCst);
        self.offset.store(0, Ordering::SeqCst);
    }

    /// The seed (`g.initial_seed()`).
    pub fn initial_seed(&self) -> u64 {
        self.seed.load(Ordering::SeqCst)
    }

    /// The full state, `(seed, offset)`: restoring it with [`Generator::set_state`] replays
    /// the same numbers (`g.get_state()`).
    pub fn get_state(&self) -> GeneratorState {
        GeneratorState {
            seed: self.seed.load(Ordering::SeqCst),
            offset: self.offset.load(Ordering::SeqCst),
        }
    }

    /// Restores a state from [`Generator::get_state`] (`g.set_state(state)`).
    pub fn set_state(&self, state: GeneratorState) {
        self.seed.store(state.seed, Ordering::SeqCst);
        self.offset.store(state.offset, Ordering::SeqCst);
    }

    /// Reserves `n` counters; returns a closure giving 64 random bits for counter `i`.
    fn stream(&self, n: usize) -> impl Fn(usize) -> u64 + Sync + use<> {
        let base = self.offset.fetch_add(n as u64, Ordering::SeqCst);
        let key = mix(self.seed.load(Ordering::SeqCst) ^ 0x9e3779b97f4a7c15);
        move |i| mix(key.wrapping_add((base + i as u64).wrapping_mul(0x9e3779b97f4a7c15)))
    }

    /// Uniform on `[0, 1)` (`torch.rand`).
    pub fn rand(&self, shape: &[usize], opts: TensorOptions) -> Result<Tensor> {
        self.uniform(shape, 0.0, 1.0, opts)
    }

    /// Uniform on `[low, high)` (`tensor.uniform_(low, high)`).
    pub fn uniform(
        &self,
        shape: &[usize],
        low: f64,
        high: f64,
        opts: TensorOptions,
    ) -> Result<Tensor> {
        let dtype = float_dtype("rand", opts)?;
        let bits = self.stream(crate::shape::numel(shape));
        let t = with_dtype!(dtype, T, {
            from_fn::<T>(shape, |i| T::from_f64(low + (high - low) * unit(bits(i))))
        });
        opts.finish(t)
    }

    /// Standard normal (`torch.randn`), by Box-Muller.
    pub fn randn(&self, shape: &[usize], opts: TensorOptions) -> Result<Tensor> {
        self.normal(shape, 0.0, 1.0, opts)
    }

    /// Normal with `mean` and `std` (`torch.normal(mean, std, size)`).
    pub fn normal(
        &self,
        shape: &[usize],
        mean: f64,
        std: f64,
        opts: TensorOptions,
    ) -> Result<Tensor> {
        if std < 0.0 {
            return Err(Error::invalid(
                "normal",
                format!("expected std >= 0.0, got {std}"),
            ));
        }
        let dtype = float_dtype("randn", opts)?;
        let bits = self.stream(crate::shape::numel(shape));
        let t = with_dtype!(dtype, T, {
            from_fn::<T>(shape, |i| T::from_f64(mean + std * gauss(bits(i))))
        });
        opts.finish(t)
    }

    /// Integers uniform on `[low, high)` (`torch.randint`); dtype defaults to i64.
    pub fn randint(
        &self,
        low: i64,
        high: i64,
        shape: &[usize],
        opts: TensorOptions,
    ) -> Result<Tensor> {
        if high <= low {
            return Err(Error::invalid(
                "randint",
                format!(
                    "random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
                ),
            ));
        }
        let range = (high - low) as u64;
        let bits = self.stream(crate::shape::numel(shape));
        let dtype = opts.dtype_or(DType::I64);
        let t = with_dtype!(dtype, T, {
            from_fn::<T>(shape, |i| T::from_i64(low + (bits(i) % range) as i64))
        });
        opts.finish(t)
    }

    /// Draws 0/1 with probability `p` per element (`torch.bernoulli(p)`), in `p`'s dtype.
    pub fn bernoulli(&self, p: &Tensor) -> Result<Tensor> {
        let probs = p.to_dtype(DType::F64)?.to_vec::<f64>()?;
        if probs.iter().any(|&v| !(0.0..=1.0).contains(&v)) {
            return Err(Error::invalid(
                "bernoulli",
                "Expected p_in >= 0 && p_in <= 1",
            ));
        }
        let bits = self.stream(probs.len());
        let t = with_dtype!(p.dtype(), T, {
            from_fn::<T>(p.shape(), |i| {
                T::from_f64((unit(bits(i)) < probs[i]) as u8 as f64)
            })
        });
        Ok(t)
    }

    /// A random permutation of `0..n` (`torch.randperm`), i64 by default.
    pub fn randperm(&self, n: usize, opts: TensorOptions) -> Result<Tensor> {
        let bits = self.stream(n);
        let mut v: Vec<i64> = (0..n as i64).collect();
        for i in (1..n).rev() {
            let j = (bits(i) % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
        Tensor::from_vec(v, &[n])?.to_dtype(opts.dtype_or(DType::I64))
    }

    /// Samples `num_samples` indices per row of `probs` (1-D or 2-D, non-negative weights)
    /// (`torch.multinomial`).
    pub fn multinomial(
        &self,
        probs: &Tensor,
        num_samples: usize,
        replacement: bool,
    ) -> Result<Tensor> {
        if probs.dim() == 0 || probs.dim() > 2 {
            return Err(Error::invalid(
                "multinomial",
                "prob_dist must be 1 or 2 dim",
            ));
        }
        let rows = if probs.dim() == 1 {
            1
        } else {
            probs.shape()[0]
        };
        let cats = *probs.shape().last().unwrap_or(&0);
        if !replacement && num_samples > cats {
            return Err(Error::invalid(
                "multinomial",
                "cannot sample n_sample > prob_dist.size(-1) samples without replacement",
            ));
        }
        let w = probs.to_dtype(DType::F64)?.to_vec::<f64>()?;
        if w.iter().any(|&v| v < 0.0 || !v.is_finite()) {
            return Err(Error::invalid(
                "multinomial",
                "probability tensor contains either `inf`, `nan` or element < 0",
            ));
        }
        let bits = self.stream(rows * num_samples);
        let mut out = Vec::with_capacity(rows * num_samples);
        for r in 0..rows {
            let mut row = w[r * cats..(r + 1) * cats].to_vec();
            for s in 0..num_samples {
                let total: f64 = row.iter().sum();
                if total <= 0.0 {
                    return Err(Error::invalid(
                        "multinomial",
                        "invalid multinomial distribution (sum of probabilities <= 0)",
                    ));
                }
                let target = unit(bits(r * num_samples + s)) * total;
                let mut acc = 0.0;
                let mut pick = cats - 1;
                for (k, &p) in row.iter().enumerate() {
                    acc += p;
                    if target < acc && p > 0.0 {
                        pick = k;
                        break;
                    }
                }
                out.push(pick as i64);
                if !replacement {
                    row[pick] = 0.0;
                }
            }
        }
        let shape: Vec<usize> = if probs.dim() == 1 {
            vec![num_samples]
        } else {
            vec![rows, num_samples]
        };
        Tensor::from_vec(out, &shape)
    }
}

fn float_dtype(op: &'static str, opts: TensorOptions) -> Result<DType> {
    let d = opts.dtype_or(crate::DEFAULT_FLOAT);
    if !d.is_float() {
        return Err(Error::UnsupportedDType { op, dtype: d });
    }
    Ok(d)
}

/// 53 random bits as a float in `[0, 1)`.
#[inline(always)]
fn unit(bits: u64) -> f64 {
    (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A standard normal from 64 bits: two 32-bit uniforms through Box-Muller.
#[inline(always)]
fn gauss(bits: u64) -> f64 {
    let u1 = ((bits >> 32) as f64 + 1.0) / 4294967297.0; // (0, 1]
    let u2 = (bits & 0xffff_ffff) as f64 / 4294967296.0;
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

impl Tensor {
    /// Uniform on `[0, 1)` from the default generator (`torch.rand`).
    pub fn rand(shape: &[usize], opts: TensorOptions) -> Result<Tensor> {
        DEFAULT.rand(shape, opts)
    }
    /// Standard normal from the default generator (`torch.randn`).
    pub fn randn(shape: &[usize], opts: TensorOptions) -> Result<Tensor> {
        DEFAULT.randn(shape, opts)
    }
    /// Integers on `[low, high)` from the default generator (`torch.randint`).
    pub fn randint(low: i64, high: i64, shape: &[usize], opts: TensorOptions) -> Result<Tensor> {
        DEFAULT.randint(low, high, shape, opts)
    }
    /// Normal with `mean` and `std` from the default generator (`torch.normal`).
    pub fn normal(mean: f64, std: f64, shape: &[usize], opts: TensorOptions) -> Result<Tensor> {
        DEFAULT.normal(shape, mean, std, opts)
    }
    /// A random permutation from the default generator (`torch.randperm`).
    pub fn randperm(n: usize, opts: TensorOptions) -> Result<Tensor> {
        DEFAULT.randperm(n, opts)
    }
    /// 0/1 draws with probabilities `self` (`torch.bernoulli`).
    pub fn bernoulli(&self) -> Result<Tensor> {
        DEFAULT.bernoulli(self)
    }
    /// Samples indices from the rows of `self` (`torch.multinomial`).
    pub fn multinomial(&self, num_samples: usize, replacement: bool) -> Result<Tensor> {
        DEFAULT.multinomial(self, num_samples, replacement)
    }
    /// Like `rand` with this tensor's shape and dtype.
    pub fn rand_like(&self) -> Result<Tensor> {
        Self::rand(self.shape(), TensorOptions::default().dtype(self.dtype()))
    }
    /// Like `randn` with this tensor's shape and dtype.
    pub fn randn_like(&self) -> Result<Tensor> {
        Self::randn(self.shape(), TensorOptions::default().dtype(self.dtype()))
    }
    /// Like `randint` with this tensor's shape and dtype (`torch.randint_like(x, low, high)`).
    pub fn randint_like(&self, low: i64, high: i64) -> Result<Tensor> {
        Self::randint(
            low,
            high,
            self.shape(),
            TensorOptions::default().dtype(self.dtype()),
        )
    }
}
