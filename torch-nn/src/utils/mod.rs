//! torch.nn.utils and torch.utils pieces models need: gradient clipping (`clip_grad_norm_`,
//! `clip_grad_value_`) and gradient checkpointing.

mod checkpoint;
mod clip_grad;

pub use self::checkpoint::checkpoint;
pub use self::clip_grad::{
    ClipGradNormOptions, clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm,
};
