//! torch_vision::ops against torchvision 0.26 goldens: box utilities, nms / batched_nms
//! (tied scores included), roi_align (forward in f32 and f64, input gradient) and roi_pool,
//! plus gradcheck / gradgradcheck of roi_align and roi_pool in f64.

use std::collections::HashMap;

use torch_core::autograd::{GradcheckOptions, gradcheck, gradgradcheck};
use torch_core::testing::{assert_close, assert_close_tol, load_golden};
use torch_core::{DType, Tensor};
use torch_vision::ops::{
    RoiAlignOptions, batched_nms, box_area, box_convert, box_iou, boxes_to_rois, nms, roi_align,
    roi_pool,
};

fn goldens() -> HashMap<String, Tensor> {
    load_golden(env!("CARGO_MANIFEST_DIR"), "vision_ops").expect("goldens")
}

#[test]
fn box_area_iou_and_convert_match_torchvision() {
    let g = goldens();
    assert_close(&box_area(&g["a"]).unwrap(), &g["box_area"]);
    assert_close(&box_iou(&g["a"], &g["b"]).unwrap(), &g["box_iou"]);
    let iou64 = box_iou(&g["a64"], &g["b"].to_dtype(DType::F64).unwrap()).unwrap();
    assert_close(&iou64, &g["box_iou64"]);
    for fin in ["xyxy", "xywh", "cxcywh"] {
        for fout in ["xyxy", "xywh", "cxcywh"] {
            let out = box_convert(&g["a"], fin, fout).unwrap();
            assert_close(&out, &g[&format!("convert.{fin}.{fout}")]);
        }
    }
    assert!(box_convert(&g["a"], "xyxy", "yxyx").is_err());
    assert!(box_area(&g["a"].narrow(1, 0, 3).unwrap()).is_err());
}

#[test]
fn nms_and_batched_nms_keep_torchvisions_indices_with_tied_scores() {
    let g = goldens();
    let (boxes, scores) = (&g["nms.boxes"], &g["nms.scores"]);
    for t in ["0.3", "0.5", "0.7"] {
        let keep = nms(boxes, scores, t.parse().unwrap()).unwrap();
        assert_eq!(keep.dtype(), DType::I64);
        let expected = &g[&format!("nms.keep.{t}")];
        assert_eq!(
            keep.to_vec::<i64>().unwrap(),
            expected.to_vec::<i64>().unwrap(),
            "{t}"
        );
    }
    let keep = batched_nms(boxes, scores, &g["nms.idxs"], 0.5).unwrap();
    assert_eq!(
        keep.to_vec::<i64>().unwrap(),
        g["batched_nms.keep"].to_vec::<i64>().unwrap()
    );
    let empty = Tensor::zeros(&[0, 4], Default::default()).unwrap();
    let none = Tensor::zeros(&[0], Default::default()).unwrap();
    let idx = Tensor::zeros(&[0], torch_core::TensorOptions::default().dtype(DType::I64)).unwrap();
    assert_eq!(batched_nms(&empty, &none, &idx, 0.5).unwrap().shape(), &[0]);
    assert!(nms(boxes, &scores.narrow(0, 0, 3).unwrap(), 0.5).is_err());
}

#[test]
fn batched_nms_per_category_path_agrees_with_the_offset_path() {
    // Over 4000 coordinates torchvision (and we) run one NMS per category.
    let g = goldens();
    let (boxes, scores, idxs) = (&g["nms.boxes"], &g["nms.scores"], &g["nms.idxs"]);
    let reps = 17; // 60 * 17 * 4 = 4080 coordinates
    let shift = |i: usize| boxes.add_scalar(100.0 * i as f64).unwrap();
    let shifted: Vec<Tensor> = (0..reps).map(shift).collect();
    let big = Tensor::cat(&shifted.iter().collect::<Vec<_>>(), 0).unwrap();
    let big_scores = scores.repeat(&[reps]).unwrap();
    let big_idx = idxs.repeat(&[reps]).unwrap();
    let keep = batched_nms(&big, &big_scores, &big_idx, 0.5).unwrap();
    let small = g["batched_nms.keep"].to_vec::<i64>().unwrap();
    assert_eq!(keep.shape()[0], small.len() * reps);
    // Each copy keeps the same boxes as the single copy does.
    let mut kept: Vec<i64> = keep
        .to_vec::<i64>()
        .unwrap()
        .into_iter()
        .map(|k| k % 60)
        .collect();
    kept.sort_unstable();
    let mut want: Vec<i64> = small
        .iter()
        .flat_map(|&k| std::iter::repeat_n(k, reps))
        .collect();
    want.sort_unstable();
    assert_eq!(kept, want);
}

fn roi_cases() -> Vec<(&'static str, RoiAlignOptions)> {
    vec![
        ("default", RoiAlignOptions::default()),
        (
            "scale_aligned",
            RoiAlignOptions {
                spatial_scale: 0.5,
                aligned: true,
                ..Default::default()
            },
        ),
        (
            "sr2",
            RoiAlignOptions {
                sampling_ratio: 2,
                ..Default::default()
            },
        ),
        (
            "scale2_sr3_aligned",
            RoiAlignOptions {
                spatial_scale: 2.0,
                sampling_ratio: 3,
                aligned: true,
            },
        ),
    ]
}

#[test]
fn roi_align_forward_and_input_gradient_match_torchvision() {
    let g = goldens();
    let (x, rois, gout) = (&g["roi.x"], &g["roi.rois"], &g["roi.gout"]);
    for (name, opts) in roi_cases() {
        let xx = x.detach().requires_grad_(true).unwrap();
        let out = roi_align(&xx, rois, (3, 4), opts).unwrap();
        assert_close(&out, &g[&format!("roi_align.{name}")]);
        out.mul(gout).unwrap().sum().unwrap().backward().unwrap();
        assert_close(&xx.grad().unwrap(), &g[&format!("roi_align.{name}.grad")]);
        let x32 = x.to_dtype(DType::F32).unwrap();
        let r32 = rois.to_dtype(DType::F32).unwrap();
        let out32 = roi_align(&x32, &r32, (3, 4), opts).unwrap();
        assert_eq!(out32.dtype(), DType::F32);
        assert_close(&out32, &g[&format!("roi_align32.{name}")]);
    }
}

#[test]
fn roi_align_backward_matches_finite_differences_to_second_order() {
    let g = goldens();
    // A small contiguous input and a transposed (non-contiguous) one.
    let x = g["roi.x"]
        .narrow(2, 0, 6)
        .unwrap()
        .narrow(3, 0, 7)
        .unwrap()
        .contiguous()
        .unwrap();
    let xt = x
        .transpose(2, 3)
        .unwrap()
        .contiguous()
        .unwrap()
        .transpose(2, 3)
        .unwrap();
    let rois = Tensor::new([[0.0f64, 0.4, 0.3, 4.6, 5.1], [1.0, 2.2, -0.5, 6.5, 3.0]]);
    for (name, opts) in roi_cases() {
        for input in [&x, &xt] {
            let f = |xs: &[Tensor]| roi_align(&xs[0], &rois, (2, 3), opts);
            gradcheck(f, std::slice::from_ref(input), GradcheckOptions::default())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            gradgradcheck(f, std::slice::from_ref(input), GradcheckOptions::default())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}

#[test]
fn roi_pool_forward_and_gradient_match_torchvision() {
    let g = goldens();
    let (x, rois, gout) = (&g["roi.x"], &g["roi.rois"], &g["roi.gout"]);
    for (name, scale) in [("default", 1.0), ("scale", 0.5)] {
        let xx = x.detach().requires_grad_(true).unwrap();
        let out = roi_pool(&xx, rois, (3, 4), scale).unwrap();
        assert_close(&out, &g[&format!("roi_pool.{name}")]);
        out.mul(gout).unwrap().sum().unwrap().backward().unwrap();
        assert_close(&xx.grad().unwrap(), &g[&format!("roi_pool.{name}.grad")]);
    }
    let small = x
        .narrow(2, 0, 5)
        .unwrap()
        .narrow(3, 0, 6)
        .unwrap()
        .contiguous()
        .unwrap();
    let r = Tensor::new([[0.0f64, 0.0, 0.0, 4.0, 3.0], [1.0, 1.0, 1.0, 5.0, 4.0]]);
    let f = |xs: &[Tensor]| roi_pool(&xs[0], &r, (2, 2), 1.0);
    gradcheck(f, &[small], GradcheckOptions::default()).unwrap();
}

#[test]
fn roi_ops_take_a_list_of_boxes_and_reject_bad_rois() {
    let g = goldens();
    let (x, rois) = (&g["roi.x"], &g["roi.rois"]);
    let r = rois.to_vec_f64().unwrap();
    let per_image: Vec<Tensor> = (0..2)
        .map(|b| {
            let rows: Vec<i64> = (0..5).filter(|&k| r[5 * k as usize] as i64 == b).collect();
            let n = rows.len();
            let idx = Tensor::from_vec(rows, &[n]).unwrap();
            rois.index_select(0, &idx).unwrap().narrow(1, 1, 4).unwrap()
        })
        .collect();
    let r = boxes_to_rois(&per_image).unwrap();
    assert_eq!(r.shape(), &[5, 5]);
    let a = roi_align(x, &r, (3, 4), RoiAlignOptions::default()).unwrap();
    // Rows come grouped by image: compare against the golden rows in that order.
    let order: Vec<i64> = vec![0, 2, 4, 1, 3];
    let want = g["roi_align.default"]
        .index_select(0, &Tensor::from_vec(order, &[5]).unwrap())
        .unwrap();
    assert_close_tol(&a, &want, 1e-12, 1e-12);
    let bad = Tensor::new([[2.0f64, 0.0, 0.0, 1.0, 1.0]]);
    let e = roi_align(x, &bad, (2, 2), RoiAlignOptions::default()).unwrap_err();
    assert!(e.to_string().contains("batch index"), "{e}");
    assert!(roi_pool(x, &rois.narrow(1, 0, 4).unwrap(), (2, 2), 1.0).is_err());
}
