//! Audio datasets (`torchaudio.datasets`-style): a Speech-Commands-style keyword folder
//! (splits from list files or a CSV index), utterances with transcripts (the `fileids` +
//! `transcription` layout and LibriSpeech's), a generic class-folder dataset, and a collate
//! function that pads.

mod collate;
mod folder;
mod keyword;
mod utterances;

pub use collate::pad_waveforms;
pub use folder::{AUDIO_EXTENSIONS, AudioFolder};
pub use keyword::{KeywordSample, SpeechCommands};
pub use utterances::{LibriSpeech, LibriSpeechSample, TranscribedUtterances, Utterance};

use std::path::Path;

use torch_core::{Error, Result};

/// Reads a text file, naming it in the error.
pub(crate) fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// `index` out of `len`, as the `Dataset::get` error.
pub(crate) fn out_of_range(op: &'static str, index: usize, len: usize) -> Error {
    Error::IndexOutOfRange {
        op,
        index: index as i64,
        dim: 0,
        size: len,
    }
}
