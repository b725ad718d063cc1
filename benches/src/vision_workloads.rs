//! The torch-vision anchor workloads (issue "vtrans"): transforms on image tensors, mirrored
//! in `compare/bench_torch.py` with torchvision.transforms.v2.

use std::hint::black_box;

use torch_core::{DType, Tensor, TensorOptions};
use torch_vision::transforms::{Resize, Transform};

use crate::{Metric, Workload};

/// Input image of the resize workload, `(C, H, W)` uint8.
pub const RESIZE_IN: [usize; 3] = [3, 480, 640];
/// Output `(H, W)` of the resize workload (bilinear, antialias).
pub const RESIZE_OUT: [usize; 2] = [224, 298];

/// `v2.Resize((224, 298))` (bilinear, antialias=True) of a (3, 480, 640) uint8 image tensor.
fn resize_u8() -> Workload {
    Workload::new(
        "resize_u8_3x480x640_to_224x298_aa",
        Metric::MicrosPerIter,
        false,
        || {
            let x = Tensor::randint(0, 256, &RESIZE_IN, TensorOptions::default())?
                .to_dtype(DType::U8)?;
            let t = Resize::new(&RESIZE_OUT);
            Ok(Box::new(move || {
                black_box(t.forward(&x)?);
                Ok(())
            }))
        },
    )
}

/// The torch-vision workloads, in report order.
pub fn workloads() -> Vec<Workload> {
    vec![resize_u8()]
}
