//! torch_vision::utils against torchvision 0.26 goldens: make_grid (every option),
//! save_image (read back), draw_bounding_boxes (exact pixels, no labels) and
//! draw_segmentation_masks.

use std::collections::HashMap;

use torch_core::testing::{assert_close, load_golden};
use torch_core::{DType, Tensor};
use torch_vision::io::{ImageReadMode, read_image};
use torch_vision::utils::{
    Color, Colors, DrawBoundingBoxesOptions, DrawSegmentationMasksOptions, MakeGridOptions,
    draw_bounding_boxes, draw_segmentation_masks, make_grid, save_image,
};

fn goldens() -> HashMap<String, Tensor> {
    load_golden(env!("CARGO_MANIFEST_DIR"), "vision_utils").expect("goldens")
}

fn u8s(t: &Tensor) -> Vec<u8> {
    t.to_vec::<u8>().expect("uint8")
}

#[test]
fn make_grid_matches_torchvision_for_every_option() {
    let g = goldens();
    let x = &g["grid.in"];
    let cases = [
        ("grid.default", MakeGridOptions::default()),
        (
            "grid.nrow3_pad1_val",
            MakeGridOptions {
                nrow: 3,
                padding: 1,
                pad_value: 0.5,
                ..Default::default()
            },
        ),
        (
            "grid.normalize",
            MakeGridOptions {
                normalize: true,
                ..Default::default()
            },
        ),
        (
            "grid.normalize_range",
            MakeGridOptions {
                normalize: true,
                value_range: Some((-1.0, 1.0)),
                ..Default::default()
            },
        ),
        (
            "grid.scale_each",
            MakeGridOptions {
                normalize: true,
                scale_each: true,
                ..Default::default()
            },
        ),
    ];
    for (key, opts) in cases {
        let out = make_grid(x, opts).unwrap();
        assert_eq!(out.shape(), g[key].shape(), "{key}");
        assert_close(&out, &g[key]);
    }
    // One-channel images are repeated to RGB; a single image comes back unpadded.
    let g1 = &g["grid1.in"];
    let out = make_grid(
        g1,
        MakeGridOptions {
            nrow: 2,
            ..Default::default()
        },
    )
    .unwrap();
    assert_close(&out, &g["grid1.default"]);
    let one = make_grid(&g1.select(0, 0).unwrap(), MakeGridOptions::default()).unwrap();
    assert_close(&one, &g["grid3d.out"]);
    assert!(make_grid(&g1.reshape(&[-1]).unwrap(), MakeGridOptions::default()).is_err());
}

#[test]
fn save_image_writes_what_torchvision_writes() {
    let g = goldens();
    let dir = std::env::temp_dir().join(format!("torch-vision-utils-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("grid.png");
    save_image(
        &g["grid.in"],
        &path,
        MakeGridOptions {
            nrow: 2,
            ..Default::default()
        },
    )
    .unwrap();
    let back = read_image(&path, ImageReadMode::UNCHANGED).unwrap();
    assert_eq!(back.shape(), g["save.expected"].shape());
    assert_eq!(u8s(&back), u8s(&g["save.expected"]));
    let bad = save_image(
        &g["grid.in"],
        dir.join("grid.tiff"),
        MakeGridOptions::default(),
    );
    assert!(bad.unwrap_err().to_string().contains("extension"));
    std::fs::remove_dir_all(&dir).unwrap();
}

fn box_colors() -> Colors {
    Colors::PerObject(vec![
        Color::parse("red").unwrap(),
        Color::from((0, 255, 0)),
        Color::parse("#FF00FF").unwrap(),
        Color::parse("yellow").unwrap(),
    ])
}

#[test]
fn draw_bounding_boxes_matches_torchvision_pixel_for_pixel() {
    let g = goldens();
    let (img, boxes) = (&g["boxes.image"], &g["boxes.boxes"]);
    let cases = [
        (
            "boxes.plain",
            DrawBoundingBoxesOptions {
                colors: Some(box_colors()),
                ..Default::default()
            },
        ),
        (
            "boxes.fill_w3",
            DrawBoundingBoxesOptions {
                colors: Some(box_colors()),
                fill: true,
                width: 3,
            },
        ),
        (
            "boxes.default_colors",
            DrawBoundingBoxesOptions {
                width: 2,
                ..Default::default()
            },
        ),
    ];
    for (key, opts) in cases {
        let out = draw_bounding_boxes(img, boxes, &opts).unwrap();
        assert_eq!(out.dtype(), DType::U8);
        assert_eq!(out.shape(), g[key].shape(), "{key}");
        assert_eq!(u8s(&out), u8s(&g[key]), "{key}");
    }
    let opts = DrawBoundingBoxesOptions {
        colors: Some(Colors::parse("red").unwrap()),
        ..Default::default()
    };
    let out = draw_bounding_boxes(img, &g["boxes.tiny"], &opts).unwrap();
    assert_eq!(
        u8s(&out),
        u8s(&g["boxes.tiny_out"]),
        "degenerate boxes at width 1"
    );
    let gray = img.narrow(0, 0, 1).unwrap();
    let opts = DrawBoundingBoxesOptions {
        colors: Some(Colors::parse("blue").unwrap()),
        ..Default::default()
    };
    let out = draw_bounding_boxes(&gray, boxes, &opts).unwrap();
    assert_eq!(u8s(&out), u8s(&g["boxes.gray"]));
    // Float images are scaled to uint8 and back, as torchvision's to_dtype does.
    let fimg = img.to_dtype(DType::F32).unwrap().div_scalar(255.0).unwrap();
    let opts = DrawBoundingBoxesOptions {
        colors: Some(box_colors()),
        fill: true,
        width: 1,
    };
    let out = draw_bounding_boxes(&fimg, boxes, &opts).unwrap();
    assert_eq!(out.dtype(), DType::F32);
    assert_close(&out, &g["boxes.float"]);
}

#[test]
fn draw_bounding_boxes_rejects_bad_boxes_and_too_few_colors() {
    let g = goldens();
    let img = &g["boxes.image"];
    let flipped = Tensor::new([[10.0f32, 10.0, 5.0, 20.0]]);
    let e = draw_bounding_boxes(img, &flipped, &Default::default()).unwrap_err();
    assert!(e.to_string().contains("(xmin, ymin, xmax, ymax)"), "{e}");
    let opts = DrawBoundingBoxesOptions {
        colors: Some(Colors::PerObject(vec![Color([1, 2, 3])])),
        ..Default::default()
    };
    let e = draw_bounding_boxes(img, &g["boxes.boxes"], &opts).unwrap_err();
    assert!(e.to_string().contains("1 < 4"), "{e}");
    assert!(Color::parse("not-a-colour").is_err());
    assert_eq!(Color::parse("#0f8").unwrap(), Color([0, 255, 136]));
}

#[test]
fn draw_segmentation_masks_matches_torchvision() {
    let g = goldens();
    let (img, masks) = (&g["boxes.image"], &g["masks.masks"]);
    let opts = DrawSegmentationMasksOptions {
        alpha: 0.8,
        colors: Some(Colors::parse_each(&["red", "blue", "green"]).unwrap()),
    };
    let out = draw_segmentation_masks(img, masks, &opts).unwrap();
    assert_eq!(u8s(&out), u8s(&g["masks.out"]));
    let opts = DrawSegmentationMasksOptions {
        alpha: 0.3,
        colors: None,
    };
    let out = draw_segmentation_masks(img, masks, &opts).unwrap();
    assert_eq!(u8s(&out), u8s(&g["masks.default"]));
    let fimg = img.to_dtype(DType::F32).unwrap().div_scalar(255.0).unwrap();
    let opts = DrawSegmentationMasksOptions {
        alpha: 0.5,
        colors: Some(Colors::parse("#10A0F0").unwrap()),
    };
    let out = draw_segmentation_masks(&fimg, masks, &opts).unwrap();
    assert_close(&out, &g["masks.float"]);
    let not_bool = masks.to_dtype(DType::U8).unwrap();
    assert!(draw_segmentation_masks(img, &not_bool, &Default::default()).is_err());
}
