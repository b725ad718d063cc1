//! Datasets with torchvision's names, file layouts and attributes.

mod idx;
mod mnist;

pub use idx::read_idx;
pub use mnist::{FashionMNIST, IdxDataset, IdxSpec, KMNIST, MNIST};
