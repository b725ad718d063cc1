//! torchaudio for torch-rs: audio io (`load`, `info`, `save`, `StreamReader`), `functional`
//! and `transforms` with torchaudio's names and defaults.
pub mod functional;
pub mod io;
pub mod transforms;
