//! A character-level transformer trained on Shakespeare's Hamlet
//! (`shared/data/text/hamlet.txt`, cut into 128-character blocks), for a few minutes by
//! default; prints train and held-out loss, writes the curves (PNG), then samples text.
//!
//! ```sh
//! cargo run --release -p examples --bin char_lm -- --minutes 3 --temperature 0.8
//! ```
//! Options: `--epochs N` (100: an upper bound, `--minutes` usually ends training first),
//! `--minutes F` (3), `--batch-size N` (32), `--lr F` (2e-3), `--seed N` (0), `--threads N`,
//! `--data FILE` (../shared/data/text/hamlet.txt), `--out DIR` (runs/char_lm),
//! `--temperature F` (0.8), `--sample-len N` (400), `--prompt TEXT` ("HAMLET:").

use std::path::PathBuf;
use std::time::Instant;

use examples::char_lm::{CharLmConfig, CharTransformer};
use examples::cli::{TrainArgs, exit_on_error, or_usage, parse_train_args_with};
use examples::epoch::{adam, run_epoch};
use examples::plot::{Chart, Series, save_png};
use torch_core::data::Dataset;
use torch_core::{Error, Generator, Result, Tensor, autograd};
use torch_nn::Module;
use torch_nn::optim::Optimizer;
use torch_text::data_utils::character;
use torch_text::datasets::LanguageModelingDataset;
use torch_text::{BuildVocabOptions, Vocab};

struct Extra {
    minutes: f64,
    temperature: f64,
    sample_len: usize,
    prompt: String,
}

/// Stacks blocks `pick` of `ds` into `(B, T)` inputs and targets.
fn batch(ds: &LanguageModelingDataset, pick: &[usize]) -> Result<(Tensor, Tensor)> {
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for &i in pick {
        let (x, y) = ds.get(i)?;
        xs.push(x);
        ys.push(y);
    }
    fn refs(v: &[Tensor]) -> Vec<&Tensor> {
        v.iter().collect()
    }
    Ok((Tensor::stack(&refs(&xs), 0)?, Tensor::stack(&refs(&ys), 0)?))
}

/// Mean loss over every block of `ds` (eval mode, no autograd).
fn eval_loss(net: &CharTransformer, ds: &LanguageModelingDataset) -> Result<f64> {
    let _g = autograd::no_grad();
    let all: Vec<usize> = (0..ds.len()).collect();
    let mut sum = 0.0;
    for pick in all.chunks(64) {
        let (x, y) = batch(ds, pick)?;
        sum += net.loss(&x, &y)?.item()? * pick.len() as f64;
    }
    Ok(sum / ds.len().max(1) as f64)
}

fn run(args: TrainArgs, extra: Extra) -> Result<()> {
    if let Some(t) = args.threads {
        torch_core::set_num_threads(t);
    }
    torch_core::manual_seed(args.seed);
    let started = Instant::now();
    let text = std::fs::read_to_string(&args.data).map_err(|e| Error::io(&args.data, e))?;
    let chars = character(&text);
    let mut vocab = Vocab::build_from_iterator([&chars], &BuildVocabOptions::default())?;
    vocab.set_default_index(Some(0));
    let ids: Vec<i64> = vocab
        .lookup_indices(&chars)?
        .into_iter()
        .map(|i| i as i64)
        .collect();
    // The last tenth of the play is held out.
    let cut = ids.len() * 9 / 10;
    let config = CharLmConfig::small(vocab.len());
    let train = LanguageModelingDataset::new(ids[..cut].to_vec(), config.block_size)?;
    let val = LanguageModelingDataset::new(ids[cut..].to_vec(), config.block_size)?;
    let net = CharTransformer::new(&config)?;
    let params: usize = net.parameters().iter().map(|p| p.numel()).sum();
    println!(
        "Hamlet: {} characters ({} distinct) from {}; {} train / {} held-out blocks of {}; model {params} parameters",
        chars.len(),
        vocab.len(),
        args.data.display(),
        train.len(),
        val.len(),
        config.block_size
    );
    let mut opt = adam(&net, args.lr)?;
    let shuffle = Generator::new(args.seed);
    let (mut losses, mut epoch_losses, mut val_losses) = (Vec::new(), Vec::new(), Vec::new());
    let budget = extra.minutes * 60.0;
    for epoch in 1..=args.epochs {
        net.train(true);
        let sizes = (train.len(), args.batch_size);
        let (secs, mean_loss) =
            run_epoch((epoch, args.epochs), sizes, &shuffle, &mut losses, |pick| {
                let (x, y) = batch(&train, pick)?;
                opt.zero_grad();
                let loss = net.loss(&x, &y)?;
                loss.backward()?;
                opt.step()?;
                loss.item()
            })?;
        net.train(false);
        let vl = eval_loss(&net, &val)?;
        epoch_losses.push((epoch as f64, mean_loss));
        val_losses.push((epoch as f64, vl));
        println!("epoch {epoch}: train loss {mean_loss:.4}, held-out loss {vl:.4}, {secs:.1} s");
        if started.elapsed().as_secs_f64() >= budget {
            println!("time budget of {} min reached", extra.minutes);
            break;
        }
    }
    std::fs::create_dir_all(&args.out).map_err(|e| Error::io(&args.out, e))?;
    let curves = args.out.join("curves.png");
    save_png(
        &curves,
        &[Chart::new(
            "Character-level cross-entropy",
            "epoch",
            "loss (nats/char)",
            vec![
                Series::new("train, per batch", losses),
                Series::new("train, epoch mean", epoch_losses),
                Series::new("held out", val_losses),
            ],
        )],
    )?;
    let prompt: Vec<i64> = vocab
        .lookup_indices(&character(&extra.prompt))?
        .into_iter()
        .map(|i| i as i64)
        .collect();
    let out = net.sample(
        &prompt,
        extra.sample_len,
        extra.temperature,
        &Generator::new(args.seed),
    )?;
    let out: Vec<usize> = out.into_iter().map(|i| i as usize).collect();
    println!(
        "--- sample (temperature {}, seed {}) ---\n{}{}\n---",
        extra.temperature,
        args.seed,
        extra.prompt,
        vocab.lookup_tokens(&out)?.concat()
    );
    println!(
        "done in {:.1} s; curves in {}",
        started.elapsed().as_secs_f64(),
        curves.display()
    );
    Ok(())
}

fn main() {
    let mut extra = Extra {
        minutes: 3.0,
        temperature: 0.8,
        sample_len: 400,
        prompt: "HAMLET:".into(),
    };
    let args = or_usage(
        parse_train_args_with(
            TrainArgs {
                epochs: 100,
                batch_size: 32,
                lr: 2e-3,
                seed: 0,
                threads: None,
                data: PathBuf::from("../shared/data/text/hamlet.txt"),
                out: PathBuf::from("runs/char_lm"),
            },
            |flag, value| {
                let bad = |e: &dyn std::fmt::Display| format!("{flag} {value}: {e}");
                match flag {
                    "--minutes" => extra.minutes = value.parse().map_err(|e| bad(&e))?,
                    "--temperature" => extra.temperature = value.parse().map_err(|e| bad(&e))?,
                    "--sample-len" => extra.sample_len = value.parse().map_err(|e| bad(&e))?,
                    "--prompt" => extra.prompt = value.into(),
                    _ => return Ok(false),
                }
                Ok(true)
            },
        ),
        "char_lm [--epochs N] [--minutes F] [--batch-size N] [--lr F] [--seed N] [--threads N] [--data FILE] [--out DIR] [--temperature F] [--sample-len N] [--prompt TEXT]",
    );
    exit_on_error(run(args, extra));
}
