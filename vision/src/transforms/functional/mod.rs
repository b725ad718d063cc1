//! torchvision.transforms.v2.functional on image tensors `(..., C, H, W)` (uint8 or float):
//! the math behind the transform modules, usable directly.

mod affine;
mod color;
mod geometry;
pub(crate) mod image;
mod misc;
mod resize;

pub use affine::{AffineOptions, RotateOptions, affine, get_inverse_affine_matrix, rotate};
pub use color::{
    adjust_brightness, adjust_contrast, adjust_hue, adjust_saturation, rgb_to_grayscale,
};
pub use geometry::{
    PaddingMode, center_crop, crop, horizontal_flip, pad, parse_padding, rot90, vertical_flip,
};
pub use misc::{erase, gaussian_blur, normalize, to_dtype};
pub use resize::{
    InterpolationMode, ResizeOptions, compute_resized_output_size, resize, resized_crop,
};

/// `F.to_image` on a tensor: a 2-d `(H, W)` tensor gains a channel dim; others pass through.
pub fn to_image(x: &torch_core::Tensor) -> torch_core::Result<torch_core::Tensor> {
    if x.dim() == 2 {
        x.unsqueeze(0)
    } else {
        Ok(x.clone())
    }
}
