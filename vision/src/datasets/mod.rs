//! Datasets with torchvision's names, file layouts and attributes.

mod cifar;
pub mod download;
mod folder;
mod idx;
mod mnist;
mod vision;

pub use cifar::{CIFAR10, CIFAR100, CifarDataset, CifarOptions, CifarSpec, read_cifar_batch};
pub use folder::{
    DatasetFolder, DatasetFolderOptions, FileFilter, IMG_EXTENSIONS, ImageFolder,
    ImageFolderOptions, IsValidFile, Loader, find_classes, has_file_allowed_extension,
    is_image_file, make_dataset,
};
pub use idx::read_idx;
pub use mnist::{FashionMNIST, IdxDataset, IdxSpec, KMNIST, MNIST, MnistOptions};
pub use vision::{DatasetOptions, TargetTransform, Transform};
