//! Semantic search with sentence embeddings (all-MiniLM-L6-v2, as sentence-transformers
//! computes them): embeds a corpus of sentences and prints, for each query, the closest
//! sentences with their cosine scores.
//!
//! ```sh
//! cargo run --release -p examples --bin bert_embed
//! cargo run --release -p examples --bin bert_embed -- --query "Someone plays an instrument"
//! cargo run --release -p examples --bin bert_embed -- \
//!     --model sentence-transformers/all-MiniLM-L6-v2 --corpus sentences.txt
//! ```
//! Options: `--model DIR|REPO_ID` (`../shared/data/models/all-MiniLM-L6-v2`; a hub id downloads
//! into the hub cache, see `HF_HOME` / `HF_HUB_OFFLINE` / `HF_ENDPOINT`), `--revision REV`
//! (main), `--corpus FILE` (one sentence a line; default: sentence-transformers' semantic
//! search example corpus), `--query TEXT` (repeatable; default: that example's queries),
//! `--topk N` (5), `--threads N`.

use examples::cli::{exit_on_error, or_usage, parse_flags, parse_value};
use examples::pretrained::ModelArgs;
use torch_core::{Error, Result};
use torch_text::SentenceTransformer;

const CORPUS: [&str; 9] = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a horse.",
    "A woman is playing violin.",
    "Two men pushed carts through the woods.",
    "A man is riding a white horse on an enclosed ground.",
    "A monkey is playing drums.",
    "A cheetah is running behind its prey.",
];

const QUERIES: [&str; 3] = [
    "A man is eating pasta.",
    "Someone in a gorilla costume is playing a set of drums.",
    "A cheetah chases prey on across a field.",
];

struct Args {
    model: ModelArgs,
    corpus: Option<String>,
    queries: Vec<String>,
    topk: usize,
}

fn parse_args() -> std::result::Result<Args, String> {
    let mut a = Args {
        model: ModelArgs::new("../shared/data/models/all-MiniLM-L6-v2"),
        corpus: None,
        queries: Vec::new(),
        topk: 5,
    };
    parse_flags(std::env::args().skip(1), |flag, value| {
        match flag {
            "--corpus" => a.corpus = Some(value),
            "--query" => a.queries.push(value),
            "--topk" => a.topk = parse_value(flag, &value)?,
            _ if a.model.take(flag, &value)? => {}
            _ => return Err(format!("unknown option {flag}")),
        }
        Ok(())
    })?;
    Ok(a)
}

fn run(a: Args) -> Result<()> {
    let corpus: Vec<String> = match &a.corpus {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| Error::io(path, e))?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        None => CORPUS.iter().map(|s| s.to_string()).collect(),
    };
    let queries: Vec<String> = if a.queries.is_empty() {
        QUERIES.iter().map(|s| s.to_string()).collect()
    } else {
        a.queries
    };
    let model = a
        .model
        .load(|name, hub| SentenceTransformer::from_pretrained_with(name, hub))?;
    let start = std::time::Instant::now();
    let corpus_refs: Vec<&str> = corpus.iter().map(String::as_str).collect();
    let corpus_emb = model.encode(&corpus_refs, 32)?;
    let query_refs: Vec<&str> = queries.iter().map(String::as_str).collect();
    let query_emb = model.encode(&query_refs, 32)?;
    let scores = model.similarity(&query_emb, &corpus_emb)?; // (queries, corpus)
    println!(
        "{}: {} sentences and {} queries embedded ({} dims) in {:.0} ms",
        a.model.model,
        corpus.len(),
        queries.len(),
        corpus_emb.shape()[1],
        start.elapsed().as_secs_f64() * 1e3
    );
    let k = a.topk.min(corpus.len());
    for (q, query) in queries.iter().enumerate() {
        let (values, indices) = scores.select(0, q as i64)?.topk(k, -1, true)?;
        println!("\nQuery: {query}\nTop {k} most similar sentences in corpus:");
        let values = values.to_vec::<f32>()?;
        for (score, i) in values.iter().zip(indices.to_vec::<i64>()?) {
            println!("  {score:.4}  {}", corpus[i as usize]);
        }
    }
    Ok(())
}

fn main() {
    let usage = "bert_embed [--model DIR|REPO_ID] [--revision REV] [--corpus FILE] \
                 [--query TEXT]... [--topk N] [--threads N]";
    exit_on_error(run(or_usage(parse_args(), usage)));
}
