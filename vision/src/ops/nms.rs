//! Non-maximum suppression: `nms` and `batched_nms`, with torchvision's CPU semantics
//! (stable sort by descending score, so tied boxes keep their input order; suppression when
//! IoU > threshold; arithmetic in the boxes' own float type).

use num_traits::Float;
use torch_core::{DType, Error, Result, Tensor};

use super::check_boxes;

/// Indices (I64) of the boxes kept by NMS, by decreasing score (`torchvision.ops.nms`):
/// a box is dropped when its IoU with a kept, higher-scoring box is above `iou_threshold`.
pub fn nms(boxes: &Tensor, scores: &Tensor, iou_threshold: f64) -> Result<Tensor> {
    check_boxes("nms", boxes)?;
    let n = boxes.shape()[0];
    if scores.dim() != 1 || scores.shape()[0] != n {
        return Err(Error::invalid(
            "nms",
            format!(
                "scores must have shape ({n},) to match boxes {:?}, got {:?}",
                boxes.shape(),
                scores.shape()
            ),
        ));
    }
    let keep = match boxes.dtype() {
        DType::F32 => nms_kernel(
            &boxes.to_vec::<f32>()?,
            &order(scores)?,
            iou_threshold as f32,
        ),
        DType::F64 => nms_kernel(&boxes.to_vec::<f64>()?, &order(scores)?, iou_threshold),
        dtype => return Err(Error::UnsupportedDType { op: "nms", dtype }),
    };
    let k = keep.len();
    Tensor::from_vec(keep, &[k])
}

/// Indices sorting `scores` descending, ties in input order (torchvision sorts stably).
fn order(scores: &Tensor) -> Result<Vec<usize>> {
    let s = scores.to_vec_f64()?;
    let mut idx: Vec<usize> = (0..s.len()).collect();
    // NaN scores sort first, as torch's descending sort puts them.
    idx.sort_by(|&a, &b| {
        let (x, y) = (s[a], s[b]);
        y.partial_cmp(&x)
            .unwrap_or_else(|| x.is_nan().cmp(&y.is_nan()).reverse())
    });
    Ok(idx)
}

fn nms_kernel<T: Float>(boxes: &[T], order: &[usize], thr: T) -> Vec<i64> {
    let b = |i: usize, c: usize| boxes[4 * i + c];
    let area = |i: usize| (b(i, 2) - b(i, 0)) * (b(i, 3) - b(i, 1));
    let mut suppressed = vec![false; order.len()];
    let mut keep = Vec::new();
    for (oi, &i) in order.iter().enumerate() {
        if suppressed[i] {
            continue;
        }
        keep.push(i as i64);
        let iarea = area(i);
        for &j in &order[oi + 1..] {
            if suppressed[j] {
                continue;
            }
            let w = (b(i, 2).min(b(j, 2)) - b(i, 0).max(b(j, 0))).max(T::zero());
            let h = (b(i, 3).min(b(j, 3)) - b(i, 1).max(b(j, 1))).max(T::zero());
            let inter = w * h;
            let ovr = inter / (iarea + area(j) - inter);
            if ovr > thr {
                suppressed[j] = true;
            }
        }
    }
    keep
}

/// NMS done independently per category `idxs` (`torchvision.ops.batched_nms`): kept indices
/// (I64) by decreasing score. Like torchvision, small inputs shift each category's boxes by
/// `idx * (max coordinate + 1)` so one NMS pass never compares categories; inputs with more
/// than 4000 box coordinates run one NMS per category instead.
pub fn batched_nms(
    boxes: &Tensor,
    scores: &Tensor,
    idxs: &Tensor,
    iou_threshold: f64,
) -> Result<Tensor> {
    check_boxes("batched_nms", boxes)?;
    let n = boxes.shape()[0];
    if idxs.dim() != 1 || idxs.shape()[0] != n {
        return Err(Error::invalid(
            "batched_nms",
            format!("idxs must have shape ({n},), got {:?}", idxs.shape()),
        ));
    }
    if n == 0 {
        return Tensor::from_vec(Vec::<i64>::new(), &[0]);
    }
    if boxes.numel() > 4000 {
        return batched_nms_vanilla(boxes, scores, idxs, iou_threshold);
    }
    let max_coordinate = boxes.max()?;
    let offsets = idxs
        .to_dtype(boxes.dtype())?
        .mul(&max_coordinate.add_scalar(1.0)?)?;
    let shifted = boxes.add(&offsets.unsqueeze(1)?)?;
    nms(&shifted, scores, iou_threshold)
}

fn batched_nms_vanilla(
    boxes: &Tensor,
    scores: &Tensor,
    idxs: &Tensor,
    iou_threshold: f64,
) -> Result<Tensor> {
    let ids = idxs.to_vec_f64()?;
    let mut classes = ids.clone();
    classes.sort_by(f64::total_cmp);
    classes.dedup();
    let mut kept = Vec::new();
    for c in classes {
        let members: Vec<i64> = (0..ids.len() as i64)
            .filter(|&i| ids[i as usize] == c)
            .collect();
        let sel = Tensor::from_vec(members.clone(), &[members.len()])?;
        let keep = nms(
            &boxes.index_select(0, &sel)?,
            &scores.index_select(0, &sel)?,
            iou_threshold,
        )?;
        kept.extend(
            keep.to_vec::<i64>()?
                .into_iter()
                .map(|k| members[k as usize]),
        );
    }
    kept.sort_unstable();
    let s = scores.to_vec_f64()?;
    kept.sort_by(|&a, &b| s[b as usize].total_cmp(&s[a as usize]));
    let k = kept.len();
    Tensor::from_vec(kept, &[k])
}
