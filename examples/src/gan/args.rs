//! The command line the MNIST GAN examples (`dcgan`, `wgan_gp`) share.

use std::path::PathBuf;

use torch_vision::models::DcganOptions;

/// Options of a GAN training run; `Default` holds `dcgan`'s defaults: the tutorial's Adam
/// settings, and batch 32 with two extra layers per net rather than the tutorial's batch 128
/// and three-layer 28x28 nets, which score in the low 60s (`benches/RESULTS.md`, sessions
/// 12-14): four times the updates per epoch and the depth are what reach the sample-quality
/// target in 5 epochs.
#[derive(Clone, Debug)]
pub struct GanArgs {
    /// `--epochs N`.
    pub epochs: usize,
    /// `--batch-size N`.
    pub batch_size: usize,
    /// `--lr F` (both nets).
    pub lr: f64,
    /// `--beta1 F`, Adam's first beta (second: 0.999 for DCGAN, 0.9 for WGAN-GP).
    pub beta1: f64,
    /// `--nz N`: latent size.
    pub nz: usize,
    /// `--ngf N`: generator width.
    pub ngf: usize,
    /// `--ndf N`: discriminator width.
    pub ndf: usize,
    /// `--n-extra-layers N`: stride-1 blocks added to both nets
    /// ([`DcganOptions::n_extra_layers`]).
    pub n_extra_layers: usize,
    /// `--conditional`: class-conditioned nets (dcgan only).
    pub conditional: bool,
    /// `--ema DECAY`: also keep an exponential moving average of the generator's weights and
    /// batch-norm statistics (`AveragedModel` with `get_ema_multi_avg_fn(DECAY)`,
    /// `use_buffers`), updated after every generator step; the grids and the score use it
    /// (0: none).
    pub ema: f64,
    /// `--max-batches N`: stop each epoch after N batches (0: the whole epoch).
    pub max_batches: usize,
    /// `--score-samples N`: samples the classifier scores after each epoch (0: none).
    pub score_samples: usize,
    /// `--classifier PATH`: the `mnist` example's checkpoint.
    pub classifier: PathBuf,
    /// `--seed N`.
    pub seed: u64,
    /// `--threads N` (all cores when absent).
    pub threads: Option<usize>,
    /// `--data DIR`: MNIST files.
    pub data: PathBuf,
    /// `--out DIR`: grids, curves, checkpoints.
    pub out: PathBuf,
}

impl Default for GanArgs {
    fn default() -> Self {
        GanArgs {
            epochs: 5,
            batch_size: 32,
            lr: 2e-4,
            beta1: 0.5,
            nz: 100,
            ngf: 32,
            ndf: 32,
            n_extra_layers: 2,
            conditional: false,
            ema: 0.0,
            max_batches: 0,
            score_samples: 1000,
            classifier: PathBuf::from("runs/mnist/mnist_cnn.safetensors"),
            seed: 0,
            threads: None,
            data: PathBuf::from("data/mnist"),
            out: PathBuf::from("runs/dcgan"),
        }
    }
}

/// The usage line's options, after the binary's name.
pub const GAN_USAGE: &str = "[--epochs N] [--batch-size N] [--lr F] [--beta1 F] [--nz N] \
    [--ngf N] [--ndf N] [--n-extra-layers N] [--conditional] [--ema DECAY] [--max-batches N] [--score-samples N] \
    [--classifier PATH] [--seed N] [--threads N] [--data DIR] [--out DIR]";

impl GanArgs {
    /// Parses `args` (without the program name) over `defaults`; `Err("")` for `--help`.
    pub fn parse(
        defaults: GanArgs,
        args: impl IntoIterator<Item = String>,
    ) -> Result<GanArgs, String> {
        let mut a = defaults;
        let mut it = args.into_iter();
        while let Some(flag) = it.next() {
            match flag.as_str() {
                "--help" | "-h" => return Err(String::new()),
                "--conditional" => {
                    a.conditional = true;
                    continue;
                }
                _ => {}
            }
            let value = it.next().ok_or(format!("{flag} needs a value"))?;
            let bad = |e: &dyn std::fmt::Display| format!("{flag} {value}: {e}");
            match flag.as_str() {
                "--epochs" => a.epochs = value.parse().map_err(|e| bad(&e))?,
                "--batch-size" => a.batch_size = value.parse().map_err(|e| bad(&e))?,
                "--lr" => a.lr = value.parse().map_err(|e| bad(&e))?,
                "--beta1" => a.beta1 = value.parse().map_err(|e| bad(&e))?,
                "--nz" => a.nz = value.parse().map_err(|e| bad(&e))?,
                "--ngf" => a.ngf = value.parse().map_err(|e| bad(&e))?,
                "--ndf" => a.ndf = value.parse().map_err(|e| bad(&e))?,
                "--n-extra-layers" => a.n_extra_layers = value.parse().map_err(|e| bad(&e))?,
                "--ema" => a.ema = value.parse().map_err(|e| bad(&e))?,
                "--max-batches" => a.max_batches = value.parse().map_err(|e| bad(&e))?,
                "--score-samples" => a.score_samples = value.parse().map_err(|e| bad(&e))?,
                "--classifier" => a.classifier = value.into(),
                "--seed" => a.seed = value.parse().map_err(|e| bad(&e))?,
                "--threads" => a.threads = Some(value.parse().map_err(|e| bad(&e))?),
                "--data" => a.data = value.into(),
                "--out" => a.out = value.into(),
                _ => return Err(format!("unknown option {flag}")),
            }
        }
        if a.batch_size == 0 {
            return Err("--batch-size must be positive".into());
        }
        if !(0.0..1.0).contains(&a.ema) {
            return Err(format!("--ema must be in [0, 1), got {}", a.ema));
        }
        Ok(a)
    }

    /// The 28x28 nets' options: `nz`, `ngf`, `ndf`, `n_extra_layers` from these arguments and
    /// `num_classes` classes to condition on.
    pub fn dcgan_options(&self, num_classes: usize) -> DcganOptions {
        DcganOptions {
            nz: self.nz,
            n_extra_layers: self.n_extra_layers,
            ..DcganOptions::mnist(self.ngf, self.ndf, num_classes)
        }
    }
}
