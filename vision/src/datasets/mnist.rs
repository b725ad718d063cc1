//! `MNIST`, `FashionMNIST` and `KMNIST` (torchvision's): the four IDX files of one family,
//! read whole into `data` (uint8 `(N, 28, 28)`) and `targets` (int64 `(N,)`), with
//! torchvision's `download=True` (mirrors tried in order, MD5-checked, `.gz` extracted to
//! `root/<Name>/raw`).

use std::path::{Path, PathBuf};

use torch_core::{DType, Error, Result, Tensor};

use super::download::download_from_mirrors;
use super::idx::read_idx;
use super::vision::{DatasetOptions, TargetTransform, Transform, apply, check_index};

/// What distinguishes one IDX family: torchvision's `mirrors`, `resources` (file name and
/// MD5 of each gzip file, in the order train images, train labels, test images, test labels)
/// and `classes`. Both lists can be replaced before a download, as torchvision's class
/// attributes can.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdxSpec {
    /// The folder under `root` (`root/<name>/raw`): the class name, `"MNIST"`.
    pub name: &'static str,
    /// Base URLs tried in order; a file's URL is the mirror followed by its name.
    pub mirrors: Vec<String>,
    /// `(file name, md5 of the file as served)` for the four files.
    pub resources: Vec<(String, String)>,
    /// Class names, indexed by label.
    pub classes: Vec<String>,
}

fn strings(s: &[&str]) -> Vec<String> {
    s.iter().map(|s| s.to_string()).collect()
}

fn resources(md5s: [&str; 4]) -> Vec<(String, String)> {
    let files = [
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ];
    files
        .iter()
        .zip(md5s)
        .map(|(f, m)| (f.to_string(), m.to_string()))
        .collect()
}

impl IdxSpec {
    /// torchvision's `MNIST` attributes.
    pub fn mnist() -> IdxSpec {
        IdxSpec {
            name: "MNIST",
            mirrors: strings(&[
                "https://ossci-datasets.s3.amazonaws.com/mnist/",
                "http://yann.lecun.com/exdb/mnist/",
            ]),
            resources: resources([
                "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                "d53e105ee54ea40749a09fcbcd1e9432",
                "9fb629c4189551a2d022fa330f9573f3",
                "ec29112dd5afa0611ce80d1b7f02629c",
            ]),
            classes: strings(&[
                "0 - zero",
                "1 - one",
                "2 - two",
                "3 - three",
                "4 - four",
                "5 - five",
                "6 - six",
                "7 - seven",
                "8 - eight",
                "9 - nine",
            ]),
        }
    }

    /// torchvision's `FashionMNIST` attributes.
    pub fn fashion_mnist() -> IdxSpec {
        IdxSpec {
            name: "FashionMNIST",
            mirrors: strings(&["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]),
            resources: resources([
                "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                "25c81989df183df01b3e8a0aad5dffbe",
                "bef4ecab320f06d8554ea6380940ec79",
                "bb300cfdad3c16e7a12a480ee83cd310",
            ]),
            classes: strings(&[
                "T-shirt/top",
                "Trouser",
                "Pullover",
                "Dress",
                "Coat",
                "Sandal",
                "Shirt",
                "Sneaker",
                "Bag",
                "Ankle boot",
            ]),
        }
    }

    /// torchvision's `KMNIST` attributes.
    pub fn kmnist() -> IdxSpec {
        IdxSpec {
            name: "KMNIST",
            mirrors: strings(&["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]),
            resources: resources([
                "bdb82020997e1d708af4cf47b453dcf7",
                "e144d726b3acfaa3e44228e80efcd344",
                "5c965bf0a639b31b8f53240b1b52f4d7",
                "7320c461ea6c1c855c0b718fb2a4b134",
            ]),
            classes: strings(&["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]),
        }
    }
}

/// The path of one IDX file in `folder`: the uncompressed name torchvision extracts to, or
/// failing that the `.gz` it downloads (the repository ships only the latter).
fn idx_file(folder: &Path, stem: &str) -> Result<PathBuf> {
    let raw = folder.join(stem);
    if raw.is_file() {
        return Ok(raw);
    }
    let gz = folder.join(format!("{stem}.gz"));
    if gz.is_file() {
        return Ok(gz);
    }
    Err(Error::format(
        raw,
        "Dataset not found (neither the file nor its .gz exists). You can use download=true to download it",
    ))
}

/// The keyword arguments of torchvision's `MNIST(root, train=True, transform=None,
/// target_transform=None, download=False)`; see [`DatasetOptions`].
pub type MnistOptions = DatasetOptions<IdxSpec>;

/// An IDX image dataset in memory: one of MNIST's family.
#[derive(Clone, Debug)]
pub struct IdxDataset {
    /// Images, uint8 `(N, H, W)`.
    pub data: Tensor,
    /// Labels, int64 `(N,)`.
    pub targets: Tensor,
    /// Training split (`train=True`) or test split.
    pub train: bool,
    /// The family's attributes.
    pub spec: IdxSpec,
    /// Applied to each image by `get`.
    pub transform: Option<Transform>,
    /// Applied to each label by `get`.
    pub target_transform: Option<TargetTransform>,
}

impl IdxDataset {
    /// Reads the split's two files (`train-*` or `t10k-*`, raw or gzip) from `folder`.
    /// Wrong element types, ranks or counts are errors naming the file.
    pub fn from_folder(folder: impl AsRef<Path>, train: bool, spec: IdxSpec) -> Result<Self> {
        let folder = folder.as_ref();
        let split = if train { "train" } else { "t10k" };
        let images = idx_file(folder, &format!("{split}-images-idx3-ubyte"))?;
        let labels = idx_file(folder, &format!("{split}-labels-idx1-ubyte"))?;
        let data = read_idx(&images)?;
        let targets = read_idx(&labels)?;
        let expect = |path: &Path, t: &Tensor, rank: usize| {
            if t.dtype() != DType::U8 || t.dim() != rank {
                return Err(Error::format(
                    path,
                    format!(
                        "expected a {rank}-D uint8 IDX tensor, found {:?} with shape {:?}",
                        t.dtype(),
                        t.shape()
                    ),
                ));
            }
            Ok(())
        };
        expect(&images, &data, 3)?;
        expect(&labels, &targets, 1)?;
        if data.shape()[0] != targets.shape()[0] {
            return Err(Error::format(
                &labels,
                format!(
                    "{} labels for {} images in {}",
                    targets.shape()[0],
                    data.shape()[0],
                    images.display()
                ),
            ));
        }
        Ok(IdxDataset {
            data,
            targets: targets.to_dtype(DType::I64)?,
            train,
            spec,
            transform: None,
            target_transform: None,
        })
    }

    /// torchvision's constructor: downloads first when `options.download` is set, then reads
    /// the split from `root/<Name>/raw`.
    pub fn with_options(
        root: impl AsRef<Path>,
        default_spec: IdxSpec,
        options: MnistOptions,
    ) -> Result<Self> {
        let root = root.as_ref();
        let spec = options.spec.unwrap_or(default_spec);
        if options.download {
            Self::download(root, &spec)?;
        }
        let mut ds = Self::from_folder(Self::raw_folder(root, &spec), options.train, spec)?;
        ds.transform = options.transform;
        ds.target_transform = options.target_transform;
        Ok(ds)
    }

    /// torchvision's `_check_exists`: every resource's extracted file is in the raw folder.
    pub fn check_exists(root: impl AsRef<Path>, spec: &IdxSpec) -> bool {
        let raw = Self::raw_folder(root, spec);
        spec.resources.iter().all(|(file, _)| {
            let stem = file.strip_suffix(".gz").unwrap_or(file);
            raw.join(stem).is_file()
        })
    }

    /// torchvision's `download`: unless `check_exists`, fetches each resource from the
    /// mirrors in order into `root/<Name>/raw`, checks its MD5 and extracts it there.
    pub fn download(root: impl AsRef<Path>, spec: &IdxSpec) -> Result<()> {
        let root = root.as_ref();
        if Self::check_exists(root, spec) {
            return Ok(());
        }
        let raw = Self::raw_folder(root, spec);
        for (file, md5) in &spec.resources {
            download_from_mirrors(&spec.mirrors, file, Some(md5), &raw, None)?;
        }
        Ok(())
    }

    /// torchvision's layout: the files in `root/<name>/raw`.
    pub fn raw_folder(root: impl AsRef<Path>, spec: &IdxSpec) -> PathBuf {
        root.as_ref().join(spec.name).join("raw")
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.data.shape()[0]
    }

    /// True when there are no images.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Image `index` as a uint8 `(1, H, W)` tensor (torchvision's `ToImage` of its PIL image)
    /// and its label.
    /// No transform is applied (see `get`).
    pub fn image(&self, index: usize) -> Result<(Tensor, i64)> {
        check_index(self.spec.name, index, self.len())?;
        let img = self.data.select(0, index as i64)?.unsqueeze(0)?;
        let label = self.targets.select(0, index as i64)?.item()? as i64;
        Ok((img, label))
    }

    /// `dataset[index]`: the image as uint8 `(1, H, W)` and its label, after `transform` and
    /// `target_transform`.
    pub fn get(&self, index: usize) -> Result<(Tensor, i64)> {
        let (img, label) = self.image(index)?;
        apply(&self.transform, &self.target_transform, img, label)
    }
}

/// Declares one IDX family as its own type (torchvision's subclasses of `MNIST`).
macro_rules! idx_family {
    ($(#[$doc:meta])* $name:ident, $spec:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $name(pub IdxDataset);

        impl $name {
            #[doc = concat!("`", stringify!($name), "(root, train)`: the files in `root/", stringify!($name), "/raw`.")]
            pub fn new(root: impl AsRef<Path>, train: bool) -> Result<Self> {
                let spec = IdxSpec::$spec();
                let folder = IdxDataset::raw_folder(root, &spec);
                Ok($name(IdxDataset::from_folder(folder, train, spec)?))
            }

            #[doc = concat!("`", stringify!($name), "(root, train, transform, target_transform, download)`: see `MnistOptions`.")]
            pub fn with_options(root: impl AsRef<Path>, options: MnistOptions) -> Result<Self> {
                Ok($name(IdxDataset::with_options(root, IdxSpec::$spec(), options)?))
            }

            /// The split's files directly in `folder` (raw or gzip), e.g. the repository's
            /// `data/mnist`.
            pub fn from_folder(folder: impl AsRef<Path>, train: bool) -> Result<Self> {
                Ok($name(IdxDataset::from_folder(folder, train, IdxSpec::$spec())?))
            }
        }

        impl std::ops::Deref for $name {
            type Target = IdxDataset;
            fn deref(&self) -> &IdxDataset {
                &self.0
            }
        }
    };
}

idx_family!(
    /// The MNIST handwritten digits: 60,000 training and 10,000 test images, 28 x 28.
    MNIST,
    mnist
);
idx_family!(
    /// Zalando's Fashion-MNIST: MNIST's format with ten kinds of clothing.
    FashionMNIST,
    fashion_mnist
);
idx_family!(
    /// Kuzushiji-MNIST: ten cursive Japanese characters in MNIST's format.
    KMNIST,
    kmnist
);
