//! torch.optim against PyTorch: every optimizer and option combination of
//! `scripts/golden/optim.py` (params after each step, f32 and f64), state-dict round trips that
//! resume exactly, load errors, hyper-parameter access, validation messages, and
//! torch.nn.utils gradient clipping.

use std::collections::HashMap;
use std::path::PathBuf;

use torch_core::testing::{assert_golden, load_golden};
use torch_core::{DType, Tensor};
use torch_nn::optim::*;
use torch_nn::utils::{ClipGradNormOptions, clip_grad_norm_, clip_grad_value_};
use torch_nn::{Forward, Linear, Module};

mod configs;
use configs::{build, groups};

fn goldens() -> HashMap<String, Tensor> {
    load_golden(env!("CARGO_MANIFEST_DIR"), "optim").expect("optim goldens")
}

const N_PARAMS: usize = 3;

/// Fresh leaf parameters with the golden initial values, in `dtype`.
fn init_params(g: &HashMap<String, Tensor>, dtype: DType) -> Vec<Tensor> {
    (0..N_PARAMS)
        .map(|i| {
            g[&format!("init.{i}")]
                .to_dtype(dtype)
                .unwrap()
                .deep_clone()
                .unwrap()
                .requires_grad_(true)
                .unwrap()
        })
        .collect()
}

/// Number of steps recorded for `cfg`.
fn n_steps(g: &HashMap<String, Tensor>, cfg: &str) -> usize {
    (0..)
        .take_while(|s| g.contains_key(&format!("{cfg}.param.{s}.0")))
        .count()
}

/// Sets each parameter's `.grad` to the golden gradient of `step` (or `None`), in `dtype`.
fn set_grads(g: &HashMap<String, Tensor>, cfg: &str, step: usize, params: &[Tensor]) {
    for (i, p) in params.iter().enumerate() {
        let grad = g
            .get(&format!("{cfg}.grad.{step}.{i}"))
            .map(|t| t.to_dtype(p.dtype()).unwrap().deep_clone().unwrap());
        p.set_grad(grad);
    }
}

/// Runs `cfg` in f32 and f64 and compares the parameters after every step with PyTorch's.
fn check_config(cfg: &str) {
    let g = goldens();
    let steps = n_steps(&g, cfg);
    assert!(steps > 0, "{cfg}: no goldens");
    for (dtype, key) in [(DType::F32, "param"), (DType::F64, "f64.param")] {
        let params = init_params(&g, dtype);
        let mut opt = build(cfg, params.clone()).unwrap();
        for s in 0..steps {
            set_grads(&g, cfg, s, &params);
            opt.step().unwrap();
            for (i, p) in params.iter().enumerate() {
                assert_golden(&g, &format!("{cfg}.{key}.{s}.{i}"), Ok(p.detach()));
            }
        }
    }
}

/// Every configuration name in the goldens, sorted.
fn configs(g: &HashMap<String, Tensor>) -> Vec<String> {
    let mut cfgs: Vec<String> = g
        .keys()
        .filter_map(|k| k.strip_suffix(".param.0.0"))
        .filter(|c| !c.ends_with(".f64"))
        .map(str::to_string)
        .collect();
    cfgs.sort();
    cfgs
}

fn check_family(prefix: &str) {
    let cfgs: Vec<String> = configs(&goldens())
        .into_iter()
        .filter(|c| c.split('_').next() == Some(prefix))
        .collect();
    assert!(!cfgs.is_empty(), "no configs for {prefix}");
    for cfg in cfgs {
        check_config(&cfg);
    }
}

#[test]
fn sgd_matches_torch() {
    check_family("sgd");
}

#[test]
fn adam_matches_torch() {
    check_family("adam");
}

#[test]
fn adamw_matches_torch() {
    check_family("adamw");
}

#[test]
fn rmsprop_matches_torch() {
    check_family("rmsprop");
}

#[test]
fn adagrad_matches_torch() {
    check_family("adagrad");
}

#[test]
fn adadelta_matches_torch() {
    check_family("adadelta");
}

#[test]
fn adamax_matches_torch() {
    check_family("adamax");
}

#[test]
fn nadam_matches_torch() {
    check_family("nadam");
}

#[test]
fn radam_matches_torch() {
    check_family("radam");
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "torch-nn-optim-{}-{name}.safetensors",
        std::process::id()
    ))
}

/// 3 steps, save to a safetensors file, load into a fresh optimizer over copies of the
/// parameters, 2 more steps: bit-identical to 5 uninterrupted steps, for every configuration.
#[test]
fn state_dict_round_trip_resumes_exactly() {
    let g = goldens();
    for cfg in &configs(&g) {
        let steps = n_steps(&g, cfg);
        let split = 3;
        // uninterrupted
        let full = init_params(&g, DType::F32);
        let mut opt = build(cfg, full.clone()).unwrap();
        for s in 0..steps {
            set_grads(&g, cfg, s, &full);
            opt.step().unwrap();
        }
        // interrupted
        let first = init_params(&g, DType::F32);
        let mut opt1 = build(cfg, first.clone()).unwrap();
        for s in 0..split {
            set_grads(&g, cfg, s, &first);
            opt1.step().unwrap();
        }
        let path = temp_path(cfg);
        opt1.state_dict().unwrap().save(&path).unwrap();
        drop(opt1);
        let resumed: Vec<Tensor> = first
            .iter()
            .map(|p| {
                p.detach()
                    .deep_clone()
                    .unwrap()
                    .requires_grad_(true)
                    .unwrap()
            })
            .collect();
        let mut opt2 = build(cfg, resumed.clone()).unwrap();
        opt2.load_state_dict(&OptimizerStateDict::load(&path).unwrap())
            .unwrap();
        std::fs::remove_file(&path).unwrap();
        for s in split..steps {
            set_grads(&g, cfg, s, &resumed);
            opt2.step().unwrap();
        }
        for (a, b) in full.iter().zip(&resumed) {
            assert_eq!(
                a.to_vec::<f32>().unwrap(),
                b.to_vec::<f32>().unwrap(),
                "{cfg}: resumed run differs"
            );
        }
    }
}

fn adam_after_steps(steps: usize) -> (Vec<Tensor>, Adam) {
    let g = goldens();
    let params = init_params(&g, DType::F32);
    let mut opt = Adam::new(
        groups(
            &params,
            AdamOptions {
                lr: 1e-2,
                ..Default::default()
            },
            AdamOptions {
                lr: 0.05,
                amsgrad: true,
                ..Default::default()
            },
        ),
        AdamOptions::default(),
    )
    .unwrap();
    for s in 0..steps {
        set_grads(&g, "adam_groups", s, &params);
        opt.step().unwrap();
    }
    (params, opt)
}

#[test]
fn state_dict_has_pytorch_structure() {
    let (_, opt) = adam_after_steps(2);
    let sd = opt.state_dict().unwrap();
    assert_eq!(sd.state.len(), 3);
    let keys: Vec<&str> = sd.state[&2].keys().map(String::as_str).collect();
    assert_eq!(keys, ["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"]);
    assert_eq!(sd.state[&0]["step"].dtype(), DType::F32);
    assert_eq!(sd.state[&0]["step"].item().unwrap(), 2.0);
    assert_eq!(sd.param_groups.len(), 2);
    let g1 = &sd.param_groups[1];
    assert_eq!(g1["lr"], serde_json::json!(0.05));
    assert_eq!(g1["betas"], serde_json::json!([0.9, 0.999]));
    assert_eq!(g1["amsgrad"], serde_json::json!(true));
    assert_eq!(g1["params"], serde_json::json!([2]));
    assert_eq!(sd.param_groups[0]["params"], serde_json::json!([0, 1]));
    let names: Vec<String> = sd
        .to_tensors("optimizer.")
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert!(
        names.contains(&"optimizer.state.1.exp_avg".to_string()),
        "{names:?}"
    );
    // flatten / unflatten with a prefix, as a training checkpoint would
    let back = OptimizerStateDict::from_tensors(
        sd.to_tensors("optimizer."),
        "optimizer.",
        &sd.param_groups_json(),
    )
    .unwrap();
    assert_eq!(back.param_groups, sd.param_groups);
    assert_eq!(back.state.len(), 3);
}

#[test]
fn state_dict_is_a_copy() {
    let (params, mut opt) = adam_after_steps(1);
    let sd = opt.state_dict().unwrap();
    let before = sd.state[&0]["exp_avg"].to_vec::<f32>().unwrap();
    set_grads(&goldens(), "adam_groups", 1, &params);
    opt.step().unwrap();
    assert_eq!(sd.state[&0]["exp_avg"].to_vec::<f32>().unwrap(), before);
}

#[test]
fn load_state_dict_restores_options() {
    let (_, opt) = adam_after_steps(1);
    let sd = opt.state_dict().unwrap();
    let g = goldens();
    let mut fresh = Adam::new(init_params(&g, DType::F32), AdamOptions::default()).unwrap();
    // one group of 3 vs two groups
    let err = fresh.load_state_dict(&sd).unwrap_err().to_string();
    assert!(
        err.contains("different number of parameter groups"),
        "{err}"
    );
    let params = init_params(&g, DType::F32);
    let mut fresh = Adam::new(
        groups(&params, AdamOptions::default(), AdamOptions::default()),
        AdamOptions::default(),
    )
    .unwrap();
    fresh.load_state_dict(&sd).unwrap();
    assert_eq!(fresh.lrs(), [1e-2, 0.05]);
    assert!(fresh.param_groups()[1].options.amsgrad);
}

#[test]
fn load_state_dict_errors_name_the_mismatch() {
    let g = goldens();
    let params = init_params(&g, DType::F32);
    let mut sgd = SGD::new(
        params.clone(),
        SGDOptions {
            lr: 0.1,
            momentum: 0.9,
            ..Default::default()
        },
    )
    .unwrap();
    set_grads(&g, "sgd_momentum", 0, &params);
    sgd.step().unwrap();
    let sgd_sd = sgd.state_dict().unwrap();

    // SGD state into Adam: options of another optimizer
    let mut adam = Adam::new(init_params(&g, DType::F32), AdamOptions::default()).unwrap();
    let err = adam.load_state_dict(&sgd_sd).unwrap_err().to_string();
    assert!(
        err.contains("Adam") && err.contains("different optimizer"),
        "{err}"
    );

    // Adam state into RMSprop: unexpected state keys
    let (_, adam_opt) = adam_after_steps(1);
    let mut sd = adam_opt.state_dict().unwrap();
    sd.param_groups.truncate(1);
    sd.param_groups[0]["params"] = serde_json::json!([0, 1, 2]);
    let rms_only = [
        ("alpha", serde_json::json!(0.99)),
        ("momentum", serde_json::json!(0.0)),
        ("centered", serde_json::json!(false)),
    ];
    for (key, v) in rms_only {
        sd.param_groups[0].insert(key.into(), v);
    }
    let mut rms = RMSprop::new(init_params(&g, DType::F32), RMSpropOptions::default()).unwrap();
    let err = rms.load_state_dict(&sd).unwrap_err().to_string();
    assert!(err.contains("unexpected state `exp_avg`"), "{err}");

    // 2 parameters vs 3
    let two = init_params(&g, DType::F32)[..2].to_vec();
    let mut small = SGD::new(
        two,
        SGDOptions {
            lr: 0.1,
            momentum: 0.9,
            ..Default::default()
        },
    )
    .unwrap();
    let err = small.load_state_dict(&sgd_sd).unwrap_err().to_string();
    assert!(
        err.contains("doesn't match the size of optimizer's group"),
        "{err}"
    );
    // a failed load changes nothing
    assert_eq!(small.lrs(), [0.1]);
    assert!(small.state_dict().unwrap().state.is_empty());
}

#[test]
fn step_updates_module_parameters_in_place() {
    let model = Linear::new(4, 2).unwrap();
    let before = model.weight.to_vec::<f32>().unwrap();
    let mut opt = SGD::new(
        model.parameters(),
        SGDOptions {
            lr: 0.5,
            ..Default::default()
        },
    )
    .unwrap();
    let x = Tensor::ones(&[3, 4], Default::default()).unwrap();
    model.call(&x).unwrap().sum().unwrap().backward().unwrap();
    opt.step().unwrap();
    let after = model.weight.to_vec::<f32>().unwrap();
    // d(sum)/dW = 3 for every element: W -= 0.5 * 3
    for (a, b) in after.iter().zip(&before) {
        assert!((a - (b - 1.5)).abs() < 1e-6);
    }
    assert!(!model.weight.grad().unwrap().requires_grad());
    opt.zero_grad();
    assert!(model.weight.grad().is_none() && model.bias.as_ref().unwrap().grad().is_none());
}

#[test]
fn params_without_grad_are_skipped_and_get_no_state() {
    let g = goldens();
    let params = init_params(&g, DType::F32);
    let mut opt = Adam::new(params.clone(), AdamOptions::default()).unwrap();
    params[0].set_grad(Some(params[0].ones_like().unwrap()));
    let p1 = params[1].to_vec::<f32>().unwrap();
    opt.step().unwrap();
    assert_eq!(params[1].to_vec::<f32>().unwrap(), p1);
    let sd = opt.state_dict().unwrap();
    assert_eq!(sd.state.keys().copied().collect::<Vec<_>>(), [0]);
}

#[test]
fn adagrad_state_exists_from_construction() {
    let g = goldens();
    let opt = Adagrad::new(
        init_params(&g, DType::F32),
        AdagradOptions {
            initial_accumulator_value: 0.5,
            ..Default::default()
        },
    )
    .unwrap();
    let sd = opt.state_dict().unwrap();
    assert_eq!(sd.state.len(), 3);
    assert_eq!(
        sd.state[&1]["sum"].to_vec::<f32>().unwrap(),
        vec![0.5f32; 5]
    );
    assert_eq!(sd.state[&1]["step"].item().unwrap(), 0.0);
}

#[test]
fn hyper_parameters_by_name() {
    let g = goldens();
    let params = init_params(&g, DType::F32);
    let mut opt = Adam::new(params, AdamOptions::default()).unwrap();
    assert_eq!(opt.get_hyper(0, "lr"), Some(1e-3));
    assert_eq!(opt.get_hyper(0, "betas.0"), Some(0.9));
    assert_eq!(opt.get_hyper(0, "betas.1"), Some(0.999));
    assert_eq!(opt.get_hyper(0, "amsgrad"), None);
    assert_eq!(opt.get_hyper(1, "lr"), None);
    opt.set_hyper(0, "betas.0", 0.85).unwrap();
    assert_eq!(opt.param_groups()[0].options.betas, (0.85, 0.999));
    opt.set_hyper(0, "initial_lr", 0.1).unwrap();
    assert_eq!(opt.get_hyper(0, "initial_lr"), Some(0.1));
    assert_eq!(opt.param_groups()[0].extra("initial_lr"), Some(0.1));
    assert_eq!(opt.state_dict().unwrap().param_groups[0]["initial_lr"], 0.1);
    assert!(opt.set_hyper(0, "amsgrad", 1.0).is_err());
    assert!(opt.set_hyper(0, "betas", 1.0).is_err());
    assert!(opt.set_hyper(3, "lr", 1.0).is_err());
    assert!(opt.has_option("betas") && !opt.has_option("momentum"));
    let sgd = SGD::new(init_params(&g, DType::F32), SGDOptions::default()).unwrap();
    assert!(sgd.has_option("momentum") && !sgd.has_option("betas"));
}

#[test]
fn add_param_group_checks_parameters() {
    let g = goldens();
    let params = init_params(&g, DType::F32);
    let mut opt = SGD::new(params[..2].to_vec(), SGDOptions::default()).unwrap();
    let err = opt
        .add_param_group(ParamGroup::new(
            vec![params[0].clone()],
            SGDOptions::default(),
        ))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("some parameters appear in more than one parameter group"),
        "{err}"
    );
    let non_leaf = params[2].mul_scalar(2.0).unwrap();
    let err = opt
        .add_param_group(ParamGroup::new(vec![non_leaf], SGDOptions::default()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("can't optimize a non-leaf Tensor"), "{err}");
    opt.add_param_group(ParamGroup::new(
        vec![params[2].clone()],
        SGDOptions {
            lr: 0.5,
            ..Default::default()
        },
    ))
    .unwrap();
    assert_eq!(opt.lrs(), [1e-3, 0.5]);
    assert_eq!(opt.num_param_groups(), 2);
    assert_eq!(opt.group_params(1).len(), 1);
}

fn check_error(case: &str, err: torch_core::Error, expected: &str) {
    let msg = err.to_string();
    assert!(
        msg.contains(expected),
        "{case}: {msg:?} does not contain PyTorch's {expected:?}"
    );
}

#[test]
fn invalid_hyper_parameters_give_pytorch_messages() {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/optim_errors.json"),
    )
    .unwrap();
    let cases: Vec<(String, String)> = serde_json::from_str(&text).unwrap();
    let p = || {
        vec![
            Tensor::zeros(&[2], Default::default())
                .unwrap()
                .requires_grad_(true)
                .unwrap(),
        ]
    };
    for (case, expected) in cases {
        let err = match case.as_str() {
            "sgd_lr" => SGD::new(
                p(),
                SGDOptions {
                    lr: -1.0,
                    ..Default::default()
                },
            )
            .err(),
            "sgd_momentum" => SGD::new(
                p(),
                SGDOptions {
                    momentum: -0.5,
                    ..Default::default()
                },
            )
            .err(),
            "sgd_weight_decay" => SGD::new(
                p(),
                SGDOptions {
                    weight_decay: -1e-4,
                    ..Default::default()
                },
            )
            .err(),
            "sgd_nesterov" => SGD::new(
                p(),
                SGDOptions {
                    nesterov: true,
                    ..Default::default()
                },
            )
            .err(),
            "sgd_empty" => SGD::new(Vec::<Tensor>::new(), SGDOptions::default()).err(),
            "adam_lr" => Adam::new(
                p(),
                AdamOptions {
                    lr: -0.001,
                    ..Default::default()
                },
            )
            .err(),
            "adam_eps" => Adam::new(
                p(),
                AdamOptions {
                    eps: -1e-8,
                    ..Default::default()
                },
            )
            .err(),
            "adam_beta0" => Adam::new(
                p(),
                AdamOptions {
                    betas: (1.0, 0.999),
                    ..Default::default()
                },
            )
            .err(),
            "adam_beta1" => Adam::new(
                p(),
                AdamOptions {
                    betas: (0.9, -0.1),
                    ..Default::default()
                },
            )
            .err(),
            "adam_weight_decay" => Adam::new(
                p(),
                AdamOptions {
                    weight_decay: -0.1,
                    ..Default::default()
                },
            )
            .err(),
            "adamw_beta1" => AdamW::new(
                p(),
                AdamWOptions {
                    betas: (0.9, 1.5),
                    ..Default::default()
                },
            )
            .err(),
            "rmsprop_alpha" => RMSprop::new(
                p(),
                RMSpropOptions {
                    alpha: -0.99,
                    ..Default::default()
                },
            )
            .err(),
            "rmsprop_momentum" => RMSprop::new(
                p(),
                RMSpropOptions {
                    momentum: -1.0,
                    ..Default::default()
                },
            )
            .err(),
            "adagrad_lr_decay" => Adagrad::new(
                p(),
                AdagradOptions {
                    lr_decay: -0.5,
                    ..Default::default()
                },
            )
            .err(),
            "adagrad_initial_accumulator_value" => Adagrad::new(
                p(),
                AdagradOptions {
                    initial_accumulator_value: -1.0,
                    ..Default::default()
                },
            )
            .err(),
            "adadelta_rho" => Adadelta::new(
                p(),
                AdadeltaOptions {
                    rho: 1.5,
                    ..Default::default()
                },
            )
            .err(),
            "adamax_eps" => Adamax::new(
                p(),
                AdamaxOptions {
                    eps: -1.0,
                    ..Default::default()
                },
            )
            .err(),
            "nadam_momentum_decay" => NAdam::new(
                p(),
                NAdamOptions {
                    momentum_decay: -0.004,
                    ..Default::default()
                },
            )
            .err(),
            "radam_lr" => RAdam::new(
                p(),
                RAdamOptions {
                    lr: -2.0,
                    ..Default::default()
                },
            )
            .err(),
            "clip_nonfinite" => {
                let q = p();
                q[0].set_grad(Some(Tensor::new([f32::INFINITY, 1.0])));
                let opts = ClipGradNormOptions {
                    error_if_nonfinite: true,
                    ..Default::default()
                };
                clip_grad_norm_(&q, 1.0, opts).err()
            }
            other => panic!("unknown error case {other}"),
        };
        let err = err.unwrap_or_else(|| panic!("{case}: expected an error"));
        check_error(&case, err, &expected);
    }
}

fn clip_params(g: &HashMap<String, Tensor>) -> Vec<Tensor> {
    (0..N_PARAMS)
        .map(|i| {
            let grad = g[&format!("clip.grad.{i}")].deep_clone().unwrap();
            let p = grad.zeros_like().unwrap().requires_grad_(true).unwrap();
            p.set_grad(Some(grad));
            p
        })
        .collect()
}

#[test]
fn clip_grad_norm_matches_torch() {
    let g = goldens();
    for (case, max_norm, norm_type) in [
        ("l2", 1.0, 2.0),
        ("inf", 0.5, f64::INFINITY),
        ("l1", 2.0, 1.0),
        ("p3", 0.7, 3.0),
        ("noclip", 100.0, 2.0),
    ] {
        let params = clip_params(&g);
        let opts = ClipGradNormOptions {
            norm_type,
            ..Default::default()
        };
        let total = clip_grad_norm_(&params, max_norm, opts);
        assert_golden(&g, &format!("clip.{case}.total"), total);
        for (i, p) in params.iter().enumerate() {
            assert_golden(&g, &format!("clip.{case}.grad.{i}"), Ok(p.grad().unwrap()));
        }
    }
    // no gradients: norm 0, nothing to do
    let p = Tensor::zeros(&[2], Default::default())
        .unwrap()
        .requires_grad_(true)
        .unwrap();
    let total = clip_grad_norm_(&[p], 1.0, Default::default()).unwrap();
    assert_eq!(total.item().unwrap(), 0.0);
}

#[test]
fn clip_grad_value_matches_torch() {
    let g = goldens();
    let params = clip_params(&g);
    clip_grad_value_(&params, 0.5).unwrap();
    for (i, p) in params.iter().enumerate() {
        assert_golden(&g, &format!("clip.value.grad.{i}"), Ok(p.grad().unwrap()));
    }
}

/// A non-contiguous tensor with `t`'s values (every other element of a doubled copy).
fn strided(t: &Tensor) -> Tensor {
    let s = Tensor::stack(&[t, t], -1).unwrap().select(-1, 0).unwrap();
    assert!(t.numel() < 2 || !s.is_contiguous());
    s
}

/// Parameter bits after every step of `cfg`, the gradients given contiguous (SGD and Adam
/// take their one-pass fused step) or strided (the op-by-op path).
fn trajectory(
    g: &HashMap<String, Tensor>,
    cfg: &str,
    dtype: DType,
    strided_grads: bool,
) -> Vec<Vec<f64>> {
    let params = init_params(g, dtype);
    let mut opt = build(cfg, params.clone()).unwrap();
    let mut out = Vec::new();
    for s in 0..n_steps(g, cfg) {
        set_grads(g, cfg, s, &params);
        if strided_grads {
            for p in &params {
                p.set_grad(p.grad().map(|t| strided(&t)));
            }
        }
        opt.step().unwrap();
        out.extend(params.iter().map(|p| p.to_vec_f64().unwrap()));
    }
    out
}

#[test]
fn fused_steps_give_the_op_by_op_bits() {
    let g = goldens();
    let cfgs: Vec<String> = configs(&g)
        .into_iter()
        .filter(|c| ["sgd", "adam", "adamw"].contains(&c.split('_').next().unwrap()))
        .collect();
    assert!(cfgs.len() > 3);
    for cfg in &cfgs {
        for dtype in [DType::F32, DType::F64] {
            let fused = trajectory(&g, cfg, dtype, false);
            let composite = trajectory(&g, cfg, dtype, true);
            assert_eq!(fused.len(), composite.len());
            for (a, b) in fused.iter().zip(&composite) {
                let same = a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
                assert!(same, "{cfg} {dtype:?}: fused {a:?} != op-by-op {b:?}");
            }
        }
    }
}
