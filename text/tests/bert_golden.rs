//! BERT against HuggingFace (goldens from `scripts/golden/text_bert.py`): all-MiniLM-L6-v2
//! sentence embeddings from sentence-transformers and the model card's similarities, and a
//! tiny random BertForMaskedLM / BertForSequenceClassification from transformers.

use std::collections::HashMap;
use std::path::PathBuf;

use torch_core::io::load_safetensors_map;
use torch_core::testing::{assert_close_tol, shared_data};
use torch_core::{Tensor, autograd::no_grad};
use torch_nn::Module;
use torch_text::{BertForMaskedLM, BertForSequenceClassification, BertModel, SentenceTransformer};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn golden(name: &str) -> HashMap<String, Tensor> {
    load_safetensors_map(crate_dir().join("tests/golden").join(name)).unwrap()
}

const SENTENCES: [&str; 5] = [
    "The weather is lovely today.",
    "It's so sunny outside!",
    "He drove to the stadium.",
    "A man is playing a guitar on the street, while people walk past and listen.",
    "Café naïve — 東京 😀",
];

fn max_abs_diff(a: &Tensor, b: &Tensor) -> f64 {
    a.to_vec_f64()
        .unwrap()
        .iter()
        .zip(b.to_vec_f64().unwrap())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn minilm_sentence_embeddings_match_sentence_transformers() {
    let g = golden("minilm.safetensors");
    let st = SentenceTransformer::from_pretrained(shared_data().join("models/all-MiniLM-L6-v2"))
        .unwrap();
    assert_eq!(st.max_seq_length, 256);
    assert!(st.normalize);
    let emb = st.encode(&SENTENCES, 32).unwrap();
    assert_eq!(emb.shape(), &[5, 384]);
    let d = max_abs_diff(&emb, &g["embeddings"]);
    assert!(d <= 1e-5, "max abs diff {d}");
    // Batches of 2 pad differently; the embeddings do not change.
    let d2 = max_abs_diff(&st.encode(&SENTENCES, 2).unwrap(), &g["embeddings"]);
    assert!(d2 <= 1e-5, "max abs diff {d2} with batch size 2");

    // The model card's example: similarities printed as 1.0000, 0.6660, 0.1046, 0.1411.
    let e3 = emb.narrow(0, 0, 3).unwrap();
    let sim = st.similarity(&e3, &e3).unwrap();
    let published = Tensor::from_vec(
        vec![
            1.0f32, 0.6660, 0.1046, 0.6660, 1.0, 0.1411, 0.1046, 0.1411, 1.0,
        ],
        &[3, 3],
    )
    .unwrap();
    assert_close_tol(&sim, &published, 0.0, 5e-5);
    assert_close_tol(&sim, &g["similarities"], 0.0, 1e-5);
}

#[test]
fn minilm_bert_model_hidden_states_match_transformers() {
    let g = golden("minilm.safetensors");
    let m = BertModel::from_pretrained(shared_data().join("models/all-MiniLM-L6-v2")).unwrap();
    let _ng = no_grad();
    let out = m
        .forward(&g["input_ids"], Some(&g["attention_mask"]), None)
        .unwrap();
    // Only unpadded positions are compared: HF's padded rows are not used by anything.
    let mask = g["attention_mask"]
        .unsqueeze(-1)
        .unwrap()
        .to_dtype(torch_core::DType::F32)
        .unwrap();
    let ours = out.last_hidden_state.mul(&mask).unwrap();
    let theirs = g["last_hidden_state"].mul(&mask).unwrap();
    assert_close_tol(&ours, &theirs, 0.0, 1e-4);
    assert_close_tol(
        out.pooler_output.as_ref().unwrap(),
        &g["pooler_output"],
        0.0,
        1e-5,
    );
}

#[test]
fn tiny_bert_heads_match_transformers() {
    let g = golden("tiny_bert.safetensors");
    let (ids, mask, types) = (&g["input_ids"], &g["attention_mask"], &g["token_type_ids"]);
    let _ng = no_grad();
    let mlm =
        BertForMaskedLM::from_pretrained(crate_dir().join("tests/fixtures/tiny-bert-mlm")).unwrap();
    assert_close_tol(
        &mlm.forward(ids, Some(mask), Some(types)).unwrap(),
        &g["mlm_logits"],
        1e-5,
        1e-5,
    );
    assert_close_tol(
        &mlm.forward(ids, None, None).unwrap(),
        &g["mlm_logits_no_mask"],
        1e-5,
        1e-5,
    );
    assert!(
        mlm.state_dict()
            .keys()
            .any(|k| k == "cls.predictions.transform.LayerNorm.weight")
    );

    let cls = BertForSequenceClassification::from_pretrained(
        crate_dir().join("tests/fixtures/tiny-bert-cls"),
    )
    .unwrap();
    assert_eq!(cls.classifier.out_features, 3);
    assert_close_tol(
        &cls.forward(ids, Some(mask), Some(types)).unwrap(),
        &g["cls_logits"],
        1e-5,
        1e-5,
    );
    // The bare model loads from the prefixed checkpoint (HF's base-model prefix rule).
    let base =
        BertModel::from_pretrained(crate_dir().join("tests/fixtures/tiny-bert-cls")).unwrap();
    let out = base.forward(ids, Some(mask), Some(types)).unwrap();
    assert_close_tol(&out.pooler_output.unwrap(), &g["pooler_output"], 1e-5, 1e-5);
}

#[test]
fn hf_key_names_are_kept() {
    let m = BertModel::from_pretrained(shared_data().join("models/all-MiniLM-L6-v2")).unwrap();
    let keys: Vec<String> = m.state_dict().keys().map(str::to_string).collect();
    for k in [
        "embeddings.word_embeddings.weight",
        "encoder.layer.0.attention.self.query.weight",
        "encoder.layer.5.output.LayerNorm.bias",
        "pooler.dense.weight",
    ] {
        assert!(keys.iter().any(|x| x == k), "missing {k}");
    }
    assert_eq!(m.num_parameters(), 22_713_216);
}

#[test]
fn tiny_bert_classifier_training_step_matches_transformers() {
    use torch_nn::functional::{CrossEntropyOptions, cross_entropy};
    let g = golden("tiny_bert.safetensors");
    let m = BertForSequenceClassification::from_pretrained(
        crate_dir().join("tests/fixtures/tiny-bert-cls"),
    )
    .unwrap();
    let logits = m
        .forward(
            &g["input_ids"],
            Some(&g["attention_mask"]),
            Some(&g["token_type_ids"]),
        )
        .unwrap();
    let labels = Tensor::from_vec(vec![2i64, 0], &[2]).unwrap();
    let loss = cross_entropy(&logits, &labels, &CrossEntropyOptions::default()).unwrap();
    assert_close_tol(&loss.reshape(&[1]).unwrap(), &g["train_loss"], 1e-5, 1e-6);
    loss.backward().unwrap();
    let grad = |t: &Tensor| t.grad().expect("gradient");
    assert_close_tol(
        &grad(&m.classifier.weight),
        &g["grad_classifier_weight"],
        1e-4,
        1e-6,
    );
    assert_close_tol(
        &grad(&m.bert.embeddings.word_embeddings.weight),
        &g["grad_word_embeddings"],
        1e-4,
        1e-6,
    );
    assert_close_tol(
        &grad(
            &m.bert.encoder.layer[0]
                .attention
                .self_attention
                .query
                .weight,
        ),
        &g["grad_layer0_query_weight"],
        1e-4,
        1e-6,
    );
    assert_close_tol(
        &grad(
            m.bert.encoder.layer[1]
                .output
                .LayerNorm
                .weight
                .as_ref()
                .unwrap(),
        ),
        &g["grad_layer1_output_ln_weight"],
        1e-4,
        1e-6,
    );
}
