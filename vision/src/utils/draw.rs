//! `draw_bounding_boxes` and `draw_segmentation_masks` (`torchvision.utils`), drawing on the
//! pixels directly with PIL's rectangle rules (inclusive corners, outline inside the box,
//! fill blended with alpha 100 by PIL's integer blend); box labels are rasterised by
//! [`super::text`].

use std::path::PathBuf;

use torch_core::{DType, Error, Result, Tensor};

use super::color::{Color, Colors, resolve};
use super::text::{DEFAULT_FONT_SIZE, LabelFont};

/// Options of `draw_bounding_boxes` (its keyword arguments), torchvision's defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawBoundingBoxesOptions {
    /// `labels=None`: one text per box, drawn inside its top-left corner.
    pub labels: Option<Vec<String>>,
    /// Box colours; `None` uses torchvision's palette.
    pub colors: Option<Colors>,
    /// Fill each box with its colour at alpha 100/255.
    pub fill: bool,
    /// Outline width in pixels.
    pub width: usize,
    /// `font=None`: a TrueType/OpenType file for the labels; `None` uses the bundled DejaVu
    /// Sans Mono at 10 pixels per em (PIL's `ImageFont.load_default()` is Aileron at 10).
    pub font: Option<PathBuf>,
    /// `font_size=None`: pixels per em of `font` (10 when `None` or 0); ignored without
    /// `font`, as in torchvision (which warns).
    pub font_size: Option<usize>,
    /// `label_colors=None`: text colours; `None` uses the box colours, or black when
    /// `fill_labels`.
    pub label_colors: Option<Colors>,
    /// `label_background_colors=None`: colours of the label backgrounds when `fill_labels`;
    /// `None` uses the box colours.
    pub label_background_colors: Option<Colors>,
    /// `fill_labels=False`: fill a rectangle one pixel around each label's text box first.
    pub fill_labels: bool,
}

impl Default for DrawBoundingBoxesOptions {
    fn default() -> Self {
        DrawBoundingBoxesOptions {
            labels: None,
            colors: None,
            fill: false,
            width: 1,
            font: None,
            font_size: None,
            label_colors: None,
            label_background_colors: None,
            fill_labels: false,
        }
    }
}

/// Options of `draw_segmentation_masks`, torchvision's defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawSegmentationMasksOptions {
    /// Opacity of the masks: 0 transparent, 1 opaque.
    pub alpha: f64,
    /// Mask colours; `None` uses torchvision's palette.
    pub colors: Option<Colors>,
}

impl Default for DrawSegmentationMasksOptions {
    fn default() -> Self {
        DrawSegmentationMasksOptions {
            alpha: 0.8,
            colors: None,
        }
    }
}

/// Checks a `(C, H, W)` uint8 or float image with C in `channels`.
fn check_image(op: &'static str, image: &Tensor, channels: &[usize]) -> Result<()> {
    if !(image.dtype() == DType::U8 || image.dtype().is_float()) {
        return Err(Error::invalid(
            op,
            format!(
                "The image dtype must be uint8 or float, got {:?}",
                image.dtype()
            ),
        ));
    }
    if image.dim() != 3 {
        return Err(Error::invalid(
            op,
            format!(
                "Pass individual images, not batches (got shape {:?})",
                image.shape()
            ),
        ));
    }
    if !channels.contains(&image.shape()[0]) {
        return Err(Error::invalid(
            op,
            format!(
                "expected an image with {channels:?} channels, got shape {:?}",
                image.shape()
            ),
        ));
    }
    Ok(())
}

/// PIL's `BLEND`: `(dst * (255 - a) + src * a) / 255` with its rounding division.
fn blend(dst: u8, src: u8, a: u32) -> u8 {
    let v = dst as u32 * (255 - a) + src as u32 * a + 128;
    (((v >> 8) + v) >> 8) as u8
}

/// A `(3, H, W)` uint8 canvas.
struct Canvas {
    px: Vec<u8>,
    h: i64,
    w: i64,
}

impl Canvas {
    fn put(&mut self, x: i64, y: i64, c: Color, alpha: Option<u32>) {
        if x < 0 || y < 0 || x >= self.w || y >= self.h {
            return;
        }
        let plane = (self.h * self.w) as usize;
        let p = (y * self.w + x) as usize;
        for ch in 0..3 {
            let d = &mut self.px[ch * plane + p];
            *d = match alpha {
                Some(a) => blend(*d, c.0[ch], a),
                None => c.0[ch],
            };
        }
    }

    /// PIL's `hline`: `x0..=x1` on row `y`.
    fn hline(&mut self, x0: i64, x1: i64, y: i64, c: Color, alpha: Option<u32>) {
        let (a, b) = (x0.min(x1).max(0), x0.max(x1).min(self.w - 1));
        for x in a..=b {
            self.put(x, y, c, alpha);
        }
    }

    /// A vertical line between rows `y0` and `y1` inclusive, in either order.
    fn vline(&mut self, x: i64, y0: i64, y1: i64, c: Color) {
        for y in y0.min(y1)..=y0.max(y1) {
            self.put(x, y, c, None);
        }
    }

    /// PIL's `ImagingDrawRectangle`: filled (`fill`) or an outline `width` pixels thick.
    /// Outlines match PIL for boxes at least `2 * width - 1` pixels wide and high (and for
    /// any box at width 1); PIL draws thicker outlines of smaller boxes differently.
    fn rectangle(&mut self, [x0, y0, x1, y1]: [i64; 4], c: Color, fill: Option<u32>, width: i64) {
        if let Some(a) = fill {
            for y in y0.max(0)..=y1.min(self.h - 1) {
                self.hline(x0, x1, y, c, Some(a));
            }
            return;
        }
        for i in 0..width.max(1) {
            self.hline(x0, x1, y0 + i, c, None);
            self.hline(x0, x1, y1 - i, c, None);
            self.vline(x1 - i, y0 + width, y1 - width + 1, c);
            self.vline(x0 + i, y0 + width, y1 - width + 1, c);
        }
    }
}

/// Pixels between a label's text box and its background's edge (torchvision's `box_margin`).
const LABEL_BOX_MARGIN: i64 = 1;

/// How labels are drawn: the font and each box's text and background colours.
struct Labels {
    font: LabelFont,
    text: Vec<Color>,
    background: Option<Vec<Color>>,
}

impl Labels {
    /// torchvision's choice of font and label colours.
    fn new(op: &'static str, o: &DrawBoundingBoxesOptions, boxes: &[Color]) -> Result<Labels> {
        let n = boxes.len();
        let size = match &o.font {
            // torchvision's `font_size or 10`: 0 counts as unset.
            Some(_) => o
                .font_size
                .filter(|&s| s > 0)
                .map_or(DEFAULT_FONT_SIZE, |s| s as f32),
            None => DEFAULT_FONT_SIZE,
        };
        let font = LabelFont::load(op, o.font.as_deref(), size)?;
        let text = match (&o.label_colors, o.fill_labels) {
            (Some(c), _) => resolve(op, Some(c), n)?,
            (None, true) => vec![Color([0, 0, 0]); n],
            (None, false) => boxes.to_vec(),
        };
        let background = match (&o.label_background_colors, o.fill_labels) {
            (_, false) => None,
            (Some(c), true) => Some(resolve(op, Some(c), n)?),
            (None, true) => Some(boxes.to_vec()),
        };
        Ok(Labels {
            font,
            text,
            background,
        })
    }

    /// Box `i`'s label at `(x, y)`: its background (when filled), then its text.
    fn draw(&self, canvas: &mut Canvas, i: usize, x: i64, y: i64, label: &str) {
        if let Some(bg) = &self.background {
            let [l, t, r, b] = self.font.text_bbox(x, y, label);
            let m = LABEL_BOX_MARGIN;
            canvas.rectangle([l - m, t - m, r + m, b + m], bg[i], Some(255), 0);
        }
        for p in self.font.rasterise(x, y, label) {
            let a = (p.alpha * 255.0).round() as u32;
            canvas.put(p.x, p.y, self.text[i], Some(a));
        }
    }
}

/// The image as uint8 `(3, H, W)` bytes (gray tiled to RGB; float scaled by `255.999` and
/// truncated, as torchvision's `to_dtype(..., scale=True)`).
fn to_rgb_bytes(image: &Tensor) -> Result<Vec<u8>> {
    let bytes: Vec<u8> = if image.dtype() == DType::U8 {
        image.to_vec::<u8>()?
    } else {
        image
            .to_vec_f64()?
            .into_iter()
            .map(|v| (v as f32 * (255.0 + 1.0 - 1e-3)) as u8)
            .collect()
    };
    Ok(if image.shape()[0] == 1 {
        bytes.repeat(3)
    } else {
        bytes
    })
}

/// Back to the input's dtype (floats as `x / 255`).
fn from_rgb_bytes(px: Vec<u8>, shape: &[usize], dtype: DType) -> Result<Tensor> {
    let t = Tensor::from_vec(px, shape)?;
    if dtype == DType::U8 {
        Ok(t)
    } else {
        t.to_dtype(dtype)?.mul_scalar(1.0 / 255.0)
    }
}

/// Draws xyxy `boxes` `(N, 4)` on a `(C, H, W)` image (C = 1 or 3, uint8 or float in [0, 1]),
/// returning a 3-channel image of the input's dtype (`torchvision.utils.draw_bounding_boxes`).
/// Coordinates are truncated to integers; corners are inclusive.
///
/// Each label is drawn as torchvision does, `draw.text((x1 + m, y1 + m), label)` with margin
/// `m = width + 1`: the text's ascender line starts at `(x1 + m, y1 + m)`, `'\n'` starts a
/// new line, the ink is blended with its antialiased coverage. Text is rasterised by
/// ab_glyph, not FreeType, and the default font is DejaVu Sans Mono rather than PIL's
/// default font, so label pixels are close to but not equal to torchvision's (boxes and
/// fills are pixel-exact).
pub fn draw_bounding_boxes(
    image: &Tensor,
    boxes: &Tensor,
    options: &DrawBoundingBoxesOptions,
) -> Result<Tensor> {
    const OP: &str = "draw_bounding_boxes";
    check_image(OP, image, &[1, 3])?;
    crate::ops::check_boxes(OP, boxes)?;
    let b = boxes.to_vec_f64()?;
    let n = boxes.shape()[0];
    if b.chunks_exact(4).any(|r| r[0] > r[2] || r[1] > r[3]) {
        return Err(Error::invalid(
            OP,
            "Boxes need to be in (xmin, ymin, xmax, ymax) format. Use torchvision.ops.box_convert to convert them",
        ));
    }
    if n == 0 {
        return Ok(image.clone());
    }
    if let Some(labels) = &options.labels
        && labels.len() != n
    {
        return Err(Error::invalid(
            OP,
            format!(
                "Number of boxes ({n}) and labels ({}) mismatch. Please specify labels for each box.",
                labels.len()
            ),
        ));
    }
    let colors = resolve(OP, options.colors.as_ref(), n)?;
    let labels = match &options.labels {
        Some(texts) => Some((Labels::new(OP, options, &colors)?, texts)),
        None => None,
    };
    let (h, w) = (image.shape()[1], image.shape()[2]);
    let mut canvas = Canvas {
        px: to_rgb_bytes(image)?,
        h: h as i64,
        w: w as i64,
    };
    for (i, (r, &c)) in b.chunks_exact(4).zip(&colors).enumerate() {
        let bbox = [r[0] as i64, r[1] as i64, r[2] as i64, r[3] as i64];
        if options.fill {
            canvas.rectangle(bbox, c, Some(100), 0);
        }
        canvas.rectangle(bbox, c, None, options.width as i64);
        if let Some((style, texts)) = &labels {
            let margin = options.width as i64 + LABEL_BOX_MARGIN;
            style.draw(
                &mut canvas,
                i,
                bbox[0] + margin,
                bbox[1] + margin,
                &texts[i],
            );
        }
    }
    from_rgb_bytes(canvas.px, &[3, h, w], image.dtype())
}

/// Paints bool `masks` `(N, H, W)` (or `(H, W)`) over an RGB `(3, H, W)` image:
/// `image * (1 - alpha) + painted * alpha`, with pixels under several masks painted black
/// (`torchvision.utils.draw_segmentation_masks`).
pub fn draw_segmentation_masks(
    image: &Tensor,
    masks: &Tensor,
    options: &DrawSegmentationMasksOptions,
) -> Result<Tensor> {
    const OP: &str = "draw_segmentation_masks";
    check_image(OP, image, &[3])?;
    let masks = if masks.dim() == 2 {
        masks.unsqueeze(0)?
    } else {
        masks.clone()
    };
    if masks.dim() != 3 {
        return Err(Error::invalid(
            OP,
            format!(
                "masks must be of shape (H, W) or (batch_size, H, W), got {:?}",
                masks.shape()
            ),
        ));
    }
    if masks.dtype() != DType::Bool {
        return Err(Error::invalid(
            OP,
            format!("The masks must be of dtype bool. Got {:?}", masks.dtype()),
        ));
    }
    if masks.shape()[1..] != image.shape()[1..] {
        return Err(Error::shape(OP, image.shape(), masks.shape()));
    }
    let n = masks.shape()[0];
    if n == 0 {
        return Ok(image.clone());
    }
    let colors = resolve(OP, options.colors.as_ref(), n)?;
    let plane = image.shape()[1] * image.shape()[2];
    let m = masks.to_vec::<bool>()?;
    let float = image.dtype() != DType::U8;
    let img = image.to_vec_f64()?;
    let mut painted = img.clone();
    let mut hits = vec![0u32; plane];
    for (k, c) in colors.iter().enumerate() {
        for p in 0..plane {
            if m[k * plane + p] {
                hits[p] += 1;
                for ch in 0..3 {
                    let v = c.0[ch] as f64;
                    painted[ch * plane + p] = if float { v / 255.0 } else { v };
                }
            }
        }
    }
    for p in (0..plane).filter(|&p| hits[p] > 1) {
        for ch in 0..3 {
            painted[ch * plane + p] = 0.0;
        }
    }
    // PyTorch computes in float32 for uint8 and float32 images: do the same so the
    // final truncation to uint8 agrees.
    let (a, a1) = (options.alpha as f32, (1.0 - options.alpha) as f32);
    let out: Vec<f64> = img
        .iter()
        .zip(&painted)
        .map(|(&x, &y)| (x as f32 * a1 + y as f32 * a) as f64)
        .collect();
    let t = Tensor::from_vec(out, image.shape())?;
    if float {
        t.to_dtype(image.dtype())
    } else {
        let bytes: Vec<u8> = t.to_vec::<f64>()?.into_iter().map(|v| v as u8).collect();
        Tensor::from_vec(bytes, image.shape())
    }
}
