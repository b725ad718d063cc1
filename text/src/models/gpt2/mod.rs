//! GPT-2 in HuggingFace's layout: `GPT2Config`, `GPT2Model`, `GPT2LMHeadModel` (tied head,
//! key/value cache); `generate` lives in `models::generation`.

mod config;
mod layers;
mod model;

pub use config::GPT2Config;
pub use layers::{Conv1D, GPT2Attention, GPT2Block, GPT2MLP, LayerCache};
pub use model::{GPT2LMHeadModel, GPT2Model, KvCache};
