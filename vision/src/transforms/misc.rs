//! [`GaussianBlur`] (random sigma) and [`RandomErasing`].

use std::sync::Arc;

use torch_core::{DType, Error, Generator, Result, Tensor, TensorOptions};

use super::Transform;
use super::functional as F;
use super::sampling::{check_scale_ratio, coin, gen_of, randint, uniform};

/// `v2.GaussianBlur(kernel_size, sigma=(0.1, 2.0))`: one sigma drawn per call, used on
/// both axes.
#[derive(Clone)]
pub struct GaussianBlur {
    /// `[kx, ky]`, odd and positive.
    pub kernel_size: [usize; 2],
    /// `(min, max)` sigma.
    pub sigma: (f64, f64),
    /// The generator (`None`: the global one).
    pub generator: Option<Arc<Generator>>,
}

impl GaussianBlur {
    /// `v2.GaussianBlur(kernel_size, sigma)`; `kernel_size` is `[k]` or `[kx, ky]`.
    pub fn new(kernel_size: &[usize], sigma: (f64, f64)) -> Result<Self> {
        let ks = match *kernel_size {
            [k] => [k, k],
            [a, b] => [a, b],
            _ => {
                return Err(Error::invalid(
                    "GaussianBlur",
                    format!("kernel_size must have 1 or 2 values, got {kernel_size:?}"),
                ));
            }
        };
        if ks.iter().any(|&k| k == 0 || k % 2 == 0) {
            return Err(Error::invalid(
                "GaussianBlur",
                format!("Kernel size value should be an odd and positive number, got {ks:?}"),
            ));
        }
        if !(0.0 < sigma.0 && sigma.0 <= sigma.1) {
            return Err(Error::invalid(
                "GaussianBlur",
                format!(
                    "sigma values should be positive and of the form (min, max), got {sigma:?}"
                ),
            ));
        }
        Ok(GaussianBlur {
            kernel_size: ks,
            sigma,
            generator: None,
        })
    }

    /// The sampled sigma (`make_params`).
    pub fn make_params(&self) -> Result<f64> {
        uniform(gen_of(&self.generator), self.sigma.0, self.sigma.1)
    }

    /// Blurs with a fixed sigma.
    pub fn apply(&self, x: &Tensor, sigma: f64) -> Result<Tensor> {
        F::gaussian_blur(x, self.kernel_size, Some([sigma, sigma]))
    }
}

impl Transform for GaussianBlur {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let s = self.make_params()?;
        self.apply(x, s)
    }
}

/// Options of [`RandomErasing`] with torchvision's defaults.
#[derive(Clone)]
pub struct RandomErasingOptions {
    /// `p=0.5`.
    pub p: f64,
    /// `scale=(0.02, 0.33)`: erased area fraction.
    pub scale: (f64, f64),
    /// `ratio=(0.3, 3.3)`: aspect ratio, sampled in log space.
    pub ratio: (f64, f64),
    /// `value=0`: one value or one per channel; `None` is torchvision's `"random"`
    /// (standard normal noise).
    pub value: Option<Vec<f64>>,
    /// The generator (`None`: the global one).
    pub generator: Option<Arc<Generator>>,
}

impl Default for RandomErasingOptions {
    fn default() -> Self {
        RandomErasingOptions {
            p: 0.5,
            scale: (0.02, 0.33),
            ratio: (0.3, 3.3),
            value: Some(vec![0.0]),
            generator: None,
        }
    }
}

/// The sampled parameters of [`RandomErasing`]: the window and its value (`None`: nothing
/// is erased, torchvision's fallback after 10 failed tries).
#[derive(Clone, Debug)]
pub struct ErasingParams {
    /// First row.
    pub i: usize,
    /// First column.
    pub j: usize,
    /// Rows.
    pub h: usize,
    /// Columns.
    pub w: usize,
    /// The value, broadcast over the window.
    pub v: Option<Tensor>,
}

/// `v2.RandomErasing(p, scale, ratio, value)`.
#[derive(Clone, Default)]
pub struct RandomErasing {
    /// The options.
    pub opts: RandomErasingOptions,
}

impl RandomErasing {
    /// `v2.RandomErasing(...)`.
    pub fn new(opts: RandomErasingOptions) -> Result<Self> {
        if !(0.0..=1.0).contains(&opts.p) {
            return Err(Error::invalid(
                "RandomErasing",
                format!(
                    "Random erasing probability should be between 0 and 1, got {}",
                    opts.p
                ),
            ));
        }
        check_scale_ratio("RandomErasing", opts.scale, opts.ratio)?;
        if opts.scale.0 < 0.0 || opts.scale.1 > 1.0 {
            return Err(Error::invalid(
                "RandomErasing",
                format!("Scale should be between 0 and 1, got {:?}", opts.scale),
            ));
        }
        Ok(RandomErasing { opts })
    }

    /// torchvision's `make_params` for an image with `c` channels of `h x w`.
    pub fn make_params(&self, c: usize, img_h: usize, img_w: usize) -> Result<ErasingParams> {
        if let Some(v) = &self.opts.value
            && v.len() != 1
            && v.len() != c
        {
            return Err(Error::invalid(
                "RandomErasing",
                format!(
                    "If value is a sequence, it should have either a single value or {c} (number of inpt channels), got {}",
                    v.len()
                ),
            ));
        }
        let g = gen_of(&self.opts.generator);
        let area = (img_h * img_w) as f64;
        let (lr0, lr1) = (self.opts.ratio.0.ln(), self.opts.ratio.1.ln());
        for _ in 0..10 {
            let erase_area = area * uniform(g, self.opts.scale.0, self.opts.scale.1)?;
            let aspect = uniform(g, lr0, lr1)?.exp();
            let h = (erase_area * aspect).sqrt().round_ties_even() as usize;
            let w = (erase_area / aspect).sqrt().round_ties_even() as usize;
            if !(h < img_h && w < img_w) {
                continue;
            }
            let v = match &self.opts.value {
                None => g.randn(&[c, h, w], TensorOptions::default().dtype(DType::F32))?,
                Some(v) => Tensor::from_slice(v, &[v.len(), 1, 1])?,
            };
            let i = randint(g, 0, (img_h - h + 1) as i64)? as usize;
            let j = randint(g, 0, (img_w - w + 1) as i64)? as usize;
            return Ok(ErasingParams {
                i,
                j,
                h,
                w,
                v: Some(v),
            });
        }
        Ok(ErasingParams {
            i: 0,
            j: 0,
            h: img_h,
            w: img_w,
            v: None,
        })
    }

    /// Erases with fixed parameters.
    pub fn apply(&self, x: &Tensor, p: &ErasingParams) -> Result<Tensor> {
        match &p.v {
            Some(v) => F::erase(x, p.i, p.j, p.h, p.w, v),
            None => Ok(x.clone()),
        }
    }
}

impl Transform for RandomErasing {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let g = gen_of(&self.opts.generator);
        if !coin(g, self.opts.p)? {
            return Ok(x.clone());
        }
        let s = x.shape();
        if s.len() < 3 {
            return Err(Error::invalid(
                "RandomErasing",
                format!("expected an image of shape (..., C, H, W), got {s:?}"),
            ));
        }
        let n = s.len();
        let p = self.make_params(s[n - 3], s[n - 2], s[n - 1])?;
        self.apply(x, &p)
    }
}
