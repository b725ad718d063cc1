//! GPT-2 against HuggingFace (goldens from `scripts/golden/text_gpt2.py`) on a tiny seeded
//! checkpoint with the real vocabulary: logits, greedy continuations with and without the KV
//! cache, repetition penalty, early EOS, a left-padded batch, and HF's logits processors.

use std::collections::HashMap;
use std::path::PathBuf;

use torch_core::io::load_safetensors_map;
use torch_core::testing::assert_close_tol;
use torch_core::{Generator, Tensor, autograd::no_grad};
use torch_text::models::generation::{repetition_penalty, temperature, top_k, top_p};
use torch_text::{GPT2LMHeadModel, GenerationConfig, KvCache, Tokenizer};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-gpt2")
}

fn golden() -> HashMap<String, Tensor> {
    load_safetensors_map(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/tiny_gpt2.safetensors"),
    )
    .unwrap()
}

fn ids(t: &Tensor) -> Vec<i64> {
    t.to_vec::<i64>().unwrap()
}

fn greedy(n: usize) -> GenerationConfig {
    GenerationConfig {
        max_new_tokens: n,
        ..Default::default()
    }
}

#[test]
fn tiny_gpt2_logits_match_transformers_with_and_without_cache() {
    let g = golden();
    let m = GPT2LMHeadModel::from_pretrained(fixture()).unwrap();
    let tok = Tokenizer::from_pretrained(fixture()).unwrap();
    let _ng = no_grad();
    for i in 0..2 {
        let prompt = &g[&format!("prompt{i}")];
        let text = ["Hello, my dog is cute and", "To be, or not to be: that is"][i];
        assert_eq!(tok.encode(text, true).unwrap().ids, ids(prompt));
        let logits = m.forward(prompt, None, None, None).unwrap();
        let t = prompt.shape()[1];
        assert_close_tol(
            &logits.narrow(-1, 0, 1024).unwrap(),
            &g[&format!("logits{i}_head")],
            0.0,
            1e-4,
        );
        assert_close_tol(
            &logits.select(1, -1).unwrap(),
            &g[&format!("logits{i}_last")],
            0.0,
            1e-4,
        );
        // The same logits a token at a time through the cache.
        let mut cache = KvCache::new();
        m.forward(
            &prompt.narrow(1, 0, t - 2).unwrap(),
            None,
            None,
            Some(&mut cache),
        )
        .unwrap();
        m.forward(
            &prompt.narrow(1, t as i64 - 2, 1).unwrap(),
            None,
            None,
            Some(&mut cache),
        )
        .unwrap();
        let last = m
            .forward(
                &prompt.narrow(1, t as i64 - 1, 1).unwrap(),
                None,
                None,
                Some(&mut cache),
            )
            .unwrap();
        assert_eq!(cache.seq_len(), t);
        assert_close_tol(
            &last.select(1, 0).unwrap(),
            &g[&format!("logits{i}_last")],
            0.0,
            1e-4,
        );
    }
}

#[test]
fn tiny_gpt2_greedy_continuation_equals_transformers() {
    let g = golden();
    let m = GPT2LMHeadModel::from_pretrained(fixture()).unwrap();
    for i in 0..2 {
        let prompt = &g[&format!("prompt{i}")];
        let want = ids(&g[&format!("greedy{i}")]);
        for use_cache in [true, false] {
            let cfg = GenerationConfig {
                use_cache,
                ..greedy(20)
            };
            assert_eq!(
                ids(&m.generate(prompt, None, &cfg, None, None).unwrap()),
                want,
                "prompt {i}, use_cache {use_cache}"
            );
        }
        let rep = GenerationConfig {
            repetition_penalty: 1.3,
            ..greedy(20)
        };
        assert_eq!(
            ids(&m.generate(prompt, None, &rep, None, None).unwrap()),
            ids(&g[&format!("greedy_rep{i}")])
        );
        // Stops after the EOS token (included), as HF.
        let eos = ids(&g[&format!("eos{i}")])[0];
        let cfg = GenerationConfig {
            eos_token_id: Some(eos),
            ..greedy(20)
        };
        let out = m.generate(prompt, None, &cfg, None, None).unwrap();
        assert_eq!(ids(&out), ids(&g[&format!("greedy_eos{i}")]));
    }
    // A left-padded batch continues each prompt as HF does.
    let out = m
        .generate(
            &g["batch_ids"],
            Some(&g["batch_mask"]),
            &greedy(10),
            None,
            None,
        )
        .unwrap();
    assert_eq!(out.shape(), &[2, 20]);
    assert_eq!(ids(&out), ids(&g["batch_greedy"]));
}

#[test]
fn streaming_seeded_sampling_and_decoding() {
    let g = golden();
    let m = GPT2LMHeadModel::from_pretrained(fixture()).unwrap();
    let tok = Tokenizer::from_pretrained(fixture()).unwrap();
    let prompt = &g["prompt0"];
    let mut streamed = Vec::new();
    let mut on_token = |t: &[i64]| streamed.push(t[0]);
    let out = m
        .generate(prompt, None, &greedy(20), None, Some(&mut on_token))
        .unwrap();
    let out = ids(&out);
    assert_eq!(streamed, out[prompt.shape()[1]..]);
    assert_eq!(
        tok.decode(&out, false).unwrap(),
        "Hello, my dog is cute andMattMattarant 416 Salvador Salvador Salvador HPV Verbigningigning layout facilitated hal hal prayedtakertakerLA Mike"
    );

    let sample = GenerationConfig {
        do_sample: true,
        temperature: 0.8,
        top_k: Some(40),
        top_p: 0.95,
        ..greedy(15)
    };
    let a = ids(&m
        .generate(prompt, None, &sample, Some(&Generator::new(7)), None)
        .unwrap());
    let b = ids(&m
        .generate(prompt, None, &sample, Some(&Generator::new(7)), None)
        .unwrap());
    let c = ids(&m
        .generate(prompt, None, &sample, Some(&Generator::new(8)), None)
        .unwrap());
    assert_eq!(a, b, "same seed, same tokens");
    assert_ne!(a, c, "another seed, other tokens");
    assert_eq!(a.len(), prompt.shape()[1] + 15);
    // Sampling with top_k = 1 is greedy.
    let k1 = GenerationConfig {
        do_sample: true,
        top_k: Some(1),
        ..greedy(20)
    };
    assert_eq!(
        ids(&m
            .generate(prompt, None, &k1, Some(&Generator::new(0)), None)
            .unwrap()),
        out
    );
}

/// Equal where finite, -inf at the same places.
fn assert_same_scores(a: &Tensor, b: &Tensor) {
    let (a, b) = (a.to_vec_f64().unwrap(), b.to_vec_f64().unwrap());
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        if y.is_infinite() {
            assert_eq!(x, y, "element {i}");
        } else {
            assert!(
                (x - y).abs() <= 1e-6 * (1.0 + y.abs()),
                "element {i}: {x} vs {y}"
            );
        }
    }
}

#[test]
fn logits_processors_match_transformers() {
    let g = golden();
    let (s, prev) = (&g["proc_scores"], &g["proc_prev"]);
    assert_same_scores(
        &repetition_penalty(s, prev, 1.5).unwrap(),
        &g["proc_rep_1_5"],
    );
    assert_same_scores(&temperature(s, 0.7).unwrap(), &g["proc_temp_0_7"]);
    assert_same_scores(&top_k(s, 5, 1).unwrap(), &g["proc_topk_5"]);
    assert_same_scores(&top_p(s, 0.8, 1).unwrap(), &g["proc_topp_0_8"]);
    assert_same_scores(&top_p(s, 0.3, 3).unwrap(), &g["proc_topp_0_3_keep3"]);
    assert!(repetition_penalty(s, prev, 0.0).is_err());
    assert!(temperature(s, 0.0).is_err());
    assert!(top_p(s, 1.5, 1).is_err());
}

#[test]
fn generate_rejects_bad_input() {
    let m = GPT2LMHeadModel::from_pretrained(fixture()).unwrap();
    let prompt = Tensor::from_vec(vec![1i64, 2, 3], &[1, 3]).unwrap();
    let err = m
        .generate(&prompt, None, &greedy(62), None, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("n_positions"), "{err}");
    let bad_mask = Tensor::from_vec(vec![1i64, 1], &[1, 2]).unwrap();
    assert!(
        m.generate(&prompt, Some(&bad_mask), &greedy(2), None, None)
            .is_err()
    );
    let flat = Tensor::from_vec(vec![1i64, 2, 3], &[3]).unwrap();
    assert!(m.generate(&flat, None, &greedy(2), None, None).is_err());
}

#[test]
fn bare_gpt2_model_loads_the_lm_checkpoint() {
    let g = golden();
    // HF's base-model prefix rule: `transformer.*` keys load into a bare GPT2Model.
    let m = torch_text::GPT2Model::from_pretrained(fixture()).unwrap();
    let _ng = no_grad();
    let h = m.forward(&g["prompt0"], None, None, None).unwrap();
    let logits =
        torch_nn::functional::linear(&h.select(1, -1).unwrap(), &m.wte.weight, None).unwrap();
    assert_close_tol(&logits, &g["logits0_last"], 0.0, 1e-4);
    assert!(
        torch_nn::Module::state_dict(&m)
            .keys()
            .any(|k| k == "h.1.attn.c_attn.weight")
    );
}
