//! Silero VAD against the official model (goldens from `scripts/golden/audio_silero.py`:
//! the silero-vad package's OnnxWrapper on onnxruntime): per-chunk speech probabilities of
//! LibriVox speech within 1e-5 (measured 6.6e-7), the same speech segments as `get_speech_timestamps`, and the
//! segmenting rules alone on seeded probabilities with several options.

use torch_audio::io::{LoadOptions, load};
use torch_audio::models::{SileroVad, SpeechTimestampsOptions, get_speech_timestamps_from_probs};
use torch_core::Tensor;
use torch_core::testing::shared_data;

fn golden() -> serde_json::Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/silero_vad.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn librivox(n: &str) -> Tensor {
    let p = shared_data().join(format!(
        "audio/librivox/sense_and_sensibility_01_austen_64kb-{n}.wav"
    ));
    load(p, LoadOptions::default())
        .unwrap()
        .0
        .reshape(&[-1])
        .unwrap()
}

fn segments(v: &serde_json::Value) -> Vec<(usize, usize)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s[0].as_u64().unwrap() as usize,
                s[1].as_u64().unwrap() as usize,
            )
        })
        .collect()
}

#[test]
fn speech_probabilities_and_segments_match_the_official_model() {
    let g = golden();
    let path = shared_data().join("models/silero-vad/silero_vad_v6_16k_from_onnx.safetensors");
    let vad = SileroVad::from_safetensors(path).unwrap();
    let silence = Tensor::zeros(&[16000], Default::default()).unwrap();
    let joined = Tensor::cat(&[&librivox("0880"), &silence, &librivox("0930")], 0).unwrap();
    for (key, wav) in [
        ("0870", librivox("0870")),
        ("0890", librivox("0890")),
        ("0880+silence+0930", joined),
    ] {
        let probs = vad.speech_probs(&wav).unwrap();
        let want: Vec<f64> = g[key]["probs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(probs.len(), want.len(), "{key}");
        let worst = probs
            .iter()
            .zip(&want)
            .map(|(a, b)| (*a as f64 - b).abs())
            .fold(0.0, f64::max);
        assert!(worst < 1e-5, "{key}: max probability error {worst}");
        println!(
            "{key}: {} chunks, max probability error {worst:.1e}",
            probs.len()
        );
        let segs =
            get_speech_timestamps_from_probs(&probs, Some(wav.shape()[0]), &Default::default());
        assert_eq!(segs, segments(&g[key]["segments"]), "{key}");
    }
    assert_eq!(segments(&g["0880+silence+0930"]["segments"]).len(), 2);
}

#[test]
fn segmenting_rules_match_get_speech_timestamps_from_probs() {
    let g = golden();
    let rules = &g["rules"];
    let probs: Vec<f32> = rules["probs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap() as f32)
        .collect();
    let len = rules["audio_length_samples"].as_u64().unwrap() as usize;
    for case in rules["cases"].as_array().unwrap() {
        let kw = &case["options"];
        let d = SpeechTimestampsOptions::default();
        let o = SpeechTimestampsOptions {
            threshold: kw["threshold"].as_f64().unwrap_or(d.threshold),
            min_speech_duration_ms: kw["min_speech_duration_ms"]
                .as_u64()
                .map_or(d.min_speech_duration_ms, |v| v as u32),
            max_speech_duration_s: kw["max_speech_duration_s"]
                .as_f64()
                .unwrap_or(d.max_speech_duration_s),
            min_silence_duration_ms: kw["min_silence_duration_ms"]
                .as_u64()
                .map_or(d.min_silence_duration_ms, |v| v as u32),
            speech_pad_ms: kw["speech_pad_ms"]
                .as_u64()
                .map_or(d.speech_pad_ms, |v| v as u32),
            use_max_poss_sil_at_max_speech: kw["use_max_poss_sil_at_max_speech"]
                .as_bool()
                .unwrap_or(true),
            ..d
        };
        assert_eq!(
            get_speech_timestamps_from_probs(&probs, Some(len), &o),
            segments(&case["segments"]),
            "{kw}"
        );
    }
}

#[test]
fn bad_chunks_and_checkpoints_are_errors() {
    let vad = SileroVad::new().unwrap();
    assert!(
        vad.forward_chunk(&Tensor::zeros(&[1, 512], Default::default()).unwrap(), None)
            .is_err()
    );
    assert!(
        vad.speech_probs(&Tensor::zeros(&[2, 512], Default::default()).unwrap())
            .is_err()
    );
    let m5 = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/m5.safetensors");
    let err = SileroVad::from_safetensors(&m5)
        .err()
        .expect("an M5 file is not a Silero VAD");
    assert!(
        err.to_string().contains("m5.safetensors") || err.to_string().contains("missing"),
        "{err}"
    );
}
