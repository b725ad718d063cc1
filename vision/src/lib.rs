//! torchvision for torch-rs: image io, transforms (v2 names), datasets, models and box ops,
//! with torchvision's names, defaults and state-dict keys.

pub mod datasets;
pub mod io;
pub mod models;
pub mod ops;
pub mod transforms;
pub mod utils;
