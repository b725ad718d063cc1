//! Datasets: downloads from a local HTTP server, MNIST family loading against torchvision
//! goldens, corrupt IDX files, CIFAR binary batches, ImageFolder/DatasetFolder.

#[path = "datasets/server.rs"]
mod server;

use std::path::{Path, PathBuf};

use server::FileServer;
use torch_core::testing::shared_data;
use torch_vision::datasets::download::calculate_md5;
use torch_vision::datasets::{
    CIFAR10, CIFAR100, CifarDataset, CifarOptions, CifarSpec, DatasetFolder, DatasetFolderOptions,
    FashionMNIST, IdxDataset, IdxSpec, ImageFolder, ImageFolderOptions, IsValidFile, Loader, MNIST,
    MnistOptions, TargetTransform, Transform, has_file_allowed_extension, is_image_file, read_idx,
};
use torch_vision::io::{ImageReadMode, read_image};

fn mnist_dir() -> PathBuf {
    shared_data().join("vision/mnist")
}

/// MNIST's spec with `mirrors`, and as MD5s those of the files the test server serves.
fn served_spec(mirrors: Vec<String>) -> IdxSpec {
    let mut spec = IdxSpec::mnist();
    spec.mirrors = mirrors;
    for (file, md5) in &mut spec.resources {
        *md5 = calculate_md5(mnist_dir().join(&*file)).expect("md5 of served file");
    }
    spec
}

fn labels(ds: &IdxDataset, n: usize) -> Vec<i64> {
    (0..n).map(|i| ds.get(i).expect("get").1).collect()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn download_mnist_from_local_server_then_reuse() {
    let server = FileServer::start(mnist_dir());
    let root = tempfile::tempdir().expect("tempdir");
    let spec = served_spec(vec![server.base.clone()]);
    let opts = |train| MnistOptions {
        train,
        download: true,
        spec: Some(spec.clone()),
        ..Default::default()
    };
    let train = MNIST::with_options(root.path(), opts(true)).expect("download + load");
    assert_eq!(server.requests(), 4);
    assert_eq!(train.len(), 60000);
    assert_eq!(train.data.shape(), &[60000, 28, 28]);
    assert_eq!(labels(&train, 8), vec![5, 0, 4, 1, 9, 2, 1, 3]);
    let raw = root.path().join("MNIST/raw");
    assert_eq!(
        files_in(&raw),
        vec![
            "t10k-images-idx3-ubyte",
            "t10k-images-idx3-ubyte.gz",
            "t10k-labels-idx1-ubyte",
            "t10k-labels-idx1-ubyte.gz",
            "train-images-idx3-ubyte",
            "train-images-idx3-ubyte.gz",
            "train-labels-idx1-ubyte",
            "train-labels-idx1-ubyte.gz",
        ]
    );
    // The second construction finds the files and does not ask the server again.
    let test = MNIST::with_options(root.path(), opts(false)).expect("reuse");
    assert_eq!(server.requests(), 4);
    assert_eq!(test.len(), 10000);
    assert_eq!(labels(&test, 5), vec![7, 2, 1, 0, 4]);
    // And it loads without download too, as torchvision's MNIST(root) does.
    let again = MNIST::new(root.path(), false).expect("load");
    assert_eq!(again.data.shape(), &[10000, 28, 28]);
}

#[test]
fn download_refuses_wrong_md5_and_leaves_nothing() {
    let server = FileServer::start(mnist_dir());
    let root = tempfile::tempdir().expect("tempdir");
    let mut spec = served_spec(vec![server.base.clone()]);
    let good = spec.resources[1].1.clone();
    spec.resources[1].1 = "0123456789abcdef0123456789abcdef".to_string();
    let err = IdxDataset::download(root.path(), &spec)
        .expect_err("wrong md5 must fail")
        .to_string();
    assert!(err.contains("train-labels-idx1-ubyte.gz"), "{err}");
    assert!(err.contains("0123456789abcdef0123456789abcdef"), "{err}");
    assert!(err.contains(&good), "{err}");
    let raw = root.path().join("MNIST/raw");
    // The first resource came through; the refused one left neither file nor temp file.
    assert_eq!(
        files_in(&raw),
        vec!["train-images-idx3-ubyte", "train-images-idx3-ubyte.gz"]
    );
    // A wrong MD5 stops at once (torchvision): no further mirror or resource was asked for.
    assert_eq!(server.requests(), 2);
}

#[test]
fn download_falls_back_to_the_next_mirror() {
    let server = FileServer::start(mnist_dir());
    let root = tempfile::tempdir().expect("tempdir");
    let bad = format!("{}missing/", server.base);
    let spec = served_spec(vec![bad, server.base.clone()]);
    IdxDataset::download(root.path(), &spec).expect("second mirror serves");
    // Each file: one 404 from the first mirror, one success from the second.
    assert_eq!(server.requests(), 8);
    let ds = IdxDataset::with_options(
        root.path(),
        spec,
        MnistOptions {
            train: false,
            ..Default::default()
        },
    )
    .expect("load");
    assert_eq!(labels(&ds, 3), vec![7, 2, 1]);
}

#[test]
fn download_lists_every_failed_mirror() {
    let server = FileServer::start(mnist_dir());
    let root = tempfile::tempdir().expect("tempdir");
    // A port nothing listens on: bind one, note it, close it.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://127.0.0.1:{}/", l.local_addr().expect("addr").port())
    };
    let missing = format!("{}missing/", server.base);
    let spec = served_spec(vec![missing.clone(), closed.clone()]);
    let err = IdxDataset::download(root.path(), &spec)
        .expect_err("no mirror serves")
        .to_string();
    assert!(
        err.contains("Error downloading train-images-idx3-ubyte.gz"),
        "{err}"
    );
    assert!(err.contains(&format!("Tried {missing}, got:")), "{err}");
    assert!(err.contains("404"), "{err}");
    assert!(err.contains(&format!("Tried {closed}, got:")), "{err}");
    assert!(files_in(&root.path().join("MNIST/raw")).is_empty());
}

// ---- MNIST family from the shared data, against torchvision ----

fn goldens() -> std::collections::HashMap<String, torch_core::Tensor> {
    torch_core::testing::load_golden(env!("CARGO_MANIFEST_DIR"), "vision_datasets")
        .expect("goldens")
}

fn golden_i64(key: &str) -> Vec<i64> {
    let g = goldens();
    let t = g.get(key).unwrap_or_else(|| panic!("golden {key}"));
    t.to_vec::<i64>().expect("i64 golden")
}

/// Checks a loaded split against torchvision's numbers for it.
fn check_idx_split(ds: &IdxDataset, key: &str) {
    let shape: Vec<usize> = golden_i64(&format!("{key}_shape"))
        .iter()
        .map(|&v| v as usize)
        .collect();
    assert_eq!(ds.data.shape(), shape.as_slice(), "{key}");
    assert_eq!(ds.targets.dtype(), torch_core::DType::I64);
    assert_eq!(labels(ds, 20), golden_i64(&format!("{key}_first_labels")));
    let sums: Vec<i64> = (0..20)
        .map(|i| {
            let (img, _) = ds.get(i).expect("get");
            assert_eq!(img.shape(), &[1, 28, 28]);
            assert_eq!(img.dtype(), torch_core::DType::U8);
            img.to_vec::<u8>()
                .expect("u8")
                .iter()
                .map(|&v| v as i64)
                .sum()
        })
        .collect();
    assert_eq!(sums, golden_i64(&format!("{key}_first_sums")), "{key}");
    let mut counts = vec![0i64; 10];
    for l in ds.targets.to_vec::<i64>().expect("targets") {
        counts[l as usize] += 1;
    }
    assert_eq!(counts, golden_i64(&format!("{key}_label_counts")), "{key}");
    let total: i64 = ds
        .data
        .to_vec::<u8>()
        .expect("u8")
        .iter()
        .map(|&v| v as i64)
        .sum();
    assert_eq!(
        vec![total],
        golden_i64(&format!("{key}_total_sum")),
        "{key}"
    );
}

#[test]
fn mnist_from_shared_data_matches_torchvision() {
    let train = MNIST::from_folder(mnist_dir(), true).expect("train");
    check_idx_split(&train, "mnist_train");
    let test = MNIST::from_folder(mnist_dir(), false).expect("test");
    check_idx_split(&test, "mnist_test");
    assert_eq!(test.spec.classes[7], "7 - seven");
}

#[test]
fn fashion_mnist_test_split_matches_torchvision() {
    let dir = shared_data().join("vision/fashion-mnist");
    let test = FashionMNIST::from_folder(dir, false).expect("fashion test");
    check_idx_split(&test, "fashion_test");
    assert_eq!(test.spec.classes[9], "Ankle boot");
}

#[test]
fn transforms_apply_in_get() {
    let ds = MNIST::with_options(
        shared_data().join("vision"),
        MnistOptions {
            train: false,
            spec: Some(IdxSpec {
                name: "mnist",
                ..IdxSpec::mnist()
            }),
            transform: Some(Transform::new(|x| x.to_dtype(torch_core::DType::F32))),
            target_transform: Some(TargetTransform::new(|y| Ok(y * 10))),
            ..Default::default()
        },
    );
    // root/<name>/raw does not exist for the shared layout: a clear error naming the path.
    let err = ds.expect_err("no raw folder").to_string();
    assert!(err.contains("mnist/raw"), "{err}");
    assert!(err.contains("download=true"), "{err}");

    let mut ds = MNIST::from_folder(mnist_dir(), false).expect("test").0;
    ds.transform = Some(Transform::new(|x| x.to_dtype(torch_core::DType::F32)));
    ds.target_transform = Some(TargetTransform::new(|y| Ok(y * 10)));
    let (img, label) = ds.get(0).expect("get");
    assert_eq!(img.dtype(), torch_core::DType::F32);
    assert_eq!(label, 70);
    let err = ds.get(10000).expect_err("out of range").to_string();
    assert!(err.contains("index 10000"), "{err}");
}

// ---- corrupt IDX files ----

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).expect("write fixture");
}

fn idx_header(code: u8, dims: &[u32]) -> Vec<u8> {
    let mut b = vec![0, 0, code, dims.len() as u8];
    for d in dims {
        b.extend_from_slice(&d.to_be_bytes());
    }
    b
}

#[test]
fn idx_truncated_gzip_names_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let gz = std::fs::read(mnist_dir().join("t10k-labels-idx1-ubyte.gz")).expect("read");
    let path = dir.path().join("t10k-labels-idx1-ubyte.gz");
    write(&path, &gz[..gz.len() / 2]);
    let err = read_idx(&path).expect_err("truncated gzip").to_string();
    assert!(err.contains("t10k-labels-idx1-ubyte.gz"), "{err}");
    assert!(err.contains("gzip"), "{err}");
}

#[test]
fn idx_wrong_magic_names_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t10k-labels-idx1-ubyte");
    let mut b = idx_header(0x08, &[3]);
    b[0] = 0x1f;
    b[1] = 0x00;
    b.extend_from_slice(&[1, 2, 3]);
    write(&path, &b);
    let err = read_idx(&path).expect_err("bad magic").to_string();
    assert!(err.contains("t10k-labels-idx1-ubyte"), "{err}");
    assert!(err.contains("magic"), "{err}");
    // An unknown element type is also refused.
    write(&path, &[0, 0, 0x07, 1, 0, 0, 0, 1, 9]);
    let err = read_idx(&path).expect_err("bad type").to_string();
    assert!(err.contains("unknown IDX element type 0x07"), "{err}");
}

#[test]
fn idx_truncated_data_names_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t10k-images-idx3-ubyte");
    let mut b = idx_header(0x08, &[2, 28, 28]);
    b.extend(std::iter::repeat_n(7u8, 28 * 28 + 100));
    write(&path, &b);
    let err = read_idx(&path).expect_err("truncated").to_string();
    assert!(err.contains("t10k-images-idx3-ubyte"), "{err}");
    assert!(err.contains("needs 1568 data bytes, file has 884"), "{err}");
    // A header cut short.
    write(&path, &b[..10]);
    let err = read_idx(&path).expect_err("short header").to_string();
    assert!(err.contains("3 dims need 16 bytes, file has 10"), "{err}");
}

#[test]
fn idx_label_count_mismatch_names_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        mnist_dir().join("t10k-images-idx3-ubyte.gz"),
        dir.path().join("t10k-images-idx3-ubyte.gz"),
    )
    .expect("copy");
    let mut b = idx_header(0x08, &[9999]);
    b.extend(std::iter::repeat_n(1u8, 9999));
    write(&dir.path().join("t10k-labels-idx1-ubyte"), &b);
    let err = MNIST::from_folder(dir.path(), false)
        .expect_err("count mismatch")
        .to_string();
    assert!(err.contains("t10k-labels-idx1-ubyte"), "{err}");
    assert!(err.contains("9999 labels for 10000 images"), "{err}");
    // Labels stored as images (rank 3) are refused too, naming the file.
    let mut b = idx_header(0x08, &[10000, 1, 1]);
    b.extend(std::iter::repeat_n(1u8, 10000));
    write(&dir.path().join("t10k-labels-idx1-ubyte"), &b);
    let err = MNIST::from_folder(dir.path(), false)
        .expect_err("rank")
        .to_string();
    assert!(err.contains("t10k-labels-idx1-ubyte"), "{err}");
    assert!(err.contains("expected a 1-D uint8 IDX tensor"), "{err}");
    // A missing file says so and points at download.
    std::fs::remove_file(dir.path().join("t10k-labels-idx1-ubyte")).expect("rm");
    let err = MNIST::from_folder(dir.path(), false)
        .expect_err("missing")
        .to_string();
    assert!(err.contains("Dataset not found"), "{err}");
}

// ---- ImageFolder / DatasetFolder ----

/// Builds torchvision's golden layout from the shared photos in a temp folder.
fn build_folder() -> (tempfile::TempDir, serde_json::Value) {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/vision_datasets_folder.json");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read json")).expect("json");
    let dir = tempfile::tempdir().expect("tempdir");
    for entry in json["layout"].as_array().expect("layout") {
        let rel = entry[0].as_str().expect("rel");
        let dst = dir.path().join(rel);
        std::fs::create_dir_all(dst.parent().expect("parent")).expect("mkdir");
        match entry[1].as_str() {
            Some(src) => {
                std::fs::copy(shared_data().join("vision/images").join(src), &dst).expect("copy");
            }
            None => std::fs::write(&dst, "not an image\n").expect("write"),
        }
    }
    (dir, json)
}

#[test]
fn image_folder_matches_torchvision_order() {
    let (dir, json) = build_folder();
    let ds = ImageFolder::new(dir.path(), ImageFolderOptions::default()).expect("ImageFolder");
    let classes: Vec<String> = json["classes"]
        .as_array()
        .expect("classes")
        .iter()
        .map(|c| c.as_str().expect("str").to_string())
        .collect();
    assert_eq!(ds.classes, classes);
    for (name, idx) in json["class_to_idx"].as_object().expect("map") {
        assert_eq!(ds.class_to_idx[name] as u64, idx.as_u64().expect("idx"));
    }
    let expected: Vec<(PathBuf, usize)> = json["samples"]
        .as_array()
        .expect("samples")
        .iter()
        .map(|s| {
            (
                dir.path().join(s[0].as_str().expect("path")),
                s[1].as_u64().expect("target") as usize,
            )
        })
        .collect();
    assert_eq!(ds.samples, expected);
    assert_eq!(ds.imgs(), expected.as_slice());
    let targets: Vec<i64> = expected.iter().map(|(_, t)| *t as i64).collect();
    assert_eq!(ds.targets, targets);
    // Items: the image read as RGB, and its class index.
    for i in [0, 2, 6] {
        let (img, target) = ds.get(i).expect("get");
        let want = read_image(&expected[i].0, ImageReadMode::RGB).expect("read");
        assert_eq!(img.shape(), want.shape());
        assert_eq!(img.shape()[0], 3);
        assert_eq!(
            img.to_vec::<u8>().expect("u8"),
            want.to_vec::<u8>().expect("u8")
        );
        assert_eq!(target, targets[i]);
    }
}

#[test]
fn image_folder_errors_like_torchvision() {
    let (dir, json) = build_folder();
    std::fs::create_dir(dir.path().join("empty")).expect("mkdir");
    let err = ImageFolder::new(dir.path(), ImageFolderOptions::default())
        .expect_err("empty class")
        .to_string();
    let want = json["empty_class_error"].as_str().expect("msg");
    assert!(err.contains(want), "{err}\nwant: {want}");
    // allow_empty accepts it.
    let ds = ImageFolder::new(
        dir.path(),
        ImageFolderOptions {
            allow_empty: true,
            ..Default::default()
        },
    )
    .expect("allow_empty");
    assert_eq!(ds.classes.len(), 4);
    assert_eq!(ds.len(), 8);

    // No class folder at all.
    let flat = tempfile::tempdir().expect("tempdir");
    std::fs::write(flat.path().join("a.png"), b"x").expect("write");
    let err = ImageFolder::new(flat.path(), ImageFolderOptions::default())
        .expect_err("no classes")
        .to_string();
    assert!(err.contains("Couldn't find any class folder"), "{err}");

    // A corrupt image is an error naming it when read, not when listed.
    let bad = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(bad.path().join("c")).expect("mkdir");
    std::fs::write(bad.path().join("c/broken.png"), b"\x89PNG\r\n\x1a\nxx").expect("write");
    let ds = ImageFolder::new(bad.path(), ImageFolderOptions::default()).expect("listed");
    let err = ds.get(0).expect_err("corrupt").to_string();
    assert!(err.contains("broken.png"), "{err}");
    let err = ds.get(1).expect_err("range").to_string();
    assert!(err.contains("index 1"), "{err}");
}

#[test]
fn dataset_folder_is_valid_file_and_loader() {
    let (dir, _) = build_folder();
    // Only .txt files, through is_valid_file; the loader gives the file size.
    let loader = Loader::new(|p| {
        let n = std::fs::metadata(p)
            .map_err(|e| torch_core::Error::io(p, e))?
            .len();
        torch_core::Tensor::from_vec(vec![n as i64], &[1])
    });
    let ds = DatasetFolder::new(
        dir.path(),
        loader.clone(),
        DatasetFolderOptions {
            is_valid_file: Some(IsValidFile::new(|p| {
                p.extension().is_some_and(|e| e == "txt")
            })),
            allow_empty: true,
            ..Default::default()
        },
    )
    .expect("txt files");
    let names: Vec<(String, usize)> = ds
        .samples
        .iter()
        .map(|(p, t)| {
            (
                p.strip_prefix(dir.path())
                    .expect("prefix")
                    .to_string_lossy()
                    .into_owned(),
                *t,
            )
        })
        .collect();
    assert_eq!(
        names,
        vec![
            ("bird/y.tiff.txt".to_string(), 1),
            ("dog/notes.txt".to_string(), 2)
        ]
    );
    assert_eq!(
        ds.get(1).expect("get").0.to_vec::<i64>().expect("i64"),
        vec![13]
    );
    // Without allow_empty, Cat (no .txt) is an empty class; no extension list in the message.
    let err = DatasetFolder::new(
        dir.path(),
        loader.clone(),
        DatasetFolderOptions {
            is_valid_file: Some(IsValidFile::new(|p| {
                p.extension().is_some_and(|e| e == "txt")
            })),
            ..Default::default()
        },
    )
    .expect_err("Cat empty")
    .to_string();
    assert!(
        err.contains("Found no valid file for the classes Cat. "),
        "{err}"
    );
    assert!(!err.contains("Supported extensions"), "{err}");
    // Both or neither of extensions and is_valid_file.
    let err = DatasetFolder::new(dir.path(), loader, DatasetFolderOptions::default())
        .expect_err("neither")
        .to_string();
    assert!(
        err.contains("Both extensions and is_valid_file cannot be None"),
        "{err}"
    );
    // Extension matching is case-insensitive.
    assert!(is_image_file("a/B.JPEG"));
    assert!(!is_image_file("a/b.tiff.txt"));
    assert!(has_file_allowed_extension("x.NpY", &[".npy"]));
}

// ---- CIFAR binary ----

fn cifar_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/cifar")
}

fn check_cifar(ds: &CifarDataset, key: &str) {
    let g = goldens();
    let data = &g[&format!("{key}_data")];
    assert_eq!(ds.data.shape(), data.shape(), "{key}");
    assert_eq!(ds.data.dtype(), torch_core::DType::U8);
    assert_eq!(
        ds.data.to_vec::<u8>().expect("u8"),
        data.to_vec::<u8>().expect("u8"),
        "{key} data"
    );
    assert_eq!(
        ds.targets.to_vec::<i64>().expect("i64"),
        golden_i64(&format!("{key}_targets")),
        "{key} targets"
    );
    // get: CHW of the HWC row.
    let (img, label) = ds.get(3).expect("get");
    assert_eq!(img.shape(), &[3, 32, 32]);
    let want = data
        .select(0, 3)
        .expect("sel")
        .permute(&[2, 0, 1])
        .expect("perm");
    assert_eq!(
        img.to_vec::<u8>().expect("u8"),
        want.contiguous().expect("c").to_vec::<u8>().expect("u8")
    );
    assert_eq!(label, golden_i64(&format!("{key}_targets"))[3]);
}

#[test]
fn cifar10_binary_matches_numpy_writer() {
    let train = CIFAR10::new(cifar_root(), true).expect("train");
    assert_eq!(train.len(), 20);
    check_cifar(&train, "cifar10_train");
    let test = CIFAR10::new(cifar_root(), false).expect("test");
    check_cifar(&test, "cifar10_test");
    assert_eq!(test.classes[0], "airplane");
    assert_eq!(test.class_to_idx()["truck"], 9);
    assert!(test.coarse_targets.is_none());
}

#[test]
fn cifar100_binary_fine_and_coarse_labels() {
    let train = CIFAR100::new(cifar_root(), true).expect("train");
    check_cifar(&train, "cifar100_train");
    let coarse = train.coarse_targets.as_ref().expect("coarse");
    assert_eq!(
        coarse.to_vec::<i64>().expect("i64"),
        golden_i64("cifar100_train_coarse_targets")
    );
    let test = CIFAR100::new(cifar_root(), false).expect("test");
    check_cifar(&test, "cifar100_test");
    assert_eq!(test.classes.len(), 100);
    assert_eq!(test.classes[0], "apple");
    assert_eq!(test.classes[99], "worm");
}

#[test]
fn cifar_truncated_or_missing_batches_are_named() {
    let root = tempfile::tempdir().expect("tempdir");
    let base = root.path().join("cifar-10-batches-bin");
    std::fs::create_dir(&base).expect("mkdir");
    for e in std::fs::read_dir(cifar_root().join("cifar-10-batches-bin")).expect("dir") {
        let e = e.expect("entry");
        std::fs::copy(e.path(), base.join(e.file_name())).expect("copy");
    }
    // Cut the third batch in the middle of its second record.
    let batch = base.join("data_batch_3.bin");
    let bytes = std::fs::read(&batch).expect("read");
    std::fs::write(&batch, &bytes[..3073 + 1000]).expect("write");
    let err = CIFAR10::new(root.path(), true)
        .expect_err("truncated")
        .to_string();
    assert!(err.contains("data_batch_3.bin"), "{err}");
    assert!(
        err.contains("4073 bytes is not a whole number of 3073-byte records (1 whole records and 1000 bytes left over"),
        "{err}"
    );
    // The test split does not read that batch.
    assert_eq!(CIFAR10::new(root.path(), false).expect("test").len(), 6);
    // A label outside 0..10.
    let mut bad = bytes.clone();
    bad[3073] = 10;
    std::fs::write(&batch, &bad).expect("write");
    let err = CIFAR10::new(root.path(), true)
        .expect_err("label")
        .to_string();
    assert!(err.contains("data_batch_3.bin"), "{err}");
    assert!(
        err.contains("record 1: label byte 0 is 10, expected below 10"),
        "{err}"
    );
    // A missing batch.
    std::fs::remove_file(&batch).expect("rm");
    let err = CIFAR10::new(root.path(), true)
        .expect_err("missing")
        .to_string();
    assert!(err.contains("Dataset not found or corrupted"), "{err}");
}

#[test]
fn cifar_download_extracts_tar_gz() {
    // Pack the fixture into cifar-10-binary.tar.gz, serve it, download with its MD5.
    let serve = tempfile::tempdir().expect("tempdir");
    let archive = serve.path().join("cifar-10-binary.tar.gz");
    {
        let f = std::fs::File::create(&archive).expect("create");
        let gz = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
        let mut tar = tar::Builder::new(gz);
        tar.append_dir_all(
            "cifar-10-batches-bin",
            cifar_root().join("cifar-10-batches-bin"),
        )
        .expect("append");
        tar.into_inner().expect("tar").finish().expect("gz");
    }
    let server = FileServer::start(serve.path().to_path_buf());
    let mut spec = CifarSpec::cifar10();
    spec.url = format!("{}cifar-10-binary.tar.gz", server.base);
    spec.tgz_md5 = calculate_md5(&archive).expect("md5");
    let root = tempfile::tempdir().expect("tempdir");
    let opts = || CifarOptions {
        download: true,
        spec: Some(spec.clone()),
        ..Default::default()
    };
    let ds = CIFAR10::with_options(root.path(), opts()).expect("download");
    check_cifar(&ds, "cifar10_train");
    assert_eq!(server.requests(), 1);
    assert!(root.path().join("cifar-10-binary.tar.gz").is_file());
    CIFAR10::with_options(root.path(), opts()).expect("again");
    assert_eq!(server.requests(), 1);
}

#[test]
fn datasets_implement_the_dataset_trait() {
    use torch_core::data::Dataset;
    fn first<D: Dataset<Item = (torch_core::Tensor, i64)>>(d: &D) -> (usize, i64) {
        (d.len(), d.get(0).expect("get").1)
    }
    let cifar = CIFAR10::new(cifar_root(), false).expect("cifar");
    assert_eq!(first(&cifar), (6, golden_i64("cifar10_test_targets")[0]));
    let mnist = MNIST::from_folder(mnist_dir(), false).expect("mnist");
    assert_eq!(first(&mnist), (10000, 7));
    let (dir, _) = build_folder();
    let folder = ImageFolder::new(dir.path(), ImageFolderOptions::default()).expect("folder");
    assert_eq!(first(&folder), (8, 0));
}
