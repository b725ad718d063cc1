//! Layers and losses against PyTorch (goldens from scripts/golden/nn_layers.py): forward
//! values, input and parameter gradients, running statistics after the forward, and double
//! backward for Linear, BatchNorm2d, LayerNorm and the activations. Every module loads
//! PyTorch's state_dict strictly, which also checks its key names and shapes.

use std::collections::HashMap;

use torch_core::autograd::{GradOptions, grad};
use torch_core::testing::{assert_golden, load_golden};
use torch_core::{
    AvgPool1dOptions, AvgPool2dOptions, DType, FoldOptions, MaxPool2dOptions, Padding, Result,
    Tensor,
};
use torch_nn::functional::{self as F, BagMode, CrossEntropyOptions, KlReduction, Reduction};
use torch_nn::*;

fn goldens() -> HashMap<String, Tensor> {
    load_golden(env!("CARGO_MANIFEST_DIR"), "nn_layers").expect("nn_layers.safetensors")
}

fn sub_dict(g: &HashMap<String, Tensor>, prefix: &str) -> StateDict {
    let mut keys: Vec<&String> = g.keys().filter(|k| k.starts_with(prefix)).collect();
    keys.sort();
    keys.into_iter()
        .map(|k| (k[prefix.len()..].to_string(), g[k].clone()))
        .collect()
}

fn inputs(g: &HashMap<String, Tensor>, name: &str) -> Vec<Tensor> {
    (0..)
        .map_while(|i| g.get(&format!("{name}.in{i}")).cloned())
        .map(|t| {
            if t.dtype().is_float() {
                // A fresh leaf (detach), not the golden map's tensor itself.
                t.detach().requires_grad_(true).unwrap()
            } else {
                t
            }
        })
        .collect()
}

/// Loads `name`'s state dict into `m`, runs `forward`, backward with the stored cotangent, and
/// compares output, gradients and the state after the forward (and double backward).
fn check<M: Module>(
    name: &str,
    mut m: M,
    forward: impl Fn(&M, &[Tensor]) -> Result<Tensor>,
    double: bool,
) {
    let g = goldens();
    m.to_dtype(DType::F64).unwrap();
    m.load_state_dict(&sub_dict(&g, &format!("{name}.sd.")), true)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let xs = inputs(&g, name);
    assert!(!xs.is_empty(), "{name}: no inputs in the golden file");
    let y = forward(&m, &xs).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_golden(&g, &format!("{name}.out"), Ok(y.clone()));
    let gout = &g[&format!("{name}.gout")];
    y.mul(gout).unwrap().sum().unwrap().backward().unwrap();
    for (i, x) in xs.iter().enumerate() {
        let key = format!("{name}.gin{i}");
        if g.contains_key(&key) {
            assert_golden(
                &g,
                &key,
                x.grad()
                    .ok_or(torch_core::Error::invalid("test", "no grad")),
            );
        }
    }
    for (k, p) in m.named_parameters() {
        let key = format!("{name}.grad.{k}");
        assert_golden(
            &g,
            &key,
            p.grad()
                .ok_or(torch_core::Error::invalid("test", "no grad")),
        );
    }
    for (k, t) in m.state_dict().iter() {
        assert_golden(
            &g,
            &format!("{name}.after.{k}"),
            t.to_dtype(g[&format!("{name}.after.{k}")].dtype()),
        );
    }
    if !double {
        return;
    }
    m.zero_grad();
    m.load_state_dict(&sub_dict(&g, &format!("{name}.sd.")), true)
        .unwrap();
    let mut xs = inputs(&g, name);
    let x0 = g[&format!("{name}.in0")]
        .detach()
        .requires_grad_(true)
        .unwrap();
    xs[0] = x0.clone();
    let y = forward(&m, &xs).unwrap();
    let gx = grad(
        &[y.mul(gout).unwrap().sum().unwrap()],
        std::slice::from_ref(&x0),
        GradOptions {
            create_graph: true,
            ..Default::default()
        },
    )
    .unwrap()[0]
        .clone()
        .unwrap();
    let v = &g[&format!("{name}.dd.v")];
    let s = gx.mul(v).unwrap().sum().unwrap();
    if s.requires_grad() {
        s.backward().unwrap();
    }
    let zeros = |t: &Tensor| t.zeros_like().unwrap();
    assert_golden(
        &g,
        &format!("{name}.dd.gin0"),
        Ok(x0.grad().unwrap_or_else(|| zeros(&x0))),
    );
    for (k, p) in m.named_parameters() {
        assert_golden(
            &g,
            &format!("{name}.dd.grad.{k}"),
            Ok(p.grad().unwrap_or_else(|| zeros(&p))),
        );
    }
}

fn one<M: Forward>(m: &M, xs: &[Tensor]) -> Result<Tensor> {
    m.call(&xs[0])
}

#[test]
fn linear_layers_match_torch() -> Result<()> {
    check("linear", Linear::new(6, 4)?, one, true);
    check(
        "linear_nobias_3d",
        Linear::with_options(6, 3, LinearOptions { bias: false })?,
        one,
        false,
    );
    check(
        "bilinear",
        Bilinear::new(3, 4, 2, true)?,
        |m, x| m.forward(&x[0], &x[1]),
        false,
    );
    Ok(())
}

#[test]
fn batch_norm_matches_torch_in_train_and_eval() -> Result<()> {
    check("batchnorm1d_train", BatchNorm1d::new(6)?, one, false);
    let opts = BatchNormOptions {
        momentum: None,
        ..Default::default()
    };
    check(
        "batchnorm1d_3d_train",
        BatchNorm1d::with_options(3, opts)?,
        one,
        false,
    );
    check("batchnorm2d_train", BatchNorm2d::new(3)?, one, true);
    let bn = BatchNorm2d::new(3)?;
    bn.eval();
    check("batchnorm2d_eval", bn, one, true);
    let opts = BatchNormOptions {
        affine: false,
        track_running_stats: false,
        ..Default::default()
    };
    check(
        "batchnorm2d_noaffine",
        BatchNorm2d::with_options(3, opts)?,
        one,
        false,
    );
    Ok(())
}

#[test]
fn layer_group_instance_rms_norms_match_torch() -> Result<()> {
    check("layernorm", LayerNorm::new(&[4, 5])?, one, true);
    check("groupnorm", GroupNorm::new(2, 4)?, one, false);
    let opts = BatchNormOptions {
        affine: true,
        track_running_stats: true,
        ..Default::default()
    };
    check(
        "instancenorm2d",
        InstanceNorm2d::with_options(3, opts)?,
        one,
        false,
    );
    check(
        "instancenorm2d_default",
        InstanceNorm2d::new(3)?,
        one,
        false,
    );
    check("rmsnorm", RMSNorm::new(&[5], Some(1e-6), true)?, one, false);
    check(
        "rmsnorm_default_eps",
        RMSNorm::new(&[5], None, true)?,
        one,
        false,
    );
    Ok(())
}

#[test]
fn embeddings_match_torch() -> Result<()> {
    check(
        "embedding",
        Embedding::new(7, 3, Some(2))?,
        |m, x| m.forward(&x[0]),
        false,
    );
    let bag = |mode| -> Result<Bag> {
        Ok(Bag {
            bag: EmbeddingBag::new(10, 3, mode, None)?,
        })
    };
    check(
        "embedding_bag_sum",
        bag(BagMode::Sum)?,
        |m, x| m.bag.forward(&x[0], Some(&x[1]), Some(&x[2])),
        false,
    );
    check(
        "embedding_bag_mean",
        bag(BagMode::Mean)?,
        |m, x| m.bag.forward(&x[0], Some(&x[1]), None),
        false,
    );
    check(
        "embedding_bag_max",
        bag(BagMode::Max)?,
        |m, x| m.bag.forward(&x[0], Some(&x[1]), None),
        false,
    );
    Ok(())
}

/// The EmbeddingBag golden wraps the bag in a module (`bag.weight`); ours is the bag itself.
#[derive(Module)]
struct Bag {
    bag: EmbeddingBag,
}

#[test]
fn activations_match_torch_with_double_backward() -> Result<()> {
    check("prelu", PReLU::new(3, 0.25)?, one, false);
    let cases: Vec<(&str, Box<dyn Forward>)> = vec![
        ("relu", Box::new(ReLU::new())),
        ("relu6", Box::new(ReLU6::new())),
        ("leaky_relu", Box::new(LeakyReLU::new(0.2))),
        ("elu", Box::new(ELU::new(0.7))),
        ("selu", Box::new(SELU::new())),
        ("gelu", Box::new(GELU::default())),
        ("gelu_tanh", Box::new(GELU::new("tanh"))),
        ("silu", Box::new(SiLU::new())),
        ("mish", Box::new(Mish::new())),
        ("tanh", Box::new(Tanh::new())),
        ("sigmoid", Box::new(Sigmoid::new())),
        ("hardswish", Box::new(Hardswish::new())),
        ("hardsigmoid", Box::new(Hardsigmoid::new())),
        ("softmax", Box::new(Softmax::new(1))),
        ("log_softmax", Box::new(LogSoftmax::new(0))),
        ("softplus", Box::new(Softplus::new(2.0, 1.0))),
    ];
    for (name, m) in cases {
        let double = !matches!(name, "hardswish" | "hardsigmoid");
        check(&format!("act_{name}"), m, |m, x| m.call(&x[0]), double);
    }
    Ok(())
}

type LossClosure = Box<dyn Fn(&[Tensor]) -> Result<Tensor> + Send + Sync>;

#[test]
fn upsampling_matches_torch() -> Result<()> {
    use torch_nn::functional::{InterpolateMode as M, OutputSize as S};
    check(
        "upsample_nearest_x2",
        Upsample::scale_factor(2.0, M::Nearest),
        one,
        false,
    );
    check(
        "upsample_nearest_size",
        Upsample::new(S::Size(vec![5, 7]), M::Nearest, false),
        one,
        false,
    );
    check(
        "upsample_nearest_down",
        Upsample::new(S::Size(vec![3, 2]), M::Nearest, false),
        one,
        false,
    );
    check(
        "upsample_bilinear",
        Upsample::scale_factor(1.5, M::Bilinear),
        one,
        false,
    );
    check(
        "upsample_bilinear_ac",
        Upsample::new(S::Size(vec![7, 3]), M::Bilinear, true),
        one,
        false,
    );
    check(
        "upsample_linear",
        Upsample::scale_factor(2.5, M::Linear),
        one,
        false,
    );
    check("pixel_shuffle", PixelShuffle::new(2), one, false);
    check("pixel_unshuffle", PixelUnshuffle::new(2), one, false);
    Ok(())
}

/// A loss as a parameterless module, so `check` can drive it.
#[derive(Module)]
struct LossFn {
    #[module(skip)]
    f: LossClosure,
}

fn loss(name: &str, f: impl Fn(&[Tensor]) -> Result<Tensor> + Send + Sync + 'static) {
    check(
        &format!("loss_{name}"),
        LossFn { f: Box::new(f) },
        |m, x| (m.f)(x),
        false,
    );
}

#[test]
fn losses_match_torch() -> Result<()> {
    let g = goldens();
    let w = g["loss_weights"].clone();
    let ce = |o: CrossEntropyOptions| move |x: &[Tensor]| F::cross_entropy(&x[0], &x[1], &o);
    loss("mse", |x| F::mse_loss(&x[0], &x[1], Reduction::Mean));
    loss("mse_sum", |x| F::mse_loss(&x[0], &x[1], Reduction::Sum));
    loss("l1_none", |x| F::l1_loss(&x[0], &x[1], Reduction::None));
    loss("smooth_l1", |x| {
        F::smooth_l1_loss(&x[0], &x[1], Reduction::Mean, 0.5)
    });
    loss("huber", |x| {
        F::huber_loss(&x[0], &x[1], Reduction::Mean, 0.7)
    });
    loss("ce", ce(CrossEntropyOptions::default()));
    loss(
        "ce_weight_ignore",
        ce(CrossEntropyOptions {
            weight: Some(w.clone()),
            ..Default::default()
        }),
    );
    loss(
        "ce_smooth",
        ce(CrossEntropyOptions {
            label_smoothing: 0.1,
            ..Default::default()
        }),
    );
    let smooth_w = |reduction| CrossEntropyOptions {
        weight: Some(w.clone()),
        label_smoothing: 0.2,
        reduction,
        ..Default::default()
    };
    loss("ce_smooth_weight_sum", ce(smooth_w(Reduction::Sum)));
    loss("ce_smooth_weight_mean", ce(smooth_w(Reduction::Mean)));
    loss(
        "ce_probs",
        ce(CrossEntropyOptions {
            label_smoothing: 0.1,
            ..Default::default()
        }),
    );
    loss(
        "ce_kdim",
        ce(CrossEntropyOptions {
            reduction: Reduction::None,
            ..Default::default()
        }),
    );
    let nll_o = CrossEntropyOptions {
        weight: Some(w.clone()),
        ..Default::default()
    };
    loss("nll", move |x| {
        F::nll_loss(&x[0].log_softmax(1)?, &x[1], &nll_o)
    });
    let w2 = w.clone();
    loss("bce", move |x| {
        F::binary_cross_entropy(&x[0].sigmoid()?, &x[1], Some(&w2), Reduction::Mean)
    });
    let w3 = w.clone();
    loss("bce_logits", move |x| {
        F::binary_cross_entropy_with_logits(&x[0], &x[1], None, Reduction::Mean, Some(&w3))
    });
    loss("kl_batchmean", |x| {
        F::kl_div(&x[0].log_softmax(1)?, &x[1], KlReduction::BatchMean, false)
    });
    loss("kl_log_target", |x| {
        F::kl_div(&x[0].log_softmax(1)?, &x[1], KlReduction::Sum, true)
    });
    loss("cosine_embedding", |x| {
        F::cosine_embedding_loss(&x[0], &x[1], &x[2], 0.2, Reduction::Mean)
    });
    loss("margin_ranking", |x| {
        F::margin_ranking_loss(&x[0], &x[1], &x[2], 0.1, Reduction::Mean)
    });
    let trip = F::TripletMarginOptions {
        margin: 0.5,
        swap: true,
        ..Default::default()
    };
    loss("triplet", move |x| {
        F::triplet_margin_loss(&x[0], &x[1], &x[2], &trip)
    });
    loss("cosine_similarity", |x| {
        F::cosine_similarity(&x[0], &x[1], 1, 1e-8)
    });
    loss("pairwise_distance", |x| {
        F::pairwise_distance(&x[0], &x[1], 3.0, 1e-6, false)
    });
    loss("normalize", |x| F::normalize(&x[0], 2.0, 0, 1e-12));
    Ok(())
}

#[test]
fn ctc_loss_matches_torch() -> Result<()> {
    let g = goldens();
    let lens = |k: &str| -> Vec<usize> {
        g[k].to_vec::<i64>()
            .unwrap()
            .into_iter()
            .map(|v| v as usize)
            .collect()
    };
    let (il, tl) = (lens("ctc.in_lens"), lens("ctc.tg_lens"));
    for (name, reduction) in [
        ("mean", Reduction::Mean),
        ("sum", Reduction::Sum),
        ("none", Reduction::None),
    ] {
        let o = F::CtcOptions {
            reduction,
            ..Default::default()
        };
        let (il, tl) = (il.clone(), tl.clone());
        loss(&format!("ctc_{name}"), move |x| {
            F::ctc_loss(&x[0], &x[1], &il, &tl, &o)
        });
    }
    Ok(())
}

#[path = "layers_golden/conv_pool.rs"]
mod conv_pool;
