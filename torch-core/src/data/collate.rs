//! Collation: [`default_collate`] (`torch.utils.data.default_collate`), which stacks the
//! samples of a batch along a new first dimension, and the [`DefaultCollate`] trait saying how
//! each sample type is stacked.

use crate::{Context, Error, Result, Tensor};

/// How a batch of samples of this type becomes one batched value (PyTorch's
/// `default_collate` rules): tensors are stacked (`torch.stack(batch, 0)`), `i64` / `f64` /
/// `bool` labels become a 1-D I64 / F64 / Bool tensor, and tuples and `Vec<Tensor>` are
/// collated field by field.
pub trait DefaultCollate: Sized + Send + 'static {
    /// The batched value.
    type Batch: Send + 'static;

    /// Collates `batch` (one entry per sample).
    fn collate(batch: Vec<Self>) -> Result<Self::Batch>;
}

/// Stacks a batch of samples (`torch.utils.data.default_collate`); shapes that differ are an
/// error naming `default_collate`, `stack` and both shapes.
pub fn default_collate<T: DefaultCollate>(batch: Vec<T>) -> Result<T::Batch> {
    T::collate(batch)
}

impl DefaultCollate for Tensor {
    type Batch = Tensor;
    fn collate(batch: Vec<Tensor>) -> Result<Tensor> {
        let refs: Vec<&Tensor> = batch.iter().collect();
        Tensor::stack(&refs, 0).context("default_collate")
    }
}

macro_rules! collate_scalar {
    ($t:ty) => {
        impl DefaultCollate for $t {
            type Batch = Tensor;
            fn collate(batch: Vec<$t>) -> Result<Tensor> {
                let n = batch.len();
                Tensor::from_vec(batch, &[n])
            }
        }
    };
}
collate_scalar!(i64);
collate_scalar!(f64);
collate_scalar!(bool);

impl DefaultCollate for Vec<Tensor> {
    type Batch = Vec<Tensor>;
    fn collate(batch: Vec<Vec<Tensor>>) -> Result<Vec<Tensor>> {
        let fields = batch.first().map_or(0, Vec::len);
        if let Some(bad) = batch.iter().find(|s| s.len() != fields) {
            return Err(Error::invalid(
                "default_collate",
                format!(
                    "each element in list of batch should be of equal size (got {fields} and {})",
                    bad.len()
                ),
            ));
        }
        (0..fields)
            .map(|j| {
                let column: Vec<&Tensor> = batch.iter().map(|s| &s[j]).collect();
                Tensor::stack(&column, 0).with_context(|| format!("default_collate: field {j}"))
            })
            .collect()
    }
}

impl<A: DefaultCollate, B: DefaultCollate> DefaultCollate for (A, B) {
    type Batch = (A::Batch, B::Batch);
    fn collate(batch: Vec<(A, B)>) -> Result<Self::Batch> {
        let (a, b): (Vec<A>, Vec<B>) = batch.into_iter().unzip();
        Ok((A::collate(a)?, B::collate(b)?))
    }
}

impl<A: DefaultCollate, B: DefaultCollate, C: DefaultCollate> DefaultCollate for (A, B, C) {
    type Batch = (A::Batch, B::Batch, C::Batch);
    fn collate(batch: Vec<(A, B, C)>) -> Result<Self::Batch> {
        let n = batch.len();
        let (mut a, mut b, mut c) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for (x, y, z) in batch {
            a.push(x);
            b.push(y);
            c.push(z);
        }
        Ok((A::collate(a)?, B::collate(b)?, C::collate(c)?))
    }
}
