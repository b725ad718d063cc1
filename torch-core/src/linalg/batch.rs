//! Batched matrices for the faer kernels (a `(*, m, n)` tensor read once into row-major
//! buffers, results written back as tensors), PyTorch's "(Batch element k): " error prefix,
//! and the autograd node of ops with several outputs (QR, SVD, eigh).

use faer::MatRef;

use crate::autograd::{BackwardCtx, GradFn, SavedTensor, is_grad_enabled, record};
use crate::shape::{Dims, to_i64};
use crate::{Element, Error, Result, Tensor, TensorOptions};

/// The matrices of a `(*, m, n)` tensor as one contiguous row-major buffer.
pub(super) struct Batch<T> {
    data: Vec<T>,
    /// Leading (batch) dims.
    pub batch: Dims,
    pub m: usize,
    pub n: usize,
}

impl<T: Element> Batch<T> {
    /// Reads `a` (any layout); `T` must be its dtype.
    pub fn new(a: &Tensor) -> Result<Self> {
        let d = a.dim();
        // An empty tensor is not read: its storage has no elements to view.
        let data = if a.numel() == 0 {
            Vec::new()
        } else {
            a.to_vec::<T>()?
        };
        Ok(Batch {
            data,
            batch: a.shape()[..d - 2].into(),
            m: a.shape()[d - 2],
            n: a.shape()[d - 1],
        })
    }

    /// Number of matrices.
    pub fn count(&self) -> usize {
        self.batch.iter().product()
    }

    /// Matrix `i` as a faer view.
    pub fn mat(&self, i: usize) -> MatRef<'_, T> {
        let s = self.m * self.n;
        MatRef::from_row_major_slice(&self.data[i * s..(i + 1) * s], self.m, self.n)
    }

    /// The batch shape followed by `tail` (the shape of a per-matrix result).
    pub fn shape_with(&self, tail: &[usize]) -> Vec<usize> {
        self.batch.iter().chain(tail).copied().collect()
    }

    /// Whether the input had batch dims (PyTorch then names the failing batch element).
    pub fn is_batched(&self) -> bool {
        !self.batch.is_empty()
    }
}

/// `Tensor::from_vec` that also builds empty results. An empty tensor is made as a view of a
/// one-element storage: a zero-length storage is not aligned for f32/f64 in `storage.rs`.
pub(super) fn tensor_from_vec<T: Element>(data: Vec<T>, shape: &[usize]) -> Result<Tensor> {
    if data.is_empty() && crate::shape::numel(shape) == 0 {
        return Tensor::from_vec(vec![T::default()], &[1])?
            .narrow(0, 0, 0)?
            .reshape(&to_i64(shape));
    }
    Tensor::from_vec(data, shape)
}

/// Appends `m` to `out` in row-major order.
pub(super) fn push_mat<T: Element>(out: &mut Vec<T>, m: MatRef<'_, T>) {
    for i in 0..m.nrows() {
        for j in 0..m.ncols() {
            out.push(m[(i, j)]);
        }
    }
}

/// PyTorch's `LinAlgError`: `"{op}: (Batch element {k}): {msg}"` for batched inputs.
pub(super) fn linalg_error(op: &'static str, batched: bool, index: usize, msg: String) -> Error {
    if batched {
        Error::invalid(op, format!("(Batch element {index}): {msg}"))
    } else {
        Error::invalid(op, msg)
    }
}

/// The backward rule of an op with several outputs. `grads[k]` is `None` when output `k`
/// received no gradient (PyTorch's undefined gradients), so a rule can skip terms that would
/// divide by zero for unused outputs, as PyTorch's `svd_backward` and `linalg_eig_backward` do.
pub(super) trait MultiGradFn: Send + Sync {
    fn name(&self) -> &'static str;
    /// Gradients for the inputs; `outputs` are the op's results (carrying history under
    /// `create_graph`, so the rule is differentiable again).
    fn backward(
        &self,
        ctx: &BackwardCtx,
        grads: &[Option<Tensor>],
        outputs: &[Tensor],
    ) -> Result<Vec<Option<Tensor>>>;
}

/// `cat` along dim 0 of the 1-D `parts` that have elements (the flags are never empty).
fn cat_nonempty(parts: &[Tensor]) -> Result<Tensor> {
    Tensor::cat(
        &parts.iter().filter(|t| t.numel() > 0).collect::<Vec<_>>(),
        0,
    )
}

/// Where each output lives in the packed result: the outputs, flattened one after the other,
/// then one flag per output. An output's own backward writes its gradient into its slot and a
/// 1 into its flag, so the op's node can tell an unused output from a zero gradient.
#[derive(Clone)]
struct Packing {
    shapes: Vec<Dims>,
    offsets: Vec<usize>,
    /// Elements before the flags.
    len: usize,
}

impl Packing {
    fn total(&self) -> usize {
        self.len + self.shapes.len()
    }

    /// The outputs as views of the packed tensor, each recorded with `OutputBackward`.
    fn split(&self, packed: &Tensor) -> Result<Vec<Tensor>> {
        let plain = packed.detach();
        (0..self.shapes.len())
            .map(|k| {
                let n = crate::shape::numel(&self.shapes[k]);
                let v = plain
                    .narrow(0, self.offsets[k] as i64, n)?
                    .reshape(&to_i64(&self.shapes[k]))?;
                Ok(record(v, &[packed], |_| {
                    Box::new(OutputBackward {
                        k,
                        packing: self.clone(),
                    })
                }))
            })
            .collect()
    }
}

/// Output `k` of a multi-output op: its gradient placed in the packed layout, flag set.
struct OutputBackward {
    k: usize,
    packing: Packing,
}

impl GradFn for OutputBackward {
    fn name(&self) -> &'static str {
        "OutputBackward"
    }
    fn backward(&self, _: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let p = &self.packing;
        let opts = TensorOptions::default().dtype(g.dtype());
        let start = p.offsets[self.k];
        let end = start + g.numel();
        let mut flags = vec![0.0; p.shapes.len()];
        flags[self.k] = 1.0;
        let mut parts = Vec::with_capacity(4);
        if start > 0 {
            parts.push(Tensor::zeros(&[start], opts)?);
        }
        if end > start {
            parts.push(g.reshape(&[-1])?);
        }
        if p.len > end {
            parts.push(Tensor::zeros(&[p.len - end], opts)?);
        }
        parts.push(Tensor::from_vec(flags, &[p.shapes.len()])?.to_dtype(g.dtype())?);
        Ok(vec![Some(cat_nonempty(&parts)?)])
    }
}

/// The node of the whole op: splits the packed gradient and calls the rule.
struct MultiBackward {
    packing: Packing,
    packed: SavedTensor,
    rule: Box<dyn MultiGradFn>,
}

impl GradFn for MultiBackward {
    fn name(&self) -> &'static str {
        self.rule.name()
    }
    fn backward(&self, ctx: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let p = &self.packing;
        let flags = g.narrow(0, p.len as i64, p.shapes.len())?.to_vec_f64()?;
        let grads = (0..p.shapes.len())
            .map(|k| {
                if flags[k] == 0.0 {
                    return Ok(None);
                }
                let n = crate::shape::numel(&p.shapes[k]);
                g.narrow(0, p.offsets[k] as i64, n)?
                    .reshape(&to_i64(&p.shapes[k]))
                    .map(Some)
            })
            .collect::<Result<Vec<_>>>()?;
        let outputs = p.split(&self.packed.unpack(ctx)?)?;
        self.rule.backward(ctx, &grads, &outputs)
    }
}

/// Attaches one autograd node computing all of `outputs` from `inputs` (PyTorch's
/// multi-output functions); returns the outputs unchanged when nothing is recorded.
pub(super) fn record_multi(
    outputs: Vec<Tensor>,
    inputs: &[&Tensor],
    rule: impl FnOnce() -> Box<dyn MultiGradFn>,
) -> Result<Vec<Tensor>> {
    if !is_grad_enabled() || !inputs.iter().any(|t| t.requires_grad()) {
        return Ok(outputs);
    }
    let mut offsets = Vec::with_capacity(outputs.len());
    let mut len = 0;
    for o in &outputs {
        offsets.push(len);
        len += o.numel();
    }
    let packing = Packing {
        shapes: outputs.iter().map(|o| o.shape().into()).collect(),
        offsets,
        len,
    };
    let dtype = outputs.first().map_or(crate::DEFAULT_FLOAT, |o| o.dtype());
    let mut flat = outputs
        .iter()
        .map(|o| o.reshape(&[-1]))
        .collect::<Result<Vec<_>>>()?;
    flat.push(Tensor::zeros(
        &[packing.shapes.len()],
        TensorOptions::default().dtype(dtype),
    )?);
    let packed = cat_nonempty(&flat)?;
    debug_assert_eq!(packed.numel(), packing.total());
    let packed = record(packed, inputs, |out| {
        Box::new(MultiBackward {
            packing: packing.clone(),
            packed: SavedTensor::output(out),
            rule: rule(),
        })
    });
    packing.split(&packed)
}
