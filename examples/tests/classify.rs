//! The `classify` example's library function on the real MobileNetV2 weights
//! (`shared_data()/models/mobilenet_v2`) and two real photos, against torchvision's top-5
//! indices and probabilities from scripts/golden/classify.py (same preprocessing on the
//! uint8 tensor: Resize(256) bilinear antialias, CenterCrop(224), ToDtype scale, Normalize).

use std::path::{Path, PathBuf};

use examples::classify::{Classifier, format_predictions};
use serde_json::Value;
use torch_core::testing::shared_data;

fn golden() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/classify.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn weights(file: &str) -> PathBuf {
    shared_data().join("models/mobilenet_v2").join(file)
}

fn image(name: &str) -> PathBuf {
    shared_data()
        .join("vision/images")
        .join(format!("{name}.png"))
}

#[test]
fn classify_top5_matches_torchvision() {
    let g = golden();
    let classifier = Classifier::new(&weights("mobilenet_v2_imagenet1k_v1.safetensors")).unwrap();
    for (img, top1) in [("chelsea", "Egyptian cat"), ("coffee", "espresso")] {
        let preds = classifier.classify_file(&image(img), 5).unwrap();
        assert_eq!(preds.len(), 5);
        assert_eq!(preds[0].class, top1, "{img}: top-1");
        let want_idx: Vec<usize> = g[img]["indices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        let got_idx: Vec<usize> = preds.iter().map(|p| p.index).collect();
        assert_eq!(got_idx, want_idx, "{img}: top-5 indices");
        for (p, want) in preds
            .iter()
            .zip(g[img]["probabilities"].as_array().unwrap())
        {
            let want = want.as_f64().unwrap();
            assert!(
                (p.probability - want).abs() <= 1e-3,
                "{img} {}: probability {} vs torchvision {want}",
                p.class,
                p.probability
            );
        }
        let names: Vec<&str> = g[img]["classes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let got_names: Vec<&str> = preds.iter().map(|p| p.class).collect();
        assert_eq!(got_names, names);
        let text = format_predictions(&format!("{img}.png"), &preds);
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(format!("{img}.png").as_str()));
        let first = lines.next().unwrap();
        assert!(first.trim_start().starts_with("1. "), "{first}");
        assert!(first.contains(top1), "{first}");
        assert!(
            first.ends_with(&format!("{:.2}%", 100.0 * preds[0].probability)),
            "{first}"
        );
        assert_eq!(lines.count(), 4);
    }
}

#[test]
fn classify_missing_weights_is_an_error_naming_the_file() {
    let err = Classifier::new(Path::new("/no/such/mobilenet.pth"))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("/no/such/mobilenet.pth"), "{err}");
}

#[test]
fn classify_unreadable_image_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("not_an_image.png");
    std::fs::write(&bad, b"hello").unwrap();
    let classifier = Classifier::new(&weights("mobilenet_v2-b0353104.pth")).unwrap();
    let err = classifier.classify_file(&bad, 5).unwrap_err().to_string();
    assert!(err.contains("not_an_image.png"), "{err}");
    let missing = dir.path().join("missing.jpg");
    let err = classifier
        .classify_file(&missing, 5)
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing.jpg"), "{err}");
    // topk larger than the 1000 classes is torch's topk error, not a panic.
    let err = classifier
        .classify_file(&image("coffee"), 1001)
        .unwrap_err()
        .to_string();
    assert!(err.contains("topk"), "{err}");
}
