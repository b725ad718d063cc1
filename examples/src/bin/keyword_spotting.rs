//! Keyword spotting on the spoken-digits set (`../shared/data/audio/spoken-digits`): trains
//! torchaudio's tutorial M5 on raw 8 kHz waveforms (resampled from 16 kHz), or the small log-mel
//! CNN (`--model mel`, 16 kHz), with progress bars and curves, and reports accuracy on the
//! speaker-disjoint test split and on the ten human recordings (`human_test`).
//!
//! The recipe is the tutorial's (Adam lr 0.01, weight_decay 1e-4, StepLR 20 / 0.1) plus speed
//! perturbation of the training clips (`--speeds 0.8,1,1.2`: each clip replayed at those
//! speeds), which the synthetic voices need to carry over to slower human speech.
//!
//! ```sh
//! cargo run --release -p examples --bin keyword_spotting -- --model m5 --epochs 30
//! ```
//! Options: `--model m5|mel` (m5), `--speeds LIST` (0.8,1,1.2), `--epochs N` (30),
//! `--batch-size N` (32), `--lr F` (0.01), `--seed N` (0), `--threads N`, `--data DIR`,
//! `--out DIR` (runs/keyword_spotting).

use std::path::PathBuf;

use examples::cli::{TrainArgs, exit_on_error, or_usage, parse_train_args_with};
use examples::plot::{Chart, Series, save_png};
use examples::progress::EpochBar;
use torch_audio::datasets::SpeechCommands;
use torch_audio::functional::{ResampleOptions, resample};
use torch_audio::models::{M5, MelCnn};
use torch_core::data::Dataset;
use torch_core::testing::shared_data;
use torch_core::{DType, Generator, Result, Tensor, TensorOptions, autograd};
use torch_nn::functional::{self as F, CrossEntropyOptions};
use torch_nn::lr_scheduler::{LRScheduler, StepLR, StepLROptions};
use torch_nn::optim::{Adam, AdamOptions, Optimizer};
use torch_nn::{Forward, Module};

/// The network being trained.
enum Net {
    M5(M5),
    Mel(MelCnn),
}

impl Net {
    fn module(&self) -> &dyn Module {
        match self {
            Net::M5(m) => m,
            Net::Mel(m) => m,
        }
    }

    /// Log-probabilities `(B, 10)` of waveforms `(B, 1, time)`.
    fn log_probs(&self, x: &Tensor) -> Result<Tensor> {
        match self {
            Net::M5(m) => m.forward(x)?.squeeze_dim(1),
            Net::Mel(m) => m.forward(x)?.log_softmax(1),
        }
    }

    /// The sample rate the network reads.
    fn rate(&self) -> u32 {
        match self {
            Net::M5(_) => 8000,
            Net::Mel(_) => 16000,
        }
    }
}

struct Args {
    train: TrainArgs,
    model: String,
    speeds: Vec<f64>,
}

fn parse_args() -> std::result::Result<Args, String> {
    let (mut model, mut speeds) = ("m5".to_string(), vec![0.8, 1.0, 1.2]);
    let train = parse_train_args_with(
        TrainArgs {
            epochs: 30,
            batch_size: 32,
            lr: 0.01,
            seed: 0,
            threads: None,
            data: shared_data().join("audio/spoken-digits"),
            out: PathBuf::from("runs/keyword_spotting"),
        },
        |flag, value| match flag {
            "--model" if value == "m5" || value == "mel" => {
                model = value.to_string();
                Ok(true)
            }
            "--model" => Err(format!("--model {value}: expected m5 or mel")),
            "--speeds" => {
                speeds = value
                    .split(',')
                    .map(|s| {
                        s.trim()
                            .parse::<f64>()
                            .map_err(|e| format!("--speeds {s}: {e}"))
                    })
                    .collect::<std::result::Result<_, _>>()?;
                match speeds.iter().all(|&s| s > 0.0) {
                    true => Ok(true),
                    false => Err(format!("--speeds {value}: speeds must be positive")),
                }
            }
            _ => Ok(false),
        },
    )?;
    Ok(Args {
        train,
        model,
        speeds,
    })
}

/// `wave (1, n)` played at `speed` (resampled by `1 / speed`), centre-cropped or zero-padded
/// back to `n` samples.
fn at_speed(wave: &Tensor, speed: f64) -> Result<Tensor> {
    if speed == 1.0 {
        return Ok(wave.clone());
    }
    let n = wave.shape()[1] as i64;
    let v = resample(
        wave,
        100,
        (100.0 / speed).round() as u32,
        ResampleOptions::default(),
    )?;
    let m = v.shape()[1] as i64;
    if m >= n {
        v.narrow(1, (m - n) / 2, n as usize)
    } else {
        let left = (n - m) / 2;
        v.pad(&[left, n - m - left], "constant", 0.0)
    }
}

/// A split as `(waveforms (N, 1, time), labels (N))` at `rate`, each clip at every speed.
fn split(args: &Args, name: &str, rate: u32, speeds: &[f64]) -> Result<(Tensor, Tensor)> {
    let data = &args.train.data;
    let ds = SpeechCommands::from_csv(data, data.join("index.csv"), Some(name))?;
    let (mut waves, mut labels) = (Vec::new(), Vec::new());
    for i in 0..ds.len() {
        let s = ds.get(i)?;
        for &speed in speeds {
            let w = at_speed(&s.waveform, speed)?;
            waves.push(resample(
                &w,
                s.sample_rate,
                rate,
                ResampleOptions::default(),
            )?);
            labels.push(s.label_id);
        }
    }
    let refs: Vec<&Tensor> = waves.iter().collect();
    let n = labels.len();
    Ok((Tensor::stack(&refs, 0)?, Tensor::from_vec(labels, &[n])?))
}

fn accuracy(net: &Net, x: &Tensor, y: &Tensor) -> Result<f64> {
    let _g = autograd::no_grad();
    let pred = net.log_probs(x)?.argmax(Some(1), false)?;
    pred.eq(y)?.to_dtype(DType::F64)?.mean()?.item()
}

fn run(args: Args) -> Result<()> {
    let a = &args.train;
    if let Some(t) = a.threads {
        torch_core::set_num_threads(t);
    }
    torch_core::manual_seed(a.seed);
    let net = match args.model.as_str() {
        "mel" => Net::Mel(MelCnn::new(16000, 10)?),
        _ => Net::M5(M5::new(1, 10, 16, 32)?),
    };
    let rate = net.rate();
    let (xtr, ytr) = split(&args, "train", rate, &args.speeds)?;
    let (xva, yva) = split(&args, "val", rate, &[1.0])?;
    let (xte, yte) = split(&args, "test", rate, &[1.0])?;
    let (xhu, yhu) = split(&args, "human_test", rate, &[1.0])?;
    println!(
        "spoken digits at {rate} Hz: {} train clips (speeds {:?}), {} val, {} test \
         (speaker-disjoint), {} human; model {}",
        xtr.shape()[0],
        args.speeds,
        xva.shape()[0],
        xte.shape()[0],
        xhu.shape()[0],
        args.model
    );
    let model = net.module();
    let mut opt = Adam::new(
        model.parameters(),
        AdamOptions {
            lr: a.lr,
            weight_decay: 1e-4,
            ..Default::default()
        },
    )?;
    let mut sched = StepLR::new(&mut opt, 20, StepLROptions::default())?;
    let ce = CrossEntropyOptions::default();
    let shuffle = Generator::new(a.seed);
    let n = xtr.shape()[0];
    let batches = n.div_ceil(a.batch_size);
    let (mut losses, mut val_acc) = (Vec::new(), Vec::new());
    for epoch in 1..=a.epochs {
        model.train(true);
        let perm = shuffle.randperm(n, TensorOptions::default().dtype(DType::I64))?;
        let mut bar = EpochBar::new(epoch, a.epochs, batches);
        for b in 0..batches {
            let len = a.batch_size.min(n - b * a.batch_size);
            let idx = perm.narrow(0, (b * a.batch_size) as i64, len)?;
            let (x, y) = (xtr.index_select(0, &idx)?, ytr.index_select(0, &idx)?);
            opt.zero_grad();
            let loss = F::nll_loss(&net.log_probs(&x)?, &y, &ce)?;
            loss.backward()?;
            opt.step()?;
            bar.step(len, loss.item()?);
        }
        sched.step(&mut opt)?;
        let (mean_loss, secs) = (bar.mean_loss(), bar.seconds());
        bar.finish();
        model.train(false);
        let acc = accuracy(&net, &xva, &yva)?;
        losses.push((epoch as f64, mean_loss));
        val_acc.push((epoch as f64, 100.0 * acc));
        println!(
            "epoch {epoch}: train loss {mean_loss:.4}, validation accuracy {:.1}% ({secs:.2} s)",
            100.0 * acc
        );
    }
    let test = accuracy(&net, &xte, &yte)?;
    let human = accuracy(&net, &xhu, &yhu)?;
    println!(
        "test accuracy (unseen synthetic speakers): {:.1}%",
        100.0 * test
    );
    println!(
        "human recordings accuracy: {:.1}% ({} clips)",
        100.0 * human,
        yhu.shape()[0]
    );
    std::fs::create_dir_all(&a.out).map_err(|e| torch_core::Error::io(&a.out, e))?;
    model
        .state_dict()
        .save_safetensors(a.out.join(format!("{}.safetensors", args.model)))?;
    save_png(
        a.out.join(format!("curves_{}.png", args.model)),
        &[
            Chart::new(
                "Training loss",
                "epoch",
                "nll",
                vec![Series::new("epoch mean", losses)],
            ),
            Chart::new(
                "Validation accuracy",
                "epoch",
                "accuracy (%)",
                vec![Series::new("val", val_acc)],
            ),
        ],
    )?;
    println!("weights and curves in {}", a.out.display());
    Ok(())
}

fn main() {
    let args = or_usage(
        parse_args(),
        "keyword_spotting [--model m5|mel] [--speeds 0.8,1,1.2] [--epochs N] [--batch-size N] \
         [--lr F] [--seed N] [--threads N] [--data DIR] [--out DIR]",
    );
    exit_on_error(run(args));
}
