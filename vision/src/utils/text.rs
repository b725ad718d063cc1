//! Label text for `draw_bounding_boxes`: loading a TrueType/OpenType font (a file, or the
//! bundled DejaVu Sans Mono standing in for PIL's `ImageFont.load_default()`) and
//! rasterising a string with ab_glyph as per-pixel coverage, placed as PIL's
//! `draw.text(xy, text, font=...)` places it (anchor `"la"`: `xy` is the left end of the
//! first line's ascender line).

use std::path::Path;

use ab_glyph::{Font, FontArc, Glyph, PxScale, ScaleFont, point};
use torch_core::{Error, Result};

/// DejaVu Sans Mono (DejaVu fonts licence, vision/assets/DejaVu-LICENSE.txt).
const DEFAULT_FONT: &[u8] = include_bytes!("../../assets/DejaVuSansMono.ttf");

/// `ImageFont.load_default()`'s and `ImageFont.truetype(font)`'s size: 10 pixels per em.
pub(crate) const DEFAULT_FONT_SIZE: f32 = 10.0;

/// Extra pixels between lines of a multi-line label (PIL's `spacing=4`).
const LINE_SPACING: f32 = 4.0;

/// A font at a size: `size` pixels per em, as FreeType's `FT_Set_Pixel_Sizes` (PIL).
pub(crate) struct LabelFont {
    font: FontArc,
    scale: PxScale,
}

/// One rasterised pixel: position and ink coverage in `[0, 1]`.
pub(crate) struct Coverage {
    pub x: i64,
    pub y: i64,
    pub alpha: f32,
}

impl LabelFont {
    /// The font file at `path` (or the bundled default font when `None`) at `size` pixels
    /// per em; the error names the file when it cannot be read or is not a font.
    pub(crate) fn load(op: &'static str, path: Option<&Path>, size: f32) -> Result<LabelFont> {
        if !(size.is_finite() && size > 0.0) {
            return Err(Error::invalid(
                op,
                format!("font_size must be positive, got {size}"),
            ));
        }
        let font = match path {
            None => FontArc::try_from_slice(DEFAULT_FONT)
                .map_err(|e| Error::invalid(op, format!("bundled font: {e}")))?,
            Some(p) => {
                let data = std::fs::read(p).map_err(|e| Error::io(p, e))?;
                FontArc::try_from_vec(data).map_err(|e| {
                    Error::format(p, format!("{op}: not a TrueType/OpenType font ({e})"))
                })?
            }
        };
        // ab_glyph's PxScale is the ascent-to-descent height; PIL's size is the em.
        let em = font.units_per_em().unwrap_or(1000.0);
        let scale = PxScale::from(size * font.height_unscaled() / em);
        Ok(LabelFont { font, scale })
    }

    /// The glyphs of `text` with the ascender line of its first line at `(x, y)`, lines
    /// split at `'\n'`, kerned, each line `ascent + 4` pixels below the previous one.
    fn layout(&self, x: f32, y: f32, text: &str) -> Vec<Glyph> {
        let sf = self.font.as_scaled(self.scale);
        let mut glyphs = Vec::new();
        let mut baseline = y + sf.ascent();
        for line in text.split('\n') {
            let mut caret = x;
            let mut prev = None;
            for c in line.chars() {
                let id = sf.glyph_id(c);
                if let Some(p) = prev {
                    caret += sf.kern(p, id);
                }
                glyphs.push(id.with_scale_and_position(self.scale, point(caret, baseline)));
                caret += sf.h_advance(id);
                prev = Some(id);
            }
            // PIL's line height is the bottom of "A" (the ascent, rounded) plus spacing.
            baseline += sf.ascent().round() + LINE_SPACING;
        }
        glyphs
    }

    /// The ink of `text` drawn at `(x, y)`: each covered pixel with its coverage.
    pub(crate) fn rasterise(&self, x: i64, y: i64, text: &str) -> Vec<Coverage> {
        let mut out = Vec::new();
        for g in self.layout(x as f32, y as f32, text) {
            if let Some(outlined) = self.font.outline_glyph(g) {
                let b = outlined.px_bounds();
                let (x0, y0) = (b.min.x as i64, b.min.y as i64);
                outlined.draw(|gx, gy, alpha| {
                    if alpha > 0.0 {
                        out.push(Coverage {
                            x: x0 + gx as i64,
                            y: y0 + gy as i64,
                            alpha: alpha.min(1.0),
                        });
                    }
                });
            }
        }
        out
    }

    /// PIL's `draw.textbbox((x, y), text)`: `(left, top, right, bottom)`, horizontally from
    /// `x` over every line's advance, vertically over the glyphs' ink (`(x, y, x, y)` grown
    /// by the advance when there is no ink).
    pub(crate) fn text_bbox(&self, x: i64, y: i64, text: &str) -> [i64; 4] {
        let sf = self.font.as_scaled(self.scale);
        let (mut left, mut right) = (x, x);
        let mut ink: Option<(i64, i64)> = None;
        for g in self.layout(x as f32, y as f32, text) {
            right = right.max((g.position.x + sf.h_advance(g.id)).ceil() as i64);
            if let Some(outlined) = self.font.outline_glyph(g) {
                let b = outlined.px_bounds();
                left = left.min(b.min.x as i64);
                right = right.max(b.max.x as i64);
                let (top, bottom) = (b.min.y as i64, b.max.y as i64);
                ink = Some(ink.map_or((top, bottom), |(t, bt)| (t.min(top), bt.max(bottom))));
            }
        }
        let (top, bottom) = ink.unwrap_or((y, y));
        [left, top, right, bottom]
    }
}
