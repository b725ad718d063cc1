//! WGAN-GP on MNIST (Gulrajani et al. 2017): the 28x28 DCGAN generator against a critic (the
//! discriminator without BatchNorm and Sigmoid), loss `C(fake) - C(real) + 10 * GP` with the
//! gradient penalty taken through `autograd::grad(..., create_graph = true)`, five critic
//! steps per generator step, Adam 1e-4 with betas (0, 0.9). Each epoch (a pass of the critic
//! over the data) writes a sample grid, the curves, the checkpoints and the classifier's score.
//!
//! ```sh
//! cargo run --release -p examples --bin wgan_gp -- --epochs 5
//! ```

use examples::cli::{exit_on_error, or_usage};
use examples::gan::{
    GAN_USAGE, GanArgs, Setup, critic_step, ema_generator, epoch_chart, epoch_x, mean_last,
    wgan_generator_step,
};
use examples::progress::EpochBar;
use torch_core::{Error, Result};
use torch_nn::Module;
use torch_nn::optim::{Adam, AdamOptions};
use torch_vision::models::{Discriminator, dcgan_generator, latent, weights_init};

/// Critic steps per generator step.
const N_CRITIC: usize = 5;
/// Weight of the gradient penalty.
const LAMBDA: f64 = 10.0;

fn run(args: GanArgs) -> Result<()> {
    if args.conditional {
        return Err(Error::invalid(
            "wgan_gp",
            "--conditional is an option of the dcgan example",
        ));
    }
    let setup = Setup::new(&args)?;
    let opts = args.dcgan_options(0);
    let g = dcgan_generator(None, opts.clone())?;
    let critic = Discriminator::critic(opts)?;
    weights_init(&critic)?;
    let adam = || AdamOptions {
        lr: args.lr,
        betas: (args.beta1, 0.9),
        ..Default::default()
    };
    let ema = ema_generator(&args, &g)?;
    let mut opt_g = Adam::new(g.parameters(), adam())?;
    let mut opt_c = Adam::new(critic.parameters(), adam())?;
    let batches = setup.batches(&args);
    println!(
        "WGAN-GP on {} MNIST images, {batches} critic batches of {} per epoch",
        setup.images.shape()[0],
        args.batch_size
    );
    let (mut wdist, mut gps, mut loss_g) = (vec![], vec![], vec![]);
    for epoch in 1..=args.epochs {
        g.train(true);
        critic.train(true);
        let mut bar = EpochBar::new(epoch, args.epochs, batches);
        for (b, idx) in setup.epoch(&args)?.iter().enumerate() {
            let (real, _) = setup.batch(idx)?;
            let n = real.shape()[0];
            let fake = {
                let _ng = torch_core::autograd::no_grad();
                g.generate(&latent(&setup.rng, n, args.nz)?, None)?
            };
            let alpha = setup.rng.rand(&[n, 1, 1, 1], Default::default())?;
            let (loss_c, w, gp) = critic_step(&critic, &mut opt_c, &real, &fake, &alpha, LAMBDA)?;
            bar.step(n, loss_c);
            let x = epoch_x(epoch, b, batches);
            wdist.push((x, w));
            gps.push((x, gp));
            if (b + 1) % N_CRITIC == 0 {
                let z = latent(&setup.rng, args.batch_size, args.nz)?;
                loss_g.push((x, wgan_generator_step(&g, &critic, &mut opt_g, &z)?));
                if let Some(e) = &ema {
                    e.update_parameters(&g)?;
                }
            }
        }
        let secs = bar.seconds();
        bar.finish();
        let curves = [
            epoch_chart(
                "Critic",
                "value",
                &[("C(real) - C(fake)", &wdist), ("gradient penalty", &gps)],
            ),
            epoch_chart("Generator", "-C(G(z))", &[("Loss_G", &loss_g)]),
        ];
        let ema_g = ema.as_ref().map(|e| &e.module);
        let report = setup.finish_epoch(&args, epoch, &g, ema_g, &critic, &curves)?;
        let w_mean = mean_last(&wdist, batches);
        println!(
            "epoch {epoch}: Wasserstein estimate {w_mean:.4}, {secs:.1} s; grid {}{}",
            report.grid.display(),
            report.describe()
        );
    }
    Ok(())
}

fn main() {
    let defaults = GanArgs {
        lr: 1e-4,
        beta1: 0.0,
        batch_size: 64,
        // The three-layer nets: five critic steps and a double backward per step already
        // make an epoch several times dearer than dcgan's.
        n_extra_layers: 0,
        out: "runs/wgan_gp".into(),
        ..Default::default()
    };
    let args = or_usage(
        GanArgs::parse(defaults, std::env::args().skip(1)),
        &format!("wgan_gp {GAN_USAGE}"),
    );
    exit_on_error(run(args));
}
