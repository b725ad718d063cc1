//! In-place writes and history (PyTorch's `rebase_history` and `CopySlices`): a write into a
//! tensor makes the written value its history; a write through a view makes its base's history
//! "the old base with the view's elements replaced by the value", and every view of that base
//! regenerates its own history from the base when the storage changed under it.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::autograd::node::{Node, edge_of, new_node};
use crate::autograd::{BackwardCtx, GradFn, is_grad_enabled};
use crate::layout::Layout;
use crate::{Error, Result, Tensor};

/// Gradient of "`base` with the elements that `view` selects replaced by `value`": the
/// gradient flows to `value` from those elements and to the old base from all the others.
/// Inputs: `[old base, value]`.
struct CopySlices {
    base: Layout,
    view: Layout,
}

impl CopySlices {
    /// Row-major indices into the base of the view's elements, in the view's row-major order.
    fn view_indices(&self) -> Result<Vec<i64>> {
        let base_off = self.base.offset();
        let mut idx = Vec::with_capacity(self.view.numel());
        if self.base.is_contiguous() {
            self.view
                .for_each_offset(|p| idx.push(p as i64 - base_off as i64));
            return Ok(idx);
        }
        // General base layout: invert its map from elements to storage positions.
        let mut inverse = vec![-1i64; self.base.storage_extent().max(base_off) - base_off];
        let mut i = 0;
        self.base.for_each_offset(|p| {
            inverse[p - base_off] = i;
            i += 1;
        });
        let mut missing = false;
        self.view.for_each_offset(|p| {
            let e = p
                .checked_sub(base_off)
                .and_then(|q| inverse.get(q).copied())
                .unwrap_or(-1);
            missing |= e < 0;
            idx.push(e);
        });
        if missing {
            return Err(Error::Autograd(
                "CopySlices: the written view reaches outside its base".into(),
            ));
        }
        Ok(idx)
    }
}

impl GradFn for CopySlices {
    fn name(&self) -> &'static str {
        "CopySlices"
    }

    fn backward(&self, ctx: &BackwardCtx, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let idx = self.view_indices()?;
        let n = self.base.numel();
        let flat = grad.reshape(&[-1])?;
        let old = if ctx.needs_input_grad(0) {
            let mut keep = vec![1.0f64; n];
            for &i in &idx {
                keep[i as usize] = 0.0;
            }
            let keep = Tensor::from_vec(keep, &[n])?.to_dtype(grad.dtype())?;
            Some(
                flat.mul(&keep)?
                    .reshape(&crate::shape::to_i64(grad.shape()))?,
            )
        } else {
            None
        };
        let value = if ctx.needs_input_grad(1) {
            let len = idx.len();
            let idx = Tensor::from_vec(idx, &[len])?;
            Some(
                flat.index_select(0, &idx)?
                    .reshape(&crate::shape::to_i64(self.view.shape()))?,
            )
        } else {
            None
        };
        Ok(vec![old, value])
    }
}

impl Tensor {
    /// For a view whose storage was written through another handle since its history was
    /// set: regenerates that history as `as_strided` of its base (PyTorch regenerates a
    /// view's `grad_fn` the same way). Cheap when nothing changed.
    #[inline]
    pub(crate) fn sync_view(&self) {
        if let Some(base) = &self.0.view_of
            && self.0.view_version.load(Ordering::Relaxed) != self.0.storage.version()
            && base.requires_grad()
            && is_grad_enabled()
        {
            self.regenerate_view_history(base);
        }
    }

    #[cold]
    fn regenerate_view_history(&self, base: &Tensor) {
        let version = self.0.storage.version();
        let l = self.layout();
        let Ok(regen) = base.as_strided(l.shape(), l.strides(), l.offset()) else {
            return; // the same geometry made this view, so it fits the storage
        };
        self.set_history(regen.grad_fn());
        self.0.view_version.store(version, Ordering::Relaxed);
    }

    /// PyTorch's refusal of in-place writes into a view of a leaf that requires grad.
    pub(crate) fn check_view_inplace(&self, op: &'static str) -> Result<()> {
        match &self.0.view_of {
            Some(base) if is_grad_enabled() && base.requires_grad() && base.is_leaf() => {
                Err(Error::Autograd(format!(
                    "{op}: a view of a leaf Variable that requires grad is being used in an in-place operation."
                )))
            }
            _ => Ok(()),
        }
    }

    /// After `self`'s elements were overwritten with `value` (already broadcast to `self`'s
    /// shape and cast to its dtype): makes the history of `self` (and of its base, for a
    /// view) reflect the write. Called in grad mode only.
    pub(crate) fn rebase_history(&self, value: &Tensor) -> Result<()> {
        let target = self.0.view_of.as_ref().unwrap_or(self);
        if !value.requires_grad() && !target.requires_grad() {
            return Ok(());
        }
        if self.0.view_of.is_none()
            && let Some(node) = value.grad_fn()
        {
            // The whole tensor was replaced: its history is the value's.
            self.set_history(Some(node));
            return Ok(());
        }
        let node = new_node(
            Box::new(CopySlices {
                base: target.layout().clone(),
                view: self.layout().clone(),
            }),
            [edge_of(target), edge_of(value)].into_iter().collect(),
            target.shape(),
            target.dtype(),
        );
        target.set_history(Some(node));
        if self.0.view_of.is_some() {
            self.regenerate_view_history(target);
        }
        Ok(())
    }

    fn set_history(&self, node: Option<Arc<Node>>) {
        self.meta().grad_fn = node;
        self.0.requires_grad.store(true, Ordering::Relaxed);
    }
}
