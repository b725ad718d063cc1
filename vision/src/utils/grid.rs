//! `make_grid` and `save_image` (`torchvision.utils`).

use std::path::Path;

use torch_core::{Error, Result, Tensor, TensorOptions};

use crate::io::{EncodeJpegOptions, EncodePngOptions, write_jpeg, write_png};

/// Options of `make_grid` / `save_image`, torchvision's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MakeGridOptions {
    /// Images per row.
    pub nrow: usize,
    /// Pixels between and around images.
    pub padding: usize,
    /// Shift and scale to (0, 1) using `value_range` or the min and max.
    pub normalize: bool,
    /// `(low, high)` to normalize by, instead of the data's min and max.
    pub value_range: Option<(f64, f64)>,
    /// Normalize each image by its own min and max.
    pub scale_each: bool,
    /// Value of the padding pixels.
    pub pad_value: f64,
}

impl Default for MakeGridOptions {
    fn default() -> Self {
        MakeGridOptions {
            nrow: 8,
            padding: 2,
            normalize: false,
            value_range: None,
            scale_each: false,
            pad_value: 0.0,
        }
    }
}

/// `img.clamp_(low, high).sub_(low).div_(max(high - low, 1e-5))`, torchvision's `norm_ip`.
fn norm(img: &Tensor, range: Option<(f64, f64)>) -> Result<Tensor> {
    let (low, high) = match range {
        Some(r) => r,
        None => (img.min()?.item()?, img.max()?.item()?),
    };
    img.clamp(Some(low), Some(high))?
        .sub_scalar(low)?
        .div_scalar((high - low).max(1e-5))
}

/// Tiles a batch `(B, C, H, W)` (or one `(C, H, W)` / `(H, W)` image) into one `(C, H', W')`
/// image, `nrow` images per row (`torchvision.utils.make_grid`). One-channel images become
/// three-channel; a batch of one is returned without padding, as torchvision does.
pub fn make_grid(tensor: &Tensor, options: MakeGridOptions) -> Result<Tensor> {
    let mut t = match tensor.dim() {
        2 => tensor.unsqueeze(0)?,
        3 | 4 => tensor.clone(),
        _ => {
            return Err(Error::invalid(
                "make_grid",
                format!(
                    "expected a (B, C, H, W), (C, H, W) or (H, W) tensor, got shape {:?}",
                    tensor.shape()
                ),
            ));
        }
    };
    if t.dim() == 3 {
        if t.shape()[0] == 1 {
            t = Tensor::cat(&[&t, &t, &t], 0)?;
        }
        t = t.unsqueeze(0)?;
    }
    if t.shape()[1] == 1 {
        t = Tensor::cat(&[&t, &t, &t], 1)?;
    }
    if options.normalize {
        t = if options.scale_each {
            let imgs = (0..t.shape()[0])
                .map(|i| norm(&t.select(0, i as i64)?, options.value_range))
                .collect::<Result<Vec<_>>>()?;
            Tensor::stack(&imgs.iter().collect::<Vec<_>>(), 0)?
        } else {
            norm(&t, options.value_range)?
        };
    }
    let (nmaps, c, h, w) = (t.shape()[0], t.shape()[1], t.shape()[2], t.shape()[3]);
    if nmaps == 1 {
        return t.select(0, 0)?.contiguous();
    }
    if options.nrow == 0 {
        return Err(Error::invalid("make_grid", "nrow must be positive"));
    }
    let pad = options.padding;
    let xmaps = options.nrow.min(nmaps);
    let ymaps = nmaps.div_ceil(xmaps);
    let (height, width) = (h + pad, w + pad);
    let grid = Tensor::full(
        &[c, height * ymaps + pad, width * xmaps + pad],
        options.pad_value,
        TensorOptions::default().dtype(t.dtype()),
    )?;
    for k in 0..nmaps {
        let (y, x) = (k / xmaps, k % xmaps);
        grid.narrow(1, (y * height + pad) as i64, h)?
            .narrow(2, (x * width + pad) as i64, w)?
            .copy_(&t.select(0, k as i64)?)?;
    }
    Ok(grid)
}

/// Saves a tensor (a batch goes through `make_grid`) as an image file whose format follows
/// the extension (`.png`, `.jpg`/`.jpeg`), scaled as `x * 255 + 0.5` clamped to uint8
/// (`torchvision.utils.save_image`). Written to a temporary file, then renamed.
pub fn save_image(tensor: &Tensor, path: impl AsRef<Path>, options: MakeGridOptions) -> Result<()> {
    let path = path.as_ref();
    let grid = make_grid(tensor, options)?;
    let grid = if grid.dim() == 2 {
        grid.unsqueeze(0)?
    } else {
        grid
    };
    let bytes: Vec<u8> = grid
        .to_vec_f64()?
        .into_iter()
        // In f32, as PyTorch computes `mul(255).add_(0.5)` on a float32 grid.
        .map(|v| (v as f32 * 255.0 + 0.5).clamp(0.0, 255.0) as u8)
        .collect();
    let img = Tensor::from_vec(bytes, grid.shape())?;
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" => write_png(&img, path, EncodePngOptions::default()),
        "jpg" | "jpeg" => write_jpeg(&img, path, EncodeJpegOptions::default()),
        _ => Err(Error::format(
            path,
            format!("save_image: unknown file extension {ext:?} (expected png, jpg or jpeg)"),
        )),
    }
}
