//! `roi_align` (Mask R-CNN's RoIAlign, `torchvision.ops.roi_align`): forward and backward
//! kernels with torchvision's bilinear sampling, in f32 or f64.
//!
//! The op is linear in the input: the output is `A(rois) · input` for a sparse `A` of
//! bilinear weights. The backward is `Aᵀ · grad` (its own kernel) and the backward of the
//! backward is `A` again, so gradients of any order are exact. Like torchvision, no gradient
//! flows to the rois.

use num_traits::{Float, NumCast};
use torch_core::autograd::{BackwardCtx, GradFn};
use torch_core::{DType, Error, Result, Tensor};

use super::check_rois;

/// Options of `roi_align`, torchvision's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RoiAlignOptions {
    /// Scale from box coordinates to input coordinates (1 / feature stride).
    pub spatial_scale: f64,
    /// Sampling points per bin side; `-1` (adaptive): `ceil(roi size / output size)`.
    pub sampling_ratio: i64,
    /// Shift box coordinates by -0.5 pixel (the corrected RoIAlign).
    pub aligned: bool,
}

impl Default for RoiAlignOptions {
    fn default() -> Self {
        RoiAlignOptions {
            spatial_scale: 1.0,
            sampling_ratio: -1,
            aligned: false,
        }
    }
}

/// RoIAlign: for each roi `(batch index, x1, y1, x2, y2)` of `rois` `(K, 5)`, average-pools
/// bilinearly sampled points of `input` `(N, C, H, W)` into `(K, C, oh, ow)` bins
/// (`torchvision.ops.roi_align`). Differentiable in `input` (any order).
pub fn roi_align(
    input: &Tensor,
    rois: &Tensor,
    output_size: (usize, usize),
    options: RoiAlignOptions,
) -> Result<Tensor> {
    let r = check_rois("roi_align", input, rois)?;
    let geo = Geometry::new(input.shape(), output_size, &r, options);
    let out = geo.forward(input)?;
    out.attach_grad_fn(&[input], Box::new(RoiAlignBackward { geo }))
}

/// Shapes, rois and options: all a kernel needs besides the data.
#[derive(Clone)]
struct Geometry {
    n: usize,
    c: usize,
    h: usize,
    w: usize,
    ph: usize,
    pw: usize,
    rois: Vec<f64>,
    opts: RoiAlignOptions,
}

/// One bilinear sample: four flat offsets into an `(H, W)` plane and their weights.
struct Sample<T> {
    idx: [usize; 4],
    wt: [T; 4],
}

impl Geometry {
    fn new(shape: &[usize], (ph, pw): (usize, usize), rois: &[f64], opts: RoiAlignOptions) -> Self {
        Geometry {
            n: shape[0],
            c: shape[1],
            h: shape[2],
            w: shape[3],
            ph,
            pw,
            rois: rois.to_vec(),
            opts,
        }
    }

    fn k(&self) -> usize {
        self.rois.len() / 5
    }

    /// The bilinear samples of each bin of roi `k`, in torchvision's arithmetic (type `T`),
    /// and the divisor `count`.
    fn samples<T: Float>(&self, k: usize) -> (Vec<Vec<Sample<T>>>, T) {
        let cast = |v: f64| -> T { <T as NumCast>::from(v).unwrap_or_else(T::zero) };
        let roi = &self.rois[5 * k..5 * k + 5];
        let scale = cast(self.opts.spatial_scale);
        let offset = if self.opts.aligned {
            cast(0.5)
        } else {
            T::zero()
        };
        let start_w = cast(roi[1]) * scale - offset;
        let start_h = cast(roi[2]) * scale - offset;
        let end_w = cast(roi[3]) * scale - offset;
        let end_h = cast(roi[4]) * scale - offset;
        let (mut roi_w, mut roi_h) = (end_w - start_w, end_h - start_h);
        if !self.opts.aligned {
            roi_w = roi_w.max(T::one());
            roi_h = roi_h.max(T::one());
        }
        let (ph, pw) = (cast(self.ph as f64), cast(self.pw as f64));
        let (bin_h, bin_w) = (roi_h / ph, roi_w / pw);
        let grid = |size: T, bins: T| -> usize {
            if self.opts.sampling_ratio > 0 {
                self.opts.sampling_ratio as usize
            } else {
                (size / bins).ceil().to_usize().unwrap_or(0)
            }
        };
        let (gh, gw) = (grid(roi_h, ph), grid(roi_w, pw));
        let count = cast((gh * gw).max(1) as f64);
        let (height, width) = (cast(self.h as f64), cast(self.w as f64));
        let mut bins = Vec::with_capacity(self.ph * self.pw);
        for py in 0..self.ph {
            for px in 0..self.pw {
                let mut s = Vec::with_capacity(gh * gw);
                for iy in 0..gh {
                    let y = start_h
                        + cast(py as f64) * bin_h
                        + (cast(iy as f64) + cast(0.5)) * bin_h / cast(gh as f64);
                    for ix in 0..gw {
                        let x = start_w
                            + cast(px as f64) * bin_w
                            + (cast(ix as f64) + cast(0.5)) * bin_w / cast(gw as f64);
                        if let Some(sm) = self.bilinear(y, x, height, width) {
                            s.push(sm);
                        }
                    }
                }
                bins.push(s);
            }
        }
        (bins, count)
    }

    /// torchvision's `bilinear_interpolate` weights (None: the point is outside the map).
    fn bilinear<T: Float>(&self, mut y: T, mut x: T, height: T, width: T) -> Option<Sample<T>> {
        if y < -T::one() || y > height || x < -T::one() || x > width {
            return None;
        }
        y = y.max(T::zero());
        x = x.max(T::zero());
        let (mut y_low, mut x_low) = (y.to_usize()?, x.to_usize()?);
        let (y_high, x_high);
        if y_low >= self.h - 1 {
            y_low = self.h - 1;
            y_high = y_low;
            y = <T as NumCast>::from(y_low)?;
        } else {
            y_high = y_low + 1;
        }
        if x_low >= self.w - 1 {
            x_low = self.w - 1;
            x_high = x_low;
            x = <T as NumCast>::from(x_low)?;
        } else {
            x_high = x_low + 1;
        }
        let ly = y - <T as NumCast>::from(y_low)?;
        let lx = x - <T as NumCast>::from(x_low)?;
        let (hy, hx) = (T::one() - ly, T::one() - lx);
        Some(Sample {
            idx: [
                y_low * self.w + x_low,
                y_low * self.w + x_high,
                y_high * self.w + x_low,
                y_high * self.w + x_high,
            ],
            wt: [hy * hx, hy * lx, ly * hx, ly * lx],
        })
    }

    fn forward(&self, input: &Tensor) -> Result<Tensor> {
        match input.dtype() {
            DType::F32 => self.forward_t::<f32>(input),
            DType::F64 => self.forward_t::<f64>(input),
            dtype => Err(Error::UnsupportedDType {
                op: "roi_align",
                dtype,
            }),
        }
    }

    fn forward_t<T: Float + torch_core::Element>(&self, input: &Tensor) -> Result<Tensor> {
        let x = input.to_vec::<T>()?;
        let (plane, bins) = (self.h * self.w, self.ph * self.pw);
        let mut out = vec![T::zero(); self.k() * self.c * bins];
        for k in 0..self.k() {
            let b = self.rois[5 * k] as usize;
            let (samples, count) = self.samples::<T>(k);
            for ch in 0..self.c {
                let src = &x[(b * self.c + ch) * plane..][..plane];
                let dst = &mut out[(k * self.c + ch) * bins..][..bins];
                for (o, bin) in dst.iter_mut().zip(&samples) {
                    let mut acc = T::zero();
                    for s in bin {
                        acc = acc
                            + (s.wt[0] * src[s.idx[0]]
                                + s.wt[1] * src[s.idx[1]]
                                + s.wt[2] * src[s.idx[2]]
                                + s.wt[3] * src[s.idx[3]]);
                    }
                    *o = acc / count;
                }
            }
        }
        Tensor::from_vec(out, &[self.k(), self.c, self.ph, self.pw])
    }

    /// `Aᵀ · grad`: spreads each bin's gradient over the input points it sampled.
    fn backward(&self, grad: &Tensor) -> Result<Tensor> {
        match grad.dtype() {
            DType::F32 => self.backward_t::<f32>(grad),
            DType::F64 => self.backward_t::<f64>(grad),
            dtype => Err(Error::UnsupportedDType {
                op: "roi_align_backward",
                dtype,
            }),
        }
    }

    fn backward_t<T: Float + torch_core::Element>(&self, grad: &Tensor) -> Result<Tensor> {
        let g = grad.to_vec::<T>()?;
        let (plane, bins) = (self.h * self.w, self.ph * self.pw);
        let mut gx = vec![T::zero(); self.n * self.c * plane];
        for k in 0..self.k() {
            let b = self.rois[5 * k] as usize;
            let (samples, count) = self.samples::<T>(k);
            for ch in 0..self.c {
                let dst = &mut gx[(b * self.c + ch) * plane..][..plane];
                let src = &g[(k * self.c + ch) * bins..][..bins];
                for (&go, bin) in src.iter().zip(&samples) {
                    let go = go / count;
                    for s in bin {
                        for q in 0..4 {
                            dst[s.idx[q]] = dst[s.idx[q]] + go * s.wt[q];
                        }
                    }
                }
            }
        }
        Tensor::from_vec(gx, &[self.n, self.c, self.h, self.w])
    }
}

/// Gradient of `roi_align` with respect to its input.
struct RoiAlignBackward {
    geo: Geometry,
}

impl GradFn for RoiAlignBackward {
    fn name(&self) -> &'static str {
        "RoiAlignBackward"
    }
    fn backward(&self, _ctx: &BackwardCtx, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let gx = self.geo.backward(grad)?;
        let gx = gx.attach_grad_fn(
            &[grad],
            Box::new(RoiAlignDoubleBackward {
                geo: self.geo.clone(),
            }),
        )?;
        Ok(vec![Some(gx)])
    }
}

/// Gradient of the backward (linear in `grad`): the forward map again.
struct RoiAlignDoubleBackward {
    geo: Geometry,
}

impl GradFn for RoiAlignDoubleBackward {
    fn name(&self) -> &'static str {
        "RoiAlignBackwardBackward"
    }
    fn backward(&self, _ctx: &BackwardCtx, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let gg = self.geo.forward(grad)?;
        let gg = gg.attach_grad_fn(
            &[grad],
            Box::new(RoiAlignBackward {
                geo: self.geo.clone(),
            }),
        )?;
        Ok(vec![Some(gg)])
    }
}
