//! `resize` and `resized_crop`: nearest / nearest-exact as index gathers, bilinear and
//! bicubic as two separable passes (width, then height) over per-output taps, with torch's
//! `_upsample_bilinear2d_aa` / `_upsample_bicubic2d_aa` weights when `antialias` (the
//! default) and `upsample_bilinear2d` / `upsample_bicubic2d` (A = -0.75) weights otherwise.
//! uint8 images are read and written inside the passes (math in f32, rounded half to even).

use torch_core::{DType, Error, Result, Tensor};

use super::geometry::crop;
use super::image::{Geom, Real, par_rows, remap};

/// `InterpolationMode` of torchvision (the tensor-supported ones).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InterpolationMode {
    /// `nearest`: `src = floor(dst * in / out)` (torch's legacy nearest).
    Nearest,
    /// `nearest-exact`: `src = floor((dst + 0.5) * in / out)`.
    NearestExact,
    /// `bilinear` (the default of `resize`).
    #[default]
    Bilinear,
    /// `bicubic`.
    Bicubic,
}

/// Keyword arguments of [`resize`] with torchvision's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResizeOptions {
    /// `interpolation=InterpolationMode.BILINEAR`.
    pub interpolation: InterpolationMode,
    /// `max_size=None`: bound on the longer edge when `size` has one value.
    pub max_size: Option<usize>,
    /// `antialias=True` (only used by bilinear and bicubic).
    pub antialias: bool,
}

impl Default for ResizeOptions {
    fn default() -> Self {
        ResizeOptions {
            interpolation: InterpolationMode::Bilinear,
            max_size: None,
            antialias: true,
        }
    }
}

/// torchvision's `_compute_resized_output_size`: `size = [s]` resizes the shorter edge to
/// `s` keeping the aspect ratio (bounded by `max_size`), `[h, w]` is the output size, `[]`
/// (size=None) needs `max_size` and resizes the longer edge to it. Returns `(h, w)`.
pub fn compute_resized_output_size(
    image_size: (usize, usize),
    size: &[usize],
    max_size: Option<usize>,
) -> Result<(usize, usize)> {
    let (h, w) = image_size;
    let (short, long) = if w <= h { (w, h) } else { (h, w) };
    let (new_short, new_long) = match *size {
        [] => {
            let m = max_size.ok_or_else(|| {
                Error::invalid("resize", "max_size must be an integer when size is None")
            })?;
            ((m as f64 * short as f64 / long as f64) as usize, m)
        }
        [s] => {
            let mut ns = s;
            let mut nl = (s as f64 * long as f64 / short as f64) as usize;
            if let Some(m) = max_size {
                if m <= s {
                    return Err(Error::invalid(
                        "resize",
                        format!(
                            "max_size = {m} must be strictly greater than the requested size for the smaller edge size = {s}"
                        ),
                    ));
                }
                if nl > m {
                    ns = (m as f64 * ns as f64 / nl as f64) as usize;
                    nl = m;
                }
            }
            (ns, nl)
        }
        [sh, sw] => {
            if max_size.is_some() {
                return Err(Error::invalid(
                    "resize",
                    format!(
                        "max_size should only be passed if size is None or specifies the length of the smaller edge, i.e. size should be an int or a sequence of length 1 in torchscript mode; got size {size:?}"
                    ),
                ));
            }
            return Ok((sh, sw));
        }
        _ => {
            return Err(Error::invalid(
                "resize",
                format!("size must have 1 or 2 values, got {size:?}"),
            ));
        }
    };
    Ok(if w <= h {
        (new_long, new_short)
    } else {
        (new_short, new_long)
    })
}

/// `F.resize(img, size, interpolation, max_size, antialias)` on `(..., C, H, W)` tensors
/// (any real dtype for nearest; uint8, f32, f64 for bilinear/bicubic). `size` as in
/// [`compute_resized_output_size`]. Returns `img` itself when the size does not change.
pub fn resize(img: &Tensor, size: &[usize], opts: ResizeOptions) -> Result<Tensor> {
    let g = Geom::spatial(img, "resize")?;
    let (oh, ow) = compute_resized_output_size((g.h, g.w), size, opts.max_size)?;
    resize_to(img, &g, oh, ow, opts)
}

fn resize_to(img: &Tensor, g: &Geom, oh: usize, ow: usize, opts: ResizeOptions) -> Result<Tensor> {
    if (oh, ow) == (g.h, g.w) {
        return Ok(img.clone());
    }
    if img.numel() == 0 || oh == 0 || ow == 0 {
        return Tensor::zeros(
            &g.with_hw(oh, ow),
            torch_core::TensorOptions::default().dtype(img.dtype()),
        );
    }
    match opts.interpolation {
        InterpolationMode::Nearest | InterpolationMode::NearestExact => {
            let exact = opts.interpolation == InterpolationMode::NearestExact;
            let rows = nearest_map(g.h, oh, exact);
            let cols = nearest_map(g.w, ow, exact);
            remap(img, "resize", &rows, &cols, &[])
        }
        mode => {
            let cubic = mode == InterpolationMode::Bicubic;
            let aa = opts.antialias;
            match img.dtype() {
                DType::U8 => {
                    // torch's native uint8 path: f64 weights quantised to int16, uint8
                    // intermediate between the passes.
                    let (th, tw) = Taps::<f64>::pair(g, oh, ow, cubic, aa);
                    let (th, tw) = (th.map(|t| t.into_fixed()), tw.map(|t| t.into_fixed()));
                    let out =
                        img.with_slice(|s: &[u8]| separable_u8(s, g, th.as_ref(), tw.as_ref()))?;
                    Tensor::from_vec(out, &g.with_hw(oh, ow))
                }
                DType::F32 => {
                    let (th, tw) = Taps::<f32>::pair(g, oh, ow, cubic, aa);
                    let out = img.with_slice(|s: &[f32]| {
                        separable(s, g, th.as_ref(), tw.as_ref(), |v| v, |v| v)
                    })?;
                    Tensor::from_vec(out, &g.with_hw(oh, ow))
                }
                DType::F64 => {
                    let (th, tw) = Taps::<f64>::pair(g, oh, ow, cubic, aa);
                    let out = img.with_slice(|s: &[f64]| {
                        separable(s, g, th.as_ref(), tw.as_ref(), |v| v, |v| v)
                    })?;
                    Tensor::from_vec(out, &g.with_hw(oh, ow))
                }
                d => Err(Error::UnsupportedDType {
                    op: "resize",
                    dtype: d,
                }),
            }
        }
    }
}

/// torch's `nearest_idx` / `nearest_neighbor_exact_compute_source_index` in f32.
fn nearest_map(n: usize, out: usize, exact: bool) -> Vec<Option<usize>> {
    let scale = n as f32 / out as f32;
    (0..out)
        .map(|i| {
            let s = if exact {
                ((i as f32 + 0.5) * scale).floor() as usize
            } else if out == n {
                i
            } else if out == 2 * n {
                i >> 1
            } else {
                (i as f32 * scale).floor() as usize
            };
            Some(s.min(n - 1))
        })
        .collect()
}

/// Per-output source indices and weights of one axis (`len` taps per output at most).
pub(crate) struct Taps<F> {
    pub out: usize,
    pub len: usize,
    pub count: Vec<usize>,
    pub idx: Vec<usize>,
    pub w: Vec<F>,
}

fn cubic1<F: Real>(x: F, a: F) -> F {
    let one = F::one();
    ((a + F::from_f64(2.0)) * x - (a + F::from_f64(3.0))) * x * x + one
}

fn cubic2<F: Real>(x: F, a: F) -> F {
    ((a * x - F::from_f64(5.0) * a) * x + F::from_f64(8.0) * a) * x - F::from_f64(4.0) * a
}

impl<F: Real> Taps<F> {
    pub(crate) fn empty(out: usize, len: usize) -> Self {
        Taps {
            out,
            len,
            count: vec![0; out],
            idx: vec![0; out * len],
            w: vec![F::zero(); out * len],
        }
    }

    /// Taps of both axes, `None` where the size does not change.
    fn pair(g: &Geom, oh: usize, ow: usize, cubic: bool, aa: bool) -> (Option<Self>, Option<Self>) {
        (
            (oh != g.h).then(|| Self::new(g.h, oh, cubic, aa)),
            (ow != g.w).then(|| Self::new(g.w, ow, cubic, aa)),
        )
    }

    /// The weights of torch's bilinear/bicubic upsampling, antialiased or not.
    pub fn new(n: usize, out: usize, cubic: bool, antialias: bool) -> Self {
        let scale = F::from_f64(n as f64) / F::from_f64(out as f64);
        if antialias {
            Self::antialias(n, out, scale, cubic)
        } else if cubic {
            Self::bicubic(n, out, scale)
        } else {
            Self::bilinear(n, out, scale)
        }
    }

    // `HelperInterpBase::_compute_indices_min_size_weights_aa` in UpSampleKernel.cpp.
    fn antialias(n: usize, out: usize, scale: F, cubic: bool) -> Self {
        let half = F::from_f64(0.5);
        let interp = F::from_f64(if cubic { 4.0 } else { 2.0 });
        let support = if scale >= F::one() {
            interp * half * scale
        } else {
            interp * half
        };
        let invscale = if scale >= F::one() {
            F::one() / scale
        } else {
            F::one()
        };
        let len = (support.ceil().to_f64() as usize) * 2 + 1;
        let filter = |x: F| {
            let x = x.abs();
            if cubic {
                let a = F::from_f64(-0.5);
                if x < F::one() {
                    cubic1(x, a)
                } else if x < F::from_f64(2.0) {
                    cubic2(x, a)
                } else {
                    F::zero()
                }
            } else if x < F::one() {
                F::one() - x
            } else {
                F::zero()
            }
        };
        let mut t = Self::empty(out, len);
        for i in 0..out {
            let center = scale * (F::from_f64(i as f64) + half);
            let xmin = ((center - support + half).to_f64() as i64).max(0);
            let xmax = ((center + support + half).to_f64() as i64).min(n as i64);
            let xsize = (xmax - xmin).clamp(0, len as i64) as usize;
            let w = &mut t.w[i * len..i * len + xsize];
            let mut total = F::zero();
            for (j, wj) in w.iter_mut().enumerate() {
                *wj = filter((F::from_f64((j as i64 + xmin) as f64) - center + half) * invscale);
                total = total + *wj;
            }
            if total != F::zero() {
                for wj in w.iter_mut() {
                    *wj = *wj / total;
                }
            }
            for j in 0..xsize {
                t.idx[i * len + j] = xmin as usize + j;
            }
            t.count[i] = xsize;
        }
        t
    }

    // `upsample_bilinear2d` with align_corners=False.
    fn bilinear(n: usize, out: usize, scale: F) -> Self {
        let half = F::from_f64(0.5);
        let mut t = Self::empty(out, 2);
        for i in 0..out {
            let src = (scale * (F::from_f64(i as f64) + half) - half).max(F::zero());
            let i0 = (src.to_f64() as usize).min(n - 1);
            let l = (src - F::from_f64(i0 as f64)).max(F::zero()).min(F::one());
            let i1 = if i0 < n - 1 { i0 + 1 } else { i0 };
            t.idx[2 * i] = i0;
            t.idx[2 * i + 1] = i1;
            t.w[2 * i] = F::one() - l;
            t.w[2 * i + 1] = l;
            t.count[i] = 2;
        }
        t
    }

    // `upsample_bicubic2d` with align_corners=False (A = -0.75, clamped source indices).
    fn bicubic(n: usize, out: usize, scale: F) -> Self {
        let half = F::from_f64(0.5);
        let a = F::from_f64(-0.75);
        let mut t = Self::empty(out, 4);
        for i in 0..out {
            let src = scale * (F::from_f64(i as f64) + half) - half;
            let fl = src.floor();
            let x = src - fl;
            let one = F::one();
            let ws = [
                cubic2(x + one, a),
                cubic1(x, a),
                cubic1(one - x, a),
                cubic2(one - x + one, a),
            ];
            let base = fl.to_f64() as i64 - 1;
            for (k, wk) in ws.into_iter().enumerate() {
                t.idx[4 * i + k] = (base + k as i64).clamp(0, n as i64 - 1) as usize;
                t.w[4 * i + k] = wk;
            }
            t.count[i] = 4;
        }
        t
    }
}

/// Width pass then height pass (`None` skips a pass), reading through `load` and writing
/// through `store`.
pub(crate) fn separable<S: Copy + Sync, D: Copy + Send + Default, F: Real>(
    src: &[S],
    g: &Geom,
    th: Option<&Taps<F>>,
    tw: Option<&Taps<F>>,
    load: impl Fn(S) -> F + Sync,
    store: impl Fn(F) -> D + Sync,
) -> Vec<D> {
    let (h, w) = (g.h, g.w);
    let oh = th.map_or(h, |t| t.out);
    let ow = tw.map_or(w, |t| t.out);
    // Width pass: (P*H, W) -> (P*H, OW) in F.
    let tmp: Vec<F> = if let Some(tw) = tw {
        let mut tmp = vec![F::zero(); g.planes * h * ow];
        par_rows(&mut tmp, ow, ow * tw.len, |r0, chunk| {
            for (r, orow) in chunk.chunks_mut(ow).enumerate() {
                let row = &src[(r0 + r) * w..(r0 + r + 1) * w];
                for (o, out) in orow.iter_mut().enumerate() {
                    let base = o * tw.len;
                    let n = tw.count[o];
                    let idx = &tw.idx[base..base + n];
                    let wt = &tw.w[base..base + n];
                    let mut acc = F::zero();
                    for (&i, &k) in idx.iter().zip(wt) {
                        acc = acc + load(row[i]) * k;
                    }
                    *out = acc;
                }
            }
        });
        tmp
    } else {
        src.iter().map(|&v| load(v)).collect()
    };
    // Height pass: (P, H, OW) -> (P, OH, OW); each output row is a weighted sum of rows.
    let mut out = vec![D::default(); g.planes * oh * ow];
    let Some(th) = th else {
        par_rows(&mut out, ow, ow, |r0, chunk| {
            let s = &tmp[r0 * ow..r0 * ow + chunk.len()];
            for (o, &v) in chunk.iter_mut().zip(s) {
                *o = store(v);
            }
        });
        return out;
    };
    par_rows(&mut out, ow, ow * th.len, |r0, chunk| {
        let mut acc = vec![F::zero(); ow];
        for (r, orow) in chunk.chunks_mut(ow).enumerate() {
            let (p, y) = ((r0 + r) / oh, (r0 + r) % oh);
            let plane = &tmp[p * h * ow..(p + 1) * h * ow];
            let base = y * th.len;
            let n = th.count[y];
            acc.iter_mut().for_each(|a| *a = F::zero());
            for k in 0..n {
                let (i, wk) = (th.idx[base + k], th.w[base + k]);
                let srow = &plane[i * ow..(i + 1) * ow];
                for (a, &v) in acc.iter_mut().zip(srow) {
                    *a = *a + v * wk;
                }
            }
            for (o, &a) in orow.iter_mut().zip(&acc) {
                *o = store(a);
            }
        }
    });
    out
}

/// Taps with int16 weights scaled by `2^precision` (torch's `_compute_index_ranges_int16_weights`).
pub(crate) struct FixedTaps {
    taps: Taps<f64>,
    w: Vec<i32>,
    precision: u32,
}

impl Taps<f64> {
    fn into_fixed(self) -> FixedTaps {
        let wt_max = self.w.iter().copied().fold(0.0f64, f64::max);
        let mut precision = 0u32;
        while precision < 22 {
            let next = (0.5 + wt_max * (1u64 << (precision + 1)) as f64) as i64;
            if next >= 1 << 15 {
                break;
            }
            precision += 1;
        }
        let scale = (1u64 << precision) as f64;
        let w = self
            .w
            .iter()
            .map(|&v| {
                let v = v * scale;
                if v < 0.0 {
                    (-0.5 + v) as i32
                } else {
                    (0.5 + v) as i32
                }
            })
            .collect();
        FixedTaps {
            taps: self,
            w,
            precision,
        }
    }
}

impl FixedTaps {
    #[inline]
    fn apply(&self, o: usize, at: impl Fn(usize) -> i32) -> u8 {
        let t = &self.taps;
        let base = o * t.len;
        let mut acc: i32 = 1 << (self.precision.max(1) - 1);
        for k in 0..t.count[o] {
            acc += self.w[base + k] * at(t.idx[base + k]);
        }
        (acc >> self.precision).clamp(0, 255) as u8
    }
}

/// The uint8 resize of torch's AVX kernels: integer multiply-adds with rounding, width pass
/// into a uint8 buffer, then the height pass.
fn separable_u8(src: &[u8], g: &Geom, th: Option<&FixedTaps>, tw: Option<&FixedTaps>) -> Vec<u8> {
    let (h, w) = (g.h, g.w);
    let oh = th.map_or(h, |t| t.taps.out);
    let ow = tw.map_or(w, |t| t.taps.out);
    let tmp: std::borrow::Cow<[u8]> = match tw {
        Some(tw) => {
            let mut tmp = vec![0u8; g.planes * h * ow];
            par_rows(&mut tmp, ow, ow * tw.taps.len, |r0, chunk| {
                for (r, orow) in chunk.chunks_mut(ow).enumerate() {
                    let row = &src[(r0 + r) * w..(r0 + r + 1) * w];
                    for (o, out) in orow.iter_mut().enumerate() {
                        *out = tw.apply(o, |i| row[i] as i32);
                    }
                }
            });
            tmp.into()
        }
        None => src.into(),
    };
    let Some(th) = th else {
        return tmp.into_owned();
    };
    let mut out = vec![0u8; g.planes * oh * ow];
    par_rows(&mut out, ow, ow * th.taps.len, |r0, chunk| {
        let t = &th.taps;
        let mut acc = vec![0i32; ow];
        let round: i32 = 1 << (th.precision.max(1) - 1);
        for (r, orow) in chunk.chunks_mut(ow).enumerate() {
            let (p, y) = ((r0 + r) / oh, (r0 + r) % oh);
            let plane = &tmp[p * h * ow..(p + 1) * h * ow];
            let base = y * t.len;
            acc.iter_mut().for_each(|a| *a = round);
            for k in 0..t.count[y] {
                let (i, wk) = (t.idx[base + k], th.w[base + k]);
                let srow = &plane[i * ow..(i + 1) * ow];
                for (a, &v) in acc.iter_mut().zip(srow) {
                    *a += wk * v as i32;
                }
            }
            for (o, &a) in orow.iter_mut().zip(&acc) {
                *o = (a >> th.precision).clamp(0, 255) as u8;
            }
        }
    });
    out
}

/// `F.resized_crop(img, top, left, height, width, size, interpolation, antialias)`: [`crop`]
/// then [`resize`] to `size`.
pub fn resized_crop(
    img: &Tensor,
    top: i64,
    left: i64,
    height: usize,
    width: usize,
    size: &[usize],
    opts: ResizeOptions,
) -> Result<Tensor> {
    let c = crop(img, top, left, height, width)?;
    resize(&c, size, opts)
}
