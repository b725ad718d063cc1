//! What the GAN examples (`dcgan`, `wgan_gp`, `dcgan_faces`, `gan_score`) share: MNIST scaled to
//! `[-1, 1]`, one training step of each objective (the PyTorch DCGAN tutorial's and WGAN-GP's),
//! sample grids, and the sample-quality score given by the `mnist` example's classifier.

mod args;
mod run;

pub use args::{GAN_USAGE, GanArgs};
pub use run::{EpochReport, Setup, describe, epoch_chart, epoch_x, mean_last};

use std::path::Path;

use torch_core::{DType, Generator as Rng, Result, Tensor, TensorOptions, autograd};
use torch_nn::functional::{self as F, Reduction};
use torch_nn::optim::Optimizer;
use torch_nn::optim::swa_utils::{AveragedModel, AveragedModelOptions, get_ema_multi_avg_fn};
use torch_nn::{Forward, Module};
use torch_vision::datasets::MNIST;
use torch_vision::models::{Discriminator, Generator, gradient_penalty};
use torch_vision::utils::{MakeGridOptions, save_image};

use crate::mnist_cnn::{self, Net};

/// MNIST training images as f32 `(N, 1, 28, 28)` in `[-1, 1]` (the tutorial's
/// `ToTensor` + `Normalize(0.5, 0.5)`, matching the generator's Tanh) and their labels `(N,)`.
pub fn load_mnist(folder: &Path) -> Result<(Tensor, Tensor)> {
    let train = MNIST::from_folder(folder, true)?;
    let x = train
        .data
        .unsqueeze(1)?
        .to_dtype(DType::F32)?
        .div_scalar(127.5)?
        .sub_scalar(1.0)?;
    Ok((x, train.targets.clone()))
}

/// Losses and mean discriminator outputs of one DCGAN step (the tutorial's `Loss_D`,
/// `Loss_G`, `D(x)`, `D(G(z))` before the discriminator update).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DcganStats {
    pub loss_d: f64,
    pub loss_g: f64,
    pub d_real: f64,
    pub d_fake: f64,
}

fn bce(probs: &Tensor, target: f64) -> Result<Tensor> {
    let t = Tensor::full(probs.shape(), target, TensorOptions::default())?;
    F::binary_cross_entropy(probs, &t, None, Reduction::Mean)
}

/// The tutorial's discriminator update: `BCE(D(real), 1)` and `BCE(D(fake), 0)`, each
/// backpropagated (so batch norm sees the two batches separately, as in the tutorial), then
/// one optimizer step. `fake` is detached. Returns `(loss_d, mean D(real), mean D(fake))`.
pub fn discriminator_step(
    d: &Discriminator,
    opt: &mut dyn Optimizer,
    real: &Tensor,
    fake: &Tensor,
    labels: Option<&Tensor>,
    fake_labels: Option<&Tensor>,
) -> Result<(f64, f64, f64)> {
    opt.zero_grad();
    let out_real = d.score(real, labels)?;
    let err_real = bce(&out_real, 1.0)?;
    err_real.backward()?;
    let out_fake = d.score(&fake.detach(), fake_labels)?;
    let err_fake = bce(&out_fake, 0.0)?;
    err_fake.backward()?;
    opt.step()?;
    Ok((
        err_real.item()? + err_fake.item()?,
        out_real.mean()?.item()?,
        out_fake.mean()?.item()?,
    ))
}

/// The tutorial's generator update: `BCE(D(fake), 1)` (the non-saturating loss) through
/// the just-updated discriminator, one optimizer step; returns the loss.
pub fn generator_step(
    d: &Discriminator,
    opt: &mut dyn Optimizer,
    fake: &Tensor,
    fake_labels: Option<&Tensor>,
) -> Result<f64> {
    opt.zero_grad();
    let err = bce(&d.score(fake, fake_labels)?, 1.0)?;
    err.backward()?;
    opt.step()?;
    err.item()
}

/// One step of the tutorial's loop: fakes `G(z, fake_labels)`, a discriminator step on
/// `real` and the fakes, then a generator step. Both optimizers belong to their own net.
#[allow(clippy::too_many_arguments)]
pub fn dcgan_step(
    g: &Generator,
    d: &Discriminator,
    opt_g: &mut dyn Optimizer,
    opt_d: &mut dyn Optimizer,
    real: &Tensor,
    labels: Option<&Tensor>,
    z: &Tensor,
    fake_labels: Option<&Tensor>,
) -> Result<DcganStats> {
    let fake = g.generate(z, fake_labels)?;
    let (loss_d, d_real, d_fake) = discriminator_step(d, opt_d, real, &fake, labels, fake_labels)?;
    let loss_g = generator_step(d, opt_g, &fake, fake_labels)?;
    Ok(DcganStats {
        loss_d,
        loss_g,
        d_real,
        d_fake,
    })
}

/// One WGAN-GP critic update: `mean C(fake) - mean C(real) + lambda * GP` with `alpha`
/// `(N, 1, 1, 1)` in `[0, 1)`; returns `(critic loss, Wasserstein estimate mean C(real) -
/// mean C(fake), penalty)`.
pub fn critic_step(
    critic: &Discriminator,
    opt: &mut dyn Optimizer,
    real: &Tensor,
    fake: &Tensor,
    alpha: &Tensor,
    lambda: f64,
) -> Result<(f64, f64, f64)> {
    opt.zero_grad();
    let fake = fake.detach();
    let wdist = critic
        .score(real, None)?
        .mean()?
        .sub(&critic.score(&fake, None)?.mean()?)?;
    let gp = gradient_penalty(|x| critic.call(x), real, &fake, alpha)?;
    let loss = gp.mul_scalar(lambda)?.sub(&wdist)?;
    loss.backward()?;
    opt.step()?;
    Ok((loss.item()?, wdist.item()?, gp.item()?))
}

/// One WGAN generator update: `-mean C(G(z))`; returns the loss.
pub fn wgan_generator_step(
    g: &Generator,
    critic: &Discriminator,
    opt: &mut dyn Optimizer,
    z: &Tensor,
) -> Result<f64> {
    opt.zero_grad();
    let loss = critic.score(&g.generate(z, None)?, None)?.mean()?.neg()?;
    loss.backward()?;
    opt.step()?;
    loss.item()
}

/// With `args.ema > 0`, an exponential moving average of `g` (weights and batch-norm
/// statistics: `AveragedModel(g, multi_avg_fn=get_ema_multi_avg_fn(args.ema),
/// use_buffers=True)`), to update after every generator step.
pub fn ema_generator(args: &GanArgs, g: &Generator) -> Result<Option<AveragedModel<Generator>>> {
    if args.ema == 0.0 {
        return Ok(None);
    }
    let opts = AveragedModelOptions {
        multi_avg_fn: Some(get_ema_multi_avg_fn(args.ema)),
        use_buffers: true,
        ..Default::default()
    };
    AveragedModel::new(g, Generator::new(g.options.clone())?, opts).map(Some)
}

/// Writes `images` (`(N, C, H, W)` in `[-1, 1]`) as a grid PNG with `nrow` images per row.
pub fn save_grid(images: &Tensor, path: &Path, nrow: usize) -> Result<()> {
    let opts = MakeGridOptions {
        nrow,
        padding: 2,
        normalize: true,
        value_range: Some((-1.0, 1.0)),
        ..Default::default()
    };
    save_image(&images.detach(), path, opts)
}

/// Samples of `g` for latents `z` and (conditional) labels, without autograd: in eval mode
/// (running batch-norm statistics), or with `batch_stats` in train mode as the tutorial
/// draws its `fixed_noise` grid (batch statistics of these latents; the running statistics
/// are updated, as PyTorch does). `g`'s training flag is restored.
pub fn sample_with(
    g: &Generator,
    z: &Tensor,
    labels: Option<&Tensor>,
    batch_stats: bool,
) -> Result<Tensor> {
    let _ng = autograd::no_grad();
    let was_training = g.is_training();
    g.train(batch_stats);
    let out = g.generate(z, labels);
    g.train(was_training);
    out
}

/// [`sample_with`] in eval mode.
pub fn sample(g: &Generator, z: &Tensor, labels: Option<&Tensor>) -> Result<Tensor> {
    sample_with(g, z, labels, false)
}

/// The sample-quality figures of the issue, from the MNIST classifier.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SampleScore {
    /// Samples scored.
    pub n: usize,
    /// Fraction whose top class probability is at least 0.9.
    pub confident: f64,
    /// Fraction classified as the digit they were conditioned on (conditional samples only).
    pub matching: Option<f64>,
}

/// Scores generated `images` (`(N, 1, 28, 28)` in `[-1, 1]`) with `classifier`: the share
/// with a class probability >= 0.9 and, given `conditioned` labels `(N,)`, the share whose
/// argmax is that label.
pub fn score_images(
    classifier: &Net,
    images: &Tensor,
    conditioned: Option<&Tensor>,
) -> Result<SampleScore> {
    let _ng = autograd::no_grad();
    let x = images
        .add_scalar(1.0)?
        .div_scalar(2.0)?
        .sub_scalar(mnist_cnn::MEAN)?
        .div_scalar(mnist_cnn::STD)?;
    let probs = classifier.forward(&x)?.softmax(1)?;
    let (top, pred) = probs.max_dim(1, false)?;
    let n = images.shape()[0];
    let frac = |mask: Tensor| -> Result<f64> {
        Ok(mask.to_dtype(DType::F64)?.sum()?.item()? / n.max(1) as f64)
    };
    let confident = frac(top.ge_scalar(0.9)?)?;
    let matching = match conditioned {
        Some(y) => Some(frac(pred.eq(y)?)?),
        None => None,
    };
    Ok(SampleScore {
        n,
        confident,
        matching,
    })
}

/// Draws `n` samples from `g` (see [`sample_with`] for `batch_stats`; conditional generators
/// get the labels `i % 10`, an equal share of each digit) with latents from `rng`, and scores
/// them with [`score_images`], in batches of 500.
pub fn sample_and_score(
    g: &Generator,
    classifier: &Net,
    n: usize,
    rng: &Rng,
    batch_stats: bool,
) -> Result<SampleScore> {
    let conditional = g.options.num_classes > 0;
    let mut images = Vec::new();
    let mut labels = Vec::new();
    for start in (0..n).step_by(500) {
        let len = 500.min(n - start);
        let z = torch_vision::models::latent(rng, len, g.options.nz)?;
        let y: Vec<i64> = (start..start + len).map(|i| (i % 10) as i64).collect();
        let y = Tensor::from_vec(y, &[len])?;
        images.push(sample_with(g, &z, conditional.then_some(&y), batch_stats)?);
        labels.push(y);
    }
    let images = Tensor::cat(&images.iter().collect::<Vec<_>>(), 0)?;
    let labels = Tensor::cat(&labels.iter().collect::<Vec<_>>(), 0)?;
    score_images(classifier, &images, conditional.then_some(&labels))
}
