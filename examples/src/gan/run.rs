//! The parts of a GAN training run around the steps, shared by `dcgan` and `wgan_gp`: data
//! and fixed latents, the epoch's shuffled batches, and what is written after each epoch
//! (sample grid, checkpoints, curves, the classifier's score).

use std::path::PathBuf;

use torch_core::{DType, Error, Generator as Rng, Result, Tensor, TensorOptions};
use torch_nn::Module;
use torch_vision::models::{Discriminator, Generator, latent};

use super::args::GanArgs;
use super::{SampleScore, load_mnist, sample, sample_and_score, save_grid};
use crate::mnist_cnn::Net;
use crate::plot::{Chart, Series, save_png};

/// Data, randomness and the fixed inputs of a run.
pub struct Setup {
    /// Training images `(N, 1, 28, 28)` in `[-1, 1]`.
    pub images: Tensor,
    /// Their labels `(N,)`.
    pub labels: Tensor,
    /// The MNIST classifier, when its checkpoint exists and scoring is on.
    pub classifier: Option<Net>,
    /// Latents and labels during training.
    pub rng: Rng,
    /// Batch order.
    pub shuffle: Rng,
    /// 100 latents for the grid, the same every epoch (the tutorial's `fixed_noise`).
    pub fixed_z: Tensor,
    /// Their labels for a conditional run: each row of the 10x10 grid is one digit.
    pub fixed_labels: Tensor,
}

impl Setup {
    /// Loads MNIST and the classifier (if `args.score_samples > 0` and the file exists),
    /// seeds the generators, draws the fixed latents, creates `args.out`.
    pub fn new(args: &GanArgs) -> Result<Setup> {
        if let Some(t) = args.threads {
            torch_core::set_num_threads(t);
        }
        torch_core::manual_seed(args.seed);
        let (images, labels) = load_mnist(&args.data)?;
        let classifier = if args.score_samples > 0 && args.classifier.exists() {
            Some(Net::load(&args.classifier)?)
        } else {
            if args.score_samples > 0 {
                eprintln!(
                    "note: no classifier at {} (run `--bin mnist` first): samples are not scored",
                    args.classifier.display()
                );
            }
            None
        };
        std::fs::create_dir_all(&args.out).map_err(|e| Error::io(&args.out, e))?;
        let fixed = Rng::new(args.seed.wrapping_add(1));
        let fixed_z = latent(&fixed, 100, args.nz)?;
        let fixed_labels: Vec<i64> = (0..100).map(|i| (i / 10) as i64).collect();
        Ok(Setup {
            images,
            labels,
            classifier,
            rng: Rng::new(args.seed.wrapping_add(2)),
            shuffle: Rng::new(args.seed),
            fixed_z,
            fixed_labels: Tensor::from_vec(fixed_labels, &[100])?,
        })
    }

    /// The number of batches an epoch runs.
    pub fn batches(&self, args: &GanArgs) -> usize {
        let all = self.images.shape()[0].div_ceil(args.batch_size);
        if args.max_batches > 0 {
            all.min(args.max_batches)
        } else {
            all
        }
    }

    /// A new shuffle: the index tensors of this epoch's batches (the last may be short).
    pub fn epoch(&self, args: &GanArgs) -> Result<Vec<Tensor>> {
        let n = self.images.shape()[0];
        let perm = self
            .shuffle
            .randperm(n, TensorOptions::default().dtype(DType::I64))?;
        (0..self.batches(args))
            .map(|b| {
                let start = b * args.batch_size;
                perm.narrow(0, start as i64, args.batch_size.min(n - start))
            })
            .collect()
    }

    /// The images and labels of one batch.
    pub fn batch(&self, idx: &Tensor) -> Result<(Tensor, Tensor)> {
        Ok((
            self.images.index_select(0, idx)?,
            self.labels.index_select(0, idx)?,
        ))
    }

    /// After epoch `epoch`: writes `samples_epoch<E>.png` (the fixed latents through the
    /// sampled generator in eval mode, 10 per row: `ema` when given, else `g`),
    /// `generator.safetensors` (and `generator_ema.safetensors`), `discriminator.safetensors`
    /// and `curves.png` into `args.out`, and scores `args.score_samples` fresh samples of each
    /// generator.
    pub fn finish_epoch(
        &self,
        args: &GanArgs,
        epoch: usize,
        g: &Generator,
        ema: Option<&Generator>,
        d: &Discriminator,
        curves: &[Chart],
    ) -> Result<EpochReport> {
        let sampled = ema.unwrap_or(g);
        let conditional = g.options.num_classes > 0;
        let images = sample(
            sampled,
            &self.fixed_z,
            conditional.then_some(&self.fixed_labels),
        )?;
        let grid = args.out.join(format!("samples_epoch{epoch}.png"));
        save_grid(&images, &grid, 10)?;
        g.state_dict()
            .save_safetensors(args.out.join("generator.safetensors"))?;
        if let Some(e) = ema {
            e.state_dict()
                .save_safetensors(args.out.join("generator_ema.safetensors"))?;
        }
        d.state_dict()
            .save_safetensors(args.out.join("discriminator.safetensors"))?;
        save_png(args.out.join("curves.png"), curves)?;
        let score = |net: &Generator| match &self.classifier {
            Some(c) => {
                // The same latents for both generators.
                let rng = Rng::new(args.seed.wrapping_add(1000 + epoch as u64));
                sample_and_score(net, c, args.score_samples, &rng, false).map(Some)
            }
            None => Ok(None),
        };
        Ok(EpochReport {
            grid,
            score: score(g)?,
            ema_score: match ema {
                Some(e) => score(e)?,
                None => None,
            },
        })
    }
}

/// What [`Setup::finish_epoch`] wrote and measured.
pub struct EpochReport {
    /// The sample grid's path.
    pub grid: PathBuf,
    /// The generator's sample score (when a classifier is loaded).
    pub score: Option<SampleScore>,
    /// The moving-average generator's, with `--ema`.
    pub ema_score: Option<SampleScore>,
}

impl EpochReport {
    /// `"; score: ..."` for each score measured (the averaged generator's first), or `""`.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        if let Some(e) = &self.ema_score {
            s.push_str(&format!("; EMA generator {}", describe(e)));
        }
        if let Some(r) = &self.score {
            let who = if self.ema_score.is_some() {
                "; generator "
            } else {
                "; "
            };
            s.push_str(&format!("{who}{}", describe(r)));
        }
        s
    }
}

/// `"score: 93.1% of 1000 samples with p >= 0.9, 95.0% classified as conditioned"`.
pub fn describe(score: &SampleScore) -> String {
    let mut s = format!(
        "score: {:.1}% of {} samples with p >= 0.9",
        100.0 * score.confident,
        score.n
    );
    if let Some(m) = score.matching {
        s.push_str(&format!(
            ", {:.1}% classified as their conditioned digit",
            100.0 * m
        ));
    }
    s
}

/// A chart over epochs titled `title` with one line per `(label, points)`.
pub fn epoch_chart(title: &str, y_label: &str, lines: &[(&str, &[(f64, f64)])]) -> Chart {
    let series = lines
        .iter()
        .map(|(label, points)| Series::new(label, points.to_vec()))
        .collect();
    Chart::new(title, "epoch", y_label, series)
}

/// The x of batch `b` (0-based) of `batches` in epoch `epoch` (1-based): `epoch - 1 + (b +
/// 1) / batches`.
pub fn epoch_x(epoch: usize, b: usize, batches: usize) -> f64 {
    (epoch - 1) as f64 + (b + 1) as f64 / batches as f64
}

/// Mean of the y values of the last `n` points.
pub fn mean_last(points: &[(f64, f64)], n: usize) -> f64 {
    let tail = &points[points.len().saturating_sub(n)..];
    tail.iter().map(|p| p.1).sum::<f64>() / tail.len().max(1) as f64
}
