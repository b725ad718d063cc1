//! torch.optim.lr_scheduler against PyTorch: the lr (and OneCycleLR's momentum) sequences of
//! `scripts/golden/lr_scheduler.py` within 1e-12 relative, state-dict round trips that resume
//! exactly, and PyTorch's messages for invalid arguments.

use std::path::PathBuf;

use serde_json::Value;
use torch_core::{Result, Tensor};
use torch_nn::lr_scheduler::*;
use torch_nn::optim::{
    Adagrad, AdagradOptions, Adam, AdamOptions, Optimizer, ParamGroup, SGD, SGDOptions,
};

fn goldens() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/lr_scheduler.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn leaf(n: usize) -> Tensor {
    Tensor::zeros(&[n], Default::default())
        .unwrap()
        .requires_grad_(true)
        .unwrap()
}

#[derive(Clone, Copy)]
enum Kind {
    Sgd,
    Adam,
}

/// Two groups with lr 0.1 and 0.05: SGD with momentum 0.9, or Adam.
fn make_opt(kind: Kind) -> Box<dyn Optimizer> {
    match kind {
        Kind::Sgd => {
            let d = SGDOptions {
                lr: 0.1,
                momentum: 0.9,
                ..Default::default()
            };
            let groups = vec![
                ParamGroup::new(vec![leaf(2)], d),
                ParamGroup::new(vec![leaf(3)], SGDOptions { lr: 0.05, ..d }),
            ];
            Box::new(SGD::new(groups, d).unwrap())
        }
        Kind::Adam => {
            let d = AdamOptions {
                lr: 0.1,
                ..Default::default()
            };
            let groups = vec![
                ParamGroup::new(vec![leaf(2)], d),
                ParamGroup::new(vec![leaf(3)], AdamOptions { lr: 0.05, ..d }),
            ];
            Box::new(Adam::new(groups, d).unwrap())
        }
    }
}

fn momenta(opt: &dyn Optimizer) -> Vec<f64> {
    (0..opt.num_param_groups())
        .map(|g| {
            opt.get_hyper(g, "betas.0")
                .or_else(|| opt.get_hyper(g, "momentum"))
                .unwrap()
        })
        .collect()
}

/// What one run records: lrs, `get_last_lr()` and momenta after construction and each step.
#[derive(Default, Debug, PartialEq)]
struct Record {
    lr: Vec<Vec<f64>>,
    last_lr: Vec<Vec<f64>>,
    momentum: Vec<Vec<f64>>,
}

impl Record {
    fn push(&mut self, opt: &dyn Optimizer, last_lr: &[f64]) {
        self.lr.push(opt.lrs());
        self.last_lr.push(last_lr.to_vec());
        self.momentum.push(momenta(opt));
    }
}

/// Builds a scheduler with `make`, then `steps` times: `opt.step()` and `step`.
fn run<S: LRScheduler>(
    kind: Kind,
    steps: usize,
    make: impl FnOnce(&mut dyn Optimizer) -> Result<S>,
    mut step: impl FnMut(&mut S, &mut dyn Optimizer, usize) -> Result<()>,
) -> Record {
    let mut opt = make_opt(kind);
    let mut sched = make(&mut *opt).unwrap();
    let mut rec = Record::default();
    rec.push(&*opt, sched.get_last_lr());
    for i in 0..steps {
        opt.step().unwrap();
        step(&mut sched, &mut *opt, i).unwrap();
        rec.push(&*opt, sched.get_last_lr());
    }
    rec
}

fn plain<S: LRScheduler>(s: &mut S, opt: &mut dyn Optimizer, _: usize) -> Result<()> {
    s.step(opt)
}

fn rows(v: &Value) -> Vec<Vec<f64>> {
    serde_json::from_value(v.clone()).unwrap()
}

/// `|a - e| <= 1e-12 |e|` (plus 1e-18 for values that are zero up to rounding).
fn assert_rows(case: &str, what: &str, actual: &[Vec<f64>], expected: &[Vec<f64>]) {
    assert_eq!(
        actual.len(),
        expected.len(),
        "{case}.{what}: number of steps"
    );
    for (step, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert_eq!(a.len(), e.len(), "{case}.{what}[{step}]: number of groups");
        for (x, y) in a.iter().zip(e) {
            assert!(
                (x - y).abs() <= 1e-12 * y.abs() + 1e-18,
                "{case}.{what}[{step}]: {a:?} vs PyTorch {e:?}"
            );
        }
    }
}

fn check(case: &str, rec: Record) {
    let g = goldens();
    let expected = &g[case];
    assert!(expected.is_object(), "missing golden {case}");
    assert_rows(case, "lr", &rec.lr, &rows(&expected["lr"]));
    assert_rows(case, "last_lr", &rec.last_lr, &rows(&expected["last_lr"]));
    if let Some(m) = expected.get("momentum") {
        assert_rows(case, "momentum", &rec.momentum, &rows(m));
    }
}

const STEPS: usize = 30;

#[test]
fn step_lr_matches_torch() {
    let opts = StepLROptions {
        gamma: 0.5,
        ..Default::default()
    };
    check(
        "step_lr",
        run(Kind::Sgd, STEPS, |o| StepLR::new(o, 3, opts), plain),
    );
    let epochs = [5, 3, 10, 0, 7, 2];
    let closed = run(
        Kind::Sgd,
        6,
        |o| StepLR::new(o, 3, opts),
        |s, o, i| s.step_epoch(o, epochs[i]),
    );
    check("step_lr_closed_form", closed);
}

#[test]
fn multi_step_lr_matches_torch() {
    let opts = MultiStepLROptions {
        gamma: 0.3,
        ..Default::default()
    };
    let rec = run(
        Kind::Sgd,
        STEPS,
        |o| MultiStepLR::new(o, &[2, 5, 5, 9], opts),
        plain,
    );
    check("multi_step_lr", rec);
}

#[test]
fn exponential_lr_matches_torch() {
    let rec = run(
        Kind::Sgd,
        STEPS,
        |o| ExponentialLR::new(o, 0.9, Default::default()),
        plain,
    );
    check("exponential_lr", rec);
}

#[test]
fn cosine_annealing_lr_matches_torch() {
    let opts = CosineAnnealingLROptions {
        eta_min: 0.001,
        ..Default::default()
    };
    let make = |o: &mut dyn Optimizer| CosineAnnealingLR::new(o, 10, opts);
    check("cosine_annealing_lr", run(Kind::Sgd, STEPS, make, plain));
    let epochs = [3, 12, 7, 25];
    let closed = run(Kind::Sgd, 4, make, |s, o, i| s.step_epoch(o, epochs[i]));
    check("cosine_annealing_lr_closed_form", closed);
}

#[test]
fn cosine_annealing_warm_restarts_matches_torch() {
    let opts = CosineAnnealingWarmRestartsOptions {
        t_mult: 2,
        eta_min: 0.001,
        ..Default::default()
    };
    let rec = run(
        Kind::Sgd,
        STEPS,
        |o| CosineAnnealingWarmRestarts::new(o, 4, opts),
        plain,
    );
    check("cosine_warm_restarts", rec);
    let rec = run(
        Kind::Sgd,
        STEPS,
        |o| CosineAnnealingWarmRestarts::new(o, 5, Default::default()),
        plain,
    );
    check("cosine_warm_restarts_tmult1", rec);
    let opts = CosineAnnealingWarmRestartsOptions {
        t_mult: 2,
        eta_min: 0.01,
        ..Default::default()
    };
    let rec = run(
        Kind::Sgd,
        STEPS,
        |o| CosineAnnealingWarmRestarts::new(o, 3, opts),
        |s, o, i| s.step_to(o, i as f64 / 4.0),
    );
    check("cosine_warm_restarts_fractional", rec);
}

#[test]
fn one_cycle_lr_matches_torch() {
    let opts = OneCycleLROptions {
        total_steps: Some(30),
        pct_start: 0.25,
        div_factor: 10.0,
        final_div_factor: 100.0,
        ..Default::default()
    };
    let rec = run(
        Kind::Sgd,
        STEPS,
        |o| OneCycleLR::new(o, vec![1.0, 0.5], opts),
        plain,
    );
    check("one_cycle_cos", rec);
    let opts = OneCycleLROptions {
        epochs: Some(5),
        steps_per_epoch: Some(6),
        anneal_strategy: "linear",
        three_phase: true,
        base_momentum: 0.8.into(),
        max_momentum: 0.9.into(),
        ..Default::default()
    };
    let rec = run(Kind::Adam, STEPS, |o| OneCycleLR::new(o, 0.01, opts), plain);
    check("one_cycle_linear_three_phase_adam", rec);
}

#[test]
fn one_cycle_lr_writes_group_keys_like_pytorch() {
    let mut opt = make_opt(Kind::Sgd);
    let opts = OneCycleLROptions {
        total_steps: Some(10),
        ..Default::default()
    };
    OneCycleLR::new(&mut *opt, 1.0, opts).unwrap();
    let sd = opt.state_dict().unwrap();
    let g = &sd.param_groups[1];
    assert_eq!(g["initial_lr"], 0.04);
    assert_eq!(g["max_lr"], 1.0);
    assert_eq!(g["min_lr"], 0.04 / 1e4);
    assert_eq!(g["max_momentum"], 0.95);
    assert_eq!(g["base_momentum"], 0.85);
    assert_eq!(g["momentum"], 0.95);
}

#[test]
fn linear_and_constant_lr_match_torch() {
    let opts = LinearLROptions {
        start_factor: 0.25,
        end_factor: 0.9,
        total_iters: 8,
        ..Default::default()
    };
    check(
        "linear_lr",
        run(Kind::Sgd, STEPS, |o| LinearLR::new(o, opts), plain),
    );
    let opts = ConstantLROptions {
        factor: 0.5,
        total_iters: 4,
        ..Default::default()
    };
    check(
        "constant_lr",
        run(Kind::Sgd, STEPS, |o| ConstantLR::new(o, opts), plain),
    );
}

#[test]
fn lambda_lr_matches_torch() {
    let rec = run(
        Kind::Sgd,
        STEPS,
        |o| {
            let lambdas: Vec<LrLambda> = vec![
                Box::new(|e| 0.95f64.powf(e as f64)),
                Box::new(|e| 1.0 / (e + 1) as f64),
            ];
            LambdaLR::with_lambdas(o, lambdas, Default::default())
        },
        plain,
    );
    check("lambda_lr", rec);
}

#[test]
fn sequential_lr_matches_torch() {
    let rec = run(
        Kind::Sgd,
        STEPS,
        |o| {
            let warm = LinearLR::new(
                o,
                LinearLROptions {
                    start_factor: 0.1,
                    ..Default::default()
                },
            )?;
            let cos = CosineAnnealingLR::new(o, 20, Default::default())?;
            SequentialLR::new(
                o,
                vec![Box::new(warm), Box::new(cos)],
                &[5],
                Default::default(),
            )
        },
        plain,
    );
    check("sequential_lr", rec);
    let rec = run(
        Kind::Sgd,
        STEPS,
        |o| {
            let c = ConstantLR::new(
                o,
                ConstantLROptions {
                    factor: 0.5,
                    total_iters: 3,
                    ..Default::default()
                },
            )?;
            let e = ExponentialLR::new(o, 0.9, Default::default())?;
            let s = StepLR::new(
                o,
                4,
                StepLROptions {
                    gamma: 0.5,
                    ..Default::default()
                },
            )?;
            SequentialLR::new(
                o,
                vec![Box::new(c), Box::new(e), Box::new(s)],
                &[4, 12],
                Default::default(),
            )
        },
        plain,
    );
    check("sequential_lr_three", rec);
}

#[test]
fn chained_schedulers_match_torch() {
    let mut opt = make_opt(Kind::Sgd);
    let o = &mut *opt;
    let mut a = ExponentialLR::new(o, 0.95, Default::default()).unwrap();
    let opts = MultiStepLROptions {
        gamma: 0.5,
        ..Default::default()
    };
    let mut b = MultiStepLR::new(o, &[3, 7], opts).unwrap();
    let mut rec = Record::default();
    rec.push(o, b.get_last_lr());
    for _ in 0..STEPS {
        o.step().unwrap();
        a.step(o).unwrap();
        b.step(o).unwrap();
        rec.push(o, b.get_last_lr());
    }
    check("chained_exponential_multistep", rec);
}

fn plateau_options(case: &str) -> ReduceLROnPlateauOptions {
    match case {
        "plateau_min_rel" => ReduceLROnPlateauOptions {
            factor: 0.5,
            patience: 2,
            threshold: 0.01,
            cooldown: 1,
            min_lr: vec![0.01, 0.001].into(),
            ..Default::default()
        },
        "plateau_max_abs" => ReduceLROnPlateauOptions {
            mode: "max",
            factor: 0.3,
            patience: 1,
            threshold: 0.1,
            threshold_mode: "abs",
            min_lr: 0.005.into(),
            eps: 1e-4,
            ..Default::default()
        },
        other => panic!("unknown case {other}"),
    }
}

#[test]
fn reduce_lr_on_plateau_matches_torch() {
    let g = goldens();
    for case in ["plateau_min_rel", "plateau_max_abs"] {
        let metrics: Vec<f64> = serde_json::from_value(g[case]["metrics"].clone()).unwrap();
        let mut opt = make_opt(Kind::Sgd);
        let mut sched = ReduceLROnPlateau::new(&mut *opt, plateau_options(case)).unwrap();
        let mut rec = Record::default();
        rec.push(&*opt, sched.get_last_lr());
        for m in metrics {
            opt.step().unwrap();
            sched.step(&mut *opt, m).unwrap();
            rec.push(&*opt, sched.get_last_lr());
        }
        check(case, rec);
    }
}

/// Runs `k` steps, saves the optimizer and scheduler state dicts (through JSON text), rebuilds
/// both as a resumed run does (new optimizer, new scheduler, then the two loads), runs the rest:
/// the lrs equal those of an uninterrupted run exactly.
fn check_resume<S: LRScheduler>(
    name: &str,
    kind: Kind,
    make: impl Fn(&mut dyn Optimizer) -> Result<S>,
) {
    let (k, n) = (7, 20);
    let full = run(kind, n, &make, plain);
    let mut opt = make_opt(kind);
    let mut sched = make(&mut *opt).unwrap();
    for _ in 0..k {
        sched.step(&mut *opt).unwrap();
    }
    let opt_sd = opt.state_dict().unwrap();
    let text = sched.state_dict().to_string();
    let mut opt2 = make_opt(kind);
    let mut sched2 = make(&mut *opt2).unwrap();
    opt2.load_state_dict(&opt_sd).unwrap();
    sched2
        .load_state_dict(&serde_json::from_str(&text).unwrap())
        .unwrap();
    assert_eq!(sched2.last_epoch(), k as i64, "{name}");
    assert_eq!(sched2.get_last_lr(), full.last_lr[k].as_slice(), "{name}");
    for i in k..n {
        sched2.step(&mut *opt2).unwrap();
        assert_eq!(opt2.lrs(), full.lr[i + 1], "{name}: step {}", i + 1);
        assert_eq!(
            momenta(&*opt2),
            full.momentum[i + 1],
            "{name}: step {}",
            i + 1
        );
    }
}

#[test]
fn state_dict_round_trip_resumes_exactly() {
    let step = StepLROptions {
        gamma: 0.5,
        ..Default::default()
    };
    check_resume("StepLR", Kind::Sgd, |o| StepLR::new(o, 3, step));
    check_resume("MultiStepLR", Kind::Sgd, |o| {
        MultiStepLR::new(o, &[2, 9, 9, 12], Default::default())
    });
    check_resume("CosineAnnealingLR", Kind::Sgd, |o| {
        CosineAnnealingLR::new(o, 6, Default::default())
    });
    let cawr = CosineAnnealingWarmRestartsOptions {
        t_mult: 2,
        ..Default::default()
    };
    check_resume("CosineAnnealingWarmRestarts", Kind::Sgd, |o| {
        CosineAnnealingWarmRestarts::new(o, 3, cawr)
    });
    let one = OneCycleLROptions {
        total_steps: Some(25),
        three_phase: true,
        ..Default::default()
    };
    check_resume("OneCycleLR", Kind::Adam, |o| {
        OneCycleLR::new(o, 0.5, one.clone())
    });
    check_resume("LinearLR", Kind::Sgd, |o| {
        LinearLR::new(
            o,
            LinearLROptions {
                total_iters: 10,
                ..Default::default()
            },
        )
    });
    check_resume("SequentialLR", Kind::Sgd, |o| {
        let a = ConstantLR::new(o, Default::default())?;
        let b = ExponentialLR::new(o, 0.8, Default::default())?;
        SequentialLR::new(o, vec![Box::new(a), Box::new(b)], &[4], Default::default())
    });
}

#[test]
fn reduce_lr_on_plateau_state_dict_round_trip() {
    let g = goldens();
    let metrics: Vec<f64> =
        serde_json::from_value(g["plateau_min_rel"]["metrics"].clone()).unwrap();
    let opts = plateau_options("plateau_min_rel");
    let mut opt = make_opt(Kind::Sgd);
    let mut sched = ReduceLROnPlateau::new(&mut *opt, opts.clone()).unwrap();
    // `best` starts as inf, which JSON holds as a string
    let initial = sched.state_dict();
    assert_eq!(initial["best"], "inf");
    let mut restored = ReduceLROnPlateau::new(&mut *make_opt(Kind::Sgd), opts.clone()).unwrap();
    restored.load_state_dict(&initial).unwrap();
    for m in &metrics[..10] {
        sched.step(&mut *opt, *m).unwrap();
    }
    let text = sched.state_dict().to_string();
    let mut opt2 = make_opt(Kind::Sgd);
    opt2.load_state_dict(&opt.state_dict().unwrap()).unwrap();
    let mut sched2 = ReduceLROnPlateau::new(&mut *opt2, opts).unwrap();
    sched2
        .load_state_dict(&serde_json::from_str(&text).unwrap())
        .unwrap();
    for m in &metrics[10..] {
        sched.step(&mut *opt, *m).unwrap();
        sched2.step(&mut *opt2, *m).unwrap();
        assert_eq!(opt.lrs(), opt2.lrs());
    }
    assert_eq!(sched.state_dict(), sched2.state_dict());
}

#[test]
fn resuming_without_initial_lr_is_an_error() {
    let mut opt = make_opt(Kind::Sgd);
    let opts = StepLROptions {
        last_epoch: 5,
        ..Default::default()
    };
    let err = StepLR::new(&mut *opt, 3, opts).err().unwrap().to_string();
    assert!(
        err.contains("param 'initial_lr' is not specified in param_groups[0]"),
        "{err}"
    );
}

#[test]
fn invalid_arguments_give_pytorch_messages() {
    let g = goldens();
    let cases: Vec<(String, String)> = serde_json::from_value(g["errors"].clone()).unwrap();
    let sgd = || make_opt(Kind::Sgd);
    for (case, expected) in cases {
        let mut o = sgd();
        let o = &mut *o;
        let one = |steps: Option<usize>| OneCycleLROptions {
            total_steps: steps,
            ..Default::default()
        };
        let err = match case.as_str() {
            "constant_factor" => ConstantLR::new(
                o,
                ConstantLROptions {
                    factor: 1.5,
                    ..Default::default()
                },
            )
            .err(),
            "linear_start" => LinearLR::new(
                o,
                LinearLROptions {
                    start_factor: 0.0,
                    ..Default::default()
                },
            )
            .err(),
            "linear_end" => LinearLR::new(
                o,
                LinearLROptions {
                    end_factor: 1.5,
                    ..Default::default()
                },
            )
            .err(),
            "lambda_len" => {
                let one: Vec<LrLambda> = vec![Box::new(|_| 1.0)];
                LambdaLR::with_lambdas(o, one, Default::default()).err()
            }
            "one_cycle_no_steps" => OneCycleLR::new(o, 1.0, one(None)).err(),
            "one_cycle_pct" => OneCycleLR::new(
                o,
                1.0,
                OneCycleLROptions {
                    pct_start: 1.5,
                    ..one(Some(10))
                },
            )
            .err(),
            "one_cycle_anneal" => OneCycleLR::new(
                o,
                1.0,
                OneCycleLROptions {
                    anneal_strategy: "exp",
                    ..one(Some(10))
                },
            )
            .err(),
            "one_cycle_momentum" => {
                let mut ada = Adagrad::new(
                    vec![leaf(2)],
                    AdagradOptions {
                        lr: 0.1,
                        ..Default::default()
                    },
                )
                .unwrap();
                OneCycleLR::new(&mut ada, 1.0, one(Some(10))).err()
            }
            "one_cycle_max_lr_len" => OneCycleLR::new(o, vec![1.0, 2.0, 3.0], one(Some(10))).err(),
            "one_cycle_past_end" => {
                let mut s = OneCycleLR::new(o, 1.0, one(Some(3))).unwrap();
                (0..4).map(|_| s.step(o)).find_map(|r| r.err())
            }
            "sequential_milestones" => {
                let a = ExponentialLR::new(o, 0.9, Default::default()).unwrap();
                let b = ExponentialLR::new(o, 0.8, Default::default()).unwrap();
                SequentialLR::new(o, vec![Box::new(a), Box::new(b)], &[], Default::default()).err()
            }
            "cawr_t0" => CosineAnnealingWarmRestarts::new(o, 0, Default::default()).err(),
            "cawr_tmult" => CosineAnnealingWarmRestarts::new(
                o,
                2,
                CosineAnnealingWarmRestartsOptions {
                    t_mult: 0,
                    ..Default::default()
                },
            )
            .err(),
            "plateau_factor" => ReduceLROnPlateau::new(
                o,
                ReduceLROnPlateauOptions {
                    factor: 1.0,
                    ..Default::default()
                },
            )
            .err(),
            "plateau_mode" => ReduceLROnPlateau::new(
                o,
                ReduceLROnPlateauOptions {
                    mode: "avg",
                    ..Default::default()
                },
            )
            .err(),
            "plateau_threshold_mode" => ReduceLROnPlateau::new(
                o,
                ReduceLROnPlateauOptions {
                    threshold_mode: "pct",
                    ..Default::default()
                },
            )
            .err(),
            "plateau_min_lr_len" => ReduceLROnPlateau::new(
                o,
                ReduceLROnPlateauOptions {
                    min_lr: vec![0.1].into(),
                    ..Default::default()
                },
            )
            .err(),
            other => panic!("unknown error case {other}"),
        };
        let msg = err
            .unwrap_or_else(|| panic!("{case}: expected an error"))
            .to_string();
        assert!(
            msg.contains(&expected),
            "{case}: {msg:?} lacks PyTorch's {expected:?}"
        );
    }
}
