//! What the examples share: progress bars ([`progress`]) and training curves written as PNG
//! ([`plot`]).

pub mod plot;
pub mod progress;
