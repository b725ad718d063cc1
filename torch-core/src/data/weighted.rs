//! `WeightedRandomSampler` (`torch.utils.data.WeightedRandomSampler`): indices drawn with
//! probabilities proportional to weights.

use std::sync::Arc;

use super::sampler::{Sampler, SamplerIter, pass_generator};
use crate::{DType, Error, Generator, Result, TensorOptions};

/// Options of [`WeightedRandomSampler`], PyTorch's defaults.
#[derive(Clone)]
pub struct WeightedRandomSamplerOptions {
    /// Draw with replacement (default true).
    pub replacement: bool,
    /// Source of randomness (default: a fresh generator per pass, seeded from the default
    /// generator).
    pub generator: Option<Arc<Generator>>,
}

impl Default for WeightedRandomSamplerOptions {
    fn default() -> Self {
        WeightedRandomSamplerOptions {
            replacement: true,
            generator: None,
        }
    }
}

/// `num_samples` indices in `0..weights.len()`, index `i` with probability proportional to
/// `weights[i]` (`WeightedRandomSampler(weights, num_samples, replacement, generator)`).
///
/// With replacement each draw inverts the cumulative weights (binary search); without, the
/// `num_samples` largest keys `ln(u) / w` are taken (exponential races, which is how
/// `torch.multinomial` samples without replacement), so a pass costs `O(n log n)`.
#[derive(Clone)]
pub struct WeightedRandomSampler {
    cumulative: Arc<[f64]>,
    weights: Arc<[f64]>,
    num_samples: usize,
    opts: WeightedRandomSamplerOptions,
}

impl WeightedRandomSampler {
    /// Checks the weights (finite, non-negative, positive sum; without replacement at least
    /// `num_samples` positive) and `num_samples > 0`.
    pub fn new(
        weights: Vec<f64>,
        num_samples: usize,
        opts: WeightedRandomSamplerOptions,
    ) -> Result<Self> {
        const OP: &str = "WeightedRandomSampler";
        if num_samples == 0 {
            return Err(Error::invalid(
                OP,
                "num_samples should be a positive integer value, but got num_samples=0",
            ));
        }
        if weights.iter().any(|&w| w < 0.0 || !w.is_finite()) {
            return Err(Error::invalid(
                OP,
                "probability tensor contains either `inf`, `nan` or element < 0",
            ));
        }
        let positive = weights.iter().filter(|&&w| w > 0.0).count();
        if positive == 0 {
            return Err(Error::invalid(
                OP,
                "invalid multinomial distribution (sum of probabilities <= 0)",
            ));
        }
        if !opts.replacement && num_samples > positive {
            return Err(Error::invalid(
                OP,
                format!(
                    "cannot sample {num_samples} samples without replacement from {positive} \
                     categories with non-zero weight"
                ),
            ));
        }
        let mut total = 0.0;
        let cumulative: Vec<f64> = weights
            .iter()
            .map(|w| {
                total += w;
                total
            })
            .collect();
        Ok(WeightedRandomSampler {
            cumulative: cumulative.into(),
            weights: weights.into(),
            num_samples,
            opts,
        })
    }
}

impl Sampler for WeightedRandomSampler {
    type Item = usize;

    fn iter(&self) -> Result<SamplerIter<usize>> {
        let g = pass_generator(&self.opts.generator)?;
        let f64_opts = TensorOptions::default().dtype(DType::F64);
        if self.opts.replacement {
            let u = g.rand(&[self.num_samples], f64_opts)?.to_vec::<f64>()?;
            let cum = self.cumulative.clone();
            let total = cum.last().copied().unwrap_or(0.0);
            let last_positive = self.weights.iter().rposition(|&w| w > 0.0).unwrap_or(0);
            // The first index whose running total exceeds u * total has a positive weight.
            return Ok(Box::new(u.into_iter().map(move |u| {
                cum.partition_point(|&c| c <= u * total).min(last_positive)
            })));
        }
        let n = self.weights.len();
        let u = g.rand(&[n], f64_opts)?.to_vec::<f64>()?;
        let mut keyed: Vec<(f64, usize)> = u
            .iter()
            .zip(self.weights.iter())
            .enumerate()
            .map(|(i, (&u, &w))| {
                (
                    if w > 0.0 {
                        u.ln() / w
                    } else {
                        f64::NEG_INFINITY
                    },
                    i,
                )
            })
            .collect();
        keyed.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        keyed.truncate(self.num_samples);
        Ok(Box::new(keyed.into_iter().map(|(_, i)| i)))
    }

    fn len(&self) -> usize {
        self.num_samples
    }
}
