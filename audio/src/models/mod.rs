//! Audio models (`torchaudio` tutorials' and pipelines'): M5 for keyword spotting.

mod m5;

pub use m5::M5;
