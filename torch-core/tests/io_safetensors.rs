//! safetensors loading and saving against files written by `safetensors.numpy.save_file`
//! (`scripts/golden/io.py`), hand-built files and round trips.

mod io_common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use io_common::*;
use torch_core::io::{
    load_safetensors, load_safetensors_map, load_safetensors_with_metadata, save_safetensors,
};
use torch_core::{DType, Error, Tensor};

/// Builds a safetensors file by hand: `entries` are (name, dtype string, shape, data).
fn handmade(dir: &Path, name: &str, entries: &[(&str, &str, &[usize], &[u8])]) -> PathBuf {
    let mut header = String::from("{");
    let mut offset = 0;
    for (i, (n, dtype, shape, data)) in entries.iter().enumerate() {
        if i > 0 {
            header.push(',');
        }
        header.push_str(&format!(
            "\"{n}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape:?},\"data_offsets\":[{offset},{}]}}",
            offset + data.len()
        ));
        offset += data.len();
    }
    header.push('}');
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(header.as_bytes());
    for (_, _, _, data) in entries {
        bytes.extend_from_slice(data);
    }
    write_bytes(dir, name, &bytes)
}

#[test]
fn load_matches_safetensors_numpy_save_file_with_metadata() {
    let (tensors, meta) =
        load_safetensors_with_metadata(golden("numpy.safetensors")).expect("numpy.safetensors");
    let names: Vec<&str> = tensors.iter().map(|(n, _)| n.as_str()).collect();
    // Python's layout: by safetensors dtype, last first (I64 > F64 > C64 > F32 > I32 > ...),
    // then by name; the empty tensor shares its offset with `f32` and sorts by name.
    assert_eq!(
        names,
        [
            "i64", "f64", "c64", "a3", "empty", "f32", "scalar", "i32", "f16", "i16", "i8", "u8",
            "bool"
        ]
    );
    let map: HashMap<String, Tensor> = tensors.into_iter().collect();
    for (name, dtype) in [
        ("f16", DType::F16),
        ("f32", DType::F32),
        ("f64", DType::F64),
        ("i8", DType::I8),
        ("i16", DType::I16),
        ("i32", DType::I32),
        ("i64", DType::I64),
        ("u8", DType::U8),
        ("bool", DType::Bool),
        ("c64", DType::C64),
    ] {
        assert_same(&map[name], &expected(dtype));
    }
    assert_same(&map["a3"], &a3());
    assert_eq!(map["scalar"].shape(), &[] as &[usize]);
    assert_eq!(map["scalar"].to_vec::<f32>().expect("scalar"), vec![3.5]);
    assert_eq!(map["empty"].shape(), &[0, 3]);
    let meta = meta.expect("metadata");
    assert_eq!(meta.get("format").map(String::as_str), Some("np"));
    assert_eq!(
        meta.get("source").map(String::as_str),
        Some("scripts/golden/io.py")
    );
}

#[test]
fn load_reads_handwritten_bf16() {
    let map = load_safetensors_map(golden("bf16.safetensors")).expect("bf16.safetensors");
    assert_same(&map["bf16"], &expected(DType::BF16));
}

#[test]
fn save_load_round_trips_every_dtype_with_metadata() {
    let dir = scratch("st_round_trip");
    let tensors: Vec<(String, Tensor)> = DType::ALL
        .iter()
        .map(|&d| (format!("{d:?}"), sample(d, &[3, 5])))
        .collect();
    let refs: Vec<(&str, &Tensor)> = tensors.iter().map(|(n, t)| (n.as_str(), t)).collect();
    let meta = HashMap::from([("format".to_string(), "pt".to_string())]);
    let path = dir.join("all.safetensors");
    save_safetensors(&refs, Some(&meta), &path).expect("save");
    let (back, back_meta) = load_safetensors_with_metadata(&path).expect("load");
    assert_eq!(back_meta, Some(meta));
    assert_eq!(back.len(), tensors.len());
    let back: HashMap<String, Tensor> = back.into_iter().collect();
    for (name, t) in &tensors {
        assert_same(&back[name], t);
    }
    assert_eq!(listing(&dir), vec!["all.safetensors"], "no temporary files");

    save_safetensors(&refs, None, &path).expect("save without metadata");
    let (_, none) = load_safetensors_with_metadata(&path).expect("load");
    assert_eq!(none, None);
}

#[test]
fn save_writes_logical_values_of_views_and_handles_0d_and_empty() {
    let dir = scratch("st_views");
    let base = sample(DType::F32, &[4, 6]);
    let transposed = base.t().expect("t");
    let narrowed = base.narrow(1, 1, 3).expect("narrow");
    let scalar = sample(DType::F64, &[]);
    let empty = sample(DType::I64, &[0, 3]);
    let empty_bool = sample(DType::Bool, &[2, 0]);
    let path = dir.join("views.safetensors");
    save_safetensors(
        &[
            ("transposed", &transposed),
            ("narrowed", &narrowed),
            ("scalar", &scalar),
            ("empty", &empty),
            ("empty_bool", &empty_bool),
        ],
        None,
        &path,
    )
    .expect("save");
    let back = load_safetensors_map(&path).expect("load");
    assert_same(&back["transposed"], &transposed);
    assert_same(&back["narrowed"], &narrowed);
    assert_same(&back["scalar"], &scalar);
    assert_same(&back["empty"], &empty);
    assert_same(&back["empty_bool"], &empty_bool);
}

#[test]
fn loaded_tensors_copy_on_write_and_leave_the_file_alone() {
    let dir = scratch("st_cow");
    let path = dir.join("w.safetensors");
    let w = sample(DType::F32, &[2, 3]);
    save_safetensors(&[("w", &w)], None, &path).expect("save");
    let loaded = load_safetensors_map(&path).expect("load");
    let alias = loaded["w"].clone();
    loaded["w"].fill_(7.0).expect("fill_");
    assert_eq!(alias.to_vec::<f32>().expect("alias"), vec![7.0; 6]);
    // Overwriting the file while the old map is alive is safe (rename, not truncate).
    save_safetensors(&[("w", &w)], None, &path).expect("save again");
    assert_same(&load_safetensors_map(&path).expect("reload")["w"], &w);
    assert_eq!(alias.to_vec::<f32>().expect("alias"), vec![7.0; 6]);
}

#[test]
fn load_copies_misaligned_tensors() {
    let dir = scratch("st_misaligned");
    let f: Vec<u8> = [1.5f32, -2.25]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let d: Vec<u8> = [3.0f64].iter().flat_map(|v| v.to_le_bytes()).collect();
    // The header `{...}` has odd length on purpose and the u8 tensor pushes the rest off by 3.
    let path = handmade(
        &dir,
        "misaligned.safetensors",
        &[
            ("a", "U8", &[3], &[1, 2, 3]),
            ("b", "F32", &[2], &f),
            ("c", "F64", &[1], &d),
        ],
    );
    let t = load_safetensors(&path).expect("load");
    assert_eq!(t[0].1.to_vec::<u8>().expect("a"), vec![1, 2, 3]);
    assert_eq!(t[1].1.to_vec::<f32>().expect("b"), vec![1.5, -2.25]);
    assert_eq!(t[2].1.to_vec::<f64>().expect("c"), vec![3.0]);
}

#[test]
fn load_names_unsupported_dtypes() {
    let dir = scratch("st_unsupported");
    let path = handmade(
        &dir,
        "u16.safetensors",
        &[("x", "U16", &[2], &[1, 0, 2, 0])],
    );
    assert_format_error(
        load_safetensors(&path),
        &path,
        &["`x`", "U16", "not support"],
    );
    let path = handmade(&dir, "f8.safetensors", &[("y", "F8_E4M3", &[2], &[1, 2])]);
    assert_format_error(load_safetensors(&path), &path, &["`y`", "F8_E4M3"]);
    let path = handmade(&dir, "bogus.safetensors", &[("z", "Q3", &[2], &[1, 2])]);
    assert_format_error(load_safetensors(&path), &path, &["Q3"]);
}

#[test]
fn load_rejects_bool_bytes_other_than_0_and_1() {
    let dir = scratch("st_bool");
    let path = handmade(&dir, "bool.safetensors", &[("m", "BOOL", &[3], &[1, 0, 2])]);
    assert_format_error(load_safetensors(&path), &path, &["`m`", "not 0 or 1"]);
}

#[test]
fn truncated_or_corrupt_safetensors_gives_a_format_error_naming_the_file() {
    let dir = scratch("st_corrupt");
    let good = std::fs::read(golden("numpy.safetensors")).expect("golden");
    for cut in [0, 4, 8, 20, good.len() / 2, good.len() - 1] {
        let path = write_bytes(&dir, &format!("cut{cut}.safetensors"), &good[..cut]);
        assert_format_error(load_safetensors(&path), &path, &["safetensors"]);
    }
    let mut extra = good.clone();
    extra.push(0);
    let path = write_bytes(&dir, "extra.safetensors", &extra);
    assert_format_error(load_safetensors(&path), &path, &[]);

    let mut bad_json = good.clone();
    bad_json[8] = b'[';
    let path = write_bytes(&dir, "json.safetensors", &bad_json);
    assert_format_error(load_safetensors(&path), &path, &["JSON"]);

    let mut huge_len = good;
    huge_len[..8].copy_from_slice(&u64::MAX.to_le_bytes());
    let path = write_bytes(&dir, "len.safetensors", &huge_len);
    assert_format_error(load_safetensors(&path), &path, &[]);

    // Offsets that disagree with shape x dtype.
    let path = handmade(&dir, "shape.safetensors", &[("x", "F32", &[3], &[0; 8])]);
    assert_format_error(load_safetensors(&path), &path, &[]);

    let err = load_safetensors(dir.join("absent.safetensors")).expect_err("absent");
    assert!(matches!(err, Error::Io { .. }), "{err}");
}

#[test]
fn save_rejects_duplicate_and_reserved_names_before_writing() {
    let dir = scratch("st_names");
    let t = sample(DType::F32, &[2]);
    let path = dir.join("x.safetensors");
    let err = save_safetensors(&[("a", &t), ("a", &t)], None, &path).expect_err("duplicate");
    assert!(err.to_string().contains("more than once"), "{err}");
    let err = save_safetensors(&[("__metadata__", &t)], None, &path).expect_err("reserved");
    assert!(err.to_string().contains("reserved"), "{err}");
    assert!(listing(&dir).is_empty());
}

/// Writes a `.safetensors` file for `scripts/golden/io_check_python_reads.py` into the folder
/// named by `TORCH_IO_OUT`: `TORCH_IO_OUT=/tmp/x cargo test -p torch-core --test
/// io_safetensors -- --ignored`.
#[test]
#[ignore = "writes files for the Python read check; needs TORCH_IO_OUT"]
fn write_files_for_python_check() {
    let Some(dir) = std::env::var_os("TORCH_IO_OUT") else {
        panic!("set TORCH_IO_OUT to a folder");
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("create TORCH_IO_OUT");
    let mut tensors: Vec<(String, Tensor)> = DType::ALL
        .iter()
        .map(|&d| (format!("{d:?}"), sample(d, &[3, 4])))
        .collect();
    tensors.push((
        "transposed".into(),
        sample(DType::F32, &[3, 4]).t().expect("t"),
    ));
    tensors.push(("scalar".into(), sample(DType::F64, &[])));
    tensors.push(("empty".into(), sample(DType::I64, &[0, 3])));
    let refs: Vec<(&str, &Tensor)> = tensors.iter().map(|(n, t)| (n.as_str(), t)).collect();
    let meta = HashMap::from([("format".to_string(), "pt".to_string())]);
    save_safetensors(&refs, Some(&meta), dir.join("rust.safetensors")).expect("save");
}
