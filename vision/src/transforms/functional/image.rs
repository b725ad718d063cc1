//! Plumbing shared by the functional ops: the `(..., C, H, W)` geometry of an image tensor,
//! dtype dispatch (index ops on any real dtype, float math in f32 for uint8/f32 and in f64
//! for f64, as torchvision does), casting float results back to the input dtype (rounded or
//! truncated, as each torchvision op does), separable index remapping (crop, pad, flip,
//! nearest resize) and the row-parallel loop.

use num_traits::Float;
use torch_core::{DType, Element, Error, Result, Tensor};

/// Float type of the math kernels: `f32` (for uint8 and float32 images) or `f64`.
pub(crate) trait Real: Float + Element + Send + Sync + std::fmt::Debug {}
impl Real for f32 {}
impl Real for f64 {}

/// How a float result becomes an integer pixel again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IntCast {
    /// `round_()` (half to even) then `.to(dtype)`: resize, blur, affine.
    Round,
    /// `.to(dtype)` alone (truncation): blend-based colour ops, grayscale.
    Trunc,
}

/// The image geometry: `planes` = product of every dim before `(H, W)`; `c` = channels
/// (`shape[-3]`, or 1 for a 2-d tensor).
#[derive(Clone, Debug)]
pub(crate) struct Geom {
    pub shape: Vec<usize>,
    pub planes: usize,
    pub c: usize,
    pub h: usize,
    pub w: usize,
}

impl Geom {
    /// Geometry of a tensor with at least `(H, W)`.
    pub fn spatial(x: &Tensor, op: &'static str) -> Result<Geom> {
        let s = x.shape();
        if s.len() < 2 {
            return Err(Error::invalid(
                op,
                format!("expected a tensor of shape (..., H, W), got shape {s:?}"),
            ));
        }
        let n = s.len();
        Ok(Geom {
            shape: s.to_vec(),
            planes: s[..n - 2].iter().product(),
            c: if n >= 3 { s[n - 3] } else { 1 },
            h: s[n - 2],
            w: s[n - 1],
        })
    }

    /// Geometry of an image `(..., C, H, W)` (at least 3 dims).
    pub fn image(x: &Tensor, op: &'static str) -> Result<Geom> {
        if x.dim() < 3 {
            return Err(Error::invalid(
                op,
                format!(
                    "expected an image tensor of shape (..., C, H, W), got shape {:?}",
                    x.shape()
                ),
            ));
        }
        Geom::spatial(x, op)
    }

    /// The shape with `(H, W)` replaced.
    pub fn with_hw(&self, h: usize, w: usize) -> Vec<usize> {
        let mut s = self.shape.clone();
        let n = s.len();
        s[n - 2] = h;
        s[n - 1] = w;
        s
    }
}

/// Calls `$body` with `$T` bound to the element type of a real dtype (not f16/bf16/complex).
macro_rules! real_dtype {
    ($dtype:expr, $op:expr, $T:ident, $body:block) => {
        match $dtype {
            torch_core::DType::U8 => {
                type $T = u8;
                $body
            }
            torch_core::DType::I8 => {
                type $T = i8;
                $body
            }
            torch_core::DType::I16 => {
                type $T = i16;
                $body
            }
            torch_core::DType::I32 => {
                type $T = i32;
                $body
            }
            torch_core::DType::I64 => {
                type $T = i64;
                $body
            }
            torch_core::DType::F32 => {
                type $T = f32;
                $body
            }
            torch_core::DType::F64 => {
                type $T = f64;
                $body
            }
            torch_core::DType::Bool => {
                type $T = bool;
                $body
            }
            d => Err(torch_core::Error::UnsupportedDType { op: $op, dtype: d }),
        }
    };
}
pub(crate) use real_dtype;

/// Calls `$body` with `$F` the math type and `$data: Vec<$F>` the image's values in
/// row-major order: uint8 and float32 images compute in f32, float64 in f64.
macro_rules! float_image {
    ($x:expr, $op:expr, $F:ident, $data:ident, $body:block) => {
        match $x.dtype() {
            torch_core::DType::U8 | torch_core::DType::F32 => {
                #[allow(dead_code)]
                type $F = f32;
                let $data: Vec<f32> = $crate::transforms::functional::image::read_f32($x)?;
                $body
            }
            torch_core::DType::F64 => {
                #[allow(dead_code)]
                type $F = f64;
                let $data: Vec<f64> = $x.to_vec::<f64>()?;
                $body
            }
            d => Err(torch_core::Error::UnsupportedDType { op: $op, dtype: d }),
        }
    };
}
pub(crate) use float_image;

/// The values of a uint8 or float32 tensor as f32.
pub(crate) fn read_f32(x: &Tensor) -> Result<Vec<f32>> {
    match x.dtype() {
        DType::U8 => x.with_slice(|s: &[u8]| s.iter().map(|&v| v as f32).collect()),
        _ => x.to_vec::<f32>(),
    }
}

/// The float result `data` as a tensor of `dtype` (uint8: rounded or truncated, saturating).
pub(crate) fn finish<F: Real>(
    data: Vec<F>,
    shape: &[usize],
    dtype: DType,
    cast: IntCast,
) -> Result<Tensor> {
    if dtype == DType::U8 {
        let out: Vec<u8> = data
            .iter()
            .map(|&v| {
                let v = v.to_f64();
                let v = if cast == IntCast::Round {
                    v.round_ties_even()
                } else {
                    v
                };
                v as u8
            })
            .collect();
        return Tensor::from_vec(out, shape);
    }
    Tensor::from_vec(data, shape)
}

/// The fill colour per channel: empty means 0, one value is broadcast, else one per channel.
pub(crate) fn fill_per_channel(fill: &[f64], c: usize, op: &'static str) -> Result<Vec<f64>> {
    match fill.len() {
        0 => Ok(vec![0.0; c]),
        1 => Ok(vec![fill[0]; c]),
        n if n == c => Ok(fill.to_vec()),
        n => Err(Error::invalid(
            op,
            format!("the number of fill values ({n}) must be 1 or the number of channels ({c})"),
        )),
    }
}

/// `out[p, i, j] = x[p, rows[i], cols[j]]`, or the channel's fill where either index is
/// `None`: crop, pad, flips and nearest resize are all such separable gathers.
pub(crate) fn remap(
    x: &Tensor,
    op: &'static str,
    rows: &[Option<usize>],
    cols: &[Option<usize>],
    fill: &[f64],
) -> Result<Tensor> {
    let g = Geom::spatial(x, op)?;
    let fill = fill_per_channel(fill, g.c, op)?;
    let (oh, ow) = (rows.len(), cols.len());
    let shape = g.with_hw(oh, ow);
    real_dtype!(x.dtype(), op, T, {
        x.with_slice(|src: &[T]| {
            let mut out: Vec<T> = Vec::with_capacity(g.planes * oh * ow);
            for p in 0..g.planes {
                let fv = T::from_f64(fill[p % g.c]);
                let plane = &src[p * g.h * g.w..(p + 1) * g.h * g.w];
                for r in rows {
                    match r {
                        Some(r) => {
                            let row = &plane[r * g.w..(r + 1) * g.w];
                            out.extend(cols.iter().map(|c| c.map_or(fv, |c| row[c])));
                        }
                        None => out.extend(std::iter::repeat_n(fv, ow)),
                    }
                }
            }
            out
        })
        .and_then(|out| Tensor::from_vec(out, &shape))
    })
}

/// Runs `f(first_row, rows)` over `out` split into whole rows of `row_len`, on up to
/// `torch_core::get_num_threads()` scoped threads when the work is large enough to pay.
pub(crate) fn par_rows<T: Send>(
    out: &mut [T],
    row_len: usize,
    work_per_row: usize,
    f: impl Fn(usize, &mut [T]) + Sync,
) {
    let rows = out.len().checked_div(row_len).unwrap_or(0);
    let threads = torch_core::get_num_threads().min(rows).max(1);
    if threads == 1 || rows * work_per_row < 1 << 16 {
        f(0, out);
        return;
    }
    let per = rows.div_ceil(threads);
    std::thread::scope(|s| {
        for (i, chunk) in out.chunks_mut(per * row_len).enumerate() {
            let f = &f;
            s.spawn(move || f(i * per, chunk));
        }
    });
}
