//! What the examples share: progress bars ([`progress`]), training curves written as PNG
//! ([`plot`]), argument plumbing ([`cli`]), and the `classify` example's logic ([`classify`]).

pub mod classify;
pub mod cli;
pub mod plot;
pub mod progress;
