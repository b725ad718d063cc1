//! Colour transform modules: [`ColorJitter`] (the four adjustments in a random order) and
//! [`Grayscale`].

use std::sync::Arc;

use torch_core::{Error, Generator, Result, Tensor};

use super::Transform;
use super::functional as F;
use super::sampling::{gen_of, randperm, uniform};

/// `v2.Grayscale(num_output_channels=1)`: see [`F::rgb_to_grayscale`].
#[derive(Clone, Copy, Debug)]
pub struct Grayscale {
    /// 1 or 3.
    pub num_output_channels: usize,
}

impl Default for Grayscale {
    fn default() -> Self {
        Grayscale {
            num_output_channels: 1,
        }
    }
}

impl Transform for Grayscale {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        F::rgb_to_grayscale(x, self.num_output_channels)
    }
}

/// The sampled parameters of [`ColorJitter`]: the order of the four adjustments
/// (0 brightness, 1 contrast, 2 saturation, 3 hue) and each factor (`None`: skipped).
#[derive(Clone, Debug, PartialEq)]
pub struct ColorJitterParams {
    /// A permutation of `0..4`.
    pub fn_idx: Vec<usize>,
    /// Brightness factor.
    pub brightness_factor: Option<f64>,
    /// Contrast factor.
    pub contrast_factor: Option<f64>,
    /// Saturation factor.
    pub saturation_factor: Option<f64>,
    /// Hue factor.
    pub hue_factor: Option<f64>,
}

/// `v2.ColorJitter(brightness, contrast, saturation, hue)`: each factor is drawn uniformly
/// from its range and the adjustments run in a random order.
#[derive(Clone, Default)]
pub struct ColorJitter {
    /// Brightness factor range (`None`: unchanged).
    pub brightness: Option<(f64, f64)>,
    /// Contrast factor range.
    pub contrast: Option<(f64, f64)>,
    /// Saturation factor range.
    pub saturation: Option<(f64, f64)>,
    /// Hue factor range, within `[-0.5, 0.5]`.
    pub hue: Option<(f64, f64)>,
    /// The generator (`None`: the global one).
    pub generator: Option<Arc<Generator>>,
}

/// torchvision's `ColorJitter._check_input` for a single number `v`: `[c - v, c + v]`
/// (first clipped at 0 for the factors), `None` when the range is just the centre.
fn check_input(
    v: f64,
    name: &str,
    center: f64,
    bound: (f64, f64),
    clip_first_on_zero: bool,
) -> Result<Option<(f64, f64)>> {
    if v < 0.0 {
        return Err(Error::invalid(
            "ColorJitter",
            format!("If {name} is a single number, it must be non negative."),
        ));
    }
    let mut lo = center - v;
    if clip_first_on_zero {
        lo = lo.max(0.0);
    }
    check_range((lo, center + v), name, center, bound)
}

fn check_range(
    (lo, hi): (f64, f64),
    name: &str,
    center: f64,
    bound: (f64, f64),
) -> Result<Option<(f64, f64)>> {
    if !(bound.0 <= lo && lo <= hi && hi <= bound.1) {
        return Err(Error::invalid(
            "ColorJitter",
            format!("{name} values should be between {bound:?}, but got ({lo}, {hi})."),
        ));
    }
    Ok((!(lo == center && hi == center)).then_some((lo, hi)))
}

const FACTOR_BOUND: (f64, f64) = (0.0, f64::INFINITY);
const HUE_BOUND: (f64, f64) = (-0.5, 0.5);

impl ColorJitter {
    /// `v2.ColorJitter(brightness, contrast, saturation, hue)` with single numbers: factors
    /// in `[max(0, 1 - v), 1 + v]`, hue in `[-h, h]`; 0 leaves that property alone.
    pub fn new(brightness: f64, contrast: f64, saturation: f64, hue: f64) -> Result<Self> {
        Ok(ColorJitter {
            brightness: check_input(brightness, "brightness", 1.0, FACTOR_BOUND, true)?,
            contrast: check_input(contrast, "contrast", 1.0, FACTOR_BOUND, true)?,
            saturation: check_input(saturation, "saturation", 1.0, FACTOR_BOUND, true)?,
            hue: check_input(hue, "hue", 0.0, HUE_BOUND, false)?,
            generator: None,
        })
    }

    /// `v2.ColorJitter` with explicit `(min, max)` ranges (`None`: unchanged).
    pub fn with_ranges(
        brightness: Option<(f64, f64)>,
        contrast: Option<(f64, f64)>,
        saturation: Option<(f64, f64)>,
        hue: Option<(f64, f64)>,
    ) -> Result<Self> {
        let chk = |r: Option<(f64, f64)>, name, c, b| -> Result<Option<(f64, f64)>> {
            r.map_or(Ok(None), |r| check_range(r, name, c, b))
        };
        Ok(ColorJitter {
            brightness: chk(brightness, "brightness", 1.0, FACTOR_BOUND)?,
            contrast: chk(contrast, "contrast", 1.0, FACTOR_BOUND)?,
            saturation: chk(saturation, "saturation", 1.0, FACTOR_BOUND)?,
            hue: chk(hue, "hue", 0.0, HUE_BOUND)?,
            generator: None,
        })
    }

    /// Uses `generator` for the draws.
    pub fn generator(mut self, generator: Arc<Generator>) -> Self {
        self.generator = Some(generator);
        self
    }

    /// torchvision's `make_params`: the order, then each configured factor.
    pub fn make_params(&self) -> Result<ColorJitterParams> {
        let g = gen_of(&self.generator);
        let fn_idx = randperm(g, 4)?;
        let draw = |r: Option<(f64, f64)>| r.map(|(a, b)| uniform(g, a, b)).transpose();
        Ok(ColorJitterParams {
            fn_idx,
            brightness_factor: draw(self.brightness)?,
            contrast_factor: draw(self.contrast)?,
            saturation_factor: draw(self.saturation)?,
            hue_factor: draw(self.hue)?,
        })
    }

    /// Applies fixed parameters.
    pub fn apply(&self, x: &Tensor, p: &ColorJitterParams) -> Result<Tensor> {
        let mut y = x.clone();
        for &i in &p.fn_idx {
            y = match (i, p) {
                (
                    0,
                    ColorJitterParams {
                        brightness_factor: Some(f),
                        ..
                    },
                ) => F::adjust_brightness(&y, *f)?,
                (
                    1,
                    ColorJitterParams {
                        contrast_factor: Some(f),
                        ..
                    },
                ) => F::adjust_contrast(&y, *f)?,
                (
                    2,
                    ColorJitterParams {
                        saturation_factor: Some(f),
                        ..
                    },
                ) => F::adjust_saturation(&y, *f)?,
                (
                    3,
                    ColorJitterParams {
                        hue_factor: Some(f),
                        ..
                    },
                ) => F::adjust_hue(&y, *f)?,
                _ => y,
            };
        }
        Ok(y)
    }
}

impl Transform for ColorJitter {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let p = self.make_params()?;
        self.apply(x, &p)
    }
}
