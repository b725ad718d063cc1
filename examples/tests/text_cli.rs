//! The text examples' binaries end to end: `gpt2_generate` streams the tiny GPT-2's greedy
//! continuation (the ids transformers generated, `text/tests/golden`), and `bert_embed` ranks
//! a corpus with sentence-transformers' cosine scores for MiniLM.

use std::path::{Path, PathBuf};
use std::process::Command;

use torch_core::io::load_safetensors_map;
use torch_core::testing::shared_data;
use torch_text::Tokenizer;

fn text_dir(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../text/tests")
        .join(rel)
}

/// Runs an example binary on one thread and returns its standard output.
fn run(bin: &str, args: &[&str]) -> String {
    let out = Command::new(bin)
        .args(args)
        .args(["--threads", "1"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{bin} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn gpt2_generate_streams_the_greedy_continuation() {
    let model = text_dir("fixtures/tiny-gpt2");
    let golden = load_safetensors_map(text_dir("golden/tiny_gpt2.safetensors")).unwrap();
    let prompt_len = golden["prompt0"].shape()[1];
    let ids = golden["greedy0"].to_vec::<i64>().unwrap();
    let tok = Tokenizer::from_pretrained(&model).unwrap();
    let prompt = "Hello, my dog is cute and";
    let want = format!(
        "{prompt}{}\n",
        tok.decode(&ids[prompt_len..], true).unwrap()
    );
    let args = [
        "--model",
        model.to_str().unwrap(),
        "--prompt",
        prompt,
        "--max-new-tokens",
        "20",
    ];
    assert_eq!(run(env!("CARGO_BIN_EXE_gpt2_generate"), &args), want);
}

#[test]
fn bert_embed_ranks_the_corpus_with_sentence_transformers_scores() {
    let golden = load_safetensors_map(text_dir("golden/minilm.safetensors")).unwrap();
    // Row 0 of the golden similarities: "The weather is lovely today." against these two.
    let sims = golden["similarities"].to_vec::<f32>().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus.txt");
    std::fs::write(
        &corpus,
        "He drove to the stadium.\nIt's so sunny outside!\n",
    )
    .unwrap();
    let model = shared_data().join("models/all-MiniLM-L6-v2");
    let args = [
        "--model",
        model.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
        "--query",
        "The weather is lovely today.",
        "--topk",
        "2",
    ];
    let out = run(env!("CARGO_BIN_EXE_bert_embed"), &args);
    let hits: Vec<(f32, &str)> = out
        .lines()
        .skip_while(|l| !l.starts_with("Top 2"))
        .skip(1)
        .map(|l| {
            let (score, text) = l.trim().split_once("  ").unwrap();
            (score.parse().unwrap(), text)
        })
        .collect();
    assert_eq!(hits.len(), 2, "{out}");
    assert_eq!(hits[0].1, "It's so sunny outside!");
    assert_eq!(hits[1].1, "He drove to the stadium.");
    // Printed with four decimals.
    assert!(
        (hits[0].0 - sims[1]).abs() <= 6e-5,
        "{} vs {}",
        hits[0].0,
        sims[1]
    );
    assert!(
        (hits[1].0 - sims[2]).abs() <= 6e-5,
        "{} vs {}",
        hits[1].0,
        sims[2]
    );
}
