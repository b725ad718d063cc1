//! What the examples share: progress bars ([`progress`]), training curves written as PNG
//! ([`plot`]), argument plumbing ([`cli`]), the `classify` example's logic ([`classify`]), the MNIST
//! classifier ([`mnist_cnn`]), the GAN examples' training steps and scoring ([`gan`]), loading
//! pretrained text models by name ([`pretrained`]) and the text examples' models
//! ([`text_classify`], [`char_lm`]).

pub mod char_lm;
pub mod classify;
pub mod cli;
pub mod epoch;
pub mod gan;
pub mod mnist_cnn;
pub mod plot;
pub mod pretrained;
pub mod progress;
pub mod text_classify;
