//! torch.optim.swa_utils.AveragedModel against PyTorch (`scripts/golden/swa_utils.py`): the
//! averaged state dict after each update for SWA and EMA, per tensor and per dtype group,
//! with and without buffers (including the integer `num_batches_tracked`), the forward, and
//! the errors for a copy of another architecture.

use std::collections::HashMap;

use torch_core::testing::{assert_golden, load_golden};
use torch_core::{DType, Tensor};
use torch_nn::optim::swa_utils::*;
use torch_nn::{BatchNorm1d, Forward, Linear, Module, Sequential, StateDict};

fn goldens() -> HashMap<String, Tensor> {
    load_golden(env!("CARGO_MANIFEST_DIR"), "swa_utils").expect("swa_utils goldens")
}

fn net() -> Sequential {
    Sequential::new()
        .append(Linear::new(3, 4).unwrap())
        .append(BatchNorm1d::new(4).unwrap())
        .append(Linear::new(4, 2).unwrap())
}

/// The golden entries under `prefix.` as a state dict.
fn state(g: &HashMap<String, Tensor>, prefix: &str) -> StateDict {
    let mut sd = StateDict::new();
    for (k, v) in g {
        if let Some(key) = k.strip_prefix(&format!("{prefix}.")) {
            sd.insert(key, v.deep_clone().unwrap());
        }
    }
    sd
}

fn options(cfg: &str) -> AveragedModelOptions {
    match cfg {
        "swa" => AveragedModelOptions::default(),
        "swa_buffers" => AveragedModelOptions {
            use_buffers: true,
            ..Default::default()
        },
        "swa_multi" => AveragedModelOptions {
            multi_avg_fn: Some(get_swa_multi_avg_fn()),
            ..Default::default()
        },
        "ema" => AveragedModelOptions {
            multi_avg_fn: Some(get_ema_multi_avg_fn(0.9)),
            ..Default::default()
        },
        "ema_buffers" => AveragedModelOptions {
            multi_avg_fn: Some(get_ema_multi_avg_fn(0.9)),
            use_buffers: true,
            ..Default::default()
        },
        "ema_avg_fn_buffers" => AveragedModelOptions {
            avg_fn: Some(get_ema_avg_fn(0.75)),
            use_buffers: true,
            ..Default::default()
        },
        _ => unreachable!("{cfg}"),
    }
}

fn check(cfg: &str) {
    let g = goldens();
    let model = net();
    model.load_state_dict(&state(&g, "init"), true).unwrap();
    let avg = AveragedModel::new(&model, net(), options(cfg)).unwrap();
    for (k, v) in avg.module.state_dict().iter() {
        assert_golden(&g, &format!("init.{k}"), Ok(v.clone()));
    }
    for s in 0..4 {
        model
            .load_state_dict(&state(&g, &format!("model.{s}")), true)
            .unwrap();
        avg.update_parameters(&model).unwrap();
        let sd = avg.state_dict();
        let expected = state(&g, &format!("{cfg}.{s}"));
        assert_eq!(sd.len(), expected.len(), "{cfg} step {s}: key count");
        for (k, v) in sd.iter() {
            let key = format!("{cfg}.{s}.{k}");
            assert_eq!(v.dtype(), g[&key].dtype(), "{key}: dtype");
            assert_golden(&g, &key, Ok(v.clone()));
        }
    }
    avg.eval();
    assert_golden(&g, &format!("{cfg}.y"), avg.call(&g["x"]));
}

#[test]
fn swa_parameters_only() {
    check("swa");
}

#[test]
fn swa_with_buffers() {
    check("swa_buffers");
}

#[test]
fn swa_multi_avg_fn() {
    check("swa_multi");
}

#[test]
fn swa_multi_avg_fn_refuses_integer_buffers_as_pytorch() {
    let model = net();
    let opts = AveragedModelOptions {
        multi_avg_fn: Some(get_swa_multi_avg_fn()),
        use_buffers: true,
        ..Default::default()
    };
    let avg = AveragedModel::new(&model, net(), opts).unwrap();
    avg.update_parameters(&model).unwrap(); // the first update copies
    let err = avg.update_parameters(&model).unwrap_err().to_string();
    assert!(
        err.contains("get_swa_multi_avg_fn") && err.contains("I64"),
        "{err}"
    );
}

#[test]
fn ema_parameters_only() {
    check("ema");
}

#[test]
fn ema_with_buffers() {
    check("ema_buffers");
}

#[test]
fn ema_avg_fn_with_buffers() {
    check("ema_avg_fn_buffers");
}

#[test]
fn n_averaged_is_an_i64_buffer_and_restores_from_a_state_dict() {
    let model = net();
    let avg = AveragedModel::new(&model, net(), AveragedModelOptions::default()).unwrap();
    assert_eq!(avg.n_averaged.dtype(), DType::I64);
    avg.update_parameters(&model).unwrap();
    avg.update_parameters(&model).unwrap();
    let saved = avg.state_dict();
    assert_eq!(saved.get("n_averaged").unwrap().item().unwrap(), 2.0);
    let restored = AveragedModel::new(&model, net(), AveragedModelOptions::default()).unwrap();
    restored.load_state_dict(&saved, true).unwrap();
    assert_eq!(restored.n_averaged.item().unwrap(), 2.0);
}

#[test]
fn another_architecture_is_refused() {
    let model = net();
    let other = Sequential::new().append(Linear::new(3, 4).unwrap());
    let err = AveragedModel::new(&model, other, AveragedModelOptions::default())
        .err()
        .expect("a different architecture must fail")
        .to_string();
    assert!(
        err.contains("AveragedModel") && err.contains("not the same architecture"),
        "{err}"
    );
    let wider = Sequential::new()
        .append(Linear::new(3, 5).unwrap())
        .append(BatchNorm1d::new(5).unwrap())
        .append(Linear::new(5, 2).unwrap());
    let err = AveragedModel::new(&model, wider, AveragedModelOptions::default())
        .err()
        .expect("a shape mismatch must fail")
        .to_string();
    assert!(
        err.contains("0.weight") && err.contains("[5, 3]") && err.contains("[4, 3]"),
        "{err}"
    );
}
