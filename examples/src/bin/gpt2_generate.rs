//! Text generation with GPT-2 (`GPT2LMHeadModel.generate`), streaming the new text to stdout
//! as each token comes, with the KV cache.
//!
//! ```sh
//! cargo run --release -p examples --bin gpt2_generate -- --prompt "Hello, my dog is"
//! cargo run --release -p examples --bin gpt2_generate -- --model gpt2 \
//!     --prompt "The meaning of life is" --max-new-tokens 40 --temperature 0.8 --top-k 50 --seed 1
//! ```
//! Options: `--model DIR|REPO_ID` (the committed tiny test checkpoint
//! `text/tests/fixtures/tiny-gpt2`, random weights with the real GPT-2 vocabulary; `gpt2` is
//! the real one from the hub, cached under `HF_HOME`), `--revision REV` (main), `--prompt
//! TEXT`, `--max-new-tokens N` (30), `--temperature F` (0 = greedy, the default; above 0
//! samples), `--top-k N` (50; 0 = off), `--top-p F` (1.0 = off), `--repetition-penalty F`
//! (1.0), `--seed N` (0), `--threads N`.

use std::io::Write;

use examples::cli::{exit_on_error, or_usage, parse_flags, parse_value};
use examples::pretrained::ModelArgs;
use torch_core::{Generator, Result, Tensor};
use torch_text::{GPT2LMHeadModel, GenerationConfig, Tokenizer};

struct Args {
    model: ModelArgs,
    prompt: String,
    cfg: GenerationConfig,
    seed: u64,
}

fn parse_args() -> std::result::Result<Args, String> {
    let mut a = Args {
        model: ModelArgs::new("text/tests/fixtures/tiny-gpt2"),
        prompt: "Hello, my dog is cute and".into(),
        cfg: GenerationConfig {
            max_new_tokens: 30,
            temperature: 0.0,
            ..Default::default()
        },
        seed: 0,
    };
    parse_flags(std::env::args().skip(1), |flag, value| {
        let c = &mut a.cfg;
        match flag {
            "--prompt" => a.prompt = value,
            "--max-new-tokens" => c.max_new_tokens = parse_value(flag, &value)?,
            "--temperature" => c.temperature = parse_value(flag, &value)?,
            "--top-k" => c.top_k = Some(parse_value(flag, &value)?),
            "--top-p" => c.top_p = parse_value(flag, &value)?,
            "--repetition-penalty" => c.repetition_penalty = parse_value(flag, &value)?,
            "--seed" => a.seed = parse_value(flag, &value)?,
            _ if a.model.take(flag, &value)? => {}
            _ => return Err(format!("unknown option {flag}")),
        }
        Ok(())
    })?;
    if a.cfg.temperature < 0.0 {
        return Err("--temperature must be >= 0".into());
    }
    // Temperature 0 means greedy decoding (transformers' do_sample=False).
    a.cfg.do_sample = a.cfg.temperature > 0.0;
    if !a.cfg.do_sample {
        a.cfg.temperature = 1.0;
    }
    Ok(a)
}

/// Prints the text the generated ids add, as transformers' `TextStreamer` does: the whole
/// continuation is decoded each step and only the new, complete part printed (a token may end
/// in the middle of a UTF-8 character, which the next one completes).
struct Streamer<'a> {
    tokenizer: &'a Tokenizer,
    ids: Vec<i64>,
    printed: usize,
    error: Option<torch_core::Error>,
}

impl Streamer<'_> {
    fn push(&mut self, token: i64) {
        self.ids.push(token);
        self.print_new(false);
    }

    /// Prints the decoded text past what is already out; unless `at_end`, waits while it ends
    /// in a partial character. Decoding more ids could in principle rewrite earlier text: only
    /// a clean extension of what is out is printed.
    fn print_new(&mut self, at_end: bool) {
        match self.tokenizer.decode(&self.ids, true) {
            Ok(text) if at_end || !text.ends_with('\u{FFFD}') => {
                if let Some(new) = text.get(self.printed..).filter(|n| !n.is_empty()) {
                    print!("{new}");
                    let _ = std::io::stdout().flush();
                    self.printed = text.len();
                }
            }
            Ok(_) => {}
            Err(e) => self.error = Some(e),
        }
    }
}

fn run(a: Args) -> Result<()> {
    let (model, tokenizer) = a.model.load(|name, hub| {
        let model = GPT2LMHeadModel::from_pretrained_with(name, hub)?;
        Ok::<_, torch_core::Error>((model, Tokenizer::from_pretrained_with(name, hub)?))
    })?;
    let prompt = tokenizer.encode(&a.prompt, true)?.ids;
    let input = Tensor::from_slice(&prompt, &[1, prompt.len()])?;
    let generator = Generator::new(a.seed);
    let mut streamer = Streamer {
        tokenizer: &tokenizer,
        ids: Vec::new(),
        printed: 0,
        error: None,
    };
    print!("{}", a.prompt);
    let start = std::time::Instant::now();
    let out = model.generate(
        &input,
        None,
        &a.cfg,
        Some(&generator),
        Some(&mut |step: &[i64]| streamer.push(step[0])),
    )?;
    let secs = start.elapsed().as_secs_f64();
    streamer.print_new(true);
    if let Some(e) = streamer.error {
        return Err(e);
    }
    let new = out.shape()[1] - prompt.len();
    println!();
    eprintln!(
        "[{} prompt tokens, {new} new tokens in {secs:.2} s: {:.1} tokens/s, {}]",
        prompt.len(),
        new as f64 / secs.max(1e-9),
        if a.cfg.do_sample { "sampled" } else { "greedy" }
    );
    Ok(())
}

fn main() {
    let usage = "gpt2_generate [--model DIR|REPO_ID] [--revision REV] [--prompt TEXT] \
                 [--max-new-tokens N] [--temperature F] [--top-k N] [--top-p F] \
                 [--repetition-penalty F] [--seed N] [--threads N]";
    exit_on_error(run(or_usage(parse_args(), usage)));
}
