//! NumPy `.npy` / `.npz` reading and writing against files written by numpy
//! (`scripts/golden/io.py`) and by round trips.

mod io_common;

use io_common::*;
use torch_core::io::{read_npy, read_npz, write_npy, write_npz, write_npz_compressed};
use torch_core::{DType, Error, Tensor};

/// Dtypes NumPy has, with io.py's file-name codes.
const NUMPY_DTYPES: [(&str, DType); 10] = [
    ("f2", DType::F16),
    ("f4", DType::F32),
    ("f8", DType::F64),
    ("i1", DType::I8),
    ("i2", DType::I16),
    ("i4", DType::I32),
    ("i8", DType::I64),
    ("u1", DType::U8),
    ("b1", DType::Bool),
    ("c8", DType::C64),
];

#[test]
fn read_npy_matches_numpy_save_for_every_dtype_in_c_and_fortran_order() {
    for (code, dtype) in NUMPY_DTYPES {
        for order in ["c", "fortran"] {
            let t = read_npy(golden(&format!("{code}_{order}.npy")))
                .unwrap_or_else(|e| panic!("{code}_{order}: {e}"));
            assert!(t.is_contiguous());
            assert_same(&t, &expected(dtype));
        }
    }
}

#[test]
fn read_npy_matches_numpy_for_3d_fortran_and_header_versions() {
    for name in ["a3_c.npy", "a3_fortran.npy", "a3_v2.npy", "a3_v3.npy"] {
        let t = read_npy(golden(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_same(&t, &a3());
    }
}

#[test]
fn read_npy_swaps_big_endian_data() {
    for (name, dtype) in [
        ("f8_be.npy", DType::F64),
        ("i4_be.npy", DType::I32),
        ("c8_be.npy", DType::C64),
    ] {
        let t = read_npy(golden(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_same(&t, &expected(dtype));
    }
}

#[test]
fn read_npy_handles_0d_and_zero_size_arrays() {
    let s = read_npy(golden("scalar.npy")).expect("scalar.npy");
    assert_eq!(s.shape(), &[] as &[usize]);
    assert_eq!(s.to_vec::<f32>().expect("values"), vec![3.5]);
    let e = read_npy(golden("empty.npy")).expect("empty.npy");
    assert_eq!((e.shape(), e.dtype()), (&[0usize, 3][..], DType::F32));
}

#[test]
fn read_npy_handles_empty_fortran_order_arrays() {
    // numpy marks empty arrays C order; a Fortran flag on one must still read.
    let dir = scratch("npy_empty_fortran");
    let mut fortran = std::fs::read(golden("empty.npy")).expect("golden");
    let flag = b"'fortran_order': False";
    let at = fortran
        .windows(flag.len())
        .position(|w| w == flag)
        .expect("fortran flag");
    fortran[at..at + flag.len()].copy_from_slice(b"'fortran_order': True ");
    let path = write_bytes(&dir, "empty_f.npy", &fortran);
    let t = read_npy(&path).expect("empty fortran");
    assert_eq!((t.shape(), t.dtype()), (&[0usize, 3][..], DType::F32));
}

#[test]
fn read_npy_names_an_unsupported_dtype() {
    let path = golden("u2.npy");
    assert_format_error(read_npy(&path), &path, &["'<u2'", "not supported"]);
}

#[test]
fn npy_round_trips_every_numpy_dtype() {
    let dir = scratch("npy_round_trip");
    for (code, dtype) in NUMPY_DTYPES {
        let t = sample(dtype, &[3, 4]);
        let path = dir.join(format!("{code}.npy"));
        write_npy(&path, &t).expect("write_npy");
        assert_same(&read_npy(&path).expect("read_npy"), &t);
    }
    assert_eq!(
        listing(&dir).len(),
        NUMPY_DTYPES.len(),
        "no temporary files left"
    );
}

#[test]
fn write_npy_saves_logical_values_of_non_contiguous_tensors() {
    let dir = scratch("npy_non_contiguous");
    for (_, dtype) in NUMPY_DTYPES {
        let t = sample(dtype, &[3, 4]).t().expect("t");
        assert!(!t.is_contiguous());
        let path = dir.join("t.npy");
        write_npy(&path, &t).expect("write_npy");
        let back = read_npy(&path).expect("read_npy");
        assert_eq!(back.shape(), &[4, 3]);
        assert_same(&back, &t);
    }
    // A narrowed view with a storage offset.
    let t = sample(DType::F32, &[4, 5]).narrow(1, 2, 2).expect("narrow");
    let path = dir.join("narrow.npy");
    write_npy(&path, &t).expect("write_npy");
    assert_same(&read_npy(&path).expect("read_npy"), &t);
}

#[test]
fn npy_round_trips_0d_and_zero_size_tensors() {
    let dir = scratch("npy_0d");
    for shape in [&[][..], &[0], &[2, 0, 3]] {
        for (_, dtype) in NUMPY_DTYPES {
            let t = sample(dtype, shape);
            let path = dir.join("x.npy");
            write_npy(&path, &t).expect("write_npy");
            assert_same(&read_npy(&path).expect("read_npy"), &t);
        }
    }
}

#[test]
fn write_npy_rejects_bf16_by_name() {
    let dir = scratch("npy_bf16");
    let err = write_npy(dir.join("x.npy"), &sample(DType::BF16, &[2])).expect_err("bf16");
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err}");
    assert!(err.to_string().contains("bfloat16"), "{err}");
    assert!(listing(&dir).is_empty(), "nothing written");
}

#[test]
fn write_npy_overwrites_atomically_and_reports_io_errors_with_the_path() {
    let dir = scratch("npy_atomic");
    let path = dir.join("x.npy");
    write_npy(&path, &sample(DType::F32, &[3])).expect("first write");
    write_npy(&path, &sample(DType::I64, &[2, 2])).expect("overwrite");
    assert_same(
        &read_npy(&path).expect("read"),
        &sample(DType::I64, &[2, 2]),
    );
    assert_eq!(listing(&dir), vec!["x.npy".to_string()]);

    let missing = dir.join("no_such_dir").join("x.npy");
    let err = write_npy(&missing, &sample(DType::F32, &[3])).expect_err("missing dir");
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert!(
        err.to_string().contains(&missing.display().to_string()),
        "{err}"
    );

    let err = read_npy(dir.join("absent.npy")).expect_err("absent file");
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert!(err.to_string().contains("absent.npy"), "{err}");
}

#[test]
fn truncated_or_corrupt_npy_gives_a_format_error_naming_the_file() {
    let dir = scratch("npy_corrupt");
    let good = std::fs::read(golden("a3_c.npy")).expect("golden");
    for cut in [0, 3, 7, 9, 40, 127, 128, good.len() - 1] {
        let path = write_bytes(&dir, &format!("cut{cut}.npy"), &good[..cut]);
        assert_format_error(read_npy(&path), &path, &[]);
    }
    let mut bad_magic = good.clone();
    bad_magic[1] = b'X';
    let path = write_bytes(&dir, "magic.npy", &bad_magic);
    assert_format_error(read_npy(&path), &path, &["magic"]);

    let mut bad_version = good.clone();
    bad_version[6] = 9;
    let path = write_bytes(&dir, "version.npy", &bad_version);
    assert_format_error(read_npy(&path), &path, &["version 9.0"]);

    let mut bad_header = good.clone();
    bad_header[12..20].copy_from_slice(b"garbage!");
    let path = write_bytes(&dir, "header.npy", &bad_header);
    assert_format_error(read_npy(&path), &path, &["header"]);

    // A header claiming a huge shape must fail cleanly, not try to allocate it.
    let at = good
        .windows(9)
        .position(|w| w == b"(2, 3, 4)")
        .expect("shape in header");
    let mut huge = good[..at].to_vec();
    huge.extend_from_slice(b"(9999999999999,)");
    huge.extend_from_slice(&good[at + 9..120]);
    huge.extend_from_slice(&good[127..]);
    assert_eq!(huge.len(), good.len(), "same header length");
    let path = write_bytes(&dir, "huge.npy", &huge);
    assert_format_error(read_npy(&path), &path, &["truncated"]);

    let mut bad_bool = std::fs::read(golden("b1_c.npy")).expect("golden");
    let last = bad_bool.len() - 1;
    bad_bool[last] = 7;
    let path = write_bytes(&dir, "bool.npy", &bad_bool);
    assert_format_error(read_npy(&path), &path, &["not 0 or 1"]);
}

fn check_savez_contents(arrays: &[(String, Tensor)]) {
    let names: Vec<&str> = arrays.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["a3", "i8", "b1", "empty", "arr_0"]);
    let get = |name: &str| &arrays.iter().find(|(n, _)| n == name).expect(name).1;
    assert_same(get("a3"), &a3());
    assert_same(get("i8"), &expected(DType::I64));
    assert_same(get("b1"), &expected(DType::Bool));
    assert_same(get("arr_0"), &expected(DType::C64));
    assert_eq!(get("empty").shape(), &[0, 2]);
    assert_eq!(get("empty").dtype(), DType::F64);
}

#[test]
fn read_npz_matches_numpy_savez_and_savez_compressed() {
    check_savez_contents(&read_npz(golden("savez.npz")).expect("savez.npz"));
    check_savez_contents(&read_npz(golden("savez_compressed.npz")).expect("compressed"));
}

#[test]
fn npz_round_trips_stored_and_compressed() {
    let dir = scratch("npz_round_trip");
    let tensors: Vec<(String, Tensor)> = NUMPY_DTYPES
        .iter()
        .map(|&(code, dtype)| (code.to_string(), sample(dtype, &[3, 4])))
        .chain([
            (
                "transposed".to_string(),
                sample(DType::F64, &[3, 5]).t().expect("t"),
            ),
            ("scalar".to_string(), sample(DType::I32, &[])),
            ("empty".to_string(), sample(DType::F32, &[0, 4])),
        ])
        .collect();
    let refs: Vec<(&str, &Tensor)> = tensors.iter().map(|(n, t)| (n.as_str(), t)).collect();
    for (file, compressed) in [("stored.npz", false), ("deflated.npz", true)] {
        let path = dir.join(file);
        if compressed {
            write_npz_compressed(&path, &refs).expect("write_npz_compressed");
        } else {
            write_npz(&path, &refs).expect("write_npz");
        }
        let back = read_npz(&path).expect("read_npz");
        assert_eq!(back.len(), tensors.len());
        for ((name, t), (bname, b)) in tensors.iter().zip(&back) {
            assert_eq!(name, bname);
            assert_same(b, t);
        }
    }
    assert_eq!(listing(&dir), vec!["deflated.npz", "stored.npz"]);
}

#[test]
fn write_npz_rejects_duplicates_and_bf16_before_writing() {
    let dir = scratch("npz_reject");
    let a = sample(DType::F32, &[2]);
    let b = sample(DType::BF16, &[2]);
    let err = write_npz(dir.join("x.npz"), &[("a", &a), ("a", &a)]).expect_err("duplicate");
    assert!(err.to_string().contains("more than once"), "{err}");
    let err = write_npz(dir.join("x.npz"), &[("a", &a), ("b", &b)]).expect_err("bf16");
    assert!(err.to_string().contains("bfloat16"), "{err}");
    assert!(listing(&dir).is_empty());
}

#[test]
fn truncated_or_corrupt_npz_gives_a_format_error_naming_the_file() {
    let dir = scratch("npz_corrupt");
    let good = std::fs::read(golden("savez.npz")).expect("golden");
    for cut in [0, 10, good.len() / 2, good.len() - 1] {
        let path = write_bytes(&dir, &format!("cut{cut}.npz"), &good[..cut]);
        assert_format_error(read_npz(&path), &path, &["npz"]);
    }
    // Flip a byte inside the first array's data: the CRC check must catch it.
    let magic = good
        .windows(6)
        .position(|w| w == b"\x93NUMPY")
        .expect("an npy entry");
    let mut flipped = good.clone();
    flipped[magic + 128 + 10] ^= 0x55;
    let path = write_bytes(&dir, "crc.npz", &flipped);
    assert_format_error(read_npz(&path), &path, &["a3.npy"]);

    let path = write_bytes(&dir, "not_zip.npz", b"this is not a zip archive at all");
    assert_format_error(read_npz(&path), &path, &[]);
}

/// Writes `.npy` and `.npz` files for `scripts/golden/io_check_python_reads.py` into the folder
/// named by `TORCH_IO_OUT`: `TORCH_IO_OUT=/tmp/x cargo test -p torch-core --test io_npy --
/// --ignored`.
#[test]
#[ignore = "writes files for the Python read check; needs TORCH_IO_OUT"]
fn write_files_for_python_check() {
    let Some(dir) = std::env::var_os("TORCH_IO_OUT") else {
        panic!("set TORCH_IO_OUT to a folder");
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("create TORCH_IO_OUT");
    let mut all = Vec::new();
    for (code, dtype) in NUMPY_DTYPES {
        let t = sample(dtype, &[3, 4]);
        write_npy(dir.join(format!("rust_{code}.npy")), &t).expect("write_npy");
        all.push((code.to_string(), t));
    }
    let tt = sample(DType::F32, &[3, 4]).t().expect("t");
    write_npy(dir.join("rust_transposed_f4.npy"), &tt).expect("write_npy");
    write_npy(dir.join("rust_scalar_f8.npy"), &sample(DType::F64, &[])).expect("write_npy");
    write_npy(dir.join("rust_empty_i8.npy"), &sample(DType::I64, &[0, 3])).expect("write_npy");
    all.push(("transposed".to_string(), tt));
    let refs: Vec<(&str, &Tensor)> = all.iter().map(|(n, t)| (n.as_str(), t)).collect();
    write_npz(dir.join("rust_stored.npz"), &refs).expect("write_npz");
    write_npz_compressed(dir.join("rust_deflated.npz"), &refs).expect("write_npz_compressed");
}
