//! Keyword spotting on the spoken-digits set (`../shared/data/audio/spoken-digits`): trains
//! torchaudio's tutorial M5 on raw 8 kHz waveforms (resampled from 16 kHz) with progress bars
//! and curves, and reports accuracy on the speaker-disjoint test split and on the ten human
//! recordings (`human_test`).
//!
//! ```sh
//! cargo run --release -p examples --bin keyword_spotting -- --epochs 30
//! ```
//! Options: `--epochs N` (30), `--batch-size N` (32), `--lr F` (0.01), `--seed N` (0),
//! `--threads N`, `--data DIR`, `--out DIR` (runs/keyword_spotting).

use std::path::PathBuf;

use examples::cli::{TrainArgs, exit_on_error, or_usage, parse_train_args};
use examples::plot::{Chart, Series, save_png};
use examples::progress::EpochBar;
use torch_audio::datasets::SpeechCommands;
use torch_audio::models::M5;
use torch_audio::transforms::Resample;
use torch_core::data::Dataset;
use torch_core::testing::shared_data;
use torch_core::{DType, Generator, Result, Tensor, TensorOptions, autograd};
use torch_nn::functional::{self as F, CrossEntropyOptions};
use torch_nn::optim::{Adam, AdamOptions, Optimizer};
use torch_nn::{Forward, Module};

fn parse_args() -> std::result::Result<TrainArgs, String> {
    parse_train_args(TrainArgs {
        epochs: 30,
        batch_size: 32,
        lr: 0.01,
        seed: 0,
        threads: None,
        data: shared_data().join("audio/spoken-digits"),
        out: PathBuf::from("runs/keyword_spotting"),
    })
}

/// A split as `(waveforms (N, 1, 8000), labels (N))`, resampled to 8 kHz as the tutorial.
fn split(args: &TrainArgs, name: &str, resample: &Resample) -> Result<(Tensor, Tensor)> {
    let ds = SpeechCommands::from_csv(&args.data, args.data.join("index.csv"), Some(name))?;
    let (mut waves, mut labels) = (Vec::new(), Vec::new());
    for i in 0..ds.len() {
        let s = ds.get(i)?;
        waves.push(resample.forward(&s.waveform)?);
        labels.push(s.label_id);
    }
    let refs: Vec<&Tensor> = waves.iter().collect();
    let n = labels.len();
    Ok((Tensor::stack(&refs, 0)?, Tensor::from_vec(labels, &[n])?))
}

fn accuracy(model: &M5, x: &Tensor, y: &Tensor) -> Result<f64> {
    let _g = autograd::no_grad();
    let pred = model.forward(x)?.squeeze_dim(1)?.argmax(Some(1), false)?;
    pred.eq(y)?.to_dtype(DType::F64)?.mean()?.item()
}

fn run(args: TrainArgs) -> Result<()> {
    if let Some(t) = args.threads {
        torch_core::set_num_threads(t);
    }
    torch_core::manual_seed(args.seed);
    let resample = Resample::new(16000, 8000, Default::default())?;
    let (xtr, ytr) = split(&args, "train", &resample)?;
    let (xva, yva) = split(&args, "val", &resample)?;
    let (xte, yte) = split(&args, "test", &resample)?;
    let (xhu, yhu) = split(&args, "human_test", &resample)?;
    println!(
        "spoken digits: {} train, {} val, {} test (speaker-disjoint), {} human clips",
        xtr.shape()[0],
        xva.shape()[0],
        xte.shape()[0],
        xhu.shape()[0]
    );
    let model = M5::new(1, 10, 16, 32)?;
    let mut opt = Adam::new(
        model.parameters(),
        AdamOptions {
            lr: args.lr,
            weight_decay: 1e-4,
            ..Default::default()
        },
    )?;
    let ce = CrossEntropyOptions::default();
    let shuffle = Generator::new(args.seed);
    let n = xtr.shape()[0];
    let batches = n.div_ceil(args.batch_size);
    let (mut losses, mut val_acc) = (Vec::new(), Vec::new());
    for epoch in 1..=args.epochs {
        model.train(true);
        let perm = shuffle.randperm(n, TensorOptions::default().dtype(DType::I64))?;
        let mut bar = EpochBar::new(epoch, args.epochs, batches);
        for b in 0..batches {
            let len = args.batch_size.min(n - b * args.batch_size);
            let idx = perm.narrow(0, (b * args.batch_size) as i64, len)?;
            let (x, y) = (xtr.index_select(0, &idx)?, ytr.index_select(0, &idx)?);
            opt.zero_grad();
            let loss = F::nll_loss(&model.forward(&x)?.squeeze_dim(1)?, &y, &ce)?;
            loss.backward()?;
            opt.step()?;
            bar.step(len, loss.item()?);
        }
        let mean_loss = bar.mean_loss();
        bar.finish();
        model.train(false);
        let acc = accuracy(&model, &xva, &yva)?;
        losses.push((epoch as f64, mean_loss));
        val_acc.push((epoch as f64, 100.0 * acc));
        println!(
            "epoch {epoch}: train loss {mean_loss:.4}, validation accuracy {:.1}%",
            100.0 * acc
        );
    }
    let test = accuracy(&model, &xte, &yte)?;
    let human = accuracy(&model, &xhu, &yhu)?;
    println!(
        "test accuracy (unseen synthetic speakers): {:.1}%",
        100.0 * test
    );
    println!(
        "human recordings accuracy: {:.1}% ({} clips)",
        100.0 * human,
        yhu.shape()[0]
    );
    std::fs::create_dir_all(&args.out).map_err(|e| torch_core::Error::io(&args.out, e))?;
    model
        .state_dict()
        .save_safetensors(args.out.join("m5.safetensors"))?;
    let curves = args.out.join("curves.png");
    save_png(
        &curves,
        &[
            Chart {
                title: "Training loss".into(),
                x_label: "epoch".into(),
                y_label: "nll".into(),
                series: vec![Series {
                    label: "epoch mean".into(),
                    points: losses,
                }],
            },
            Chart {
                title: "Validation accuracy".into(),
                x_label: "epoch".into(),
                y_label: "accuracy (%)".into(),
                series: vec![Series {
                    label: "val".into(),
                    points: val_acc,
                }],
            },
        ],
    )?;
    println!("weights and curves in {}", args.out.display());
    Ok(())
}

fn main() {
    let args = or_usage(
        parse_args(),
        "keyword_spotting [--epochs N] [--batch-size N] [--lr F] [--seed N] [--threads N] [--data DIR] [--out DIR]",
    );
    exit_on_error(run(args));
}
