//! Box utilities as composites (differentiable): `box_area`, `box_iou`, `box_convert`, and
//! `boxes_to_rois` (torchvision's `convert_boxes_to_roi_format`).

use torch_core::{Error, Result, Tensor};

use super::check_boxes;

/// A box layout accepted by `box_convert` (`"xyxy"`, `"xywh"`, `"cxcywh"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoxFormat {
    /// Corners: x1, y1, x2, y2.
    XYXY,
    /// Top-left corner and size: x, y, w, h.
    XYWH,
    /// Centre and size: cx, cy, w, h.
    CXCYWH,
}

impl BoxFormat {
    /// Parses torchvision's format strings.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "xyxy" => Ok(BoxFormat::XYXY),
            "xywh" => Ok(BoxFormat::XYWH),
            "cxcywh" => Ok(BoxFormat::CXCYWH),
            _ => Err(Error::invalid(
                "box_convert",
                format!("Unsupported Bounding Box Conversions for given in_fmt and out_fmt: {s:?}"),
            )),
        }
    }
}

/// The four columns of an `(N, 4)` tensor.
fn columns(op: &'static str, boxes: &Tensor) -> Result<[Tensor; 4]> {
    check_boxes(op, boxes)?;
    Ok([
        boxes.select(1, 0)?,
        boxes.select(1, 1)?,
        boxes.select(1, 2)?,
        boxes.select(1, 3)?,
    ])
}

/// Area of `(N, 4)` xyxy boxes: `(x2 - x1) * (y2 - y1)` (`torchvision.ops.box_area`); composite.
pub fn box_area(boxes: &Tensor) -> Result<Tensor> {
    let [x1, y1, x2, y2] = columns("box_area", boxes)?;
    x2.sub(&x1)?.mul(&y2.sub(&y1)?)
}

/// Pairwise IoU of xyxy boxes `(N, 4)` and `(M, 4)`: an `(N, M)` tensor
/// (`torchvision.ops.box_iou`); composite.
pub fn box_iou(boxes1: &Tensor, boxes2: &Tensor) -> Result<Tensor> {
    let area1 = box_area(boxes1)?;
    let area2 = box_area(boxes2)?;
    check_boxes("box_iou", boxes2)?;
    let b1 = boxes1.unsqueeze(1)?; // (N, 1, 4)
    let lt = b1.narrow(2, 0, 2)?.maximum(&boxes2.narrow(1, 0, 2)?)?; // (N, M, 2)
    let rb = b1.narrow(2, 2, 2)?.minimum(&boxes2.narrow(1, 2, 2)?)?;
    let wh = rb.sub(&lt)?.clamp(Some(0.0), None)?;
    let inter = wh.select(2, 0)?.mul(&wh.select(2, 1)?)?;
    let union = area1.unsqueeze(1)?.add(&area2)?.sub(&inter)?;
    inter.div(&union)
}

/// Converts `(N, 4)` boxes between `"xyxy"`, `"xywh"` and `"cxcywh"`
/// (`torchvision.ops.box_convert`); composite.
pub fn box_convert(boxes: &Tensor, in_fmt: &str, out_fmt: &str) -> Result<Tensor> {
    let (fin, fout) = (BoxFormat::parse(in_fmt)?, BoxFormat::parse(out_fmt)?);
    if fin == fout {
        return boxes.deep_clone();
    }
    let [a, b, c, d] = columns("box_convert", boxes)?;
    // Every conversion goes through xyxy, as torchvision's does.
    let [x1, y1, x2, y2] = match fin {
        BoxFormat::XYXY => [a, b, c, d],
        BoxFormat::XYWH => {
            let (x2, y2) = (a.add(&c)?, b.add(&d)?);
            [a, b, x2, y2]
        }
        BoxFormat::CXCYWH => {
            let (hw, hh) = (c.mul_scalar(0.5)?, d.mul_scalar(0.5)?);
            [a.sub(&hw)?, b.sub(&hh)?, a.add(&hw)?, b.add(&hh)?]
        }
    };
    let cols = match fout {
        BoxFormat::XYXY => [x1, y1, x2, y2],
        BoxFormat::XYWH => {
            let (w, h) = (x2.sub(&x1)?, y2.sub(&y1)?);
            [x1, y1, w, h]
        }
        BoxFormat::CXCYWH => [
            x1.add(&x2)?.div_scalar(2.0)?,
            y1.add(&y2)?.div_scalar(2.0)?,
            x2.sub(&x1)?,
            y2.sub(&y1)?,
        ],
    };
    Tensor::stack(&[&cols[0], &cols[1], &cols[2], &cols[3]], 1)
}

/// Stacks one `(L_i, 4)` box tensor per image into `(K, 5)` rois whose first column is the
/// image index (torchvision's `convert_boxes_to_roi_format`).
pub fn boxes_to_rois(boxes: &[Tensor]) -> Result<Tensor> {
    let mut parts = Vec::with_capacity(boxes.len());
    for (i, b) in boxes.iter().enumerate() {
        check_boxes("boxes_to_rois", b)?;
        let idx = b.narrow(1, 0, 1)?.zeros_like()?.add_scalar(i as f64)?;
        parts.push(Tensor::cat(&[&idx, b], 1)?);
    }
    let refs: Vec<&Tensor> = parts.iter().collect();
    if refs.is_empty() {
        return Err(Error::invalid(
            "boxes_to_rois",
            "expected at least one box tensor",
        ));
    }
    Tensor::cat(&refs, 0)
}
