//! Classifies image files with the pretrained MobileNetV2 (torchvision's IMAGENET1K_V1
//! weights, `.pth` or safetensors), printing the top-5 ImageNet classes of each.
//!
//! ```sh
//! cargo run --release -p examples --bin classify -- \
//!     --weights ../shared/data/models/mobilenet_v2/mobilenet_v2-b0353104.pth \
//!     ../shared/data/vision/images/chelsea.png
//! ```
//! Options: `--weights PATH` (required), `--topk N` (5), `--threads N` (all cores); then one
//! or more PNG or JPEG files.

use std::path::{Path, PathBuf};

use examples::classify::{Classifier, format_predictions};
use examples::cli::or_usage;
use examples::progress::spinner;
use torch_core::Result;

struct Args {
    weights: PathBuf,
    topk: usize,
    threads: Option<usize>,
    images: Vec<PathBuf>,
}

fn parse_args() -> std::result::Result<Args, String> {
    let (mut weights, mut topk, mut threads, mut images) = (None, 5, None, Vec::new());
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        if arg == "--help" || arg == "-h" {
            return Err(String::new());
        }
        if !arg.starts_with("--") {
            images.push(PathBuf::from(arg));
            continue;
        }
        let value = it.next().ok_or(format!("{arg} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{arg} {value}: {e}");
        match arg.as_str() {
            "--weights" => weights = Some(PathBuf::from(&value)),
            "--topk" => topk = value.parse().map_err(|e| bad(&e))?,
            "--threads" => threads = Some(value.parse().map_err(|e| bad(&e))?),
            _ => return Err(format!("unknown option {arg}")),
        }
    }
    let weights = weights.ok_or("--weights PATH is required")?;
    if images.is_empty() {
        return Err("no image files given".into());
    }
    Ok(Args {
        weights,
        topk,
        threads,
        images,
    })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Classifies every image; an image that fails is reported and skipped. Returns how many
/// failed.
fn run(args: Args) -> Result<usize> {
    if let Some(t) = args.threads {
        torch_core::set_num_threads(t);
    }
    let bar = spinner(format!(
        "loading MobileNetV2 from {}",
        args.weights.display()
    ));
    let classifier = Classifier::new(&args.weights);
    bar.finish_and_clear();
    let classifier = classifier?;
    let (mut failed, mut printed) = (0, false);
    for path in &args.images {
        let bar = spinner(format!("classifying {}", file_name(path)));
        let predictions = classifier.classify_file(path, args.topk);
        bar.finish_and_clear();
        match predictions {
            Ok(p) => {
                if printed {
                    println!();
                }
                print!("{}", format_predictions(&file_name(path), &p));
                printed = true;
            }
            Err(e) => {
                eprintln!("error: {e}");
                failed += 1;
            }
        }
    }
    Ok(failed)
}

fn main() {
    let args = or_usage(
        parse_args(),
        "classify --weights PATH [--topk N] [--threads N] IMAGE [IMAGE ...]",
    );
    match run(args) {
        Ok(0) => {}
        // Each failed image was reported where it happened.
        Ok(_) => std::process::exit(1),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
