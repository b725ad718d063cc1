//! torchtext's simple tokenizers (`torchtext.data.utils.get_tokenizer`): "basic_english"
//! (lower-case, punctuation split off, `<br />` dropped) and whitespace splitting, plus a
//! character tokenizer.

use torch_core::{Error, Result};

/// torchtext's `_basic_english_normalize` replacements, applied in this order after
/// lower-casing (`\s+` is left to the final whitespace split).
const BASIC_ENGLISH: [(&str, &str); 11] = [
    ("'", " '  "),
    ("\"", ""),
    (".", " . "),
    ("<br />", " "),
    (",", " , "),
    ("(", " ( "),
    (")", " ) "),
    ("!", " ! "),
    ("?", " ? "),
    (";", " "),
    (":", " "),
];

/// `get_tokenizer("basic_english")(line)`: lower-cases, splits off `' . , ( ) ! ?`, drops
/// `"`, `;`, `:` and `<br />`, then splits on whitespace.
pub fn basic_english(line: &str) -> Vec<String> {
    let mut s = line.to_lowercase();
    for (pattern, replacement) in BASIC_ENGLISH {
        if s.contains(pattern) {
            s = s.replace(pattern, replacement);
        }
    }
    s.split_whitespace().map(str::to_string).collect()
}

/// `get_tokenizer(None)(line)`: Python's `str.split()` (runs of whitespace).
pub fn split_whitespace(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_string).collect()
}

/// One token per Unicode scalar value (`list(line)` in Python).
pub fn character(line: &str) -> Vec<String> {
    line.chars().map(String::from).collect()
}

/// A tokenizer function, as `get_tokenizer` returns.
pub type TokenizerFn = fn(&str) -> Vec<String>;

/// `torchtext.data.utils.get_tokenizer(name)`: `"basic_english"`, `"split"` (torchtext's
/// `None`), or `"character"`; other names (spacy, moses, ...) are an error naming them.
pub fn get_tokenizer(name: &str) -> Result<TokenizerFn> {
    match name {
        "basic_english" => Ok(basic_english),
        "split" | "" => Ok(split_whitespace),
        "character" | "char" => Ok(character),
        other => Err(Error::invalid(
            "get_tokenizer",
            format!("tokenizer {other:?} is not available (basic_english, split, character)"),
        )),
    }
}
