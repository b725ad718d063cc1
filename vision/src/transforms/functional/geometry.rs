//! Index-only geometry: `crop`, `center_crop`, `pad` (constant, edge, reflect, symmetric),
//! `horizontal_flip`, `vertical_flip` and `rot90`, as torchvision.transforms.v2.functional
//! does them on `(..., H, W)` tensors of any real dtype. All are separable gathers
//! ([`remap`](super::image::remap)) except `rot90`.

use torch_core::{Error, Result, Tensor};

use super::image::{Geom, remap};

/// `F.crop(img, top, left, height, width)`: the window `[top, top+height) x [left,
/// left+width)`; parts outside the image are zero, as torchvision pads them.
pub fn crop(img: &Tensor, top: i64, left: i64, height: usize, width: usize) -> Result<Tensor> {
    Geom::spatial(img, "crop")?;
    let (h, w) = hw(img);
    let rows = window(top, height, h);
    let cols = window(left, width, w);
    remap(img, "crop", &rows, &cols, &[])
}

fn hw(img: &Tensor) -> (usize, usize) {
    let s = img.shape();
    (s[s.len() - 2], s[s.len() - 1])
}

fn window(start: i64, len: usize, n: usize) -> Vec<Option<usize>> {
    (0..len as i64)
        .map(|i| {
            let s = start + i;
            (s >= 0 && (s as usize) < n).then_some(s as usize)
        })
        .collect()
}

/// Python's `round(x)` for `x` a multiple of 0.5: half to even.
fn round_half_even(x: f64) -> i64 {
    x.round_ties_even() as i64
}

/// `F.center_crop(img, output_size)`: `output_size` is `[size]` or `[h, w]`; an image
/// smaller than the crop is zero-padded first (left/top get the smaller half).
pub fn center_crop(img: &Tensor, output_size: &[usize]) -> Result<Tensor> {
    let (ch, cw) = match *output_size {
        [s] => (s, s),
        [h, w] => (h, w),
        _ => {
            return Err(Error::invalid(
                "center_crop",
                format!("output_size must have 1 or 2 values, got {output_size:?}"),
            ));
        }
    };
    Geom::spatial(img, "center_crop")?;
    let (h, w) = hw(img);
    // Pad (if needed) then crop at the anchor: as one window whose start may be negative.
    let pad_l = if cw > w { (cw - w) as i64 / 2 } else { 0 };
    let pad_t = if ch > h { (ch - h) as i64 / 2 } else { 0 };
    let (ph, pw) = (h.max(ch), w.max(cw));
    let top = round_half_even((ph - ch) as f64 / 2.0) - pad_t;
    let left = round_half_even((pw - cw) as f64 / 2.0) - pad_l;
    crop(img, top, left, ch, cw)
}

/// Padding mode of [`pad`] (`padding_mode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PaddingMode {
    /// The fill value.
    #[default]
    Constant,
    /// The edge pixel repeated.
    Edge,
    /// Mirror without repeating the edge (`2 1 | 1 2 3 | 2 1` ... `3 2 | 1 2 3 | 2 1`).
    Reflect,
    /// Mirror repeating the edge (`2 1 | 1 2 3 | 3 2`).
    Symmetric,
}

impl PaddingMode {
    fn name(self) -> &'static str {
        match self {
            PaddingMode::Constant => "constant",
            PaddingMode::Edge => "edge",
            PaddingMode::Reflect => "reflect",
            PaddingMode::Symmetric => "symmetric",
        }
    }
}

/// torchvision's padding list: `[all]`, `[left/right, top/bottom]` or `[left, top, right,
/// bottom]`, returned as `[left, top, right, bottom]`.
pub fn parse_padding(padding: &[i64]) -> Result<[i64; 4]> {
    match *padding {
        [p] => Ok([p, p, p, p]),
        [x, y] => Ok([x, y, x, y]),
        [l, t, r, b] => Ok([l, t, r, b]),
        _ => Err(Error::invalid(
            "pad",
            format!(
                "Padding must be an int or a 1, 2, or 4 element tuple, not a {} element tuple",
                padding.len()
            ),
        )),
    }
}

fn pad_axis(
    n: usize,
    before: i64,
    after: i64,
    mode: PaddingMode,
    shape: &[usize],
) -> Result<Vec<Option<usize>>> {
    let out = n as i64 + before + after;
    if out < 0 || (n == 0 && out > 0 && mode != PaddingMode::Constant) {
        return Err(Error::invalid(
            "pad",
            format!(
                "padding ({before}, {after}) is invalid for an input of shape {shape:?} in {} mode",
                mode.name()
            ),
        ));
    }
    let limit = match mode {
        PaddingMode::Reflect => n as i64 - 1,
        PaddingMode::Symmetric => n as i64,
        _ => i64::MAX,
    };
    if before > limit || after > limit {
        return Err(Error::invalid(
            "pad",
            format!(
                "padding ({before}, {after}) must be less than{} the dimension size {n} in {} mode (input shape {shape:?})",
                if mode == PaddingMode::Symmetric {
                    " or equal to"
                } else {
                    ""
                },
                mode.name()
            ),
        ));
    }
    let last = n as i64 - 1;
    Ok((0..out)
        .map(|i| {
            let s = i - before;
            let m = match mode {
                PaddingMode::Constant => s,
                PaddingMode::Edge => s.clamp(0, last),
                PaddingMode::Reflect if s < 0 => -s,
                PaddingMode::Reflect if s > last => 2 * last - s,
                PaddingMode::Symmetric if s < 0 => -s - 1,
                PaddingMode::Symmetric if s > last => 2 * last + 1 - s,
                _ => s,
            };
            (m >= 0 && m <= last).then_some(m as usize)
        })
        .collect())
}

/// `F.pad(img, padding, fill, padding_mode)`: `padding` as in [`parse_padding`]; `fill`
/// (constant mode) is empty for 0, one value, or one per channel. Negative padding crops.
pub fn pad(
    img: &Tensor,
    padding: &[i64],
    fill: &[f64],
    padding_mode: PaddingMode,
) -> Result<Tensor> {
    let [l, t, r, b] = parse_padding(padding)?;
    Geom::spatial(img, "pad")?;
    let (h, w) = hw(img);
    let rows = pad_axis(h, t, b, padding_mode, img.shape())?;
    let cols = pad_axis(w, l, r, padding_mode, img.shape())?;
    remap(img, "pad", &rows, &cols, fill)
}

/// `F.horizontal_flip(img)`: reverses the width dim.
pub fn horizontal_flip(img: &Tensor) -> Result<Tensor> {
    Geom::spatial(img, "horizontal_flip")?;
    let (h, w) = hw(img);
    let rows: Vec<_> = (0..h).map(Some).collect();
    let cols: Vec<_> = (0..w).rev().map(Some).collect();
    remap(img, "horizontal_flip", &rows, &cols, &[])
}

/// `F.vertical_flip(img)`: reverses the height dim.
pub fn vertical_flip(img: &Tensor) -> Result<Tensor> {
    Geom::spatial(img, "vertical_flip")?;
    let (h, w) = hw(img);
    let rows: Vec<_> = (0..h).rev().map(Some).collect();
    let cols: Vec<_> = (0..w).map(Some).collect();
    remap(img, "vertical_flip", &rows, &cols, &[])
}

/// `torch.rot90(img, k, dims=(-2, -1))`: `k` quarter turns counter-clockwise (contiguous).
pub fn rot90(img: &Tensor, k: i64) -> Result<Tensor> {
    Geom::spatial(img, "rot90")?;
    let out = match k.rem_euclid(4) {
        0 => return img.deep_clone(),
        1 => img.flip(&[-1])?.transpose(-2, -1)?,
        2 => return img.flip(&[-2, -1]),
        _ => img.flip(&[-2])?.transpose(-2, -1)?,
    };
    out.contiguous()
}
