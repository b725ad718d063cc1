//! `gradcheck` and `gradgradcheck`: analytical gradients against central finite differences
//! in f64 (DESIGN R17), as `torch.autograd.gradcheck`.

use crate::autograd::{GradOptions, grad, no_grad};
use crate::{DType, Error, Result, Tensor};

/// Tolerances of `gradcheck`, PyTorch's defaults.
#[derive(Clone, Copy, Debug)]
pub struct GradcheckOptions {
    pub eps: f64,
    pub atol: f64,
    pub rtol: f64,
}

impl Default for GradcheckOptions {
    fn default() -> Self {
        GradcheckOptions {
            eps: 1e-6,
            atol: 1e-5,
            rtol: 1e-3,
        }
    }
}

/// Checks the gradients of `f` at `inputs` (f64 leaves that require grad) against finite
/// differences; `Ok(())` or an error naming the first mismatching entry.
pub fn gradcheck(
    f: impl Fn(&[Tensor]) -> Result<Tensor>,
    inputs: &[Tensor],
    opts: GradcheckOptions,
) -> Result<()> {
    for t in inputs {
        if t.dtype() != DType::F64 {
            return Err(Error::invalid(
                "gradcheck",
                format!("inputs must be float64, got {:?}", t.dtype()),
            ));
        }
    }
    let inputs: Vec<Tensor> = inputs
        .iter()
        .map(|t| t.deep_clone()?.detach().requires_grad_(true))
        .collect::<Result<_>>()?;
    let out = f(&inputs)?;
    let n_out = out.numel();
    // Analytical Jacobian rows: one vector-Jacobian product per output element.
    let mut analytical: Vec<Vec<Vec<f64>>> = inputs
        .iter()
        .map(|t| vec![vec![0.0; n_out]; t.numel()])
        .collect();
    for j in 0..if out.requires_grad() { n_out } else { 0 } {
        let mut v = vec![0.0f64; n_out];
        v[j] = 1.0;
        let go = Tensor::from_vec(v, out.shape())?;
        let gs = grad(
            std::slice::from_ref(&out),
            &inputs,
            GradOptions {
                grad_outputs: Some(vec![go]),
                retain_graph: Some(true),
                allow_unused: true,
                ..Default::default()
            },
        )?;
        for (i, g) in gs.iter().enumerate() {
            if let Some(g) = g {
                for (k, val) in g.to_vec_f64()?.into_iter().enumerate() {
                    analytical[i][k][j] = val;
                }
            }
        }
    }
    // Numerical Jacobian by central differences.
    let _g = no_grad();
    for (i, t) in inputs.iter().enumerate() {
        let base = t.to_vec::<f64>()?;
        for k in 0..base.len() {
            let eval = |delta: f64| -> Result<Vec<f64>> {
                let mut v = base.clone();
                v[k] += delta;
                let mut args = inputs.clone();
                args[i] = Tensor::from_vec(v, t.shape())?;
                f(&args)?.to_vec_f64()
            };
            let (plus, minus) = (eval(opts.eps)?, eval(-opts.eps)?);
            for j in 0..n_out {
                let num = (plus[j] - minus[j]) / (2.0 * opts.eps);
                let ana = analytical[i][k][j];
                if (num - ana).abs() > opts.atol + opts.rtol * num.abs() {
                    return Err(Error::Autograd(format!(
                        "Jacobian mismatch for output {j} with respect to input {i}, element {k}: numerical {num}, analytical {ana}"
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Checks that the gradient of `f` is itself correctly differentiable (second derivatives),
/// as `torch.autograd.gradgradcheck`, with a fixed vector `v` of ones as grad_output.
pub fn gradgradcheck(
    f: impl Fn(&[Tensor]) -> Result<Tensor>,
    inputs: &[Tensor],
    opts: GradcheckOptions,
) -> Result<()> {
    let first = |xs: &[Tensor]| -> Result<Tensor> {
        // The numerical pass calls this under no_grad with plain inputs: the first
        // derivative still has to be computed by autograd there.
        let _g = crate::autograd::enable_grad();
        let xs: Vec<Tensor> = xs
            .iter()
            .map(|x| {
                if x.requires_grad() {
                    Ok(x.clone())
                } else {
                    x.detach().requires_grad_(true)
                }
            })
            .collect::<Result<_>>()?;
        let xs = &xs[..];
        let out = f(xs)?;
        let go = out.ones_like()?.mul_scalar(0.5)?.add_scalar(0.25)?;
        let gs = grad(
            std::slice::from_ref(&out),
            xs,
            GradOptions {
                grad_outputs: Some(vec![go]),
                create_graph: true,
                allow_unused: true,
                ..Default::default()
            },
        )?;
        let flat: Vec<Tensor> = gs
            .into_iter()
            .zip(xs)
            .map(|(g, x)| match g {
                Some(g) => g.reshape(&[-1]),
                None => x.zeros_like()?.reshape(&[-1]),
            })
            .collect::<Result<_>>()?;
        Tensor::cat(&flat.iter().collect::<Vec<_>>(), 0)
    };
    gradcheck(first, inputs, opts)
}
