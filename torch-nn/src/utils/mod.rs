//! torch.nn.utils and torch.utils pieces models need: gradient checkpointing.

mod checkpoint;

pub use checkpoint::checkpoint;
