//! DCGAN generator/discriminator and WGAN-GP's gradient penalty against PyTorch (goldens from
//! scripts/golden/vision_dcgan.py): the pretrained face generator's images for fixed latents,
//! the small 28x28 conditional and 64x64 variants, the penalty's value and parameter
//! gradients; the tutorial's init; double backward through the generator's layer types.

mod models_common;

use std::collections::HashMap;

use models_common::{golden_path, goldens};
use torch_core::autograd::{GradcheckOptions, gradgradcheck, no_grad};
use torch_core::testing::{assert_close_tol, shared_data};
use torch_core::{ConvTranspose2dOptions, DType, Generator as Rng, Tensor, TensorOptions};
use torch_nn::functional as F;
use torch_nn::{Forward, Module, StateDict};
use torch_vision::models::*;

/// f32 images after five transposed convolutions with batch norm: PyTorch sums in another
/// order (oneDNN vs im2col + gemm), so allow 1e-4 absolute on values in [-1, 1].
const ATOL: f64 = 1e-4;

fn faces_weights() -> std::path::PathBuf {
    shared_data().join("models/dcgan-faces-64/generator.safetensors")
}

/// The golden tensors named `prefix.*`, without the prefix.
fn sub_state(g: &HashMap<String, Tensor>, prefix: &str) -> StateDict {
    let p = format!("{prefix}.");
    g.iter()
        .filter_map(|(k, v)| k.strip_prefix(&p).map(|k| (k.to_string(), v.clone())))
        .collect()
}

#[test]
fn pretrained_face_generator_matches_torch_eval_and_train() {
    let g = goldens("dcgan_faces");
    let net =
        dcgan_generator(Some(faces_weights().as_path()), DcganOptions::default()).expect("load");
    let _ng = no_grad();
    net.eval();
    let y = net.call(&g["z"]).expect("forward");
    assert_eq!(y.shape(), &[4, 3, 64, 64]);
    assert_close_tol(&y, &g["eval"], 0.0, ATOL);
    // the same latents through `generate`, given as (N, nz)
    let y2 = net
        .generate(&g["z"].flatten(1, -1).expect("flat"), None)
        .expect("generate");
    assert_close_tol(&y2, &g["eval"], 0.0, ATOL);
    net.train(true);
    let yt = net.call(&g["z"]).expect("forward train");
    assert_close_tol(&yt, &g["train"], 0.0, ATOL);
}

#[test]
fn state_dict_keys_are_the_tutorials() {
    let file = StateDict::load(faces_weights()).expect("read");
    let ours = Generator::new(DcganOptions::default()).expect("G");
    let keys: Vec<String> = ours.state_dict().keys().map(String::from).collect();
    let theirs: Vec<String> = file.keys().map(String::from).collect();
    assert_eq!(keys, theirs);
    assert_eq!(keys[0], "main.0.weight");
    assert_eq!(keys.last().map(String::as_str), Some("main.12.weight"));
    let d = Discriminator::new(DcganOptions::default()).expect("D");
    let dk: Vec<String> = d.state_dict().keys().map(String::from).collect();
    let mut expected: Vec<String> = sub_state(&goldens("dcgan_small"), "d64")
        .keys()
        .map(String::from)
        .collect();
    expected.sort();
    let mut sorted = dk.clone();
    sorted.sort();
    assert_eq!(sorted, expected);
    assert_eq!(dk[0], "main.0.weight");
    assert_eq!(dk.last().map(String::as_str), Some("main.11.weight"));
}

#[test]
fn conditional_mnist_generator_matches_torch() {
    let g = goldens("dcgan_small");
    let opts = DcganOptions {
        nz: 20,
        ngf: 4,
        ..DcganOptions::mnist(4, 4, 10)
    };
    let net = Generator::new(opts).expect("G");
    net.load_state_dict(&sub_state(&g, "g28"), true)
        .expect("load");
    let _ng = no_grad();
    let y = net
        .generate(&g["g28_in.z"], Some(&g["g28_in.labels"]))
        .expect("generate");
    assert_eq!(y.shape(), &[5, 1, 28, 28]);
    assert_close_tol(&y, &g["g28_out"], 0.0, ATOL);
    let err = net.generate(&g["g28_in.z"], None).unwrap_err().to_string();
    assert!(err.contains("labels are required"), "{err}");
}

#[test]
fn discriminator_64_matches_torch_eval() {
    let g = goldens("dcgan_small");
    let opts = DcganOptions {
        ndf: 8,
        ..Default::default()
    };
    let net = dcgan_discriminator(None, opts).expect("D");
    net.load_state_dict(&sub_state(&g, "d64"), true)
        .expect("load");
    net.eval();
    let _ng = no_grad();
    let y = net.call(&g["d64_in"]).expect("forward");
    assert_eq!(y.shape(), &[2, 1, 1, 1]);
    assert_close_tol(&y, &g["d64_out"], 1e-4, 1e-6);
    let s = net.score(&g["d64_in"], None).expect("score");
    assert_eq!(s.shape(), &[2]);
    let err = net
        .score(&g["d64_in"], Some(&Tensor::new([1i64, 2])))
        .unwrap_err()
        .to_string();
    assert!(err.contains("unconditional"), "{err}");
}

#[test]
fn gradient_penalty_value_and_critic_gradients_match_torch() {
    let g = goldens("wgan_gp");
    let critic = Discriminator::critic(DcganOptions::mnist(4, 4, 0)).expect("critic");
    critic
        .load_state_dict(&sub_state(&g, "critic"), true)
        .expect("load");
    let gp =
        gradient_penalty(|x| critic.call(x), &g["real"], &g["fake"], &g["alpha"]).expect("penalty");
    assert_close_tol(&gp.reshape(&[1]).expect("r"), &g["gp"], 1e-5, 1e-6);
    gp.backward().expect("double backward");
    let mut n = 0;
    for (name, p) in critic.named_parameters() {
        let grad = p.grad().unwrap_or_else(|| panic!("{name} has no grad"));
        let expected = &g[&format!("grad.{name}")];
        let scale = expected
            .abs()
            .expect("abs")
            .max()
            .expect("max")
            .item()
            .expect("item");
        assert!(scale > 1e-4, "{name}: golden gradient is ~0");
        assert_close_tol(&grad, expected, 1e-4, 1e-4 * scale);
        n += 1;
    }
    assert_eq!(n, 3);
    let bad = gradient_penalty(|x| critic.call(x), &g["real"], &g["alpha"], &g["alpha"]);
    assert!(bad.unwrap_err().to_string().contains("same shape"));
}

/// Mean and (population) standard deviation of the state-dict tensor `key` of `m`.
fn mean_std(m: &dyn Module, key: &str) -> (f64, f64) {
    let v = m
        .state_dict()
        .get(key)
        .expect(key)
        .to_vec_f64()
        .expect("vec");
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

#[test]
fn weights_init_gives_the_tutorials_statistics() {
    let net = dcgan_generator(None, DcganOptions::default()).expect("G");
    let (m, s) = mean_std(&net, "main.3.weight"); // 2M values
    assert!(m.abs() < 1e-3 && (s - 0.02).abs() < 5e-4, "conv {m} {s}");
    let (m, s) = mean_std(&net, "main.1.weight"); // 512 values
    assert!(
        (m - 1.0).abs() < 5e-3 && (s - 0.02).abs() < 5e-3,
        "bn {m} {s}"
    );
    assert_eq!(mean_std(&net, "main.1.bias"), (0.0, 0.0));
    let d = dcgan_discriminator(None, DcganOptions::default()).expect("D");
    let (m, s) = mean_std(&d, "main.2.weight");
    assert!(m.abs() < 2e-3 && (s - 0.02).abs() < 1e-3, "D conv {m} {s}");
}

/// The 28x28 nets with `n_extra_layers` 1 against `benches/compare/dcgan_torch.py`'s classes:
/// the generator in train mode, the discriminator in eval mode, the critic.
#[test]
fn mnist_nets_with_an_extra_layer_match_torch() {
    let g = goldens("dcgan_extra");
    let opts = DcganOptions {
        nz: 20,
        n_extra_layers: 1,
        ..DcganOptions::mnist(4, 4, 0)
    };
    let _ng = no_grad();
    let net = Generator::new(opts.clone()).expect("G");
    net.load_state_dict(&sub_state(&g, "g"), true)
        .expect("load G");
    let y = net.generate(&g["g_in"], None).expect("generate");
    assert_eq!(y.shape(), &[3, 1, 28, 28]);
    assert_close_tol(&y, &g["g_out"], 0.0, ATOL);
    let d = Discriminator::new(opts.clone()).expect("D");
    d.load_state_dict(&sub_state(&g, "d"), true)
        .expect("load D");
    d.eval();
    assert_close_tol(&d.call(&g["d_in"]).expect("D"), &g["d_out"], 1e-4, 1e-6);
    let c = Discriminator::critic(opts).expect("critic");
    c.load_state_dict(&sub_state(&g, "c"), true)
        .expect("load critic");
    assert_close_tol(
        &c.call(&g["d_in"]).expect("critic"),
        &g["c_out"],
        1e-4,
        1e-5,
    );
}

#[test]
fn options_are_checked() {
    let bad = DcganOptions {
        image_size: 32,
        ..Default::default()
    };
    let e = Generator::new(bad.clone())
        .err()
        .expect("error")
        .to_string();
    assert!(e.contains("image_size must be 64 or 28"), "{e}");
    assert!(Discriminator::new(bad).is_err());
    let deep64 = DcganOptions {
        n_extra_layers: 1,
        ..Default::default()
    };
    let e = Generator::new(deep64).err().expect("error").to_string();
    assert!(e.contains("n_extra_layers is for the 28x28 nets"), "{e}");
    let e = dcgan_generator(
        Some(golden_path("wgan_gp.safetensors").as_path()),
        DcganOptions::default(),
    )
    .err()
    .expect("wrong file")
    .to_string();
    assert!(e.contains("wgan_gp.safetensors"), "{e}");
}

#[test]
fn mnist_variants_have_the_right_shapes() {
    let g = Generator::new(DcganOptions::mnist(8, 8, 10)).expect("G");
    let d = Discriminator::new(DcganOptions::mnist(8, 8, 10)).expect("D");
    let rng = Rng::new(0);
    let z = latent(&rng, 3, 100).expect("z");
    let y = Tensor::new([0i64, 5, 9]);
    let x = g.generate(&z, Some(&y)).expect("G(z, y)");
    assert_eq!(x.shape(), &[3, 1, 28, 28]);
    let s = d.score(&x, Some(&y)).expect("D(x, y)");
    assert_eq!(s.shape(), &[3]);
    let v = s.to_vec_f64().expect("v");
    assert!(v.iter().all(|p| *p > 0.0 && *p < 1.0), "{v:?}");
    let c = Discriminator::critic(DcganOptions::mnist(8, 8, 0)).expect("critic");
    let keys: Vec<String> = c.state_dict().keys().map(String::from).collect();
    assert_eq!(keys, ["main.0.weight", "main.2.weight", "main.4.weight"]);
}

/// The generator's layer types (ConvTranspose2d, training-mode BatchNorm2d, LeakyReLU as in
/// the discriminator), differentiated twice against finite differences, as WGAN-GP needs.
#[test]
fn double_backward_through_conv_transpose_batch_norm_leaky_relu_matches_finite_differences() {
    let f64o = TensorOptions::default().dtype(DType::F64);
    let rng = Rng::new(3);
    let x = rng
        .randn(&[2, 3, 3, 3], f64o)
        .expect("x")
        .requires_grad_(true)
        .expect("rg");
    let w = rng
        .randn(&[3, 2, 4, 4], f64o)
        .expect("w")
        .mul_scalar(0.3)
        .expect("s")
        .requires_grad_(true)
        .expect("rg");
    let gamma = rng
        .randn(&[2], f64o)
        .expect("g")
        .requires_grad_(true)
        .expect("rg");
    let f = |t: &[Tensor]| {
        let o = ConvTranspose2dOptions {
            stride: [2, 2],
            padding: [1, 1],
            ..Default::default()
        };
        let y = t[0].conv_transpose2d(&t[1], None, o)?; // (2, 2, 6, 6)
        let y = F::batch_norm(&y, None, Some(&t[2]), None, true, 0.1, 1e-5)?;
        // a non-quadratic output so the second derivative is not constant
        y.leaky_relu(0.2)?.pow_scalar(3.0)?.sum()
    };
    gradgradcheck(f, &[x, w, gamma], GradcheckOptions::default()).expect("gradgradcheck");
}
