//! The optimizer configurations of `scripts/golden/optim.py`, built by name.

use torch_core::{Result, Tensor};
use torch_nn::optim::*;

/// Two groups: `[p0, p1]` with `a`, `[p2]` with `b`.
pub fn groups<O>(p: &[Tensor], a: O, b: O) -> Vec<ParamGroup<O>> {
    vec![
        ParamGroup::new(p[..2].to_vec(), a),
        ParamGroup::new(p[2..].to_vec(), b),
    ]
}

/// The configurations of `optim.py`, by name.
pub fn build(name: &str, p: Vec<Tensor>) -> Result<Box<dyn Optimizer>> {
    Ok(match name {
        "sgd_plain" => Box::new(SGD::new(
            p,
            SGDOptions {
                lr: 0.1,
                ..Default::default()
            },
        )?),
        "sgd_momentum" => Box::new(SGD::new(
            p,
            SGDOptions {
                lr: 0.1,
                momentum: 0.9,
                ..Default::default()
            },
        )?),
        "sgd_nesterov_wd" => Box::new(SGD::new(
            p,
            SGDOptions {
                lr: 0.05,
                momentum: 0.9,
                nesterov: true,
                weight_decay: 0.01,
                ..Default::default()
            },
        )?),
        "sgd_dampening_maximize" => Box::new(SGD::new(
            p,
            SGDOptions {
                lr: 0.1,
                momentum: 0.5,
                dampening: 0.3,
                maximize: true,
                ..Default::default()
            },
        )?),
        "sgd_groups" => {
            let d = SGDOptions {
                lr: 0.1,
                momentum: 0.9,
                ..Default::default()
            };
            let b = SGDOptions {
                lr: 0.01,
                weight_decay: 0.1,
                ..d
            };
            Box::new(SGD::new(groups(&p, d, b), d)?)
        }
        "adam_default" => Box::new(Adam::new(
            p,
            AdamOptions {
                lr: 1e-2,
                ..Default::default()
            },
        )?),
        "adam_wd_amsgrad" => Box::new(Adam::new(
            p,
            AdamOptions {
                lr: 1e-2,
                weight_decay: 0.1,
                amsgrad: true,
                ..Default::default()
            },
        )?),
        "adam_maximize_betas" => Box::new(Adam::new(
            p,
            AdamOptions {
                lr: 1e-2,
                betas: (0.8, 0.9),
                eps: 1e-6,
                maximize: true,
                ..Default::default()
            },
        )?),
        "adam_decoupled" => Box::new(Adam::new(
            p,
            AdamOptions {
                lr: 1e-2,
                weight_decay: 0.1,
                decoupled_weight_decay: true,
                ..Default::default()
            },
        )?),
        "adam_skip_grad" => Box::new(Adam::new(
            p,
            AdamOptions {
                lr: 1e-2,
                ..Default::default()
            },
        )?),
        "adam_groups" => {
            let d = AdamOptions {
                lr: 1e-2,
                ..Default::default()
            };
            let b = AdamOptions {
                lr: 0.05,
                amsgrad: true,
                ..d
            };
            Box::new(Adam::new(groups(&p, d, b), d)?)
        }
        "adamw_default" => Box::new(AdamW::new(
            p,
            AdamWOptions {
                lr: 1e-2,
                ..Default::default()
            },
        )?),
        "adamw_amsgrad" => Box::new(AdamW::new(
            p,
            AdamWOptions {
                lr: 1e-2,
                weight_decay: 0.1,
                amsgrad: true,
                maximize: true,
                ..Default::default()
            },
        )?),
        "rmsprop_default" => Box::new(RMSprop::new(
            p,
            RMSpropOptions {
                lr: 1e-2,
                ..Default::default()
            },
        )?),
        "rmsprop_centered_momentum" => Box::new(RMSprop::new(
            p,
            RMSpropOptions {
                lr: 1e-2,
                alpha: 0.9,
                momentum: 0.9,
                centered: true,
                weight_decay: 0.01,
                ..Default::default()
            },
        )?),
        "rmsprop_maximize" => Box::new(RMSprop::new(
            p,
            RMSpropOptions {
                lr: 1e-2,
                momentum: 0.5,
                maximize: true,
                eps: 1e-4,
                ..Default::default()
            },
        )?),
        "adagrad_default" => Box::new(Adagrad::new(
            p,
            AdagradOptions {
                lr: 0.1,
                ..Default::default()
            },
        )?),
        "adagrad_decay" => Box::new(Adagrad::new(
            p,
            AdagradOptions {
                lr: 0.1,
                lr_decay: 0.01,
                weight_decay: 0.1,
                initial_accumulator_value: 0.1,
                eps: 1e-8,
                ..Default::default()
            },
        )?),
        "adagrad_maximize" => Box::new(Adagrad::new(
            p,
            AdagradOptions {
                lr: 0.1,
                maximize: true,
                ..Default::default()
            },
        )?),
        "adadelta_default" => Box::new(Adadelta::new(p, AdadeltaOptions::default())?),
        "adadelta_wd" => Box::new(Adadelta::new(
            p,
            AdadeltaOptions {
                lr: 0.5,
                rho: 0.8,
                eps: 1e-5,
                weight_decay: 0.1,
                maximize: true,
            },
        )?),
        "adamax_default" => Box::new(Adamax::new(
            p,
            AdamaxOptions {
                lr: 1e-2,
                ..Default::default()
            },
        )?),
        "adamax_wd" => Box::new(Adamax::new(
            p,
            AdamaxOptions {
                lr: 1e-2,
                betas: (0.8, 0.95),
                weight_decay: 0.1,
                maximize: true,
                ..Default::default()
            },
        )?),
        "nadam_default" => Box::new(NAdam::new(
            p,
            NAdamOptions {
                lr: 1e-2,
                ..Default::default()
            },
        )?),
        "nadam_wd" => Box::new(NAdam::new(
            p,
            NAdamOptions {
                lr: 1e-2,
                weight_decay: 0.1,
                momentum_decay: 0.01,
                ..Default::default()
            },
        )?),
        "nadam_decoupled" => Box::new(NAdam::new(
            p,
            NAdamOptions {
                lr: 1e-2,
                weight_decay: 0.1,
                decoupled_weight_decay: true,
                maximize: true,
                ..Default::default()
            },
        )?),
        "radam_default" => Box::new(RAdam::new(
            p,
            RAdamOptions {
                lr: 1e-2,
                ..Default::default()
            },
        )?),
        "radam_rect" => Box::new(RAdam::new(
            p,
            RAdamOptions {
                lr: 1e-2,
                betas: (0.9, 0.8),
                ..Default::default()
            },
        )?),
        "radam_decoupled" => Box::new(RAdam::new(
            p,
            RAdamOptions {
                lr: 1e-2,
                betas: (0.9, 0.8),
                weight_decay: 0.1,
                decoupled_weight_decay: true,
                ..Default::default()
            },
        )?),
        "radam_wd_maximize" => Box::new(RAdam::new(
            p,
            RAdamOptions {
                lr: 1e-2,
                betas: (0.9, 0.8),
                weight_decay: 0.1,
                maximize: true,
                ..Default::default()
            },
        )?),
        other => panic!("unknown config {other}"),
    })
}
