//! Scalar draws for the random transforms, from a transform's own generator or the global
//! one (torchvision draws each parameter with `torch.empty(1).uniform_`, `torch.randint`,
//! `torch.rand(1)` and `torch.randperm`).

use std::sync::Arc;

use torch_core::{DType, Error, Generator, Result, TensorOptions, default_generator};

/// A transform's generator: its own, or the global one (`torch.manual_seed`).
pub(crate) fn gen_of(g: &Option<Arc<Generator>>) -> &Generator {
    g.as_deref().unwrap_or(default_generator())
}

/// One draw uniform on `[low, high)` (`torch.empty(1).uniform_(low, high).item()`).
pub(crate) fn uniform(g: &Generator, low: f64, high: f64) -> Result<f64> {
    g.uniform(&[1], low, high, TensorOptions::default().dtype(DType::F64))?
        .item()
}

/// One integer uniform on `[low, high)` (`torch.randint(low, high, (1,)).item()`).
pub(crate) fn randint(g: &Generator, low: i64, high: i64) -> Result<i64> {
    Ok(g.randint(low, high, &[1], TensorOptions::default())?
        .item()? as i64)
}

/// `torch.rand(1) < p`: whether a `p`-probability transform applies.
pub(crate) fn coin(g: &Generator, p: f64) -> Result<bool> {
    Ok(uniform(g, 0.0, 1.0)? < p)
}

/// A random permutation of `0..n` (`torch.randperm(n)`).
pub(crate) fn randperm(g: &Generator, n: usize) -> Result<Vec<usize>> {
    Ok(g.randperm(n, TensorOptions::default())?
        .to_vec_f64()?
        .into_iter()
        .map(|v| v as usize)
        .collect())
}

/// `scale` and `ratio` must be `(min, max)` ranges (RandomResizedCrop, RandomErasing).
pub(crate) fn check_scale_ratio(
    op: &'static str,
    scale: (f64, f64),
    ratio: (f64, f64),
) -> Result<()> {
    if scale.0 > scale.1 || ratio.0 > ratio.1 || ratio.0 <= 0.0 {
        return Err(Error::invalid(
            op,
            format!(
                "scale and ratio should be of kind (min, max) with a positive ratio, got scale {scale:?}, ratio {ratio:?}"
            ),
        ));
    }
    Ok(())
}
