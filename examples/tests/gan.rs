//! The GAN examples' library: a few training steps on a small batch of real MNIST move the
//! losses the way they should (the discriminator's falls on fixed fakes, the generator's falls
//! against a fixed discriminator, the critic's Wasserstein estimate rises), the classifier
//! score counts what it says, `--ema`'s moving average follows the generator, and the shared
//! command line parses.

use std::path::Path;

use examples::gan::{
    GanArgs, critic_step, dcgan_step, discriminator_step, ema_generator, generator_step,
    load_mnist, save_grid, score_images,
};
use examples::mnist_cnn::Net;
use torch_core::testing::assert_close;
use torch_core::{Generator as Rng, Tensor};
use torch_nn::Module;
use torch_nn::optim::{Adam, AdamOptions, Optimizer};
use torch_vision::models::{
    DcganOptions, Discriminator, dcgan_discriminator, dcgan_generator, latent, weights_init,
};

/// The first `n` training images of the repository's MNIST, in [-1, 1], and their labels.
/// The tests that build nets draw from the global generator: each holds this lock from seeding
/// to its end, so a test running beside it cannot take numbers from its seeded stream.
static GLOBAL_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn seeded(seed: u64) -> std::sync::MutexGuard<'static, ()> {
    let guard = GLOBAL_RNG.lock().unwrap_or_else(|e| e.into_inner());
    torch_core::manual_seed(seed);
    guard
}

fn mnist(n: usize) -> (Tensor, Tensor) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/mnist");
    let (x, y) = load_mnist(&dir).expect("MNIST");
    assert_eq!(x.shape(), &[60000, 1, 28, 28]);
    let (lo, hi) = (
        x.min().unwrap().item().unwrap(),
        x.max().unwrap().item().unwrap(),
    );
    assert_eq!((lo, hi), (-1.0, 1.0));
    (x.narrow(0, 0, n).unwrap(), y.narrow(0, 0, n).unwrap())
}

fn small(classes: usize) -> DcganOptions {
    DcganOptions {
        nz: 16,
        n_extra_layers: 1,
        ..DcganOptions::mnist(8, 8, classes)
    }
}

fn adam(m: &dyn Module, lr: f64, betas: (f64, f64)) -> Adam {
    let opts = AdamOptions {
        lr,
        betas,
        ..Default::default()
    };
    Adam::new(m.parameters(), opts).unwrap()
}

#[test]
fn discriminator_loss_falls_on_fixed_fakes() {
    let _rng = seeded(0);
    let (real, labels) = mnist(32);
    for classes in [0, 10] {
        let g = dcgan_generator(None, small(classes)).unwrap();
        let d = dcgan_discriminator(None, small(classes)).unwrap();
        let mut opt = adam(&d, 1e-3, (0.5, 0.999));
        let rng = Rng::new(1);
        let fake_labels = rng.randint(0, 10, &[32], Default::default()).unwrap();
        let cond = |t| (classes > 0).then_some(t);
        let fake = g
            .generate(&latent(&rng, 32, 16).unwrap(), cond(&fake_labels))
            .unwrap()
            .detach();
        let steps: Vec<(f64, f64, f64)> = (0..8)
            .map(|_| {
                discriminator_step(
                    &d,
                    &mut opt,
                    &real,
                    &fake,
                    cond(&labels),
                    cond(&fake_labels),
                )
                .unwrap()
            })
            .collect();
        let (first, last) = (steps[0], steps[7]);
        assert!(
            last.0 < 0.75 * first.0,
            "classes {classes}: Loss_D {} -> {}",
            first.0,
            last.0
        );
        assert!(last.1 > first.1, "D(x) {} -> {}", first.1, last.1);
        assert!(last.2 < first.2, "D(G(z)) {} -> {}", first.2, last.2);
        // the generator got no gradient from the discriminator's step
        assert!(g.parameters().iter().all(|p| p.grad().is_none()));
    }
}

#[test]
fn generator_loss_falls_against_a_fixed_discriminator() {
    let _rng = seeded(0);
    let g = dcgan_generator(None, small(0)).unwrap();
    let d = dcgan_discriminator(None, small(0)).unwrap();
    let mut opt = adam(&g, 1e-3, (0.5, 0.999));
    let z = latent(&Rng::new(2), 32, 16).unwrap();
    let before: Vec<Tensor> = d
        .parameters()
        .iter()
        .map(|p| p.deep_clone().unwrap())
        .collect();
    let losses: Vec<f64> = (0..8)
        .map(|_| {
            let fake = g.generate(&z, None).unwrap();
            generator_step(&d, &mut opt, &fake, None).unwrap()
        })
        .collect();
    assert!(losses[7] < losses[0], "Loss_G {losses:?}");
    for (p, b) in d.parameters().iter().zip(&before) {
        let same = p.eq(b).unwrap().all().unwrap().item().unwrap();
        assert_eq!(same, 1.0, "the generator step changed the discriminator");
    }
}

#[test]
fn full_dcgan_step_updates_both_nets_and_reports_probabilities() {
    let _rng = seeded(0);
    let (real, _) = mnist(16);
    let g = dcgan_generator(None, small(0)).unwrap();
    let d = dcgan_discriminator(None, small(0)).unwrap();
    let (mut og, mut od) = (adam(&g, 2e-4, (0.5, 0.999)), adam(&d, 2e-4, (0.5, 0.999)));
    let g0 = g
        .state_dict()
        .get("main.0.weight")
        .unwrap()
        .deep_clone()
        .unwrap();
    let z = latent(&Rng::new(3), 16, 16).unwrap();
    let s = dcgan_step(&g, &d, &mut og, &mut od, &real, None, &z, None).unwrap();
    assert!(s.loss_d > 0.0 && s.loss_g > 0.0);
    assert!((0.0..1.0).contains(&s.d_real) && (0.0..1.0).contains(&s.d_fake));
    let g1 = g.state_dict().get("main.0.weight").unwrap().clone();
    let moved = g1
        .sub(&g0)
        .unwrap()
        .abs()
        .unwrap()
        .max()
        .unwrap()
        .item()
        .unwrap();
    assert!(moved > 0.0, "generator unchanged");
    og.zero_grad();
}

#[test]
fn critic_steps_raise_the_wasserstein_estimate_with_a_finite_penalty() {
    let _rng = seeded(0);
    let (real, _) = mnist(16);
    let g = dcgan_generator(None, small(0)).unwrap();
    let critic = Discriminator::critic(small(0)).unwrap();
    weights_init(&critic).unwrap();
    let mut opt = adam(&critic, 1e-3, (0.0, 0.9));
    let rng = Rng::new(4);
    let fake = g.generate(&latent(&rng, 16, 16).unwrap(), None).unwrap();
    let alpha = rng.rand(&[16, 1, 1, 1], Default::default()).unwrap();
    let steps: Vec<(f64, f64, f64)> = (0..6)
        .map(|_| critic_step(&critic, &mut opt, &real, &fake, &alpha, 10.0).unwrap())
        .collect();
    assert!(steps[5].1 > steps[0].1, "W estimate {steps:?}");
    assert!(steps[5].0 < steps[0].0, "critic loss {steps:?}");
    assert!(steps.iter().all(|s| s.2.is_finite() && s.2 >= 0.0));
}

#[test]
fn score_counts_confident_and_matching_samples() {
    let net = Net::new().unwrap();
    net.eval();
    // make the classifier say "3" with probability ~1 for every input
    let sd = net.state_dict();
    let mut bias = vec![0.0f32; 10];
    bias[3] = 50.0;
    sd.get("fc2.bias")
        .unwrap()
        .copy_(&Tensor::from_vec(bias, &[10]).unwrap())
        .unwrap();
    let images = Tensor::zeros(&[3, 1, 28, 28], Default::default()).unwrap();
    let conditioned = Tensor::new([3i64, 3, 5]);
    let s = score_images(&net, &images, Some(&conditioned)).unwrap();
    assert_eq!(s.n, 3);
    assert_eq!(s.confident, 1.0);
    assert!((s.matching.unwrap() - 2.0 / 3.0).abs() < 1e-12);
    // a uniform classifier is never confident
    sd.get("fc2.bias")
        .unwrap()
        .copy_(&Tensor::zeros(&[10], Default::default()).unwrap())
        .unwrap();
    sd.get("fc2.weight")
        .unwrap()
        .copy_(&Tensor::zeros(&[10, 128], Default::default()).unwrap())
        .unwrap();
    let s = score_images(&net, &images, None).unwrap();
    assert_eq!((s.confident, s.matching), (0.0, None));
}

#[test]
fn sample_grid_is_written_as_png() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("grid.png");
    let images = Tensor::linspace(-1.0, 1.0, 4 * 28 * 28, Default::default())
        .unwrap()
        .reshape(&[4, 1, 28, 28])
        .unwrap();
    save_grid(&images, &path, 2).unwrap();
    let img = torch_vision::io::read_image(&path, Default::default()).unwrap();
    // make_grid: 2x2 images of 28 with 2-pixel padding, grey expanded to 3 channels
    assert_eq!(img.shape(), &[3, 62, 62]);
}

#[test]
fn gan_args_parse_flags_and_reject_unknown_ones() {
    let parse = |v: &[&str]| GanArgs::parse(GanArgs::default(), v.iter().map(|s| s.to_string()));
    let a = parse(&["--conditional", "--epochs", "2", "--ngf", "16"]).unwrap();
    assert!(a.conditional);
    assert_eq!(
        (a.epochs, a.ngf, a.batch_size, a.n_extra_layers),
        (2, 16, 32, 2)
    );
    let o = parse(&["--n-extra-layers", "0", "--nz", "64"])
        .unwrap()
        .dcgan_options(10);
    assert_eq!(
        (o.n_extra_layers, o.nz, o.num_classes, o.image_size),
        (0, 64, 10, 28)
    );
    assert!(
        parse(&["--bogus", "1"])
            .unwrap_err()
            .contains("unknown option --bogus")
    );
    assert!(parse(&["--epochs"]).unwrap_err().contains("needs a value"));
    assert!(parse(&["--batch-size", "0"]).is_err());
    assert_eq!(parse(&["--help"]).unwrap_err(), "");
    assert_eq!(parse(&[]).unwrap().ema, 0.0);
    assert_eq!(parse(&["--ema", "0.995"]).unwrap().ema, 0.995);
    assert!(
        parse(&["--ema", "1"])
            .unwrap_err()
            .contains("--ema must be in [0, 1)")
    );
}

#[test]
fn ema_generator_starts_as_a_copy_and_moves_toward_the_generator() {
    let _g = seeded(3);
    let g = dcgan_generator(None, small(0)).unwrap();
    assert!(ema_generator(&GanArgs::default(), &g).unwrap().is_none());
    let args = GanArgs {
        ema: 0.75,
        ..Default::default()
    };
    let ema = ema_generator(&args, &g).unwrap().expect("--ema 0.75");
    let w = |m: &dyn Module| m.parameters()[0].clone(); // main.0.weight
    let start = w(&g).deep_clone().unwrap();
    assert_close(&w(&ema.module), &start);
    ema.update_parameters(&g).unwrap(); // the first update copies
    {
        let _ng = torch_core::autograd::no_grad();
        w(&g).add_scalar_(1.0).unwrap();
    }
    ema.update_parameters(&g).unwrap();
    // 0.75 * start + 0.25 * (start + 1)
    assert_close(&w(&ema.module), &start.add_scalar(0.25).unwrap());
}
