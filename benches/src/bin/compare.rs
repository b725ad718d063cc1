//! Times every anchor workload at each requested thread count and prints one JSON line per
//! (workload, threads), the format `compare/bench_torch.py` prints for PyTorch and
//! `compare/table.py` joins into the comparison table.
//!
//! ```text
//! compare [--threads 1,2] [--filter SUBSTR] [--min-secs 1.0]
//! ```

use benches::{median_time, workloads};
use serde_json::json;

struct Args {
    threads: Vec<usize>,
    filter: Option<String>,
    min_secs: f64,
}

fn usage() -> ! {
    eprintln!("usage: compare [--threads 1,2] [--filter SUBSTR] [--min-secs SECS]");
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut args = Args {
        threads: Vec::new(),
        filter: None,
        min_secs: 1.0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let val = it.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--threads" => {
                for t in val.split(',') {
                    args.threads
                        .push(t.trim().parse().unwrap_or_else(|_| usage()));
                }
            }
            "--filter" => args.filter = Some(val),
            "--min-secs" => args.min_secs = val.parse().unwrap_or_else(|_| usage()),
            _ => usage(),
        }
    }
    if args.threads.is_empty() {
        args.threads = vec![1, 2];
    }
    args
}

fn main() {
    let args = parse_args();
    for w in workloads() {
        if args.filter.as_deref().is_some_and(|f| !w.name.contains(f)) {
            continue;
        }
        for &t in &args.threads {
            torch_core::set_num_threads(t);
            let run = w.setup().expect("workload setup failed");
            let min_iters = if w.heavy { 5 } else { 20 };
            let timing = median_time(run, min_iters, args.min_secs).expect("workload failed");
            let (figure, unit) = w.metric.figure(timing.median_s);
            println!(
                "{}",
                json!({
                    "impl": "ours",
                    "workload": w.name,
                    "threads": t,
                    "median_s": timing.median_s,
                    "figure": figure,
                    "unit": unit,
                    "higher_is_better": w.metric.higher_is_better(),
                    "samples": timing.samples,
                    "batch": timing.batch,
                })
            );
        }
    }
}
