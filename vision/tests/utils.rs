//! torch_vision::utils against torchvision 0.26 goldens: make_grid (every option),
//! save_image (read back), draw_bounding_boxes (exact pixels without labels; labels by where
//! their pixels go and their colours, since our rasteriser is not FreeType) and
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
                ..Default::default()
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
        ..Default::default()
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

/// A flat gray `(3, 80, 120)` uint8 image and one box (10, 20)-(100, 70).
fn gray_canvas() -> (Tensor, Tensor) {
    let img = Tensor::from_vec(vec![128u8; 3 * 80 * 120], &[3, 80, 120]).unwrap();
    (img, Tensor::new([[10.0f32, 20.0, 100.0, 70.0]]))
}

/// The pixels (x, y, [r, g, b]) where `a` and `b` differ.
fn changed(a: &Tensor, b: &Tensor) -> Vec<(usize, usize, [u8; 3])> {
    let (h, w) = (a.shape()[1], a.shape()[2]);
    let (a, b) = (u8s(a), u8s(b));
    let mut out = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let p = |v: &[u8], c: usize| v[c * h * w + y * w + x];
            if (0..3).any(|c| p(&a, c) != p(&b, c)) {
                out.push((x, y, [p(&b, 0), p(&b, 1), p(&b, 2)]));
            }
        }
    }
    out
}

fn labelled(label: &str, opts: DrawBoundingBoxesOptions) -> (Tensor, Tensor) {
    let (img, boxes) = gray_canvas();
    let plain = DrawBoundingBoxesOptions {
        labels: None,
        ..opts.clone()
    };
    let without = draw_bounding_boxes(&img, &boxes, &plain).unwrap();
    let opts = DrawBoundingBoxesOptions {
        labels: Some(vec![label.to_string()]),
        ..opts
    };
    (without, draw_bounding_boxes(&img, &boxes, &opts).unwrap())
}

fn assert_inside(px: &[(usize, usize, [u8; 3])], [x0, y0, x1, y1]: [usize; 4]) {
    for &(x, y, _) in px {
        assert!(
            (x0..x1).contains(&x) && (y0..y1).contains(&y),
            "label pixel ({x}, {y}) outside {x0}..{x1} x {y0}..{y1}"
        );
    }
}

#[test]
fn draw_bounding_boxes_label_lies_in_its_text_box_in_the_box_colour() {
    let red = Colors::parse("red").unwrap();
    for width in [1usize, 3] {
        let opts = DrawBoundingBoxesOptions {
            colors: Some(red.clone()),
            width,
            ..Default::default()
        };
        let (without, with) = labelled("cat", opts);
        let px = changed(&without, &with);
        assert!(px.len() > 20, "width {width}: only {} pixels", px.len());
        // torchvision: draw.text((x1 + margin, y1 + margin)), margin = width + 1; at 10 px
        // per em DejaVu Sans Mono advances 6.02 px per character and spans 11.6 px from
        // ascender to descender.
        let m = width + 1;
        assert_inside(&px, [10 + m, 20 + m, 10 + m + 19, 20 + m + 12]);
        // The text starts near the corner: ink within 2 px of both margins.
        assert!(px.iter().map(|p| p.0).min().unwrap() <= 10 + m + 2);
        assert!(px.iter().map(|p| p.1).min().unwrap() <= 20 + m + 3);
        // No label colour given: the box colour, blended over gray by coverage.
        for &(x, y, [r, g, b]) in &px {
            assert!(r >= 128 && g == b && g <= 128, "({x}, {y}): {r} {g} {b}");
            assert!(
                (r as i32 - (256 - g as i32)).abs() <= 1,
                "({x}, {y}): {r} {g}"
            );
        }
        // Stems of 10-pixel text are not fully covered (nor are they in PIL): some pixel at
        // coverage >= 0.85.
        assert!(px.iter().any(|p| p.2[0] >= 236), "some well inked pixel");
    }
}

#[test]
fn draw_bounding_boxes_label_colors_and_multiline() {
    let opts = DrawBoundingBoxesOptions {
        colors: Some(Colors::parse("red").unwrap()),
        label_colors: Some(Colors::parse("blue").unwrap()),
        ..Default::default()
    };
    let (without, with) = labelled("dog", opts.clone());
    let px = changed(&without, &with);
    assert!(px.len() > 20);
    for &(x, y, [r, g, b]) in &px {
        assert!(r == g && r <= 128 && b >= 128, "({x}, {y}): {r} {g} {b}");
    }
    assert!(px.iter().any(|p| p.2[2] >= 236));
    // A second line goes below the first: ascent (9) + 4 pixels of spacing.
    let (without, with) = labelled("dog\ncat", opts);
    let two = changed(&without, &with);
    let ys = |v: &[(usize, usize, [u8; 3])]| v.iter().map(|p| p.1).max().unwrap();
    assert!(ys(&two) >= ys(&px) + 10, "{} vs {}", ys(&two), ys(&px));
    assert_inside(&two, [12, 22, 12 + 19, 22 + 25]);
}

#[test]
fn draw_bounding_boxes_fill_labels_paints_the_background_and_black_text() {
    let opts = DrawBoundingBoxesOptions {
        colors: Some(Colors::parse("lime").unwrap()),
        fill_labels: true,
        ..Default::default()
    };
    let (without, with) = labelled("abc", opts.clone());
    let px = changed(&without, &with);
    // The background reaches one pixel left of the text origin (12, 22) and one above the
    // ink (PIL's textbbox), down to one below it.
    let bg: Vec<_> = px.iter().filter(|p| p.2 == [0, 255, 0]).collect();
    assert!(bg.iter().any(|p| p.0 == 11) && !bg.iter().any(|p| p.0 < 11));
    let top = bg.iter().map(|p| p.1).min().unwrap();
    assert!((21..=24).contains(&top), "background top {top}");
    // The whole text box is filled: no gray pixel is left in it.
    let (bottom, right) = (
        bg.iter().map(|p| p.1).max().unwrap(),
        bg.iter().map(|p| p.0).max().unwrap(),
    );
    let in_box = px
        .iter()
        .filter(|p| (top..=bottom).contains(&p.1) && (11..=right).contains(&p.0))
        .count();
    assert_eq!(in_box, (bottom - top + 1) * (right - 10));
    assert!(px.iter().any(|p| p.2[1] <= 40), "black text");
    assert_inside(&px, [11, 21, 12 + 19 + 2, 22 + 13]);
    let opts = DrawBoundingBoxesOptions {
        label_background_colors: Some(Colors::parse("white").unwrap()),
        label_colors: Some(Colors::parse("navy").unwrap()),
        ..opts
    };
    let (without, with) = labelled("abc", opts);
    let px = changed(&without, &with);
    assert!(px.iter().any(|p| p.0 == 11 && p.2 == [255, 255, 255]));
    // Navy (0, 0, 128) over white: r = g, b between them.
    let text: Vec<_> = px.iter().filter(|p| p.2 != [255, 255, 255]).collect();
    assert!(text.len() > 20);
    assert!(
        text.iter()
            .all(|p| p.2[0] == p.2[1] && p.2[2] >= 128 && p.2[2] >= p.2[0])
    );
    assert!(text.iter().any(|p| p.2[0] <= 40), "navy text");
}

#[test]
fn draw_bounding_boxes_font_file_and_size() {
    let font = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/DejaVuSansMono.ttf");
    let base = DrawBoundingBoxesOptions {
        colors: Some(Colors::parse("red").unwrap()),
        ..Default::default()
    };
    let (without, default_font) = labelled("cat", base.clone());
    // The same font file at torchvision's default size 10 draws the same pixels; font_size
    // without font is ignored (torchvision warns); 0 is unset (torchvision's `font_size or 10`).
    let same = [
        (Some(font.clone()), None),
        (None, Some(30)),
        (Some(font.clone()), Some(0)),
    ];
    for (font, font_size) in same {
        let what = format!("font {font:?} size {font_size:?}");
        let opts = DrawBoundingBoxesOptions {
            font,
            font_size,
            ..base.clone()
        };
        assert_eq!(u8s(&labelled("cat", opts).1), u8s(&default_font), "{what}");
    }
    // Size 20: twice the extent.
    let (_, big) = labelled(
        "cat",
        DrawBoundingBoxesOptions {
            font: Some(font),
            font_size: Some(20),
            ..base
        },
    );
    let px = changed(&without, &big);
    let xmax = px.iter().map(|p| p.0).max().unwrap();
    let ymax = px.iter().map(|p| p.1).max().unwrap();
    assert!(xmax >= 12 + 30 && ymax >= 22 + 14, "{xmax} {ymax}");
    assert_inside(&px, [12, 22, 12 + 37, 22 + 24]);
}

#[test]
fn draw_bounding_boxes_label_errors_name_the_problem() {
    let (img, boxes) = gray_canvas();
    let two = DrawBoundingBoxesOptions {
        labels: Some(vec!["a".into(), "b".into()]),
        ..Default::default()
    };
    let e = draw_bounding_boxes(&img, &boxes, &two)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("Number of boxes (1) and labels (2) mismatch"),
        "{e}"
    );
    let missing = DrawBoundingBoxesOptions {
        labels: Some(vec!["a".into()]),
        font: Some("/no/such/font.ttf".into()),
        ..Default::default()
    };
    let e = draw_bounding_boxes(&img, &boxes, &missing)
        .unwrap_err()
        .to_string();
    assert!(e.contains("/no/such/font.ttf"), "{e}");
    let not_font = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let bad = DrawBoundingBoxesOptions {
        labels: Some(vec!["a".into()]),
        font: Some(not_font),
        ..Default::default()
    };
    let e = draw_bounding_boxes(&img, &boxes, &bad)
        .unwrap_err()
        .to_string();
    assert!(e.contains("Cargo.toml") && e.contains("font"), "{e}");
}
