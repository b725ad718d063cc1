//! Pretrained model architectures in HuggingFace's layouts and key names (no renaming):
//! BERT and GPT-2, with the shared pieces (activations, config and weight loading).

mod activation;
pub mod bert;
pub(crate) mod config;
pub mod generation;
pub mod gpt2;
pub mod weights;

pub use activation::Activation;
