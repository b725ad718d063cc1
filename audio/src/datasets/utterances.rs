//! Utterances with transcripts: `TranscribedUtterances` for the CMU Sphinx test layout
//! (`fileids` listing ids, `transcription` lines `<s> text </s> (id)`, audio `<id>.wav` or
//! `<id>.flac`), and `LibriSpeech` for LibriSpeech's (`<speaker>/<chapter>/<speaker>-
//! <chapter>.trans.txt` with lines `<speaker>-<chapter>-<utt> TEXT`, audio `.flac`), as
//! `torchaudio.datasets.LIBRISPEECH` reads it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use torch_core::data::Dataset;
use torch_core::{Error, Result, Tensor};

use super::{out_of_range, read_text};
use crate::io::{LoadOptions, load};

/// One utterance: waveform, sample rate, transcript and its id.
#[derive(Clone, Debug)]
pub struct Utterance {
    pub waveform: Tensor,
    pub sample_rate: u32,
    pub transcript: String,
    pub fileid: String,
}

/// The `fileids` + `transcription` layout; `get` decodes the audio.
#[derive(Clone, Debug)]
pub struct TranscribedUtterances {
    root: PathBuf,
    /// `(file id, transcript)` in `fileids` order.
    pub items: Vec<(String, String)>,
}

impl TranscribedUtterances {
    /// Reads `<root>/fileids` and `<root>/transcription`; an id without a transcript is an error.
    pub fn new(root: impl AsRef<Path>) -> Result<Self> {
        let root = root.as_ref().to_path_buf();
        let trans_path = root.join("transcription");
        let mut trans = HashMap::new();
        for line in read_text(&trans_path)?
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            let line = line.trim();
            let (text, id) = match (line.rfind('('), line.ends_with(')')) {
                (Some(open), true) => (&line[..open], &line[open + 1..line.len() - 1]),
                _ => {
                    return Err(Error::format(
                        &trans_path,
                        format!("expected '<s> text </s> (id)', got {line:?}"),
                    ));
                }
            };
            let words: Vec<&str> = text
                .split_whitespace()
                .filter(|w| *w != "<s>" && *w != "</s>")
                .collect();
            trans.insert(id.to_string(), words.join(" "));
        }
        let ids_path = root.join("fileids");
        let items = read_text(&ids_path)?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|id| {
                let t = trans
                    .get(id)
                    .ok_or_else(|| Error::format(&trans_path, format!("no transcript for {id}")))?;
                Ok((id.to_string(), t.clone()))
            })
            .collect::<Result<_>>()?;
        Ok(TranscribedUtterances { root, items })
    }
}

impl Dataset for TranscribedUtterances {
    type Item = Utterance;

    fn len(&self) -> usize {
        self.items.len()
    }

    fn get(&self, index: usize) -> Result<Utterance> {
        let (id, text) = self
            .items
            .get(index)
            .ok_or_else(|| out_of_range("TranscribedUtterances", index, self.items.len()))?;
        let wav = self.root.join(format!("{id}.wav"));
        let path = if wav.exists() {
            wav
        } else {
            self.root.join(format!("{id}.flac"))
        };
        let (waveform, sample_rate) = load(path, LoadOptions::default())?;
        Ok(Utterance {
            waveform,
            sample_rate,
            transcript: text.clone(),
            fileid: id.clone(),
        })
    }
}

/// LIBRISPEECH's item: `(waveform, sample_rate, transcript, speaker_id, chapter_id, utterance_id)`.
#[derive(Clone, Debug)]
pub struct LibriSpeechSample {
    pub waveform: Tensor,
    pub sample_rate: u32,
    pub transcript: String,
    pub speaker_id: u64,
    pub chapter_id: u64,
    pub utterance_id: u64,
}

/// A LibriSpeech split folder (e.g. `.../LibriSpeech/dev-clean`), utterances in sorted order.
#[derive(Clone, Debug)]
pub struct LibriSpeech {
    root: PathBuf,
    /// `(speaker, chapter, utterance, transcript)`.
    items: Vec<(u64, u64, u64, String)>,
}

fn subdirs(p: &Path) -> Result<Vec<PathBuf>> {
    let rd = std::fs::read_dir(p).map_err(|source| Error::Io {
        path: p.to_path_buf(),
        source,
    })?;
    let mut v: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    Ok(v)
}

impl LibriSpeech {
    /// Indexes every `*.trans.txt` under `root/<speaker>/<chapter>/`.
    pub fn new(root: impl AsRef<Path>) -> Result<Self> {
        let root = root.as_ref().to_path_buf();
        let mut items = Vec::new();
        for spk in subdirs(&root)? {
            for ch in subdirs(&spk)? {
                let (Some(s), Some(c)) = (spk.file_name(), ch.file_name()) else {
                    continue;
                };
                let trans = ch.join(format!(
                    "{}-{}.trans.txt",
                    s.to_string_lossy(),
                    c.to_string_lossy()
                ));
                if !trans.exists() {
                    continue;
                }
                for line in read_text(&trans)?.lines().filter(|l| !l.trim().is_empty()) {
                    let (id, text) = line.split_once(' ').unwrap_or((line, ""));
                    let parts: Vec<u64> = id.split('-').filter_map(|x| x.parse().ok()).collect();
                    let [sp, chp, utt] = parts[..] else {
                        return Err(Error::format(&trans, format!("bad utterance id {id:?}")));
                    };
                    items.push((sp, chp, utt, text.trim().to_string()));
                }
            }
        }
        items.sort_by_key(|a| (a.0, a.1, a.2));
        Ok(LibriSpeech { root, items })
    }
}

impl Dataset for LibriSpeech {
    type Item = LibriSpeechSample;

    fn len(&self) -> usize {
        self.items.len()
    }

    fn get(&self, index: usize) -> Result<LibriSpeechSample> {
        let (s, c, u, text) = self
            .items
            .get(index)
            .ok_or_else(|| out_of_range("LibriSpeech", index, self.items.len()))?;
        let path = self
            .root
            .join(s.to_string())
            .join(c.to_string())
            .join(format!("{s}-{c}-{u:04}.flac"));
        let (waveform, sample_rate) = load(path, LoadOptions::default())?;
        Ok(LibriSpeechSample {
            waveform,
            sample_rate,
            transcript: text.clone(),
            speaker_id: *s,
            chapter_id: *c,
            utterance_id: *u,
        })
    }
}
