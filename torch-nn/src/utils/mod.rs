//! torch.nn.utils and torch.utils pieces models need: gradient clipping (`clip_grad_norm_`,
//! `clip_grad_value_`), gradient checkpointing, and whole training checkpoints.

mod checkpoint;
mod clip_grad;
mod training_checkpoint;

pub use self::checkpoint::checkpoint;
pub use self::clip_grad::{
    ClipGradNormOptions, clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm,
};
pub use self::training_checkpoint::{load_training_checkpoint, save_training_checkpoint};
