//! `SpeechCommands`: a keyword-spotting folder (`<root>/<label>/<file>.wav`, label = folder
//! name), with splits from `validation_list.txt` / `testing_list.txt` as
//! `torchaudio.datasets.SPEECHCOMMANDS` reads them, or from a CSV index with `file`, `label`
//! and `split` columns (and optional `speaker`), such as the spoken-digits set's `index.csv`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use torch_core::data::Dataset;
use torch_core::{Error, Result, Tensor};

use super::{out_of_range, read_text};
use crate::io::{LoadOptions, load};

/// One clip: SPEECHCOMMANDS' `(waveform, sample_rate, label, speaker_id, utterance_number)`
/// plus the label's index in `SpeechCommands::labels`.
#[derive(Clone, Debug)]
pub struct KeywordSample {
    pub waveform: Tensor,
    pub sample_rate: u32,
    pub label: String,
    pub label_id: i64,
    pub speaker_id: String,
    pub utterance_number: usize,
}

/// A Speech-Commands-style dataset; `get` decodes the clip.
#[derive(Clone, Debug)]
pub struct SpeechCommands {
    root: PathBuf,
    /// `(relative path, label, speaker, utterance number)`.
    items: Vec<(String, String, String, usize)>,
    /// The sorted distinct labels of the whole folder (label ids index this).
    pub labels: Vec<String>,
}

/// SPEECHCOMMANDS' file names: `<speaker>_nohash_<n>.wav`.
fn speaker_and_number(file: &str) -> (String, usize) {
    let stem = Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("");
    match stem.split_once("_nohash_") {
        Some((speaker, n)) => (speaker.to_string(), n.parse().unwrap_or(0)),
        None => (stem.to_string(), 0),
    }
}

impl SpeechCommands {
    /// SPEECHCOMMANDS' splits: `subset` `"validation"` / `"testing"` lists the files of
    /// `validation_list.txt` / `testing_list.txt`; `"training"` every `<label>/*.wav` in
    /// neither (folders starting with `_`, such as `_background_noise_`, are skipped); `None`
    /// every clip.
    pub fn from_lists(root: impl AsRef<Path>, subset: Option<&str>) -> Result<Self> {
        let root = root.as_ref().to_path_buf();
        let list = |name: &str| -> Result<Vec<String>> {
            let p = root.join(name);
            if !p.exists() {
                return Ok(Vec::new());
            }
            Ok(read_text(&p)?
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect())
        };
        let mut all = Vec::new();
        let dirs = std::fs::read_dir(&root).map_err(|source| Error::Io {
            path: root.clone(),
            source,
        })?;
        for d in dirs.flatten() {
            let name = d.file_name().to_string_lossy().into_owned();
            if !d.path().is_dir() || name.starts_with('_') {
                continue;
            }
            for f in std::fs::read_dir(d.path())
                .map_err(|source| Error::Io {
                    path: d.path(),
                    source,
                })?
                .flatten()
            {
                let file = f.file_name().to_string_lossy().into_owned();
                if file.ends_with(".wav") {
                    all.push(format!("{name}/{file}"));
                }
            }
        }
        all.sort();
        let files = match subset {
            None => all.clone(),
            Some("validation") => list("validation_list.txt")?,
            Some("testing") => list("testing_list.txt")?,
            Some("training") => {
                let skip: HashSet<String> = list("validation_list.txt")?
                    .into_iter()
                    .chain(list("testing_list.txt")?)
                    .collect();
                all.iter().filter(|f| !skip.contains(*f)).cloned().collect()
            }
            Some(other) => {
                return Err(Error::invalid(
                    "SpeechCommands",
                    format!(
                        "subset must be None, 'training', 'validation' or 'testing', got {other:?}"
                    ),
                ));
            }
        };
        let labels = sorted_labels(
            all.iter()
                .map(|f| f.split('/').next().unwrap_or("").to_string()),
        );
        let items = files
            .into_iter()
            .map(|f| {
                let label = f.split('/').next().unwrap_or("").to_string();
                let (speaker, n) = speaker_and_number(&f);
                (f, label, speaker, n)
            })
            .collect();
        Ok(SpeechCommands {
            root,
            items,
            labels,
        })
    }

    /// The clips of `split` from a CSV index (header with `file`, `label`, `split` and
    /// optionally `speaker`; paths relative to `root`). `split` `None` keeps every row.
    pub fn from_csv(
        root: impl AsRef<Path>,
        index: impl AsRef<Path>,
        split: Option<&str>,
    ) -> Result<Self> {
        let root = root.as_ref().to_path_buf();
        let index = index.as_ref();
        let text = read_text(index)?;
        let mut lines = text.lines();
        let header: Vec<&str> = lines
            .next()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .collect();
        let col = |name: &str| header.iter().position(|h| *h == name);
        let (Some(fc), Some(lc), Some(sc)) = (col("file"), col("label"), col("split")) else {
            return Err(Error::format(
                index,
                "the CSV index needs file, label and split columns",
            ));
        };
        let spk = col("speaker");
        let mut items = Vec::new();
        let mut all_labels = Vec::new();
        for (i, line) in lines.enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let cells: Vec<&str> = line.split(',').collect();
            if cells.len() != header.len() {
                return Err(Error::format(
                    index,
                    format!(
                        "row {} has {} cells, the header {}",
                        i + 2,
                        cells.len(),
                        header.len()
                    ),
                ));
            }
            all_labels.push(cells[lc].to_string());
            if split.is_none_or(|s| s == cells[sc]) {
                let (speaker, n) = match spk {
                    Some(k) => (cells[k].to_string(), 0),
                    None => speaker_and_number(cells[fc]),
                };
                items.push((cells[fc].to_string(), cells[lc].to_string(), speaker, n));
            }
        }
        Ok(SpeechCommands {
            root,
            items,
            labels: sorted_labels(all_labels.into_iter()),
        })
    }

    /// The path of clip `index`, relative to the root.
    pub fn file(&self, index: usize) -> Option<&str> {
        self.items.get(index).map(|i| i.0.as_str())
    }
}

fn sorted_labels(it: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = it.collect::<HashSet<_>>().into_iter().collect();
    v.sort();
    v
}

impl Dataset for SpeechCommands {
    type Item = KeywordSample;

    fn len(&self) -> usize {
        self.items.len()
    }

    fn get(&self, index: usize) -> Result<KeywordSample> {
        let (file, label, speaker, n) = self
            .items
            .get(index)
            .ok_or_else(|| out_of_range("SpeechCommands", index, self.items.len()))?;
        let (waveform, sample_rate) = load(self.root.join(file), LoadOptions::default())?;
        let label_id = self.labels.iter().position(|l| l == label).unwrap_or(0) as i64;
        Ok(KeywordSample {
            waveform,
            sample_rate,
            label: label.clone(),
            label_id,
            speaker_id: speaker.clone(),
            utterance_number: *n,
        })
    }
}
