//! Text generation as `model.generate(...)` in transformers: greedy or sampled decoding with
//! HF's logits processors, `max_new_tokens`, stop on EOS (finished rows get `pad_token_id`),
//! a key/value cache, seeded sampling and a per-step streaming callback.

mod processors;

use torch_core::{DType, Error, Generator, Result, Tensor, autograd::no_grad};

pub use processors::{repetition_penalty, temperature, top_k, top_p};

use crate::models::gpt2::{GPT2LMHeadModel, KvCache};
use crate::models::weights::batch_and_len;

/// `transformers.GenerationConfig`'s decoding options, with its defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct GenerationConfig {
    /// Tokens to generate at most (`max_new_tokens`; 20).
    pub max_new_tokens: usize,
    /// Sample from the processed distribution (true) or take the argmax (false, default).
    pub do_sample: bool,
    /// Divide the logits by this before sampling (1.0; sampling only).
    pub temperature: f64,
    /// Keep the `top_k` most likely tokens (50, HF's default; `None` or 0 disables; sampling
    /// only).
    pub top_k: Option<usize>,
    /// Keep the smallest set of tokens with probability mass >= `top_p` (1.0 = off; sampling
    /// only).
    pub top_p: f64,
    /// Penalise tokens already in the sequence (1.0 = off; greedy and sampling).
    pub repetition_penalty: f64,
    /// Stop a row when it emits this token (`None`: the model config's `eos_token_id`).
    pub eos_token_id: Option<i64>,
    /// Token appended to finished rows (`None`: the model's, else `eos_token_id`).
    pub pad_token_id: Option<i64>,
    /// Reuse past keys/values (true): one new position per step.
    pub use_cache: bool,
}

impl Default for GenerationConfig {
    fn default() -> Self {
        GenerationConfig {
            max_new_tokens: 20,
            do_sample: false,
            temperature: 1.0,
            top_k: Some(50),
            top_p: 1.0,
            repetition_penalty: 1.0,
            eos_token_id: None,
            pad_token_id: None,
            use_cache: true,
        }
    }
}

/// The per-step callback of [`GPT2LMHeadModel::generate`]: the new token of every row.
pub type Streamer<'a> = &'a mut dyn FnMut(&[i64]);

/// Applies the processors HF's `generate` builds from `cfg`, in its order: repetition
/// penalty, then (sampling) temperature, top-k, top-p.
pub fn process_logits(
    scores: &Tensor,
    input_ids: &Tensor,
    cfg: &GenerationConfig,
) -> Result<Tensor> {
    let mut s = scores.clone();
    if cfg.repetition_penalty != 1.0 {
        s = repetition_penalty(&s, input_ids, cfg.repetition_penalty)?;
    }
    if cfg.do_sample {
        if cfg.temperature != 1.0 {
            s = temperature(&s, cfg.temperature)?;
        }
        if let Some(k) = cfg.top_k.filter(|&k| k > 0) {
            s = top_k(&s, k, 1)?;
        }
        if cfg.top_p < 1.0 {
            s = top_p(&s, cfg.top_p, 1)?;
        }
    }
    Ok(s)
}

/// HF's position ids under a padding mask: `cumsum(mask) - 1`, 1 on padding.
fn position_ids(mask: &[Vec<i64>], last: usize) -> Result<Tensor> {
    let rows: Vec<i64> = mask
        .iter()
        .flat_map(|m| {
            let mut c = -1;
            let all: Vec<i64> = m
                .iter()
                .map(|&x| {
                    c += x;
                    if x == 0 { 1 } else { c }
                })
                .collect();
            all[all.len() - last..].to_vec()
        })
        .collect();
    Tensor::from_vec(rows, &[mask.len(), last])
}

fn rows_to_tensor(rows: &[Vec<i64>]) -> Result<Tensor> {
    let len = rows.first().map_or(0, Vec::len);
    Tensor::from_vec(rows.concat(), &[rows.len(), len])
}

impl GPT2LMHeadModel {
    /// `model.generate(input_ids, attention_mask, ...)`: returns `(B, T + new)` ids, prompt
    /// included; stops early when every row has emitted EOS. `input_ids` `(B, T)` i64;
    /// `attention_mask` `(B, T)` marks left padding. Sampling draws from `generator` (seeded
    /// runs repeat), else the default generator. `streamer` receives each step's tokens.
    pub fn generate(
        &self,
        input_ids: &Tensor,
        attention_mask: Option<&Tensor>,
        cfg: &GenerationConfig,
        generator: Option<&Generator>,
        mut streamer: Option<Streamer<'_>>,
    ) -> Result<Tensor> {
        const OP: &str = "GPT2LMHeadModel.generate";
        let _g = no_grad();
        let (b, t) = batch_and_len(OP, input_ids)?;
        if t == 0 {
            return Err(Error::invalid(
                OP,
                "input_ids is empty: generate needs a prompt",
            ));
        }
        if t + cfg.max_new_tokens > self.config().n_positions {
            return Err(Error::invalid(
                OP,
                format!(
                    "{t} prompt tokens + max_new_tokens {} exceed n_positions {}",
                    cfg.max_new_tokens,
                    self.config().n_positions
                ),
            ));
        }
        let flat = input_ids
            .to_dtype(DType::I64)?
            .contiguous()?
            .to_vec::<i64>()?;
        let mut ids: Vec<Vec<i64>> = flat.chunks(t).map(<[i64]>::to_vec).collect();
        let mut mask: Vec<Vec<i64>> = match attention_mask {
            Some(m) if m.shape() == input_ids.shape() => m
                .to_dtype(DType::I64)?
                .contiguous()?
                .to_vec::<i64>()?
                .chunks(t)
                .map(<[i64]>::to_vec)
                .collect(),
            Some(m) => {
                return Err(Error::shape(
                    "GPT2LMHeadModel.generate (attention_mask)",
                    m.shape(),
                    input_ids.shape(),
                ));
            }
            None => vec![vec![1; t]; b],
        };
        let eos = cfg.eos_token_id.or(self.config().eos_token_id);
        let pad = cfg.pad_token_id.or(self.config().pad_token_id).or(eos);
        let mut finished = vec![false; b];
        let mut cache = cfg.use_cache.then(KvCache::new);
        for _ in 0..cfg.max_new_tokens {
            let (step_ids, step_len) = match &cache {
                Some(c) if c.seq_len() > 0 => (
                    ids.iter().map(|r| vec![r[r.len() - 1]]).collect::<Vec<_>>(),
                    1,
                ),
                _ => (ids.clone(), ids[0].len()),
            };
            let logits = self.forward(
                &rows_to_tensor(&step_ids)?,
                Some(&rows_to_tensor(&mask)?),
                Some(&position_ids(&mask, step_len)?),
                cache.as_mut(),
            )?;
            let last = logits.select(1, -1)?; // (B, V)
            let scores = process_logits(&last, &rows_to_tensor(&ids)?, cfg)?;
            let next = if cfg.do_sample {
                let probs = scores.softmax(-1)?;
                let s = match generator {
                    Some(g) => g.multinomial(&probs, 1, false)?,
                    None => probs.multinomial(1, false)?,
                };
                s.reshape(&[b as i64])?
            } else {
                scores.argmax(Some(-1), false)?
            };
            let mut next = next.to_dtype(DType::I64)?.to_vec::<i64>()?;
            for (row, tok) in next.iter_mut().enumerate() {
                if finished[row] {
                    *tok = pad.ok_or_else(|| {
                        Error::invalid(OP, "a finished row needs a pad_token_id or eos_token_id")
                    })?;
                }
                ids[row].push(*tok);
                mask[row].push(1);
                if Some(*tok) == eos {
                    finished[row] = true;
                }
            }
            if let Some(s) = streamer.as_mut() {
                s(&next);
            }
            if finished.iter().all(|&f| f) {
                break;
            }
        }
        rows_to_tensor(&ids)
    }
}
