//! torchvision for torch-rs: image io, transforms (v2 names), datasets, models and box ops,
//! with torchvision's names, defaults and state-dict keys.

pub mod models;
