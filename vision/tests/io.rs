//! torch_vision::io against torchvision 0.26: decoded pixels of the real photos in
//! `shared/data/vision/images` (goldens: shapes, per-channel sums, position-weighted sums and
//! crops), small generated PNGs, encoders by round trip, and errors on truncated or corrupt
//! files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use torch_core::testing::{load_golden, shared_data};
use torch_core::{DType, Error, Tensor};
use torch_vision::io::{
    EncodeJpegOptions, EncodePngOptions, ImageReadMode, decode_image, decode_jpeg, decode_png,
    encode_jpeg, encode_png, read_file, read_image, write_file, write_jpeg, write_png,
};

const MODES: [(&str, ImageReadMode); 5] = [
    ("UNCHANGED", ImageReadMode::UNCHANGED),
    ("GRAY", ImageReadMode::GRAY),
    ("GRAY_ALPHA", ImageReadMode::GRAY_ALPHA),
    ("RGB", ImageReadMode::RGB),
    ("RGB_ALPHA", ImageReadMode::RGB_ALPHA),
];

fn goldens(name: &str) -> HashMap<String, Tensor> {
    load_golden(env!("CARGO_MANIFEST_DIR"), name).expect("goldens")
}

fn images() -> PathBuf {
    shared_data().join("vision/images")
}

/// A fresh, empty temporary folder for one test.
fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("torch-vision-io-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// `(2, C)`: per-channel sum and sum weighted by `(31 i + 7) % 251` of the flat position,
/// as the golden script computes them.
fn checksums(x: &Tensor) -> Vec<f64> {
    let c = x.shape()[0];
    let v = x.to_vec::<u8>().expect("u8");
    let plane = v.len() / c;
    let mut sums = vec![0.0; 2 * c];
    for ch in 0..c {
        for (i, &p) in v[ch * plane..(ch + 1) * plane].iter().enumerate() {
            sums[ch] += p as f64;
            sums[c + ch] += p as f64 * ((i * 31 + 7) % 251) as f64;
        }
    }
    sums
}

/// The three 32x32 crops of the golden script, `(3, C, 32, 32)` flattened.
fn crops(x: &Tensor) -> Vec<u8> {
    let (h, w) = (x.shape()[1], x.shape()[2]);
    let pts = [(0, 0), (h / 2 - 16, w / 2 - 16), (h - 32, w - 32)];
    let mut out = Vec::new();
    for (y, z) in pts {
        let crop = x
            .narrow(1, y as i64, 32)
            .unwrap()
            .narrow(2, z as i64, 32)
            .unwrap();
        out.extend(crop.to_vec::<u8>().unwrap());
    }
    out
}

fn shape_of(g: &HashMap<String, Tensor>, key: &str) -> Vec<usize> {
    g[key]
        .to_vec::<i64>()
        .unwrap()
        .into_iter()
        .map(|v| v as usize)
        .collect()
}

fn files(ext: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(images())
        .expect("shared images")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(ext))
        .collect();
    v.sort();
    v
}

#[test]
fn read_image_png_matches_torchvision_exactly_in_every_mode() {
    let g = goldens("vision_io");
    let pngs = files(".png");
    assert_eq!(pngs.len(), 7);
    for f in &pngs {
        for (name, mode) in MODES {
            let key = format!("{f}.{name}");
            let x = read_image(images().join(f), mode).unwrap_or_else(|e| panic!("{key}: {e}"));
            assert_eq!(x.dtype(), DType::U8);
            assert_eq!(x.shape(), shape_of(&g, &format!("{key}.shape")), "{key}");
            assert_eq!(
                checksums(&x),
                g[&format!("{key}.sums")].to_vec::<f64>().unwrap(),
                "{key}"
            );
            assert_eq!(
                crops(&x),
                g[&format!("{key}.crops")].to_vec::<u8>().unwrap(),
                "{key}"
            );
        }
    }
}

/// zune-jpeg and libjpeg-turbo use different IDCT rounding and chroma upsampling, so the
/// decoded levels of colour JPEGs differ slightly. Measured on the four real JPEGs (three
/// 32x32 crops each): at most 3 levels per pixel (grace_hopper; 2 on the others), and the
/// per-channel sums over the whole image differ by at most 0.19 levels per pixel. The luma
/// plane (GRAY) is the decoded Y component in both and differs by at most 1 level.
#[test]
fn read_image_jpeg_matches_torchvision_within_a_level_or_two() {
    let g = goldens("vision_io");
    let jpgs = files(".jpg");
    assert_eq!(jpgs.len(), 4);
    let mut worst = 0u8;
    for f in &jpgs {
        for (name, mode) in [MODES[0], MODES[1], MODES[3]] {
            let key = format!("{f}.{name}");
            let x = read_image(images().join(f), mode).unwrap_or_else(|e| panic!("{key}: {e}"));
            assert_eq!(x.shape(), shape_of(&g, &format!("{key}.shape")), "{key}");
            let ours = crops(&x);
            let theirs = g[&format!("{key}.crops")].to_vec::<u8>().unwrap();
            let max = ours
                .iter()
                .zip(&theirs)
                .map(|(a, b)| a.abs_diff(*b))
                .max()
                .unwrap();
            let limit = if mode == ImageReadMode::GRAY { 1 } else { 3 };
            assert!(max <= limit, "{key}: crops differ by up to {max} levels");
            worst = worst.max(max);
            let pixels = (x.shape()[1] * x.shape()[2]) as f64;
            let sums = g[&format!("{key}.sums")].to_vec::<f64>().unwrap();
            for (ch, (a, b)) in checksums(&x)
                .iter()
                .zip(&sums)
                .take(x.shape()[0])
                .enumerate()
            {
                let mean = (a - b).abs() / pixels;
                assert!(
                    mean < 0.2,
                    "{key}: channel {ch} mean differs by {mean} levels"
                );
            }
        }
    }
    // The decoders really do differ: if this fails they agree exactly and the limits above
    // can be tightened to 0.
    assert!(worst > 0);
}

#[test]
fn decode_png_matches_torchvision_on_palette_gray_alpha_and_1bit_files() {
    let g = goldens("vision_io_small");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut checked = 0;
    for (key, expected) in &g {
        let (file, mode) = key.split_once('.').unwrap();
        let mode = ImageReadMode::parse(mode).unwrap();
        let data = std::fs::read(dir.join(format!("small_{file}.png"))).unwrap();
        let x = decode_png(&data, mode).unwrap_or_else(|e| panic!("{key}: {e}"));
        assert_eq!(x.shape(), expected.shape(), "{key}");
        assert_eq!(
            x.to_vec::<u8>().unwrap(),
            expected.to_vec::<u8>().unwrap(),
            "{key}"
        );
        checked += 1;
    }
    assert_eq!(checked, 6 * 5 - 2);
}

#[test]
fn decode_image_picks_the_decoder_by_signature() {
    let png = std::fs::read(images().join("coins.png")).unwrap();
    let jpg = std::fs::read(images().join("rocket.jpg")).unwrap();
    let a = decode_image(&png, ImageReadMode::UNCHANGED).unwrap();
    assert_eq!(
        a.to_vec::<u8>().unwrap(),
        decode_png(&png, ImageReadMode::UNCHANGED)
            .unwrap()
            .to_vec::<u8>()
            .unwrap()
    );
    let b = decode_image(&jpg, ImageReadMode::RGB).unwrap();
    assert_eq!(
        b.to_vec::<u8>().unwrap(),
        decode_jpeg(&jpg, ImageReadMode::RGB)
            .unwrap()
            .to_vec::<u8>()
            .unwrap()
    );
    let err = decode_image(b"GIF89a......", ImageReadMode::UNCHANGED).unwrap_err();
    assert!(err.to_string().contains("Unsupported image file"), "{err}");
    let err = decode_jpeg(&jpg, ImageReadMode::RGB_ALPHA).unwrap_err();
    assert!(err.to_string().contains("not supported for JPEG"), "{err}");
}

#[test]
fn truncated_and_corrupt_files_give_errors_naming_the_file() {
    let dir = temp_dir("truncated");
    for f in [
        "astronaut.png",
        "coins.png",
        "rocket.jpg",
        "grace_hopper.jpg",
    ] {
        let data = std::fs::read(images().join(f)).unwrap();
        for (what, bytes) in [
            ("half", data[..data.len() / 2].to_vec()),
            ("header", data[..200].to_vec()),
            ("tiny", data[..5].to_vec()),
        ] {
            let path = dir.join(format!("{what}_{f}"));
            std::fs::write(&path, &bytes).unwrap();
            let err = read_image(&path, ImageReadMode::UNCHANGED)
                .expect_err(&format!("{what} copy of {f} decoded"));
            let msg = err.to_string();
            assert!(matches!(err, Error::Format { .. }), "{msg}");
            assert!(msg.contains(&format!("{what}_{f}")), "{msg}");
        }
    }
    // A flipped byte inside the PNG's image data fails its checksum.
    let mut data = std::fs::read(images().join("horse.png")).unwrap();
    let mid = data.len() / 2;
    data[mid] ^= 0xFF;
    let path = dir.join("corrupt_horse.png");
    std::fs::write(&path, &data).unwrap();
    let msg = read_image(&path, ImageReadMode::UNCHANGED)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("corrupt_horse.png") && msg.contains("corrupt"),
        "{msg}"
    );
    let missing = read_image(dir.join("missing.png"), ImageReadMode::UNCHANGED).unwrap_err();
    assert!(matches!(missing, Error::Io { .. }), "{missing}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn encode_png_round_trips_exactly_at_every_level() {
    let dir = temp_dir("png");
    for f in ["chelsea.png", "camera.png"] {
        let x = read_image(images().join(f), ImageReadMode::UNCHANGED).unwrap();
        let x = x.narrow(1, 10, 57).unwrap().narrow(2, 3, 91).unwrap();
        for level in [0, 1, 6, 9] {
            let enc = encode_png(
                &x,
                EncodePngOptions {
                    compression_level: level,
                },
            )
            .unwrap();
            assert_eq!(enc.dtype(), DType::U8);
            assert_eq!(enc.dim(), 1);
            let back = decode_png(&enc.to_vec::<u8>().unwrap(), ImageReadMode::UNCHANGED).unwrap();
            assert_eq!(
                back.to_vec::<u8>().unwrap(),
                x.to_vec::<u8>().unwrap(),
                "{f} level {level}"
            );
        }
        let path = dir.join(format!("out_{f}"));
        write_png(&x, &path, EncodePngOptions::default()).unwrap();
        let back = read_image(&path, ImageReadMode::UNCHANGED).unwrap();
        assert_eq!(back.to_vec::<u8>().unwrap(), x.to_vec::<u8>().unwrap());
    }
    // Only the two written files remain: no temporary files are left behind.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn encode_jpeg_quality_75_loses_about_as_much_as_torchvision() {
    let g = goldens("vision_io");
    let ast = read_image(images().join("astronaut.png"), ImageReadMode::UNCHANGED).unwrap();
    let ast = ast
        .narrow(1, 100, 128)
        .unwrap()
        .narrow(2, 150, 128)
        .unwrap();
    let orig = ast.to_vec::<u8>().unwrap();
    let mae = |q: u8| {
        let enc = encode_jpeg(&ast, EncodeJpegOptions { quality: q }).unwrap();
        let back = decode_jpeg(&enc.to_vec::<u8>().unwrap(), ImageReadMode::UNCHANGED).unwrap();
        assert_eq!(back.shape(), ast.shape());
        let b = back.to_vec::<u8>().unwrap();
        orig.iter()
            .zip(&b)
            .map(|(x, y)| x.abs_diff(*y) as f64)
            .sum::<f64>()
            / b.len() as f64
    };
    let torch = g["jpeg_q75_roundtrip_mae"].item().unwrap();
    let ours = mae(EncodeJpegOptions::default().quality);
    assert!(
        ours > 0.5 * torch && ours < 1.5 * torch,
        "ours {ours}, torchvision {torch}"
    );
    assert!(mae(95) < ours && ours < mae(20));
    let dir = temp_dir("jpeg");
    let path = dir.join("a.jpg");
    write_jpeg(&ast, &path, EncodeJpegOptions::default()).unwrap();
    assert_eq!(
        read_image(&path, ImageReadMode::GRAY).unwrap().shape(),
        &[1, 128, 128]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn encoders_reject_what_torchvision_rejects() {
    let two = Tensor::zeros(
        &[2, 4, 5],
        torch_core::TensorOptions::default().dtype(DType::U8),
    )
    .unwrap();
    let float = Tensor::zeros(&[3, 4, 5], torch_core::TensorOptions::default()).unwrap();
    let ok = Tensor::zeros(
        &[3, 4, 5],
        torch_core::TensorOptions::default().dtype(DType::U8),
    )
    .unwrap();
    for e in [
        encode_png(&two, EncodePngOptions::default()).unwrap_err(),
        encode_jpeg(&two, EncodeJpegOptions::default()).unwrap_err(),
    ] {
        assert!(e.to_string().contains("should be 1 or 3, got: 2"), "{e}");
    }
    assert!(
        encode_png(&float, EncodePngOptions::default())
            .unwrap_err()
            .to_string()
            .contains("uint8")
    );
    let e = encode_png(
        &ok,
        EncodePngOptions {
            compression_level: 10,
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("between 0 and 9"), "{e}");
    let e = encode_jpeg(&ok, EncodeJpegOptions { quality: 0 }).unwrap_err();
    assert!(e.to_string().contains("between 1 and 100"), "{e}");
}

#[test]
fn read_file_and_write_file_round_trip_bytes() {
    let dir = temp_dir("file");
    let t = read_file(images().join("horse.png")).unwrap();
    assert_eq!(t.dtype(), DType::U8);
    assert_eq!(t.shape(), &[16633]);
    let path = dir.join("copy.png");
    write_file(&path, &t).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        std::fs::read(images().join("horse.png")).unwrap()
    );
    let a = read_image(&path, ImageReadMode::RGB).unwrap();
    assert_eq!(a.shape(), &[3, 328, 400]);
    let e = write_file(
        dir.join("x"),
        &Tensor::zeros(&[2, 2], Default::default()).unwrap(),
    );
    assert!(e.is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}
