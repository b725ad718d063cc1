//! `linear` and `bilinear` (torch.nn.functional's).

use torch_core::{Error, Result, Tensor};

/// `x @ weight.T + bias`, as `F.linear`; `x` is `(*, in)`, `weight` `(out, in)`.
pub fn linear(x: &Tensor, weight: &Tensor, bias: Option<&Tensor>) -> Result<Tensor> {
    let in_features = weight.shape().get(1).copied().unwrap_or(0);
    if weight.dim() != 2 || x.shape().last() != Some(&in_features) {
        return Err(Error::ShapeMismatch {
            op: "linear",
            lhs: x.shape().to_vec(),
            rhs: weight.shape().to_vec(),
            detail: "input's last dim must equal weight's in_features, weight is (out, in)".into(),
        });
    }
    match (x.dim(), bias) {
        (2, Some(b)) => b.addmm(x, &weight.t()?, 1.0, 1.0),
        // As ATen: a contiguous (*, in) input is viewed as 2-D so the bias joins the product.
        (d, Some(b)) if d > 2 && x.is_contiguous() => {
            let mut shape: Vec<i64> = x.shape()[..d - 1].iter().map(|&n| n as i64).collect();
            let y = b.addmm(
                &x.reshape(&[-1, in_features as i64])?,
                &weight.t()?,
                1.0,
                1.0,
            )?;
            shape.push(weight.shape()[0] as i64);
            y.reshape(&shape)
        }
        (_, Some(b)) => x.matmul(&weight.t()?)?.add(b),
        (_, None) => x.matmul(&weight.t()?),
    }
}

/// `x1ᵀ A x2 + b` per output feature, as `F.bilinear`; `x1` `(*, in1)`, `x2` `(*, in2)`,
/// `weight` `(out, in1, in2)`.
pub fn bilinear(
    x1: &Tensor,
    x2: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
) -> Result<Tensor> {
    let y = Tensor::einsum("...i,oij,...j->...o", &[x1, weight, x2])?;
    match bias {
        Some(b) => y.add(b),
        None => Ok(y),
    }
}
