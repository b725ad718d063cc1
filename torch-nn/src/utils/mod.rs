//! torch.nn.utils: gradient clipping (`clip_grad_norm_`, `clip_grad_value_`).

mod clip_grad;

pub use self::clip_grad::{
    ClipGradNormOptions, clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm,
};
