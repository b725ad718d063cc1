//! torch_vision::transforms::functional against torchvision.transforms.v2.functional on
//! crops of the real photos (goldens from scripts/golden/vision_transforms.py).

use std::collections::HashMap;

use torch_core::testing::{assert_golden_tol, load_golden};
use torch_core::{DType, Tensor};
use torch_vision::transforms::functional::{self as F, AffineOptions, RotateOptions};
use torch_vision::transforms::{InterpolationMode as IM, PaddingMode};

fn golden(name: &str) -> HashMap<String, Tensor> {
    load_golden(env!("CARGO_MANIFEST_DIR"), name).expect("golden file")
}

/// uint8 results that go through float math: at most one intensity level away (torch's
/// native uint8 resize uses fixed-point weights; fused multiply-adds round differently).
fn within_one(g: &HashMap<String, Tensor>, key: &str, actual: torch_core::Result<Tensor>) {
    assert_golden_tol(g, key, actual, 0.0, 1.0);
}

/// Exact equality (index-only ops, and float ops whose uint8 result must not move).
fn exact(g: &HashMap<String, Tensor>, key: &str, actual: torch_core::Result<Tensor>) {
    assert_golden_tol(g, key, actual, 0.0, 0.0);
}

/// f32 results on [0, 1] images.
fn close(g: &HashMap<String, Tensor>, key: &str, actual: torch_core::Result<Tensor>) {
    assert_golden_tol(g, key, actual, 1e-5, 2e-6);
}

/// Fraction of uint8 values that differ at all: must stay tiny where torchvision's float
/// math is mirrored.
fn mismatch_fraction(a: &Tensor, e: &Tensor) -> f64 {
    let (a, e) = (a.to_vec_f64().unwrap(), e.to_vec_f64().unwrap());
    a.iter().zip(&e).filter(|(x, y)| x != y).count() as f64 / a.len() as f64
}

fn ro(mode: IM, antialias: bool) -> F::ResizeOptions {
    F::ResizeOptions {
        interpolation: mode,
        antialias,
        max_size: None,
    }
}

#[test]
fn resize_uint8_matches_torchvision_exactly() {
    let g = golden("vision_transforms_geometry");
    let (u8i, small, gray) = (&g["u8"], &g["small"], &g["gray"]);
    let cases: [(&str, &Tensor, Vec<usize>, IM, bool); 7] = [
        (
            "resize_bilinear_aa_down",
            u8i,
            vec![33, 43],
            IM::Bilinear,
            true,
        ),
        (
            "resize_bilinear_aa_up",
            small,
            vec![71, 90],
            IM::Bilinear,
            true,
        ),
        (
            "resize_bilinear_aa_mixed",
            u8i,
            vec![90, 61],
            IM::Bilinear,
            true,
        ),
        (
            "resize_bicubic_aa_down",
            u8i,
            vec![41, 55],
            IM::Bicubic,
            true,
        ),
        (
            "resize_bilinear_noaa_down",
            u8i,
            vec![33, 43],
            IM::Bilinear,
            false,
        ),
        ("resize_short_64", u8i, vec![64], IM::Bilinear, true),
        ("resize_gray", gray, vec![31, 45], IM::Bilinear, true),
    ];
    for (key, x, size, mode, aa) in cases {
        let out = F::resize(x, &size, ro(mode, aa));
        // torch's native uint8 kernels (int16 weights, uint8 intermediate) are mirrored
        exact(&g, key, out);
    }
    let out = F::resize(
        u8i,
        &[64],
        F::ResizeOptions {
            max_size: Some(75),
            ..Default::default()
        },
    );
    exact(&g, "resize_short_64_max_80", out);
}

#[test]
fn resize_nearest_matches_torchvision_exactly() {
    let g = golden("vision_transforms_geometry");
    let x = &g["u8"];
    exact(
        &g,
        "resize_nearest_down",
        F::resize(x, &[33, 43], ro(IM::Nearest, true)),
    );
    exact(
        &g,
        "resize_nearest_up",
        F::resize(x, &[101, 119], ro(IM::Nearest, true)),
    );
    exact(
        &g,
        "resize_nearest_exact",
        F::resize(x, &[47, 61], ro(IM::NearestExact, true)),
    );
}

#[test]
fn resize_float_matches_torchvision() {
    let g = golden("vision_transforms_float");
    let f = &g["f"];
    close(
        &g,
        "resize_bilinear_aa_down",
        F::resize(f, &[37, 50], ro(IM::Bilinear, true)),
    );
    close(
        &g,
        "resize_bicubic_aa_down",
        F::resize(f, &[29, 41], ro(IM::Bicubic, true)),
    );
    close(
        &g,
        "resize_bilinear_noaa_down",
        F::resize(f, &[30, 45], ro(IM::Bilinear, false)),
    );
    close(
        &g,
        "resize_bicubic_noaa_up",
        F::resize(f, &[61, 83], ro(IM::Bicubic, false)),
    );
    close(
        &g,
        "resize_bilinear_aa_up",
        F::resize(f, &[61, 83], ro(IM::Bilinear, true)),
    );
}

#[test]
fn resize_f64_agrees_with_f32_and_same_size_is_identity() {
    let g = golden("vision_transforms_float");
    let f = &g["f"];
    let a = F::resize(f, &[37, 50], F::ResizeOptions::default()).unwrap();
    let b = F::resize(
        &f.to_dtype(DType::F64).unwrap(),
        &[37, 50],
        F::ResizeOptions::default(),
    )
    .unwrap();
    assert_eq!(b.dtype(), DType::F64);
    torch_core::testing::assert_close_tol(&b.to_dtype(DType::F32).unwrap(), &a, 1e-5, 1e-6);
    let same = F::resize(f, &[48, 64], F::ResizeOptions::default()).unwrap();
    assert!(same.shares_storage(f));
}

#[test]
fn resize_output_size_follows_torchvision() {
    assert_eq!(
        F::compute_resized_output_size((300, 451), &[224], None).unwrap(),
        (224, 336)
    );
    assert_eq!(
        F::compute_resized_output_size((451, 300), &[224], None).unwrap(),
        (336, 224)
    );
    assert_eq!(
        F::compute_resized_output_size((300, 451), &[224], Some(300)).unwrap(),
        (200, 300)
    );
    assert_eq!(
        F::compute_resized_output_size((300, 451), &[], Some(100)).unwrap(),
        (66, 100)
    );
    assert_eq!(
        F::compute_resized_output_size((300, 451), &[10, 20], None).unwrap(),
        (10, 20)
    );
    let e = F::compute_resized_output_size((300, 451), &[224], Some(224)).unwrap_err();
    assert!(e.to_string().contains("max_size = 224"), "{e}");
}

#[test]
fn crops_pads_and_flips_match_torchvision_exactly() {
    let g = golden("vision_transforms_geometry");
    let x = &g["u8"];
    exact(&g, "center_crop_100_90", F::center_crop(x, &[60, 70]));
    exact(&g, "center_crop_pad", F::center_crop(x, &[81, 103]));
    exact(&g, "center_crop_odd", F::center_crop(x, &[47, 61]));
    exact(&g, "crop_out_of_range", F::crop(x, -5, 7, 50, 96));
    exact(&g, "crop_inside", F::crop(x, 11, 23, 40, 50));
    exact(
        &g,
        "pad_constant",
        F::pad(x, &[3, 5, 7, 2], &[10.0, 20.0, 30.0], PaddingMode::Constant),
    );
    exact(&g, "pad_edge", F::pad(x, &[4], &[], PaddingMode::Edge));
    exact(
        &g,
        "pad_reflect",
        F::pad(x, &[5, 3], &[], PaddingMode::Reflect),
    );
    exact(
        &g,
        "pad_symmetric",
        F::pad(x, &[2, 4, 6, 8], &[], PaddingMode::Symmetric),
    );
    exact(&g, "hflip", F::horizontal_flip(x));
    exact(&g, "vflip", F::vertical_flip(x));
    let r = F::resized_crop(x, 10, 20, 50, 70, &[40, 40], F::ResizeOptions::default());
    exact(&g, "resized_crop", r);
    let gf = golden("vision_transforms_float");
    close(
        &gf,
        "pad_reflect_float",
        F::pad(&gf["f"], &[3, 1, 2, 4], &[], PaddingMode::Reflect),
    );
}

#[test]
fn rotate_and_affine_match_torchvision() {
    let g = golden("vision_transforms_geometry");
    let x = &g["u8"];
    let bil = Some(IM::Bilinear);
    let rot = |a: f64, o: RotateOptions| F::rotate(x, a, &o);
    exact(&g, "rotate_33_nearest", rot(33.0, RotateOptions::default()));
    let o = RotateOptions {
        interpolation: bil,
        fill: Some(vec![255.0, 0.0, 128.0]),
        ..Default::default()
    };
    within_one(&g, "rotate_33_bilinear_fill", rot(33.0, o));
    exact(
        &g,
        "rotate_90_nonsquare",
        rot(90.0, RotateOptions::default()),
    );
    exact(
        &g,
        "rotate_90_square",
        F::rotate(&g["sq"], 90.0, &RotateOptions::default()),
    );
    let expand = RotateOptions {
        expand: true,
        ..Default::default()
    };
    exact(&g, "rotate_270_expand", rot(-90.0, expand));
    exact(&g, "rotate_180", rot(180.0, RotateOptions::default()));
    let o = RotateOptions {
        interpolation: bil,
        expand: true,
        ..Default::default()
    };
    within_one(&g, "rotate_45_expand_bilinear", rot(45.0, o));
    let o = RotateOptions {
        center: Some([30.0, 40.0]),
        fill: Some(vec![7.0]),
        ..Default::default()
    };
    exact(&g, "rotate_20_center", rot(20.0, o));
    let out = F::affine(
        x,
        -20.0,
        [5.0, -7.0],
        1.2,
        [10.0, -5.0],
        &AffineOptions::default(),
    );
    exact(&g, "affine_nearest", out);
    let o = AffineOptions {
        interpolation: bil,
        fill: Some(vec![0.0, 255.0, 50.0]),
        center: None,
    };
    within_one(
        &g,
        "affine_bilinear_fill",
        F::affine(x, 15.0, [-3.0, 4.0], 0.8, [0.0, 12.0], &o),
    );
    let o = AffineOptions {
        center: Some([20.0, 100.0]),
        ..Default::default()
    };
    exact(
        &g,
        "affine_center",
        F::affine(x, 30.0, [0.0, 0.0], 1.0, [5.0, 0.0], &o),
    );

    let gf = golden("vision_transforms_float");
    let f = &gf["f"];
    let o = RotateOptions {
        interpolation: bil,
        ..Default::default()
    };
    close(&gf, "rotate_33_bilinear", F::rotate(f, 33.0, &o));
    let o = AffineOptions {
        interpolation: bil,
        fill: Some(vec![0.5, 1.0, 0.25]),
        center: None,
    };
    close(
        &gf,
        "affine_bilinear_fill",
        F::affine(f, 15.0, [-3.0, 4.0], 0.8, [7.0, 12.0], &o),
    );
}

#[test]
fn colour_ops_match_torchvision() {
    let g = golden("vision_transforms_color");
    let x = &g["u8"];
    within_one(&g, "brightness_1_3", F::adjust_brightness(x, 1.3));
    within_one(&g, "contrast_0_6", F::adjust_contrast(x, 0.6));
    within_one(&g, "contrast_gray_1_4", F::adjust_contrast(&g["gray"], 1.4));
    within_one(&g, "saturation_1_7", F::adjust_saturation(x, 1.7));
    within_one(&g, "hue_0_2", F::adjust_hue(x, 0.2));
    within_one(&g, "hue_m0_35", F::adjust_hue(x, -0.35));
    within_one(&g, "grayscale_1", F::rgb_to_grayscale(x, 1));
    within_one(&g, "grayscale_3", F::rgb_to_grayscale(x, 3));
    for (key, out) in [
        ("brightness_1_3", F::adjust_brightness(x, 1.3)),
        ("saturation_1_7", F::adjust_saturation(x, 1.7)),
        ("hue_0_2", F::adjust_hue(x, 0.2)),
        ("grayscale_1", F::rgb_to_grayscale(x, 1)),
    ] {
        let frac = mismatch_fraction(&out.unwrap(), &g[key]);
        assert!(frac < 0.01, "{key}: {frac} of the values differ");
    }

    let gf = golden("vision_transforms_float");
    let f = &gf["f"];
    close(&gf, "brightness_0_7", F::adjust_brightness(f, 0.7));
    close(&gf, "contrast_1_5", F::adjust_contrast(f, 1.5));
    close(&gf, "saturation_0_3", F::adjust_saturation(f, 0.3));
    close(&gf, "hue_0_45", F::adjust_hue(f, 0.45));
    close(&gf, "grayscale_1", F::rgb_to_grayscale(f, 1));
}

#[test]
fn blur_erase_normalize_to_dtype_match_torchvision() {
    let g = golden("vision_transforms_color");
    let x = &g["u8"];
    within_one(
        &g,
        "blur_5_9",
        F::gaussian_blur(x, [5, 9], Some([1.5, 2.2])),
    );
    within_one(
        &g,
        "blur_3_default_sigma",
        F::gaussian_blur(x, [3, 3], None),
    );
    let v = Tensor::from_slice(&[1u8, 2, 3], &[3, 1, 1]).unwrap();
    exact(&g, "erase", F::erase(x, 10, 20, 30, 40, &v));

    let gf = golden("vision_transforms_float");
    let f = &gf["f"];
    close(
        &gf,
        "blur_7_5",
        F::gaussian_blur(f, [7, 5], Some([2.0, 0.8])),
    );
    let n = F::normalize(f, &[0.485, 0.456, 0.406], &[0.229, 0.224, 0.225]);
    close(&gf, "normalize", n);
    exact(&gf, "to_u8", F::to_dtype(f, DType::U8, true));
    let gg = golden("vision_transforms_geometry");
    exact(&gg, "to_float", F::to_dtype(&gg["small"], DType::F32, true));
}

#[test]
fn bad_inputs_give_errors_naming_the_op_and_shape() {
    let x = Tensor::zeros(&[3, 10, 12], Default::default()).unwrap();
    let e = F::normalize(&x.to_dtype(DType::U8).unwrap(), &[0.5], &[0.5]).unwrap_err();
    assert!(e.to_string().contains("float tensor"), "{e}");
    let e = F::normalize(&x, &[0.5, 0.5], &[0.5]).unwrap_err();
    assert!(e.to_string().contains("[3, 10, 12]"), "{e}");
    let e = F::pad(&x, &[10], &[], PaddingMode::Reflect).unwrap_err();
    assert!(
        e.to_string().starts_with("pad:") && e.to_string().contains("[3, 10, 12]"),
        "{e}"
    );
    let e = F::gaussian_blur(&x, [4, 3], None).unwrap_err();
    assert!(e.to_string().contains("odd"), "{e}");
    let e = F::adjust_hue(&x, 0.7).unwrap_err();
    assert!(e.to_string().contains("hue_factor"), "{e}");
    let e = F::rgb_to_grayscale(&Tensor::zeros(&[2, 4, 4], Default::default()).unwrap(), 1)
        .unwrap_err();
    assert!(e.to_string().contains("found 2"), "{e}");
    let e = F::resize(
        &Tensor::zeros(&[4], Default::default()).unwrap(),
        &[2],
        Default::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("resize"), "{e}");
    let c = Tensor::zeros(&[3, 4, 4], Default::default())
        .unwrap()
        .to_dtype(DType::C64)
        .unwrap();
    assert!(F::adjust_brightness(&c, 1.1).is_err());
}
