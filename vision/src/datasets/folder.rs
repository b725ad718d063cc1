//! `DatasetFolder` and `ImageFolder` (torchvision's `folder.py`): one subfolder per class
//! under `root`, classes sorted by name, samples found by `make_dataset` (every file below a
//! class folder, symlinks followed, folders and then files visited in sorted order, kept when
//! the extension matches case-insensitively or `is_valid_file` accepts it).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use torch_core::{Error, Result, Tensor};

use super::vision::{TargetTransform, Transform, apply, check_index};
use crate::io::{ImageReadMode, read_image};

/// torchvision's `IMG_EXTENSIONS`.
pub const IMG_EXTENSIONS: &[&str] = &[
    ".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp",
];

/// `has_file_allowed_extension`: the lower-cased name ends with one of `extensions` (given
/// in lower case).
pub fn has_file_allowed_extension(filename: &str, extensions: &[impl AsRef<str>]) -> bool {
    let lower = filename.to_lowercase();
    extensions.iter().any(|e| lower.ends_with(e.as_ref()))
}

/// `is_image_file`: the name has one of `IMG_EXTENSIONS`.
pub fn is_image_file(filename: &str) -> bool {
    has_file_allowed_extension(filename, IMG_EXTENSIONS)
}

/// A predicate on a sample's full path (torchvision's `is_valid_file`).
#[derive(Clone)]
pub struct IsValidFile(pub Arc<dyn Fn(&Path) -> bool + Send + Sync>);

impl IsValidFile {
    /// Wraps a function or closure.
    pub fn new(f: impl Fn(&Path) -> bool + Send + Sync + 'static) -> Self {
        IsValidFile(Arc::new(f))
    }
}

impl fmt::Debug for IsValidFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IsValidFile(..)")
    }
}

/// The function behind a [`Loader`].
pub type LoaderFn = dyn Fn(&Path) -> Result<Tensor> + Send + Sync;

/// Reads one sample from its path (torchvision's `loader`).
#[derive(Clone)]
pub struct Loader(pub Arc<LoaderFn>);

impl Loader {
    /// Wraps a function or closure.
    pub fn new(f: impl Fn(&Path) -> Result<Tensor> + Send + Sync + 'static) -> Self {
        Loader(Arc::new(f))
    }

    /// `default_loader`: the image as uint8 RGB `(3, H, W)` (`read_image(path, RGB)`; PIL's
    /// `convert("RGB")`).
    pub fn default_loader() -> Self {
        Loader::new(|p| read_image(p, ImageReadMode::RGB))
    }
}

impl fmt::Debug for Loader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Loader(..)")
    }
}

fn is_dir(path: &Path) -> bool {
    // Follows symlinks, as os.scandir's is_dir() and os.walk(followlinks=True) do.
    std::fs::metadata(path).is_ok_and(|m| m.is_dir())
}

/// `find_classes(directory)`: the sorted names of the subfolders, and each one's index. No
/// subfolder is an error (`Couldn't find any class folder`).
pub fn find_classes(directory: impl AsRef<Path>) -> Result<(Vec<String>, BTreeMap<String, usize>)> {
    let dir = directory.as_ref();
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut classes = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        if is_dir(&entry.path()) {
            classes.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    classes.sort();
    if classes.is_empty() {
        return Err(Error::format(
            dir,
            format!("Couldn't find any class folder in {}.", dir.display()),
        ));
    }
    let class_to_idx = classes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.clone(), i))
        .collect();
    Ok((classes, class_to_idx))
}

/// Every folder below `dir` (itself included) with its files, sorted by path as
/// `sorted(os.walk(dir))` sorts them; files within a folder sorted by name.
fn walk_sorted(dir: &Path) -> Result<Vec<(String, Vec<String>)>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let mut files = Vec::new();
        let entries = std::fs::read_dir(&folder).map_err(|e| Error::io(&folder, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&folder, e))?;
            let path = entry.path();
            if is_dir(&path) {
                stack.push(path);
            } else {
                files.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        files.sort();
        out.push((folder.to_string_lossy().into_owned(), files));
    }
    out.sort();
    Ok(out)
}

/// Which files `make_dataset` keeps: by extension or by a predicate (torchvision requires
/// exactly one of the two).
#[derive(Clone, Debug)]
pub enum FileFilter {
    /// Lower-case extensions such as `".png"`, matched case-insensitively.
    Extensions(Vec<String>),
    /// A predicate on the full path.
    IsValidFile(IsValidFile),
}

impl FileFilter {
    fn accepts(&self, path: &Path) -> bool {
        match self {
            FileFilter::Extensions(ext) => has_file_allowed_extension(&path.to_string_lossy(), ext),
            FileFilter::IsValidFile(f) => (f.0)(path),
        }
    }
}

/// `make_dataset(directory, class_to_idx, extensions | is_valid_file, allow_empty)`: the
/// `(path, class index)` samples in torchvision's order. A class with no valid file is an
/// error unless `allow_empty` (`Found no valid file for the classes ...`).
pub fn make_dataset(
    directory: impl AsRef<Path>,
    class_to_idx: &BTreeMap<String, usize>,
    filter: &FileFilter,
    allow_empty: bool,
) -> Result<Vec<(PathBuf, usize)>> {
    let dir = directory.as_ref();
    if class_to_idx.is_empty() {
        return Err(Error::invalid(
            "make_dataset",
            "'class_to_index' must have at least one entry to collect any samples.",
        ));
    }
    let mut instances = Vec::new();
    let mut empty = Vec::new();
    for (class, &index) in class_to_idx {
        let target_dir = dir.join(class);
        if !is_dir(&target_dir) {
            continue;
        }
        let before = instances.len();
        for (root, files) in walk_sorted(&target_dir)? {
            for f in files {
                let path = Path::new(&root).join(f);
                if filter.accepts(&path) {
                    instances.push((path, index));
                }
            }
        }
        if instances.len() == before {
            empty.push(class.as_str());
        }
    }
    // Classes whose folder is missing count as empty too, as in torchvision.
    for class in class_to_idx.keys() {
        if !is_dir(&dir.join(class)) {
            empty.push(class.as_str());
        }
    }
    empty.sort();
    if !empty.is_empty() && !allow_empty {
        let mut msg = format!("Found no valid file for the classes {}. ", empty.join(", "));
        if let FileFilter::Extensions(ext) = filter {
            msg.push_str(&format!("Supported extensions are: {}", ext.join(", ")));
        }
        return Err(Error::format(dir, msg));
    }
    Ok(instances)
}

/// The keyword arguments of `DatasetFolder(root, loader, extensions=None, transform=None,
/// target_transform=None, is_valid_file=None, allow_empty=False)`.
#[derive(Clone, Debug, Default)]
pub struct DatasetFolderOptions {
    /// Allowed extensions (lower case, with the dot); exclusive with `is_valid_file`.
    pub extensions: Option<Vec<String>>,
    /// Applied to each loaded sample by `get`.
    pub transform: Option<Transform>,
    /// Applied to each class index by `get`.
    pub target_transform: Option<TargetTransform>,
    /// Which files are samples; exclusive with `extensions`.
    pub is_valid_file: Option<IsValidFile>,
    /// Accept class folders without any valid file.
    pub allow_empty: bool,
}

/// A generic class-per-folder dataset (torchvision's `DatasetFolder`).
#[derive(Clone, Debug)]
pub struct DatasetFolder {
    /// The root folder.
    pub root: PathBuf,
    /// Reads a sample from its path.
    pub loader: Loader,
    /// The allowed extensions, when filtering by extension.
    pub extensions: Option<Vec<String>>,
    /// Class names, sorted.
    pub classes: Vec<String>,
    /// Class name to index.
    pub class_to_idx: BTreeMap<String, usize>,
    /// `(path, class index)` of every sample, in torchvision's order.
    pub samples: Vec<(PathBuf, usize)>,
    /// The class index of every sample.
    pub targets: Vec<i64>,
    /// Applied to each loaded sample by `get`.
    pub transform: Option<Transform>,
    /// Applied to each class index by `get`.
    pub target_transform: Option<TargetTransform>,
}

impl DatasetFolder {
    /// Finds the classes and samples under `root`. Giving both or neither of `extensions`
    /// and `is_valid_file` is an error, as in torchvision.
    pub fn new(
        root: impl AsRef<Path>,
        loader: Loader,
        options: DatasetFolderOptions,
    ) -> Result<Self> {
        let root = root.as_ref().to_path_buf();
        let filter = match (&options.extensions, &options.is_valid_file) {
            (Some(ext), None) => FileFilter::Extensions(ext.clone()),
            (None, Some(f)) => FileFilter::IsValidFile(f.clone()),
            _ => {
                return Err(Error::invalid(
                    "DatasetFolder",
                    "Both extensions and is_valid_file cannot be None or not None at the same time",
                ));
            }
        };
        let (classes, class_to_idx) = find_classes(&root)?;
        let samples = make_dataset(&root, &class_to_idx, &filter, options.allow_empty)?;
        let targets = samples.iter().map(|(_, t)| *t as i64).collect();
        Ok(DatasetFolder {
            root,
            loader,
            extensions: options.extensions,
            classes,
            class_to_idx,
            samples,
            targets,
            transform: options.transform,
            target_transform: options.target_transform,
        })
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// `dataset[index]`: the loaded sample and its class index, after the transforms. A file
    /// the loader cannot read is an error naming it.
    pub fn get(&self, index: usize) -> Result<(Tensor, i64)> {
        check_index("DatasetFolder", index, self.len())?;
        let (path, target) = &self.samples[index];
        let sample = (self.loader.0)(path)?;
        apply(
            &self.transform,
            &self.target_transform,
            sample,
            *target as i64,
        )
    }
}

/// The keyword arguments of `ImageFolder(root, transform=None, target_transform=None,
/// loader=default_loader, is_valid_file=None, allow_empty=False)`.
#[derive(Clone, Debug, Default)]
pub struct ImageFolderOptions {
    /// Applied to each image by `get`.
    pub transform: Option<Transform>,
    /// Applied to each class index by `get`.
    pub target_transform: Option<TargetTransform>,
    /// Replaces the default loader (`read_image(path, RGB)`).
    pub loader: Option<Loader>,
    /// Which files are images (default: `IMG_EXTENSIONS`).
    pub is_valid_file: Option<IsValidFile>,
    /// Accept class folders without any image.
    pub allow_empty: bool,
}

/// Images in one folder per class (torchvision's `ImageFolder`); `get` gives a uint8 RGB
/// `(3, H, W)` tensor and the class index.
#[derive(Clone, Debug)]
pub struct ImageFolder(pub DatasetFolder);

impl ImageFolder {
    /// Finds the classes and images under `root`.
    pub fn new(root: impl AsRef<Path>, options: ImageFolderOptions) -> Result<Self> {
        let extensions = options
            .is_valid_file
            .is_none()
            .then(|| IMG_EXTENSIONS.iter().map(|e| e.to_string()).collect());
        let folder = DatasetFolder::new(
            root,
            options.loader.unwrap_or_else(Loader::default_loader),
            DatasetFolderOptions {
                extensions,
                transform: options.transform,
                target_transform: options.target_transform,
                is_valid_file: options.is_valid_file,
                allow_empty: options.allow_empty,
            },
        )?;
        Ok(ImageFolder(folder))
    }

    /// `imgs`: the same list as `samples`.
    pub fn imgs(&self) -> &[(PathBuf, usize)] {
        &self.0.samples
    }
}

impl std::ops::Deref for ImageFolder {
    type Target = DatasetFolder;
    fn deref(&self) -> &DatasetFolder {
        &self.0
    }
}
