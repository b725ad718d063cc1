//! Geometric transform modules: [`Resize`], [`CenterCrop`], [`Pad`], [`RandomCrop`],
//! [`RandomResizedCrop`], [`RandomHorizontalFlip`], [`RandomVerticalFlip`],
//! [`RandomRotation`] and [`RandomAffine`].

use std::sync::Arc;

use torch_core::{Error, Generator, Result, Tensor};

use super::Transform;
use super::functional::{
    self as F, AffineOptions, InterpolationMode, PaddingMode, ResizeOptions, RotateOptions,
};
use super::sampling::{check_scale_ratio, coin, gen_of, randint, uniform};

fn hw(x: &Tensor, op: &'static str) -> Result<(usize, usize)> {
    let s = x.shape();
    if s.len() < 2 {
        return Err(Error::invalid(
            op,
            format!("expected an image of shape (..., H, W), got {s:?}"),
        ));
    }
    Ok((s[s.len() - 2], s[s.len() - 1]))
}

/// `v2.Resize(size, interpolation, max_size, antialias)`: see [`F::resize`].
#[derive(Clone, Debug)]
pub struct Resize {
    /// `[shorter edge]` or `[h, w]` (or `[]` with `max_size`).
    pub size: Vec<usize>,
    /// Interpolation, `max_size`, `antialias`.
    pub opts: ResizeOptions,
}

impl Resize {
    /// `v2.Resize(size)` with the default options.
    pub fn new(size: &[usize]) -> Self {
        Self::with_options(size, ResizeOptions::default())
    }

    /// `v2.Resize(size, ...)`.
    pub fn with_options(size: &[usize], opts: ResizeOptions) -> Self {
        Resize {
            size: size.to_vec(),
            opts,
        }
    }
}

impl Transform for Resize {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        F::resize(x, &self.size, self.opts)
    }
}

/// `v2.CenterCrop(size)`: see [`F::center_crop`].
#[derive(Clone, Debug)]
pub struct CenterCrop {
    /// `[size]` or `[h, w]`.
    pub size: Vec<usize>,
}

impl CenterCrop {
    /// `v2.CenterCrop(size)`.
    pub fn new(size: &[usize]) -> Self {
        CenterCrop {
            size: size.to_vec(),
        }
    }
}

impl Transform for CenterCrop {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        F::center_crop(x, &self.size)
    }
}

/// `v2.Pad(padding, fill=0, padding_mode="constant")`: see [`F::pad`].
#[derive(Clone, Debug)]
pub struct Pad {
    /// `[all]`, `[left/right, top/bottom]` or `[left, top, right, bottom]`.
    pub padding: Vec<i64>,
    /// Fill of constant mode (one value or one per channel).
    pub fill: Vec<f64>,
    /// Padding mode.
    pub padding_mode: PaddingMode,
}

impl Pad {
    /// `v2.Pad(padding)` with fill 0, constant mode.
    pub fn new(padding: &[i64]) -> Self {
        Pad {
            padding: padding.to_vec(),
            fill: vec![0.0],
            padding_mode: PaddingMode::Constant,
        }
    }
}

impl Transform for Pad {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        F::pad(x, &self.padding, &self.fill, self.padding_mode)
    }
}

/// Options of [`RandomCrop`] with torchvision's defaults.
#[derive(Clone, Default)]
pub struct RandomCropOptions {
    /// `padding=None`: padding applied before cropping (as in [`F::parse_padding`]).
    pub padding: Option<Vec<i64>>,
    /// `pad_if_needed=False`: pad an image smaller than the crop.
    pub pad_if_needed: bool,
    /// `fill=0`.
    pub fill: Vec<f64>,
    /// `padding_mode="constant"`.
    pub padding_mode: PaddingMode,
    /// The generator (`None`: the global one).
    pub generator: Option<Arc<Generator>>,
}

/// The sampled parameters of [`RandomCrop`]: padding `[left, top, right, bottom]`, then
/// the crop window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RandomCropParams {
    /// `[left, top, right, bottom]`.
    pub padding: [i64; 4],
    /// Top of the crop in the padded image.
    pub top: i64,
    /// Left of the crop in the padded image.
    pub left: i64,
    /// Crop height.
    pub height: usize,
    /// Crop width.
    pub width: usize,
}

/// `v2.RandomCrop(size, padding, pad_if_needed, fill, padding_mode)`.
#[derive(Clone)]
pub struct RandomCrop {
    /// `(h, w)`.
    pub size: (usize, usize),
    /// The options.
    pub opts: RandomCropOptions,
}

impl RandomCrop {
    /// `v2.RandomCrop(size, ...)`; `size` is `[s]` or `[h, w]`.
    pub fn new(size: &[usize], opts: RandomCropOptions) -> Result<Self> {
        let size = match *size {
            [s] => (s, s),
            [h, w] => (h, w),
            _ => {
                return Err(Error::invalid(
                    "RandomCrop",
                    format!("size must have 1 or 2 values, got {size:?}"),
                ));
            }
        };
        if let Some(p) = &opts.padding {
            F::parse_padding(p)?;
        }
        Ok(RandomCrop { size, opts })
    }

    /// torchvision's `make_params` for an image of `height x width`.
    pub fn make_params(&self, height: usize, width: usize) -> Result<RandomCropParams> {
        let [mut l, mut t, mut r, mut b] = match &self.opts.padding {
            Some(p) => F::parse_padding(p)?,
            None => [0; 4],
        };
        let mut ph = height as i64 + t + b;
        let mut pw = width as i64 + l + r;
        let (ch, cw) = (self.size.0 as i64, self.size.1 as i64);
        if self.opts.pad_if_needed {
            if ph < ch {
                let d = ch - ph;
                t += d;
                b += d;
                ph += 2 * d;
            }
            if pw < cw {
                let d = cw - pw;
                l += d;
                r += d;
                pw += 2 * d;
            }
        }
        if ph < ch || pw < cw {
            return Err(Error::invalid(
                "RandomCrop",
                format!(
                    "Required crop size ({ch}, {cw}) is larger than {}input image size ({ph}, {pw}) (image {height}x{width}; set pad_if_needed to pad it)",
                    if self.opts.padding.is_some() {
                        "padded "
                    } else {
                        ""
                    }
                ),
            ));
        }
        let g = gen_of(&self.opts.generator);
        let top = if ph > ch {
            randint(g, 0, ph - ch + 1)?
        } else {
            0
        };
        let left = if pw > cw {
            randint(g, 0, pw - cw + 1)?
        } else {
            0
        };
        Ok(RandomCropParams {
            padding: [l, t, r, b],
            top,
            left,
            height: self.size.0,
            width: self.size.1,
        })
    }

    /// Pads and crops `x` with fixed parameters.
    pub fn apply(&self, x: &Tensor, p: &RandomCropParams) -> Result<Tensor> {
        let x = if p.padding.iter().any(|&v| v != 0) {
            F::pad(x, &p.padding, &self.opts.fill, self.opts.padding_mode)?
        } else {
            x.clone()
        };
        let (h, w) = hw(&x, "RandomCrop")?;
        if (p.height, p.width) == (h, w) {
            return Ok(x);
        }
        F::crop(&x, p.top, p.left, p.height, p.width)
    }
}

impl Transform for RandomCrop {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (h, w) = hw(x, "RandomCrop")?;
        let p = self.make_params(h, w)?;
        self.apply(x, &p)
    }
}

/// A crop window `(top, left, height, width)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CropParams {
    /// First row.
    pub top: i64,
    /// First column.
    pub left: i64,
    /// Rows.
    pub height: usize,
    /// Columns.
    pub width: usize,
}

/// Options of [`RandomResizedCrop`] with torchvision's defaults.
#[derive(Clone)]
pub struct RandomResizedCropOptions {
    /// `scale=(0.08, 1.0)`: range of the crop's area fraction.
    pub scale: (f64, f64),
    /// `ratio=(3/4, 4/3)`: range of the crop's aspect ratio (w/h), sampled in log space.
    pub ratio: (f64, f64),
    /// Interpolation and antialias of the resize (`BILINEAR`, `antialias=True`).
    pub resize: ResizeOptions,
    /// The generator (`None`: the global one).
    pub generator: Option<Arc<Generator>>,
}

impl Default for RandomResizedCropOptions {
    fn default() -> Self {
        RandomResizedCropOptions {
            scale: (0.08, 1.0),
            ratio: (3.0 / 4.0, 4.0 / 3.0),
            resize: ResizeOptions::default(),
            generator: None,
        }
    }
}

/// `v2.RandomResizedCrop(size, scale, ratio, interpolation, antialias)`.
#[derive(Clone)]
pub struct RandomResizedCrop {
    /// Output `[h, w]` (or `[s]` for a square).
    pub size: Vec<usize>,
    /// The options.
    pub opts: RandomResizedCropOptions,
}

impl RandomResizedCrop {
    /// `v2.RandomResizedCrop(size, ...)`.
    pub fn new(size: &[usize], opts: RandomResizedCropOptions) -> Result<Self> {
        check_scale_ratio("RandomResizedCrop", opts.scale, opts.ratio)?;
        let size = match *size {
            [s] => vec![s, s],
            [h, w] => vec![h, w],
            _ => {
                return Err(Error::invalid(
                    "RandomResizedCrop",
                    format!("size must have 1 or 2 values, got {size:?}"),
                ));
            }
        };
        Ok(RandomResizedCrop { size, opts })
    }

    /// torchvision's sampling: 10 tries of area fraction and log-uniform aspect ratio, then
    /// the central crop clamped to the ratio range.
    pub fn make_params(&self, height: usize, width: usize) -> Result<CropParams> {
        let g = gen_of(&self.opts.generator);
        let area = (height * width) as f64;
        let (r0, r1) = self.opts.ratio;
        let (lr0, lr1) = (r0.ln(), r1.ln());
        for _ in 0..10 {
            let target = area * uniform(g, self.opts.scale.0, self.opts.scale.1)?;
            let aspect = uniform(g, lr0, lr1)?.exp();
            let w = (target * aspect).sqrt().round_ties_even() as i64;
            let h = (target / aspect).sqrt().round_ties_even() as i64;
            if 0 < w && w <= width as i64 && 0 < h && h <= height as i64 {
                let top = randint(g, 0, height as i64 - h + 1)?;
                let left = randint(g, 0, width as i64 - w + 1)?;
                return Ok(CropParams {
                    top,
                    left,
                    height: h as usize,
                    width: w as usize,
                });
            }
        }
        let in_ratio = width as f64 / height as f64;
        let (w, h) = if in_ratio < r0 {
            (width, (width as f64 / r0).round_ties_even() as usize)
        } else if in_ratio > r1 {
            ((height as f64 * r1).round_ties_even() as usize, height)
        } else {
            (width, height)
        };
        Ok(CropParams {
            top: (height as i64 - h as i64).div_euclid(2),
            left: (width as i64 - w as i64).div_euclid(2),
            height: h,
            width: w,
        })
    }

    /// Crops and resizes with fixed parameters.
    pub fn apply(&self, x: &Tensor, p: &CropParams) -> Result<Tensor> {
        F::resized_crop(
            x,
            p.top,
            p.left,
            p.height,
            p.width,
            &self.size,
            self.opts.resize,
        )
    }
}

impl Transform for RandomResizedCrop {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (h, w) = hw(x, "RandomResizedCrop")?;
        let p = self.make_params(h, w)?;
        self.apply(x, &p)
    }
}

/// `v2.RandomHorizontalFlip(p=0.5)`.
#[derive(Clone)]
pub struct RandomHorizontalFlip {
    /// Probability of flipping (torchvision's default 0.5 when built with [`Self::new`]).
    pub p: f64,
    /// The generator (`None`: the global one).
    pub generator: Option<Arc<Generator>>,
}

impl Default for RandomHorizontalFlip {
    fn default() -> Self {
        Self::new(0.5)
    }
}

impl RandomHorizontalFlip {
    /// `v2.RandomHorizontalFlip(p)`.
    pub fn new(p: f64) -> Self {
        RandomHorizontalFlip { p, generator: None }
    }
}

impl Transform for RandomHorizontalFlip {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        if coin(gen_of(&self.generator), self.p)? {
            F::horizontal_flip(x)
        } else {
            Ok(x.clone())
        }
    }
}

/// `v2.RandomVerticalFlip(p=0.5)`.
#[derive(Clone)]
pub struct RandomVerticalFlip {
    /// Probability of flipping.
    pub p: f64,
    /// The generator (`None`: the global one).
    pub generator: Option<Arc<Generator>>,
}

impl Default for RandomVerticalFlip {
    fn default() -> Self {
        Self::new(0.5)
    }
}

impl RandomVerticalFlip {
    /// `v2.RandomVerticalFlip(p)`.
    pub fn new(p: f64) -> Self {
        RandomVerticalFlip { p, generator: None }
    }
}

impl Transform for RandomVerticalFlip {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        if coin(gen_of(&self.generator), self.p)? {
            F::vertical_flip(x)
        } else {
            Ok(x.clone())
        }
    }
}

/// Options of [`RandomRotation`] with torchvision's defaults.
#[derive(Clone, Default)]
pub struct RandomRotationOptions {
    /// `interpolation=NEAREST`.
    pub interpolation: Option<InterpolationMode>,
    /// `expand=False`.
    pub expand: bool,
    /// `center=None`.
    pub center: Option<[f64; 2]>,
    /// `fill=0` (empty means 0).
    pub fill: Vec<f64>,
    /// The generator (`None`: the global one).
    pub generator: Option<Arc<Generator>>,
}

fn degrees_range(d: &[f64], op: &'static str) -> Result<(f64, f64)> {
    match *d {
        [x] if x >= 0.0 => Ok((-x, x)),
        [a, b] => Ok((a, b)),
        _ => Err(Error::invalid(
            op,
            format!("degrees should be a non-negative number or a sequence of 2 values, got {d:?}"),
        )),
    }
}

fn fill_or_zero(fill: &[f64]) -> Vec<f64> {
    if fill.is_empty() {
        vec![0.0]
    } else {
        fill.to_vec()
    }
}

/// `v2.RandomRotation(degrees, interpolation, expand, center, fill)`; `degrees = [d]` means
/// `(-d, d)`.
#[derive(Clone)]
pub struct RandomRotation {
    /// `(min, max)` degrees.
    pub degrees: (f64, f64),
    /// The options.
    pub opts: RandomRotationOptions,
}

impl RandomRotation {
    /// `v2.RandomRotation(degrees, ...)`.
    pub fn new(degrees: &[f64], opts: RandomRotationOptions) -> Result<Self> {
        Ok(RandomRotation {
            degrees: degrees_range(degrees, "RandomRotation")?,
            opts,
        })
    }

    /// The sampled angle (`make_params`).
    pub fn make_params(&self) -> Result<f64> {
        uniform(gen_of(&self.opts.generator), self.degrees.0, self.degrees.1)
    }

    /// Rotates by a fixed angle.
    pub fn apply(&self, x: &Tensor, angle: f64) -> Result<Tensor> {
        let o = RotateOptions {
            interpolation: self.opts.interpolation,
            expand: self.opts.expand,
            center: self.opts.center,
            fill: Some(fill_or_zero(&self.opts.fill)),
        };
        F::rotate(x, angle, &o)
    }
}

impl Transform for RandomRotation {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let a = self.make_params()?;
        self.apply(x, a)
    }
}

/// Options of [`RandomAffine`] with torchvision's defaults.
#[derive(Clone, Default)]
pub struct RandomAffineOptions {
    /// `translate=None`: maximal fractions `(a, b)` of width and height.
    pub translate: Option<(f64, f64)>,
    /// `scale=None`: range `(min, max)`.
    pub scale: Option<(f64, f64)>,
    /// `shear=None`: `[s]` (x in `(-s, s)`), `[a, b]` (x range) or `[a, b, c, d]` (x and y).
    pub shear: Option<Vec<f64>>,
    /// `interpolation=NEAREST`.
    pub interpolation: Option<InterpolationMode>,
    /// `fill=0` (empty means 0).
    pub fill: Vec<f64>,
    /// `center=None`.
    pub center: Option<[f64; 2]>,
    /// The generator (`None`: the global one).
    pub generator: Option<Arc<Generator>>,
}

/// Shear ranges of [`RandomAffine`]: x `(min, max)`, optional y `(min, max)`.
type ShearRanges = ((f64, f64), Option<(f64, f64)>);

/// The sampled parameters of [`RandomAffine`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AffineParams {
    /// Degrees.
    pub angle: f64,
    /// Whole pixels `(tx, ty)`.
    pub translate: (i64, i64),
    /// Scale factor.
    pub scale: f64,
    /// Degrees `(x, y)`.
    pub shear: (f64, f64),
}

/// `v2.RandomAffine(degrees, translate, scale, shear, interpolation, fill, center)`.
#[derive(Clone)]
pub struct RandomAffine {
    /// `(min, max)` degrees.
    pub degrees: (f64, f64),
    /// Shear ranges: x `(min, max)`, optional y `(min, max)`.
    shear: Option<ShearRanges>,
    /// The options.
    pub opts: RandomAffineOptions,
}

impl RandomAffine {
    /// `v2.RandomAffine(degrees, ...)`.
    pub fn new(degrees: &[f64], opts: RandomAffineOptions) -> Result<Self> {
        let shear = match opts.shear.as_deref() {
            None => None,
            Some(&[s]) if s >= 0.0 => Some(((-s, s), None)),
            Some(&[a, b]) => Some(((a, b), None)),
            Some(&[a, b, c, d]) => Some(((a, b), Some((c, d)))),
            Some(s) => {
                return Err(Error::invalid(
                    "RandomAffine",
                    format!(
                        "shear should be a non-negative number or a sequence of 2 or 4 values, got {s:?}"
                    ),
                ));
            }
        };
        if let Some((a, b)) = opts.translate
            && !((0.0..=1.0).contains(&a) && (0.0..=1.0).contains(&b))
        {
            return Err(Error::invalid(
                "RandomAffine",
                format!("translation values should be between 0 and 1, got ({a}, {b})"),
            ));
        }
        if let Some((a, b)) = opts.scale
            && (a <= 0.0 || b <= 0.0)
        {
            return Err(Error::invalid(
                "RandomAffine",
                format!("scale values should be positive, got ({a}, {b})"),
            ));
        }
        Ok(RandomAffine {
            degrees: degrees_range(degrees, "RandomAffine")?,
            shear,
            opts,
        })
    }

    /// torchvision's `make_params` for an image of `height x width`.
    pub fn make_params(&self, height: usize, width: usize) -> Result<AffineParams> {
        let g = gen_of(&self.opts.generator);
        let angle = uniform(g, self.degrees.0, self.degrees.1)?;
        let translate = match self.opts.translate {
            Some((a, b)) => {
                let (mx, my) = (a * width as f64, b * height as f64);
                (
                    uniform(g, -mx, mx)?.round_ties_even() as i64,
                    uniform(g, -my, my)?.round_ties_even() as i64,
                )
            }
            None => (0, 0),
        };
        let scale = match self.opts.scale {
            Some((a, b)) => uniform(g, a, b)?,
            None => 1.0,
        };
        let shear = match self.shear {
            Some(((a, b), y)) => {
                let sx = uniform(g, a, b)?;
                let sy = match y {
                    Some((c, d)) => uniform(g, c, d)?,
                    None => 0.0,
                };
                (sx, sy)
            }
            None => (0.0, 0.0),
        };
        Ok(AffineParams {
            angle,
            translate,
            scale,
            shear,
        })
    }

    /// Applies fixed parameters.
    pub fn apply(&self, x: &Tensor, p: &AffineParams) -> Result<Tensor> {
        let o = AffineOptions {
            interpolation: self.opts.interpolation,
            fill: Some(fill_or_zero(&self.opts.fill)),
            center: self.opts.center,
        };
        F::affine(
            x,
            p.angle,
            [p.translate.0 as f64, p.translate.1 as f64],
            p.scale,
            [p.shear.0, p.shear.1],
            &o,
        )
    }
}

impl Transform for RandomAffine {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (h, w) = hw(x, "RandomAffine")?;
        let p = self.make_params(h, w)?;
        self.apply(x, &p)
    }
}
