//! Dropout (torch.nn.functional's), drawing masks from the default generator.

use torch_core::{Error, Result, Tensor};

fn check_p(op: &'static str, p: f64) -> Result<()> {
    if !(0.0..=1.0).contains(&p) {
        return Err(Error::invalid(
            op,
            format!("dropout probability has to be between 0 and 1, but got {p}"),
        ));
    }
    Ok(())
}

/// Zeroes each element with probability `p` and scales the rest by `1 / (1 - p)` in training
/// mode, as `F.dropout(x, p=0.5, training=True)`; the identity otherwise.
pub fn dropout(x: &Tensor, p: f64, training: bool) -> Result<Tensor> {
    check_p("dropout", p)?;
    if !training || p == 0.0 {
        return Ok(x.clone());
    }
    if p == 1.0 {
        return x.mul_scalar(0.0);
    }
    let keep = x.rand_like()?.ge_scalar(p)?.to_dtype(x.dtype())?;
    x.mul(&keep.mul_scalar(1.0 / (1.0 - p))?)
}

/// Zeroes whole channels (dim 1 of `(N, C, H, W)`, or dim 0 of unbatched `(C, H, W)`) with
/// probability `p`, as `F.dropout2d`.
pub fn dropout2d(x: &Tensor, p: f64, training: bool) -> Result<Tensor> {
    check_p("dropout2d", p)?;
    if !training || p == 0.0 {
        return Ok(x.clone());
    }
    if x.dim() != 3 && x.dim() != 4 {
        return Err(Error::invalid(
            "dropout2d",
            format!("expected 3D or 4D input, got {:?}", x.shape()),
        ));
    }
    // Channel-wise mask: the spatial dims broadcast.
    let keep_dims = x.dim() - 2;
    let mut shape: Vec<usize> = x.shape()[..keep_dims].to_vec();
    shape.extend([1, 1]);
    let opts = torch_core::TensorOptions::default().dtype(x.dtype());
    let keep = Tensor::rand(&shape, opts)?
        .ge_scalar(p)?
        .to_dtype(x.dtype())?;
    x.mul(&keep.mul_scalar(1.0 / (1.0 - p))?)
}
