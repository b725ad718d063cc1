//! torchaudio for torch-rs: audio io (`load`, `info`, `save`, `StreamReader`), `functional`,
//! `transforms` and `datasets`, with torchaudio's names, defaults and numbers.
//!
//! ```no_run
//! use torch_audio::io::{LoadOptions, load};
//! use torch_audio::transforms::{MelScaleOptions, MelSpectrogram, SpectrogramOptions};
//! use torch_nn::Forward;
//!
//! let (wave, sr) = load("speech.flac", LoadOptions::default())?; // [channels, frames]
//! let mel = MelSpectrogram::new(
//!     SpectrogramOptions { n_fft: 400, hop_length: Some(160), ..Default::default() },
//!     MelScaleOptions { sample_rate: sr, n_mels: 80, ..Default::default() },
//! )?;
//! let spec = mel.forward(&wave)?; // [channels, 80, frames / 160 + 1]
//! # Ok::<(), torch_core::Error>(())
//! ```

pub mod datasets;
pub mod functional;
pub mod io;
pub mod models;
pub mod transforms;
