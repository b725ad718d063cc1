//! Peak resident memory of all-MiniLM-L6-v2 inference, whole process: loads the model, runs
//! `--iters` forwards of `(--batch, 128)` ids under no_grad, then prints VmHWM from
//! `/proc/self/status` as one JSON line. `compare/minilm_rss_torch.py` does the same in
//! PyTorch.
//!
//! ```text
//! minilm_rss [--batch 16] [--iters 3] [--threads 1]
//! ```

use benches::text_workloads::{MINILM_SEQ, minilm_dir, token_ids};
use serde_json::json;
use torch_core::autograd::no_grad;
use torch_core::{Error, Result};
use torch_text::BertModel;

/// `VmHWM` (peak resident set) of this process in KiB.
fn vm_hwm_kib() -> Result<u64> {
    let path = "/proc/self/status";
    let s = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| Error::format(path, "no VmHWM line"))
}

fn run(batch: usize, iters: usize, threads: usize) -> Result<()> {
    torch_core::set_num_threads(threads);
    let model = BertModel::from_pretrained(minilm_dir())?;
    let ids = token_ids(batch, MINILM_SEQ)?;
    let mask = ids.ones_like()?;
    let _g = no_grad();
    for _ in 0..iters {
        std::hint::black_box(model.forward(&ids, Some(&mask), None)?);
    }
    let kib = vm_hwm_kib()?;
    println!(
        "{}",
        json!({"impl": "ours", "batch": batch, "iters": iters, "threads": threads,
               "vm_hwm_mib": kib as f64 / 1024.0})
    );
    Ok(())
}

fn main() {
    let mut opts = [16usize, 3, 1];
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let slot = match flag.as_str() {
            "--batch" => 0,
            "--iters" => 1,
            "--threads" => 2,
            _ => {
                eprintln!("usage: minilm_rss [--batch N] [--iters N] [--threads N]");
                std::process::exit(2)
            }
        };
        match it.next().and_then(|v| v.parse().ok()) {
            Some(v) => opts[slot] = v,
            None => {
                eprintln!("{flag} needs a number");
                std::process::exit(2)
            }
        }
    }
    if let Err(e) = run(opts[0], opts[1], opts[2]) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
