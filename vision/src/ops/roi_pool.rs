//! `roi_pool` (Fast R-CNN's RoIPool, `torchvision.ops.roi_pool`): the argmax of each bin is
//! found by a kernel, then the output is a gather of the input, so autograd (any order)
//! comes from `index_select`.

use torch_core::{DType, Result, Tensor, TensorOptions};

use super::check_rois;

/// RoIPool: max over integer bins of each roi `(batch index, x1, y1, x2, y2)` of `rois`
/// `(K, 5)` (coordinates scaled by `spatial_scale` and rounded), giving `(K, C, oh, ow)`;
/// empty bins give 0 (`torchvision.ops.roi_pool`). Differentiable in `input`.
pub fn roi_pool(
    input: &Tensor,
    rois: &Tensor,
    output_size: (usize, usize),
    spatial_scale: f64,
) -> Result<Tensor> {
    let r = check_rois("roi_pool", input, rois)?;
    let (c, h, w) = (input.shape()[1], input.shape()[2], input.shape()[3]);
    let (ph, pw) = output_size;
    let x = input.to_vec_f64()?;
    let k = r.len() / 5;
    let mut flat_idx = Vec::with_capacity(k * c * ph * pw);
    let mut valid = Vec::with_capacity(k * c * ph * pw);
    let dtype = input.dtype();
    // torchvision computes the bin edges in the input's float type.
    let as_t = |v: f64| {
        if dtype == DType::F32 {
            v as f32 as f64
        } else {
            v
        }
    };
    let scale = as_t(spatial_scale);
    for roi in r.chunks_exact(5) {
        let b = roi[0] as usize;
        let start_w = as_t(as_t(roi[1]) * scale).round() as i64;
        let start_h = as_t(as_t(roi[2]) * scale).round() as i64;
        let end_w = as_t(as_t(roi[3]) * scale).round() as i64;
        let end_h = as_t(as_t(roi[4]) * scale).round() as i64;
        let roi_w = (end_w - start_w + 1).max(1);
        let roi_h = (end_h - start_h + 1).max(1);
        let bin_h = as_t(roi_h as f64 / ph as f64);
        let bin_w = as_t(roi_w as f64 / pw as f64);
        let clip = |v: i64, hi: usize| v.clamp(0, hi as i64) as usize;
        for ch in 0..c {
            let base = (b * c + ch) * h * w;
            for py in 0..ph {
                let hs = clip(as_t(py as f64 * bin_h).floor() as i64 + start_h, h);
                let he = clip(as_t((py + 1) as f64 * bin_h).ceil() as i64 + start_h, h);
                for px in 0..pw {
                    let ws = clip(as_t(px as f64 * bin_w).floor() as i64 + start_w, w);
                    let we = clip(as_t((px + 1) as f64 * bin_w).ceil() as i64 + start_w, w);
                    let mut best: Option<(f64, usize)> = None;
                    for yy in hs..he {
                        for xx in ws..we {
                            let i = base + yy * w + xx;
                            if best.is_none_or(|(m, _)| x[i] > m) {
                                best = Some((x[i], i));
                            }
                        }
                    }
                    flat_idx.push(best.map_or(0, |(_, i)| i as i64));
                    valid.push(best.is_some());
                }
            }
        }
    }
    let shape = [k, c, ph, pw];
    let n = flat_idx.len();
    let idx = Tensor::from_vec(flat_idx, &[n])?;
    let gathered = input
        .reshape(&[-1])?
        .index_select(0, &idx)?
        .reshape(&[k as i64, c as i64, ph as i64, pw as i64])?;
    let mask = Tensor::from_vec(valid, &shape)?;
    let zeros = Tensor::zeros(&shape, TensorOptions::default().dtype(dtype))?;
    gathered.where_cond(&mask, &zeros)
}
