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
