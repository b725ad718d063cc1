//! `torchvision.ops`: box utilities (`box_area`, `box_iou`, `box_convert`), non-maximum
//! suppression (`nms`, `batched_nms`) and RoI pooling (`roi_align`, `roi_pool`).

mod boxes;
mod nms;
mod roi_align;
mod roi_pool;

pub use self::boxes::{BoxFormat, box_area, box_convert, box_iou, boxes_to_rois};
pub use self::nms::{batched_nms, nms};
pub use self::roi_align::{RoiAlignOptions, roi_align};
pub use self::roi_pool::roi_pool;

use torch_core::{DType, Error, Result, Tensor};

/// Checks that `boxes` is a floating `(N, 4)` tensor.
pub(crate) fn check_boxes(op: &'static str, boxes: &Tensor) -> Result<()> {
    if boxes.dim() != 2 || boxes.shape()[1] != 4 {
        return Err(Error::invalid(
            op,
            format!("boxes must have shape (N, 4), got {:?}", boxes.shape()),
        ));
    }
    Ok(())
}

/// Checks the `(N, C, H, W)` input and `(K, 5)` rois of the RoI ops; returns the rois as f64.
pub(crate) fn check_rois(op: &'static str, input: &Tensor, rois: &Tensor) -> Result<Vec<f64>> {
    if input.dim() != 4 {
        return Err(Error::invalid(
            op,
            format!(
                "input must have shape (N, C, H, W), got {:?}",
                input.shape()
            ),
        ));
    }
    if !matches!(input.dtype(), DType::F32 | DType::F64) {
        return Err(Error::UnsupportedDType {
            op,
            dtype: input.dtype(),
        });
    }
    if rois.dim() != 2 || rois.shape()[1] != 5 {
        return Err(Error::invalid(
            op,
            format!(
                "rois must have shape (K, 5) = (batch index, x1, y1, x2, y2), got {:?}",
                rois.shape()
            ),
        ));
    }
    let r = rois.to_vec_f64()?;
    let n = input.shape()[0];
    for (k, roi) in r.chunks_exact(5).enumerate() {
        let b = roi[0];
        if !(b >= 0.0 && (b as usize) < n) {
            return Err(Error::invalid(
                op,
                format!("roi {k} has batch index {b}, but the input holds {n} images"),
            ));
        }
    }
    Ok(r)
}
