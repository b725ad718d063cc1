//! Sentiment classification on the Rotten Tomatoes review snippets (fresh / rotten rows of
//! `shared/data/text/rotten_tomatoes_corpus_full.csv.bz2`): a bag-of-embeddings model
//! (EmbeddingBag mean + Linear) trained with Adam on a seeded 90/10 split; prints held-out
//! accuracy per epoch and writes the loss/accuracy curves (PNG).
//!
//! ```sh
//! cargo run --release -p examples --bin text_classify
//! ```
//! Options: `--epochs N` (3: held-out accuracy peaks there, later epochs overfit),
//! `--batch-size N` (64), `--lr F` (5e-3), `--seed N` (0),
//! `--threads N` (all cores), `--data FILE` (../shared/data/text/rotten_tomatoes_corpus_full.csv.bz2),
//! `--out DIR` (runs/text_classify).

use std::path::PathBuf;
use std::time::Instant;

use examples::cli::{TrainArgs, exit_on_error, or_usage, parse_train_args};
use examples::epoch::{adam, run_epoch};
use examples::plot::{Chart, Series, save_png, training_loss_chart};
use examples::text_classify::{BagClassifier, batch, encode, split};
use torch_core::{DType, Generator, Result, autograd};
use torch_nn::Module;
use torch_nn::functional::{self as F, CrossEntropyOptions};
use torch_nn::optim::Optimizer;
use torch_text::datasets::TextClassificationDataset;

const EMBED_DIM: usize = 64;
const MIN_FREQ: usize = 2;
const TEST_FRACTION: f64 = 0.1;

/// Fraction of `texts` classified correctly, in batches of 512 without autograd.
fn accuracy(net: &BagClassifier, texts: &[Vec<i64>], labels: &[i64]) -> Result<f64> {
    let _g = autograd::no_grad();
    let mut correct = 0.0;
    let all: Vec<usize> = (0..texts.len()).collect();
    for pick in all.chunks(512) {
        let b = batch(texts, labels, pick)?;
        let pred = net.forward(&b.ids, &b.offsets)?.argmax(Some(1), false)?;
        correct += pred.eq(&b.labels)?.to_dtype(DType::F64)?.sum()?.item()?;
    }
    Ok(correct / texts.len().max(1) as f64)
}

fn run(args: TrainArgs) -> Result<()> {
    if let Some(t) = args.threads {
        torch_core::set_num_threads(t);
    }
    torch_core::manual_seed(args.seed);
    let started = Instant::now();
    let ds = TextClassificationDataset::rotten_tomatoes(&args.data)?;
    let (tr_idx, te_idx) = split(ds.texts.len(), TEST_FRACTION, args.seed)?;
    let pick = |idx: &[usize]| -> (Vec<String>, Vec<i64>) {
        idx.iter()
            .map(|&i| (ds.texts[i].clone(), ds.labels[i]))
            .unzip()
    };
    let ((tr_text, ytr), (te_text, yte)) = (pick(&tr_idx), pick(&te_idx));
    let enc = encode(&tr_text, &te_text, MIN_FREQ)?;
    println!(
        "Rotten Tomatoes: {} reviews ({:?}) from {}; {} train / {} held out; vocabulary {}",
        ds.texts.len(),
        ds.classes,
        args.data.display(),
        tr_text.len(),
        te_text.len(),
        enc.vocab.len()
    );
    let net = BagClassifier::new(enc.vocab.len(), EMBED_DIM, ds.classes.len())?;
    let mut opt = adam(&net, args.lr)?;
    let ce = CrossEntropyOptions::default();
    let shuffle = Generator::new(args.seed);
    let (mut losses, mut epoch_losses) = (Vec::new(), Vec::new());
    let (mut train_accs, mut test_accs) = (Vec::new(), Vec::new());
    for epoch in 1..=args.epochs {
        net.train(true);
        let sizes = (enc.train.len(), args.batch_size);
        let (secs, mean_loss) =
            run_epoch((epoch, args.epochs), sizes, &shuffle, &mut losses, |pick| {
                let x = batch(&enc.train, &ytr, pick)?;
                opt.zero_grad();
                let loss = F::cross_entropy(&net.forward(&x.ids, &x.offsets)?, &x.labels, &ce)?;
                loss.backward()?;
                opt.step()?;
                loss.item()
            })?;
        net.train(false);
        let (tr_acc, te_acc) = (
            accuracy(&net, &enc.train, &ytr)?,
            accuracy(&net, &enc.test, &yte)?,
        );
        epoch_losses.push((epoch as f64, mean_loss));
        train_accs.push((epoch as f64, 100.0 * tr_acc));
        test_accs.push((epoch as f64, 100.0 * te_acc));
        println!(
            "epoch {epoch}: train loss {mean_loss:.4}, train accuracy {:.2}%, held-out accuracy {:.2}%, {secs:.1} s",
            100.0 * tr_acc,
            100.0 * te_acc
        );
    }
    std::fs::create_dir_all(&args.out).map_err(|e| torch_core::Error::io(&args.out, e))?;
    let curves = args.out.join("curves.png");
    save_png(
        &curves,
        &[
            training_loss_chart("cross-entropy", losses, epoch_losses),
            Chart::new(
                "Accuracy",
                "epoch",
                "accuracy (%)",
                vec![
                    Series::new("train", train_accs),
                    Series::new("held out", test_accs.clone()),
                ],
            ),
        ],
    )?;
    let last = test_accs.last().map_or(f64::NAN, |a| a.1);
    println!(
        "held-out accuracy {last:.2}% after {} epochs; done in {:.1} s; curves in {}",
        args.epochs,
        started.elapsed().as_secs_f64(),
        curves.display()
    );
    Ok(())
}

fn main() {
    let args = or_usage(
        parse_train_args(TrainArgs {
            epochs: 3,
            batch_size: 64,
            lr: 5e-3,
            seed: 0,
            threads: None,
            data: PathBuf::from("../shared/data/text/rotten_tomatoes_corpus_full.csv.bz2"),
            out: PathBuf::from("runs/text_classify"),
        }),
        "text_classify [--epochs N] [--batch-size N] [--lr F] [--seed N] [--threads N] [--data FILE] [--out DIR]",
    );
    exit_on_error(run(args));
}
