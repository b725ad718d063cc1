//! What every dataset shares (torchvision's `VisionDataset`): the optional `transform` on
//! the image and `target_transform` on the label, and the index check of `__getitem__`.

use std::fmt;
use std::sync::Arc;

use torch_core::{Error, Result, Tensor};

/// A function applied to each image (a uint8 `(C, H, W)` tensor) as it is read: torchvision's
/// `transform` argument. Cloning shares the function.
#[derive(Clone)]
pub struct Transform(pub Arc<dyn Fn(Tensor) -> Result<Tensor> + Send + Sync>);

impl Transform {
    /// Wraps a function or closure.
    pub fn new(f: impl Fn(Tensor) -> Result<Tensor> + Send + Sync + 'static) -> Self {
        Transform(Arc::new(f))
    }
}

impl fmt::Debug for Transform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Transform(..)")
    }
}

/// A function applied to each label: torchvision's `target_transform` argument.
#[derive(Clone)]
pub struct TargetTransform(pub Arc<dyn Fn(i64) -> Result<i64> + Send + Sync>);

impl TargetTransform {
    /// Wraps a function or closure.
    pub fn new(f: impl Fn(i64) -> Result<i64> + Send + Sync + 'static) -> Self {
        TargetTransform(Arc::new(f))
    }
}

impl fmt::Debug for TargetTransform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TargetTransform(..)")
    }
}

/// The keyword arguments shared by torchvision's downloadable datasets (`MNIST(root,
/// train=True, transform=None, target_transform=None, download=False)`, `CIFAR10(...)`), plus
/// `spec` to replace the class attributes (mirrors, files, checksums) as a torchvision subclass
/// would. `Default` is torchvision's defaults.
#[derive(Clone, Debug)]
pub struct DatasetOptions<S> {
    /// The training split (`True`) or the test split.
    pub train: bool,
    /// Download the files into `root` when they are not all there.
    pub download: bool,
    /// Replaces the class's attributes (`None`: torchvision's).
    pub spec: Option<S>,
    /// Applied to each image by `get`.
    pub transform: Option<Transform>,
    /// Applied to each label by `get`.
    pub target_transform: Option<TargetTransform>,
}

impl<S> Default for DatasetOptions<S> {
    fn default() -> Self {
        DatasetOptions {
            train: true,
            download: false,
            spec: None,
            transform: None,
            target_transform: None,
        }
    }
}

/// Applies the optional transforms to one sample.
pub(crate) fn apply(
    transform: &Option<Transform>,
    target_transform: &Option<TargetTransform>,
    image: Tensor,
    target: i64,
) -> Result<(Tensor, i64)> {
    let image = match transform {
        Some(t) => (t.0)(image)?,
        None => image,
    };
    let target = match target_transform {
        Some(t) => (t.0)(target)?,
        None => target,
    };
    Ok((image, target))
}

/// The error for an index past the end (`op` is the dataset's class name).
pub(crate) fn check_index(op: &'static str, index: usize, len: usize) -> Result<()> {
    if index >= len {
        return Err(Error::invalid(
            op,
            format!("index {index} is out of range for a dataset of {len} samples"),
        ));
    }
    Ok(())
}

/// Implements `torch_core::data::Dataset` (items: image, label) through the type's own
/// `len` and `get`.
macro_rules! impl_dataset {
    ($($t:ty),*) => {$(
        impl torch_core::data::Dataset for $t {
            type Item = (Tensor, i64);
            fn len(&self) -> usize {
                <$t>::len(self)
            }
            fn get(&self, index: usize) -> Result<(Tensor, i64)> {
                <$t>::get(self, index)
            }
        }
    )*};
}

impl_dataset!(super::IdxDataset, super::CifarDataset, super::DatasetFolder);

/// The wrapper types (`MNIST`, `CIFAR10`, `ImageFolder`, ...) forward to their inner dataset.
macro_rules! impl_dataset_deref {
    ($($t:ty),*) => {$(
        impl torch_core::data::Dataset for $t {
            type Item = (Tensor, i64);
            fn len(&self) -> usize {
                self.0.len()
            }
            fn get(&self, index: usize) -> Result<(Tensor, i64)> {
                self.0.get(index)
            }
        }
    )*};
}

impl_dataset_deref!(
    super::MNIST,
    super::FashionMNIST,
    super::KMNIST,
    super::CIFAR10,
    super::CIFAR100,
    super::ImageFolder
);
