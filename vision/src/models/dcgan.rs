//! DCGAN's generator and discriminator as in the PyTorch DCGAN tutorial (`Generator`,
//! `Discriminator`, `weights_init`), keys `main.0.weight`, `main.1.running_mean`, ...; a
//! 64x64 variant (the tutorial's) and a 28x28 one for MNIST, optionally class-conditioned
//! (one-hot labels appended to the latent vector and, as constant planes, to the image).

use std::path::Path;

use torch_core::{DType, Error, Padding, Result, Tensor};
use torch_nn::init;
use torch_nn::{
    BatchNorm2d, Conv2d, ConvOptions, ConvTranspose2d, ConvTransposeOptions, Forward, LeakyReLU,
    Module, ModuleBase, ReLU, Sequential, Sigmoid, Tanh,
};

use super::weights::build_model;

/// The tutorial's hyper-parameters (and the variant), with the tutorial's defaults: `nz` 100,
/// `ngf` 64, `ndf` 64, `nc` 3, 64x64 images, unconditional.
#[derive(Clone, Debug, PartialEq)]
pub struct DcganOptions {
    /// Size of the latent vector z.
    pub nz: usize,
    /// Width of the generator's feature maps (its last hidden layer has `ngf` channels).
    pub ngf: usize,
    /// Width of the discriminator's feature maps (its first layer has `ndf` channels).
    pub ndf: usize,
    /// Channels of the images (3 for RGB, 1 for MNIST).
    pub nc: usize,
    /// Image side: 64 (the tutorial's five-layer nets) or 28 (three layers, for MNIST).
    pub image_size: usize,
    /// Classes to condition on; 0 (default) for the unconditional tutorial nets. With `k > 0`
    /// the generator's input has `nz + k` channels and the discriminator's `nc + k`.
    pub num_classes: usize,
    /// Stride-1 3x3 blocks added to the 28x28 nets (the `n_extra_layers` of the DCGAN/WGAN
    /// reference code, placed where a 28x28 net lacks depth): the generator gets that many
    /// `ConvTranspose2d(c, c, 3, 1, 1)`/BatchNorm2d/ReLU blocks at 7x7 and as many again at
    /// 14x14; the discriminator that many `Conv2d(c, ndf * 4, 3, 1, 1)`/BatchNorm2d/LeakyReLU
    /// blocks at 7x7 before its last convolution, which then reads `ndf * 4` channels.
    /// 0 (default): the three-layer nets. The 64x64 nets take none.
    pub n_extra_layers: usize,
}

impl Default for DcganOptions {
    fn default() -> Self {
        DcganOptions {
            nz: 100,
            ngf: 64,
            ndf: 64,
            nc: 3,
            image_size: 64,
            num_classes: 0,
            n_extra_layers: 0,
        }
    }
}

impl DcganOptions {
    /// The 28x28 single-channel MNIST variant with widths `ngf`, `ndf` and `num_classes`
    /// (0: unconditional); `nz` 100.
    pub fn mnist(ngf: usize, ndf: usize, num_classes: usize) -> DcganOptions {
        DcganOptions {
            ngf,
            ndf,
            nc: 1,
            image_size: 28,
            num_classes,
            ..Default::default()
        }
    }

    fn check(&self, op: &'static str) -> Result<()> {
        if self.image_size != 64 && self.image_size != 28 {
            return Err(Error::invalid(
                op,
                format!("image_size must be 64 or 28, got {}", self.image_size),
            ));
        }
        if self.nz == 0 || self.ngf == 0 || self.ndf == 0 || self.nc == 0 {
            return Err(Error::invalid(
                op,
                format!("nz, ngf, ndf and nc must be positive, got {self:?}"),
            ));
        }
        if self.image_size == 64 && self.n_extra_layers > 0 {
            return Err(Error::invalid(
                op,
                format!(
                    "n_extra_layers is for the 28x28 nets, got {} with image_size 64",
                    self.n_extra_layers
                ),
            ));
        }
        Ok(())
    }
}

/// `nn.ConvTranspose2d(cin, cout, k, stride, padding, bias=False)`.
fn up(cin: usize, cout: usize, k: usize, stride: usize, padding: usize) -> Result<ConvTranspose2d> {
    let o = ConvTransposeOptions {
        stride: [stride; 2],
        padding: [padding; 2],
        bias: false,
        ..Default::default()
    };
    ConvTranspose2d::with_options(cin, cout, k, o)
}

/// `nn.Conv2d(cin, cout, k, stride, padding, bias=False)`.
fn down(cin: usize, cout: usize, k: usize, stride: usize, padding: usize) -> Result<Conv2d> {
    let o = ConvOptions {
        stride: [stride; 2],
        padding: Padding::Explicit([padding; 2]),
        bias: false,
        ..Default::default()
    };
    Conv2d::with_options(cin, cout, k, o)
}

/// The tutorial's `Generator`: `main` = ConvTranspose2d/BatchNorm2d/ReLU blocks (plus
/// [`DcganOptions::n_extra_layers`] stride-1 ones) and a final ConvTranspose2d + Tanh. Input
/// `(N, nz (+ num_classes), 1, 1)`, output `(N, nc, image_size, image_size)` in `[-1, 1]`.
#[derive(Module)]
pub struct Generator {
    base: ModuleBase,
    pub main: Sequential,
    /// The options it was built with.
    #[module(skip)]
    pub options: DcganOptions,
}

impl Generator {
    /// `Generator(ngpu)` of the tutorial (64x64) or its 28x28 variant, with PyTorch's default
    /// layer initialisation (call [`weights_init`] for the tutorial's).
    pub fn new(options: DcganOptions) -> Result<Generator> {
        options.check("Generator")?;
        let (nz, ngf, nc) = (options.nz + options.num_classes, options.ngf, options.nc);
        let main = if options.image_size == 64 {
            Sequential::new()
                .append(up(nz, ngf * 8, 4, 1, 0)?) // (N, ngf*8, 4, 4)
                .append(BatchNorm2d::new(ngf * 8)?)
                .append(ReLU::new())
                .append(up(ngf * 8, ngf * 4, 4, 2, 1)?) // (N, ngf*4, 8, 8)
                .append(BatchNorm2d::new(ngf * 4)?)
                .append(ReLU::new())
                .append(up(ngf * 4, ngf * 2, 4, 2, 1)?) // (N, ngf*2, 16, 16)
                .append(BatchNorm2d::new(ngf * 2)?)
                .append(ReLU::new())
                .append(up(ngf * 2, ngf, 4, 2, 1)?) // (N, ngf, 32, 32)
                .append(BatchNorm2d::new(ngf)?)
                .append(ReLU::new())
                .append(up(ngf, nc, 4, 2, 1)?) // (N, nc, 64, 64)
                .append(Tanh::new())
        } else {
            let extra = options.n_extra_layers;
            let mut main = Sequential::new();
            main.push(up(nz, ngf * 4, 7, 1, 0)?); // (N, ngf*4, 7, 7)
            main.push(BatchNorm2d::new(ngf * 4)?);
            main.push(ReLU::new());
            push_extra_blocks(&mut main, extra, ngf * 4)?;
            main.push(up(ngf * 4, ngf * 2, 4, 2, 1)?); // (N, ngf*2, 14, 14)
            main.push(BatchNorm2d::new(ngf * 2)?);
            main.push(ReLU::new());
            push_extra_blocks(&mut main, extra, ngf * 2)?;
            main.push(up(ngf * 2, nc, 4, 2, 1)?); // (N, nc, 28, 28)
            main.push(Tanh::new());
            main
        };
        Ok(Generator {
            base: ModuleBase::default(),
            main,
            options,
        })
    }

    /// Images for latent vectors `z` `(N, nz, 1, 1)` (or `(N, nz)`) and, for a conditional
    /// generator, class indices `labels` `(N,)` (i64), appended to z as one-hot channels.
    pub fn generate(&self, z: &Tensor, labels: Option<&Tensor>) -> Result<Tensor> {
        let z = if z.dim() == 2 {
            z.unsqueeze(-1)?.unsqueeze(-1)?
        } else {
            z.clone()
        };
        let input = match (labels, self.options.num_classes) {
            (None, 0) => z,
            (Some(y), k) if k > 0 => {
                let onehot = y.one_hot(Some(k))?.to_dtype(z.dtype())?;
                Tensor::cat(&[&z, &onehot.unsqueeze(-1)?.unsqueeze(-1)?], 1)? // (N, nz+k, 1, 1)
            }
            (_, k) => return Err(conditioning_error("Generator", k, labels.is_some())),
        };
        self.main.call(&input)
    }
}

impl Forward for Generator {
    /// `main(input)`, the tutorial's `forward`: `input` `(N, nz (+ num_classes), 1, 1)`.
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.main.call(x)
    }
}

/// Appends `n` generator blocks `ConvTranspose2d(c, c, 3, 1, 1)`/BatchNorm2d/ReLU: deeper,
/// at the same map size.
fn push_extra_blocks(main: &mut Sequential, n: usize, c: usize) -> Result<()> {
    for _ in 0..n {
        main.push(up(c, c, 3, 1, 1)?);
        main.push(BatchNorm2d::new(c)?);
        main.push(ReLU::new());
    }
    Ok(())
}

fn conditioning_error(op: &'static str, k: usize, has_labels: bool) -> Error {
    if has_labels {
        Error::invalid(op, "labels given to an unconditional model (num_classes 0)")
    } else {
        Error::invalid(
            op,
            format!("this model is conditioned on {k} classes: labels are required"),
        )
    }
}

/// The tutorial's `Discriminator`: `main` = Conv2d/LeakyReLU(0.2) (BatchNorm2d after the
/// first block; [`DcganOptions::n_extra_layers`] stride-1 blocks) and a final Conv2d +
/// Sigmoid. Input `(N, nc, image_size, image_size)`, output `(N, 1, 1, 1)` probabilities (the
/// tutorial flattens with `.view(-1)`).
///
/// With `sigmoid = false` and `batch_norm = false` (see [`Discriminator::critic`]) it is a
/// WGAN-GP critic: raw scores, and no batch statistics that would couple the samples the
/// per-sample gradient penalty treats separately.
#[derive(Module)]
pub struct Discriminator {
    base: ModuleBase,
    pub main: Sequential,
    /// The options it was built with.
    #[module(skip)]
    pub options: DcganOptions,
}

impl Discriminator {
    /// `Discriminator(ngpu)` of the tutorial (64x64) or its 28x28 variant, with PyTorch's
    /// default layer initialisation (call [`weights_init`] for the tutorial's).
    pub fn new(options: DcganOptions) -> Result<Discriminator> {
        Self::build(options, true, true)
    }

    /// The same layers without BatchNorm2d and Sigmoid: a WGAN-GP critic whose keys are
    /// `main.0.weight`, `main.2.weight`, ... (the activations keep their positions).
    pub fn critic(options: DcganOptions) -> Result<Discriminator> {
        Self::build(options, false, false)
    }

    fn build(options: DcganOptions, batch_norm: bool, sigmoid: bool) -> Result<Discriminator> {
        options.check("Discriminator")?;
        let (nc, ndf) = (options.nc + options.num_classes, options.ndf);
        let mut main = Sequential::new()
            .append(down(nc, ndf, 4, 2, 1)?)
            .append(LeakyReLU::new(0.2));
        let widths: &[usize] = if options.image_size == 64 {
            &[1, 2, 4, 8] // (N, ndf*8, 4, 4) after the last block
        } else {
            &[1, 2] // (N, ndf*2, 7, 7)
        };
        for pair in widths.windows(2) {
            main.push(down(ndf * pair[0], ndf * pair[1], 4, 2, 1)?);
            if batch_norm {
                main.push(BatchNorm2d::new(ndf * pair[1])?);
            }
            main.push(LeakyReLU::new(0.2));
        }
        let mut last = ndf * widths[widths.len() - 1];
        for _ in 0..options.n_extra_layers {
            main.push(down(last, ndf * 4, 3, 1, 1)?); // (N, ndf*4, 7, 7)
            if batch_norm {
                main.push(BatchNorm2d::new(ndf * 4)?);
            }
            main.push(LeakyReLU::new(0.2));
            last = ndf * 4;
        }
        let k = if options.image_size == 64 { 4 } else { 7 };
        main.push(down(last, 1, k, 1, 0)?); // (N, 1, 1, 1)
        if sigmoid {
            main.push(Sigmoid::new());
        }
        Ok(Discriminator {
            base: ModuleBase::default(),
            main,
            options,
        })
    }

    /// Scores of images `x` and, for a conditional discriminator, class indices `labels`
    /// `(N,)` (i64) appended as constant one-hot planes; output `(N,)`.
    pub fn score(&self, x: &Tensor, labels: Option<&Tensor>) -> Result<Tensor> {
        let input = match (labels, self.options.num_classes) {
            (None, 0) => x.clone(),
            (Some(y), k) if k > 0 => {
                let s = x.shape();
                if s.len() != 4 {
                    return Err(Error::invalid(
                        "Discriminator",
                        format!("expected (N, C, H, W) images, got shape {s:?}"),
                    ));
                }
                let planes = y
                    .one_hot(Some(k))?
                    .to_dtype(x.dtype())?
                    .reshape(&[s[0] as i64, k as i64, 1, 1])?
                    .expand(&[s[0] as i64, k as i64, s[2] as i64, s[3] as i64])?; // (N, k, H, W)
                Tensor::cat(&[x, &planes], 1)?
            }
            (_, k) => return Err(conditioning_error("Discriminator", k, labels.is_some())),
        };
        self.main.call(&input)?.reshape(&[-1])
    }
}

impl Forward for Discriminator {
    /// `main(input)`, the tutorial's `forward`: `(N, 1, 1, 1)`.
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.main.call(x)
    }
}

/// The tutorial's `weights_init`, applied to every submodule: convolutions (plain and
/// transposed) get weight `N(0, 0.02)`, BatchNorm2d weight `N(1, 0.02)` and bias 0.
pub fn weights_init(model: &dyn Module) -> Result<()> {
    for (_, m) in model.named_modules() {
        let any = m.as_any();
        let conv_weight = any
            .downcast_ref::<Conv2d>()
            .map(|c| &c.weight)
            .or_else(|| any.downcast_ref::<ConvTranspose2d>().map(|c| &c.weight));
        if let Some(w) = conv_weight {
            init::normal_(w, 0.0, 0.02)?;
        } else if let Some(bn) = any.downcast_ref::<BatchNorm2d>() {
            if let Some(w) = &bn.weight {
                init::normal_(w, 1.0, 0.02)?;
            }
            if let Some(b) = &bn.bias {
                init::constant_(b, 0.0)?;
            }
        }
    }
    Ok(())
}

/// The DCGAN generator, loading `weights` (e.g. the tutorial's saved `netG.state_dict()`)
/// strictly when given, else initialised by [`weights_init`].
pub fn dcgan_generator(weights: Option<&Path>, options: DcganOptions) -> Result<Generator> {
    build_model(
        weights,
        || Generator::new(options),
        |m| weights_init(m as &dyn Module),
    )
}

/// The DCGAN discriminator, loading `weights` strictly when given, else initialised by
/// [`weights_init`].
pub fn dcgan_discriminator(weights: Option<&Path>, options: DcganOptions) -> Result<Discriminator> {
    build_model(
        weights,
        || Discriminator::new(options),
        |m| weights_init(m as &dyn Module),
    )
}

/// `N(0, 1)` latent vectors `(n, nz, 1, 1)` from `generator` (the tutorial's
/// `torch.randn(n, nz, 1, 1)`).
pub fn latent(generator: &torch_core::Generator, n: usize, nz: usize) -> Result<Tensor> {
    generator.randn(
        &[n, nz, 1, 1],
        torch_core::TensorOptions::default().dtype(DType::F32),
    )
}
