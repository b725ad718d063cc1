//! What the examples share: progress bars ([`progress`]), training curves written as PNG
//! ([`plot`]), argument plumbing ([`cli`]), the `classify` example's logic ([`classify`]), the MNIST
//! classifier ([`mnist_cnn`]), loading pretrained text models by name ([`pretrained`]) and the GAN examples' training steps and scoring ([`gan`]).

pub mod classify;
pub mod cli;
pub mod gan;
pub mod mnist_cnn;
pub mod plot;
pub mod pretrained;
pub mod progress;
