//! `AudioFolder`: a generic `<root>/<class>/**/<file>` dataset of audio files (torchvision's
//! `DatasetFolder` layout for audio): classes are the sorted subfolder names.

use std::path::{Path, PathBuf};

use torch_core::data::Dataset;
use torch_core::{Error, Result, Tensor};

use super::out_of_range;
use crate::io::{LoadOptions, load};

/// The extensions `AudioFolder::new` accepts (those `io::load` decodes).
pub const AUDIO_EXTENSIONS: &[&str] = &["wav", "flac", "mp3", "ogg", "oga"];

/// Audio files grouped by class folder; `get` returns `(waveform, sample_rate, class_index)`.
#[derive(Clone, Debug)]
pub struct AudioFolder {
    /// The sorted class names (subfolders of the root).
    pub classes: Vec<String>,
    /// `(path, class index)`, sorted by path within each class.
    pub samples: Vec<(PathBuf, usize)>,
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let rd = std::fs::read_dir(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out)?;
        } else if p
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| AUDIO_EXTENSIONS.contains(&x.to_ascii_lowercase().as_str()))
        {
            out.push(p);
        }
    }
    Ok(())
}

impl AudioFolder {
    /// Indexes `root`; a root without class folders holding audio is an error.
    pub fn new(root: impl AsRef<Path>) -> Result<Self> {
        let root = root.as_ref();
        let rd = std::fs::read_dir(root).map_err(|source| Error::Io {
            path: root.to_path_buf(),
            source,
        })?;
        let mut classes: Vec<String> = rd
            .flatten()
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        classes.sort();
        let mut samples = Vec::new();
        for (i, c) in classes.iter().enumerate() {
            let mut files = Vec::new();
            walk(&root.join(c), &mut files)?;
            files.sort();
            samples.extend(files.into_iter().map(|f| (f, i)));
        }
        if samples.is_empty() {
            return Err(Error::format(
                root,
                format!(
                    "no audio files ({}) in class folders",
                    AUDIO_EXTENSIONS.join(", ")
                ),
            ));
        }
        Ok(AudioFolder { classes, samples })
    }
}

impl Dataset for AudioFolder {
    type Item = (Tensor, u32, usize);

    fn len(&self) -> usize {
        self.samples.len()
    }

    fn get(&self, index: usize) -> Result<(Tensor, u32, usize)> {
        let (path, class) = self
            .samples
            .get(index)
            .ok_or_else(|| out_of_range("AudioFolder", index, self.samples.len()))?;
        let (w, sr) = load(path, LoadOptions::default())?;
        Ok((w, sr, *class))
    }
}
