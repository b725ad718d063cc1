//! `Vocab` (torchtext.vocab): a token ↔ index map built from token streams with `min_freq`,
//! `max_tokens` and special tokens, with an optional default index for unknown tokens.

use std::collections::HashMap;

use torch_core::{Error, Result};

/// Options of [`Vocab::build_from_iterator`], with torchtext's defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildVocabOptions {
    /// Tokens seen fewer times are left out (1).
    pub min_freq: usize,
    /// Special tokens (`<unk>`, `<pad>`, ...), added whatever their count (none).
    pub specials: Vec<String>,
    /// Put the specials first (true) or last.
    pub special_first: bool,
    /// At most this many tokens, specials included (`None`: no limit).
    pub max_tokens: Option<usize>,
}

impl Default for BuildVocabOptions {
    fn default() -> Self {
        BuildVocabOptions {
            min_freq: 1,
            specials: Vec::new(),
            special_first: true,
            max_tokens: None,
        }
    }
}

/// torchtext's `Vocab`: `itos` (index → token), `stoi` (token → index) and a default index
/// returned for tokens not in the vocabulary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Vocab {
    itos: Vec<String>,
    stoi: HashMap<String, usize>,
    default_index: Option<usize>,
}

impl Vocab {
    /// A vocabulary of `tokens` in order (`torchtext.vocab.vocab` on an ordered dict with
    /// min_freq 1); a repeated token keeps its first index.
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(tokens: I) -> Vocab {
        let mut v = Vocab::default();
        for t in tokens {
            v.append_token(t.into());
        }
        v
    }

    /// `build_vocab_from_iterator(iterator, min_freq, specials, special_first, max_tokens)`:
    /// tokens ordered by descending count, ties lexicographically (by code point).
    pub fn build_from_iterator<I, T, S>(iterator: I, options: &BuildVocabOptions) -> Result<Vocab>
    where
        I: IntoIterator<Item = T>,
        T: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        if options.min_freq == 0 {
            return Err(Error::invalid(
                "build_vocab_from_iterator",
                "min_freq must be at least 1",
            ));
        }
        let mut counts: HashMap<String, usize> = HashMap::new();
        for tokens in iterator {
            for t in tokens {
                *counts.entry(t.as_ref().to_string()).or_insert(0) += 1;
            }
        }
        let mut by_freq: Vec<(String, usize)> = counts.into_iter().collect();
        by_freq.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        if let Some(max) = options.max_tokens {
            by_freq.truncate(max.saturating_sub(options.specials.len()));
        }
        let words = by_freq
            .into_iter()
            .filter(|(t, c)| *c >= options.min_freq && !options.specials.contains(t))
            .map(|(t, _)| t);
        let specials = options.specials.iter().cloned();
        Ok(if options.special_first {
            Vocab::new(specials.chain(words))
        } else {
            Vocab::new(words.chain(specials))
        })
    }

    /// Number of tokens (`len(vocab)`).
    pub fn len(&self) -> usize {
        self.itos.len()
    }

    /// Whether the vocabulary is empty.
    pub fn is_empty(&self) -> bool {
        self.itos.is_empty()
    }

    /// Whether `token` is in the vocabulary (`token in vocab`).
    pub fn contains(&self, token: &str) -> bool {
        self.stoi.contains_key(token)
    }

    /// The index of `token` (`vocab[token]`); an unknown token gives the default index, or
    /// an error without one, as torchtext.
    pub fn get(&self, token: &str) -> Result<usize> {
        match (self.stoi.get(token), self.default_index) {
            (Some(&i), _) => Ok(i),
            (None, Some(d)) => Ok(d),
            (None, None) => Err(Error::invalid(
                "Vocab.__getitem__",
                format!("Token {token} not found and default index is not set"),
            )),
        }
    }

    /// `set_default_index(index)`: what unknown tokens map to (`None` unsets it).
    pub fn set_default_index(&mut self, index: Option<usize>) {
        self.default_index = index;
    }

    /// The default index (`get_default_index()`).
    pub fn get_default_index(&self) -> Option<usize> {
        self.default_index
    }

    /// Appends `token` at the end if it is new (`append_token`).
    pub fn append_token(&mut self, token: String) {
        if !self.stoi.contains_key(&token) {
            self.stoi.insert(token.clone(), self.itos.len());
            self.itos.push(token);
        }
    }

    /// Indices of `tokens` (`lookup_indices`).
    pub fn lookup_indices<S: AsRef<str>>(&self, tokens: &[S]) -> Result<Vec<usize>> {
        tokens.iter().map(|t| self.get(t.as_ref())).collect()
    }

    /// The token at `index` (`lookup_token`); out of range is an error.
    pub fn lookup_token(&self, index: usize) -> Result<&str> {
        self.itos.get(index).map(String::as_str).ok_or_else(|| {
            Error::invalid(
                "Vocab.lookup_token",
                format!(
                    "Specified index {index} is out of bounds for vocab of size {}",
                    self.itos.len()
                ),
            )
        })
    }

    /// Tokens at `indices` (`lookup_tokens`).
    pub fn lookup_tokens(&self, indices: &[usize]) -> Result<Vec<&str>> {
        indices.iter().map(|&i| self.lookup_token(i)).collect()
    }

    /// Index → token (`get_itos()`).
    pub fn get_itos(&self) -> &[String] {
        &self.itos
    }

    /// Token → index (`get_stoi()`).
    pub fn get_stoi(&self) -> &HashMap<String, usize> {
        &self.stoi
    }
}
