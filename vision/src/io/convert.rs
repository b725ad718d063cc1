//! Pixel-layout plumbing shared by the codecs: interleaved `(H, W, C)` bytes to and from
//! `(C, H, W)` tensors, and libpng's channel conversions behind `ImageReadMode`.

use torch_core::{DType, Error, Result, Tensor};

use super::ImageReadMode;

/// An interleaved 8-bit image: `h * w * c` bytes, row-major.
pub(crate) struct Interleaved {
    pub data: Vec<u8>,
    pub height: usize,
    pub width: usize,
    pub channels: usize,
}

impl Interleaved {
    /// The uint8 `(C, H, W)` tensor of these pixels.
    pub fn into_chw(self) -> Result<Tensor> {
        let (h, w, c) = (self.height, self.width, self.channels);
        let plane = h * w;
        let mut out = vec![0u8; plane * c];
        for (p, px) in self.data.chunks_exact(c).enumerate() {
            for (ch, &v) in px.iter().enumerate() {
                out[ch * plane + p] = v;
            }
        }
        Tensor::from_vec(out, &[c, h, w])
    }

    /// Reads a uint8 `(C, H, W)` tensor with 1 or 3 channels, as torchvision's encoders
    /// accept it.
    pub fn from_chw(op: &'static str, t: &Tensor) -> Result<Self> {
        if t.dtype() != DType::U8 {
            return Err(Error::invalid(
                op,
                format!("Input tensor dtype should be uint8, got {:?}", t.dtype()),
            ));
        }
        if t.dim() != 3 {
            return Err(Error::invalid(
                op,
                format!(
                    "Input data should be a 3-dimensional tensor, got shape {:?}",
                    t.shape()
                ),
            ));
        }
        let (c, h, w) = (t.shape()[0], t.shape()[1], t.shape()[2]);
        if c != 1 && c != 3 {
            return Err(Error::invalid(
                op,
                format!("The number of channels should be 1 or 3, got: {c}"),
            ));
        }
        if h == 0 || w == 0 {
            return Err(Error::invalid(
                op,
                format!("cannot encode an empty image of shape {:?}", t.shape()),
            ));
        }
        let chw = t.to_vec::<u8>()?;
        let plane = h * w;
        let mut data = vec![0u8; plane * c];
        for ch in 0..c {
            for p in 0..plane {
                data[p * c + ch] = chw[ch * plane + p];
            }
        }
        Ok(Interleaved {
            data,
            height: h,
            width: w,
            channels: c,
        })
    }

    /// Converts 1 (gray), 2 (gray, alpha), 3 (RGB) or 4 (RGBA) channels to `mode` the way
    /// torchvision's libpng transforms do: alpha is stripped or added as 255, gray is
    /// replicated, and RGB becomes gray with libpng's fixed-point weights. An added alpha
    /// channel holds `filler`: torchvision asks libpng for `(1 << bit_depth) - 1` of the
    /// file's bit depth, so 255 for 8-bit files but 1 for a 1-bit gray file.
    pub fn into_mode(self, mode: ImageReadMode, filler: u8) -> Self {
        let c = self.channels;
        let target = match mode {
            ImageReadMode::UNCHANGED => return self,
            ImageReadMode::GRAY => 1,
            ImageReadMode::GRAY_ALPHA => 2,
            ImageReadMode::RGB => 3,
            ImageReadMode::RGB_ALPHA => 4,
        };
        if target == c {
            return self;
        }
        let mut data = Vec::with_capacity(self.height * self.width * target);
        for px in self.data.chunks_exact(c) {
            let (rgb, alpha) = match c {
                1 => ([px[0]; 3], filler),
                2 => ([px[0]; 3], px[1]),
                3 => ([px[0], px[1], px[2]], filler),
                _ => ([px[0], px[1], px[2]], px[3]),
            };
            let gray = || {
                if c <= 2 { rgb[0] } else { rgb_to_gray(rgb) }
            };
            match target {
                1 => data.push(gray()),
                2 => data.extend_from_slice(&[gray(), alpha]),
                3 => data.extend_from_slice(&rgb),
                _ => data.extend_from_slice(&[rgb[0], rgb[1], rgb[2], alpha]),
            }
        }
        Interleaved {
            data,
            height: self.height,
            width: self.width,
            channels: target,
        }
    }
}

/// libpng's `png_set_rgb_to_gray(png_ptr, 1, 0.2989, 0.587)` as torchvision calls it: the
/// weights become 15-bit fixed point (9794, 19234, and 3740 for blue, the remainder) and
/// the sum is truncated, not rounded; equal channels pass through unchanged.
fn rgb_to_gray([r, g, b]: [u8; 3]) -> u8 {
    const RC: u32 = 9794;
    const GC: u32 = 19234;
    const BC: u32 = 32768 - RC - GC;
    if r == g && r == b {
        return r;
    }
    ((RC * r as u32 + GC * g as u32 + BC * b as u32) >> 15) as u8
}
