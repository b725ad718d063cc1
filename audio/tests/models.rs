//! M5 against the torchaudio tutorial's model (golden from `scripts/golden/audio_models.py`):
//! the state dict loads strictly, eval-mode log-probabilities on two real spoken digits
//! match, and one training step's loss and gradients match.

use torch_audio::io::{LoadOptions, load};
use torch_audio::models::M5;
use torch_core::Tensor;
use torch_core::testing::{assert_close_tol, load_golden, shared_data};
use torch_nn::functional::{CrossEntropyOptions, nll_loss};
use torch_nn::{Forward, Module, StateDict};

/// Both tests build models from the global generator; run together, the other test's
/// initialisation would draw from the stream `manual_seed` set here, changing the training run.
static GLOBAL_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn clips() -> Tensor {
    let root = shared_data().join("audio/spoken-digits");
    let load1 = |f: &str| load(root.join(f), LoadOptions::default()).unwrap().0;
    let (a, b) = (
        load1("three/espeak_en-029_f2.wav"),
        load1("seven/human_asterisk_allison_en-us.wav"),
    );
    Tensor::stack(&[&a, &b], 0).unwrap() // (2, 1, 16000)
}

#[test]
fn m5_matches_the_torchaudio_tutorial_model() {
    let _rng = GLOBAL_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let g = load_golden(env!("CARGO_MANIFEST_DIR"), "m5").unwrap();
    let model = M5::new(1, 10, 16, 32).unwrap();
    let sd: StateDict = g
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("model.").map(|k| (k.to_string(), v.clone())))
        .collect();
    let missing = model.load_state_dict(&sd, true).unwrap();
    assert!(missing.missing_keys.is_empty() && missing.unexpected_keys.is_empty());
    let x = clips();
    model.eval();
    let logp = model.forward(&x).unwrap();
    assert_close_tol(&logp, &g["eval_logp"], 1e-4, 1e-5);

    model.train(true);
    let target = Tensor::from_vec(vec![3i64, 7], &[2]).unwrap();
    let out = model.forward(&x).unwrap().squeeze_dim(1).unwrap();
    let loss = nll_loss(&out, &target, &CrossEntropyOptions::default()).unwrap();
    assert_close_tol(&loss.reshape(&[1]).unwrap(), &g["train_loss"], 1e-5, 1e-6);
    loss.backward().unwrap();
    let bn3 = model.bn3.weight.as_ref().expect("affine batch norm");
    let grads: [(&str, &Tensor); 3] = [
        ("grad.conv1.weight", &model.conv1.weight),
        ("grad.fc1.weight", &model.fc1.weight),
        ("grad.bn3.weight", bn3),
    ];
    for (key, p) in grads {
        let grad = p.grad().unwrap();
        let scale = g[key].abs().unwrap().max().unwrap().item().unwrap();
        assert_close_tol(&grad, &g[key], 1e-3, 1e-4 * scale);
    }
}

#[test]
fn mel_cnn_learns_a_small_set_of_spoken_digits() {
    let _rng = GLOBAL_RNG.lock().unwrap_or_else(|e| e.into_inner());
    use torch_audio::datasets::SpeechCommands;
    use torch_core::data::Dataset;
    use torch_nn::functional::cross_entropy;
    use torch_nn::optim::{Adam, AdamOptions, Optimizer};
    let root = shared_data().join("audio/spoken-digits");
    let ds = SpeechCommands::from_csv(&root, root.join("index.csv"), Some("train")).unwrap();
    // Two clips per digit (20 clips).
    let mut seen = [0usize; 10];
    let (mut waves, mut labels) = (Vec::new(), Vec::new());
    for i in 0..ds.len() {
        let s = ds.get(i).unwrap();
        if seen[s.label_id as usize] < 2 {
            seen[s.label_id as usize] += 1;
            waves.push(s.waveform);
            labels.push(s.label_id);
        }
    }
    let refs: Vec<&Tensor> = waves.iter().collect();
    let x = Tensor::stack(&refs, 0).unwrap(); // (20, 1, 16000)
    let y = Tensor::from_vec(labels, &[20]).unwrap();
    torch_core::manual_seed(0);
    let model = torch_audio::models::MelCnn::new(16000, 10).unwrap();
    assert_eq!(model.forward(&x).unwrap().shape(), &[20, 10]);
    let mut opt = Adam::new(
        model.parameters(),
        AdamOptions {
            lr: 1e-2,
            ..Default::default()
        },
    )
    .unwrap();
    let ce = CrossEntropyOptions::default();
    let mut first = None;
    let mut last = 0.0;
    // 60 steps leave a margin: after 40 the training accuracy was 85-95% while the conv weight
    // gradient still varied from run to run (CI saw 85%); after 60 it is 100%.
    for _ in 0..60 {
        opt.zero_grad();
        let loss = cross_entropy(&model.forward(&x).unwrap(), &y, &ce).unwrap();
        loss.backward().unwrap();
        opt.step().unwrap();
        last = loss.item().unwrap();
        first.get_or_insert(last);
    }
    let first = first.unwrap();
    assert!(last < 0.25 * first, "loss {first} -> {last}");
    model.eval();
    let pred = model.forward(&x).unwrap().argmax(Some(1), false).unwrap();
    let acc = pred
        .eq(&y)
        .unwrap()
        .to_dtype(torch_core::DType::F64)
        .unwrap()
        .mean()
        .unwrap()
        .item()
        .unwrap();
    assert!(acc >= 0.9, "training accuracy {acc}");
}
