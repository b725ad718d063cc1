//! `CIFAR10` and `CIFAR100` from the CIFAR *binary* version (`cifar-10-batches-bin`,
//! `cifar-100-binary`): fixed-size records of the label byte(s) then 3072 pixel bytes (1024
//! red, 1024 green, 1024 blue, rows top to bottom). torchvision reads the Python pickle
//! version instead; the attributes are the same: `data` uint8 `(N, 32, 32, 3)` (HWC, as
//! torchvision holds it), `targets` (CIFAR-100: the fine labels), `classes`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use torch_core::{Error, Result, Tensor};

use super::download::{check_integrity, download_and_extract_archive};
use super::vision::{DatasetOptions, TargetTransform, Transform, apply, check_index};

const PIXELS: usize = 3 * 32 * 32;

/// What distinguishes CIFAR-10 from CIFAR-100 (torchvision's class attributes, for the binary
/// version). Any field can be replaced, e.g. `url` to use a mirror.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CifarSpec {
    /// The class name, used in errors.
    pub name: &'static str,
    /// The folder the archive unpacks to, under `root`.
    pub base_folder: String,
    /// The archive's URL.
    pub url: String,
    /// The archive's file name under `root`.
    pub filename: String,
    /// The archive's MD5.
    pub tgz_md5: String,
    /// Training batches: file name and, when known, MD5 (the binary version's per-file sums
    /// are not published; `None` checks existence only).
    pub train_list: Vec<(String, Option<String>)>,
    /// Test batches, as `train_list`.
    pub test_list: Vec<(String, Option<String>)>,
    /// The class-name file (one name a line), read when present.
    pub meta: String,
    /// Label bytes before each record's pixels: 1 (CIFAR-10) or 2 (CIFAR-100: coarse, fine).
    pub label_bytes: usize,
    /// Class names (used when `meta` is absent).
    pub classes: Vec<String>,
    /// The number of coarse classes (CIFAR-100's 20 superclasses; 0 for CIFAR-10).
    pub num_coarse: usize,
}

fn unhashed(names: &[&str]) -> Vec<(String, Option<String>)> {
    names.iter().map(|n| (n.to_string(), None)).collect()
}

const CIFAR100_CLASSES: &str = "apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle \
bowl boy bridge bus butterfly camel can castle caterpillar cattle chair chimpanzee clock cloud \
cockroach couch crab crocodile cup dinosaur dolphin elephant flatfish forest fox girl hamster \
house kangaroo keyboard lamp lawn_mower leopard lion lizard lobster man maple_tree motorcycle \
mountain mouse mushroom oak_tree orange orchid otter palm_tree pear pickup_truck pine_tree plain \
plate poppy porcupine possum rabbit raccoon ray road rocket rose sea seal shark shrew skunk \
skyscraper snail snake spider squirrel streetcar sunflower sweet_pepper table tank telephone \
television tiger tractor train trout tulip turtle wardrobe whale willow_tree wolf woman worm";

impl CifarSpec {
    /// CIFAR-10, binary version.
    pub fn cifar10() -> Self {
        CifarSpec {
            name: "CIFAR10",
            base_folder: "cifar-10-batches-bin".into(),
            url: "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz".into(),
            filename: "cifar-10-binary.tar.gz".into(),
            tgz_md5: "c32a1d4ab5d03f1284b67883e8d87530".into(),
            train_list: unhashed(&[
                "data_batch_1.bin",
                "data_batch_2.bin",
                "data_batch_3.bin",
                "data_batch_4.bin",
                "data_batch_5.bin",
            ]),
            test_list: unhashed(&["test_batch.bin"]),
            meta: "batches.meta.txt".into(),
            label_bytes: 1,
            classes: [
                "airplane",
                "automobile",
                "bird",
                "cat",
                "deer",
                "dog",
                "frog",
                "horse",
                "ship",
                "truck",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            num_coarse: 0,
        }
    }

    /// CIFAR-100, binary version (targets are the 100 fine labels).
    pub fn cifar100() -> Self {
        CifarSpec {
            name: "CIFAR100",
            base_folder: "cifar-100-binary".into(),
            url: "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz".into(),
            filename: "cifar-100-binary.tar.gz".into(),
            tgz_md5: "03b5dce01913d631647c71ecec9e9cb8".into(),
            train_list: unhashed(&["train.bin"]),
            test_list: unhashed(&["test.bin"]),
            meta: "fine_label_names.txt".into(),
            label_bytes: 2,
            classes: CIFAR100_CLASSES
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            num_coarse: 20,
        }
    }
}

/// The keyword arguments of `CIFAR10(root, train=True, transform=None, target_transform=None,
/// download=False)`; see [`DatasetOptions`].
pub type CifarOptions = DatasetOptions<CifarSpec>;

/// One CIFAR split in memory.
#[derive(Clone, Debug)]
pub struct CifarDataset {
    /// Images, uint8 `(N, 32, 32, 3)`.
    pub data: Tensor,
    /// Labels, int64 `(N,)` (CIFAR-100: fine labels).
    pub targets: Tensor,
    /// CIFAR-100's coarse labels, int64 `(N,)`; `None` for CIFAR-10.
    pub coarse_targets: Option<Tensor>,
    /// Class names, indexed by label.
    pub classes: Vec<String>,
    /// Training split or test split.
    pub train: bool,
    /// The attributes used.
    pub spec: CifarSpec,
    /// Applied to each image by `get`.
    pub transform: Option<Transform>,
    /// Applied to each label by `get`.
    pub target_transform: Option<TargetTransform>,
}

/// Reads one binary batch: the pixels of every record (CHW, concatenated) and its labels
/// (`label_bytes` per record). A size that is not a whole number of records, or a label out
/// of range, is an error naming the file.
pub fn read_cifar_batch(
    path: impl AsRef<Path>,
    label_bytes: usize,
    label_limits: &[usize],
) -> Result<(Vec<u8>, Vec<u8>)> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let record = label_bytes + PIXELS;
    if bytes.len() % record != 0 || bytes.is_empty() {
        return Err(Error::format(
            path,
            format!(
                "CIFAR binary batch of {} bytes is not a whole number of {record}-byte records \
                 ({} whole records and {} bytes left over; truncated or not CIFAR)",
                bytes.len(),
                bytes.len() / record,
                bytes.len() % record
            ),
        ));
    }
    let n = bytes.len() / record;
    let mut pixels = Vec::with_capacity(n * PIXELS);
    let mut labels = Vec::with_capacity(n * label_bytes);
    for (i, rec) in bytes.chunks_exact(record).enumerate() {
        for (j, (&l, &limit)) in rec[..label_bytes].iter().zip(label_limits).enumerate() {
            if l as usize >= limit {
                return Err(Error::format(
                    path,
                    format!(
                        "record {i}: label byte {j} is {l}, expected below {limit} (mislabelled or not CIFAR)"
                    ),
                ));
            }
        }
        labels.extend_from_slice(&rec[..label_bytes]);
        pixels.extend_from_slice(&rec[label_bytes..]);
    }
    Ok((pixels, labels))
}

impl CifarDataset {
    /// The folder holding the batches: `root/<base_folder>`.
    pub fn base_folder(root: impl AsRef<Path>, spec: &CifarSpec) -> PathBuf {
        root.as_ref().join(&spec.base_folder)
    }

    /// torchvision's `_check_integrity`: every batch file is there (with its MD5 when known).
    pub fn check_integrity(root: impl AsRef<Path>, spec: &CifarSpec) -> bool {
        let base = Self::base_folder(root, spec);
        spec.train_list
            .iter()
            .chain(&spec.test_list)
            .all(|(f, md5)| check_integrity(base.join(f), md5.as_deref()))
    }

    /// torchvision's `download`: unless the batches are there, fetches the archive into `root`
    /// (checking its MD5) and extracts it there.
    pub fn download(root: impl AsRef<Path>, spec: &CifarSpec) -> Result<()> {
        let root = root.as_ref();
        if Self::check_integrity(root, spec) {
            return Ok(());
        }
        download_and_extract_archive(
            &spec.url,
            root,
            None,
            Some(&spec.filename),
            Some(&spec.tgz_md5),
        )
    }

    /// torchvision's constructor: downloads first when asked, then reads the split's batches
    /// from `root/<base_folder>`.
    pub fn with_options(
        root: impl AsRef<Path>,
        default_spec: CifarSpec,
        options: CifarOptions,
    ) -> Result<Self> {
        let root = root.as_ref();
        let spec = options.spec.unwrap_or(default_spec);
        if options.download {
            Self::download(root, &spec)?;
        }
        let base = Self::base_folder(root, &spec);
        if !Self::check_integrity(root, &spec) {
            return Err(Error::format(
                &base,
                "Dataset not found or corrupted. You can use download=true to download it",
            ));
        }
        let list = if options.train {
            &spec.train_list
        } else {
            &spec.test_list
        };
        let limits: Vec<usize> = if spec.label_bytes == 2 {
            vec![spec.num_coarse, spec.classes.len()]
        } else {
            vec![spec.classes.len()]
        };
        let (mut pixels, mut labels) = (Vec::new(), Vec::new());
        for (file, _) in list {
            let (p, l) = read_cifar_batch(base.join(file), spec.label_bytes, &limits)?;
            pixels.extend(p);
            labels.extend(l);
        }
        let n = pixels.len() / PIXELS;
        let data = Tensor::from_vec(pixels, &[n, 3, 32, 32])?
            .permute(&[0, 2, 3, 1])?
            .contiguous()?;
        let column = |k: usize| -> Result<Tensor> {
            let v: Vec<i64> = labels
                .iter()
                .skip(k)
                .step_by(spec.label_bytes)
                .map(|&l| l as i64)
                .collect();
            Tensor::from_vec(v, &[n])
        };
        let targets = column(spec.label_bytes - 1)?;
        let coarse_targets = (spec.label_bytes == 2).then(|| column(0)).transpose()?;
        let classes = Self::read_meta(&base.join(&spec.meta))?.unwrap_or(spec.classes.clone());
        Ok(CifarDataset {
            data,
            targets,
            coarse_targets,
            classes,
            train: options.train,
            spec,
            transform: options.transform,
            target_transform: options.target_transform,
        })
    }

    /// The class names of a meta file (one a line, blank lines dropped), if it exists.
    fn read_meta(path: &Path) -> Result<Option<Vec<String>>> {
        if !path.is_file() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let names: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        Ok((!names.is_empty()).then_some(names))
    }

    /// `class_to_idx`: class name to label.
    pub fn class_to_idx(&self) -> BTreeMap<String, usize> {
        self.classes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), i))
            .collect()
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.data.shape()[0]
    }

    /// True when there are no images.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `dataset[index]`: the image as uint8 `(3, 32, 32)` and its label, after the
    /// transforms.
    pub fn get(&self, index: usize) -> Result<(Tensor, i64)> {
        check_index(self.spec.name, index, self.len())?;
        let img = self
            .data
            .select(0, index as i64)?
            .permute(&[2, 0, 1])?
            .contiguous()?;
        let label = self.targets.select(0, index as i64)?.item()? as i64;
        apply(&self.transform, &self.target_transform, img, label)
    }
}

/// Declares CIFAR-10 and CIFAR-100 as their own types.
macro_rules! cifar_kind {
    ($(#[$doc:meta])* $name:ident, $spec:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $name(pub CifarDataset);

        impl $name {
            #[doc = concat!("`", stringify!($name), "(root, train)`: the batches under `root`.")]
            pub fn new(root: impl AsRef<Path>, train: bool) -> Result<Self> {
                Self::with_options(root, CifarOptions { train, ..Default::default() })
            }

            #[doc = concat!("`", stringify!($name), "(root, train, transform, target_transform, download)`: see `CifarOptions`.")]
            pub fn with_options(root: impl AsRef<Path>, options: CifarOptions) -> Result<Self> {
                Ok($name(CifarDataset::with_options(root, CifarSpec::$spec(), options)?))
            }
        }

        impl std::ops::Deref for $name {
            type Target = CifarDataset;
            fn deref(&self) -> &CifarDataset {
                &self.0
            }
        }
    };
}

cifar_kind!(
    /// CIFAR-10: 50,000 training and 10,000 test colour images, 32 x 32, in ten classes.
    CIFAR10,
    cifar10
);
cifar_kind!(
    /// CIFAR-100: CIFAR-10's format with 100 fine classes in 20 coarse ones.
    CIFAR100,
    cifar100
);
