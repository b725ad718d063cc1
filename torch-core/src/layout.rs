//! `Layout`: shape, strides (in elements) and offset of a view into a storage (DESIGN R9).
//! Every view op is layout math here; no data moves.

use crate::shape::{Dims, contiguous_strides, numel};
use crate::{Error, Result};

/// How a tensor's elements sit in its storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    pub(crate) shape: Dims,
    pub(crate) strides: Dims,
    pub(crate) offset: usize,
}

impl Layout {
    /// A contiguous row-major layout starting at 0.
    pub fn contiguous(shape: &[usize]) -> Self {
        Layout {
            shape: Dims::from_slice(shape),
            strides: contiguous_strides(shape),
            offset: 0,
        }
    }

    /// Sizes.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Strides in elements.
    pub fn strides(&self) -> &[usize] {
        &self.strides
    }

    /// Offset of the first element in elements.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Number of elements.
    pub fn numel(&self) -> usize {
        numel(&self.shape)
    }

    /// Row-major contiguous (size-1 dims may have any stride, as in PyTorch).
    pub fn is_contiguous(&self) -> bool {
        if self.numel() == 0 {
            return true;
        }
        let mut expected = 1;
        for i in (0..self.shape.len()).rev() {
            if self.shape[i] == 1 {
                continue;
            }
            if self.strides[i] != expected {
                return false;
            }
            expected *= self.shape[i];
        }
        true
    }

    /// One past the largest storage index this layout touches (0 if empty).
    pub fn storage_extent(&self) -> usize {
        if self.numel() == 0 {
            return self.offset;
        }
        self.offset
            + self
                .shape
                .iter()
                .zip(&self.strides)
                .map(|(&s, &st)| (s - 1) * st)
                .sum::<usize>()
            + 1
    }

    /// This layout broadcast to `shape` (stride 0 on expanded dims).
    pub fn broadcast_to(&self, op: &'static str, shape: &[usize]) -> Result<Layout> {
        let n = shape.len();
        if self.shape.len() > n {
            return Err(Error::ShapeMismatch {
                op,
                lhs: self.shape.to_vec(),
                rhs: shape.to_vec(),
                detail: "the number of sizes provided must be greater or equal to the number of dimensions in the tensor".into(),
            });
        }
        let lead = n - self.shape.len();
        let mut strides = Dims::with_capacity(n);
        for (i, &target) in shape.iter().enumerate() {
            if i < lead {
                strides.push(0);
                continue;
            }
            let (s, st) = (self.shape[i - lead], self.strides[i - lead]);
            if s == target {
                strides.push(if s == 1 { 0 } else { st });
            } else if s == 1 {
                strides.push(0);
            } else {
                return Err(Error::ShapeMismatch {
                    op,
                    lhs: self.shape.to_vec(),
                    rhs: shape.to_vec(),
                    detail: format!(
                        "the expanded size of the tensor ({target}) must match the existing size ({s}) at non-singleton dimension {i}"
                    ),
                });
            }
        }
        Ok(Layout {
            shape: Dims::from_slice(shape),
            strides,
            offset: self.offset,
        })
    }

    /// Reorders dims; `perm` must be a permutation of `0..ndim`.
    pub fn permute(&self, perm: &[usize]) -> Layout {
        Layout {
            shape: perm.iter().map(|&p| self.shape[p]).collect(),
            strides: perm.iter().map(|&p| self.strides[p]).collect(),
            offset: self.offset,
        }
    }

    /// Keeps `len` elements of `dim` from `start`.
    pub fn narrow(&self, dim: usize, start: usize, len: usize) -> Layout {
        let mut l = self.clone();
        l.offset += start * self.strides[dim];
        l.shape[dim] = len;
        l
    }

    /// Every `step`-th element of `dim` from `start`, `len` of them.
    pub fn slice_step(&self, dim: usize, start: usize, len: usize, step: usize) -> Layout {
        let mut l = self.narrow(dim, start, len);
        l.strides[dim] *= step;
        l
    }

    /// Removes `dim` at `index`.
    pub fn select(&self, dim: usize, index: usize) -> Layout {
        let mut l = self.clone();
        l.offset += index * self.strides[dim];
        l.shape.remove(dim);
        l.strides.remove(dim);
        l
    }

    /// Inserts a size-1 dim at `dim`.
    pub fn unsqueeze(&self, dim: usize) -> Layout {
        let mut l = self.clone();
        let st = if dim < self.shape.len() {
            self.strides[dim] * self.shape[dim]
        } else {
            1
        };
        l.shape.insert(dim, 1);
        l.strides.insert(dim, st);
        l
    }

    /// PyTorch's `computeStride`: strides for viewing this layout as `new_shape` without a
    /// copy, or `None` when the strides do not allow it.
    pub fn view(&self, new_shape: &[usize]) -> Option<Layout> {
        let old_numel = self.numel();
        if old_numel == 0 || self.shape.is_empty() {
            return Some(Layout {
                shape: new_shape.into(),
                strides: contiguous_strides(new_shape),
                offset: self.offset,
            });
        }
        let mut new_strides: Dims = smallvec::smallvec![0; new_shape.len()];
        let mut view_d = new_shape.len() as isize - 1;
        let mut chunk_base_stride = *self.strides.last()?;
        let mut tensor_numel = 1;
        let mut view_numel = 1;
        for tensor_d in (0..self.shape.len()).rev() {
            tensor_numel *= self.shape[tensor_d];
            if tensor_d == 0
                || (self.shape[tensor_d - 1] != 1
                    && self.strides[tensor_d - 1] != tensor_numel * chunk_base_stride)
            {
                while view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d as usize] == 1)
                {
                    new_strides[view_d as usize] = view_numel * chunk_base_stride;
                    view_numel *= new_shape[view_d as usize];
                    view_d -= 1;
                }
                if view_numel != tensor_numel {
                    return None;
                }
                if tensor_d > 0 {
                    chunk_base_stride = self.strides[tensor_d - 1];
                    tensor_numel = 1;
                    view_numel = 1;
                }
            }
        }
        if view_d != -1 {
            return None;
        }
        Some(Layout {
            shape: new_shape.into(),
            strides: new_strides,
            offset: self.offset,
        })
    }

    /// Visits the storage offset of every element in row-major order.
    #[inline]
    pub fn for_each_offset(&self, mut f: impl FnMut(usize)) {
        if self.is_contiguous() {
            (self.offset..self.offset + self.numel()).for_each(f);
            return;
        }
        StridedIter::new(&self.shape, &[&self.strides], &[self.offset], 0)
            .run(self.numel(), |o| f(o[0]));
    }
}

/// Walks several strided operands over one shape in row-major order, starting at a linear
/// index, with a tight inner loop over the last dim.
pub(crate) struct StridedIter<'a, const N: usize> {
    shape: &'a [usize],
    strides: [&'a [usize]; N],
    index: Dims,
    offsets: [usize; N],
}

impl<'a, const N: usize> StridedIter<'a, N> {
    /// Positions the walk at linear index `start`.
    pub fn new(
        shape: &'a [usize],
        strides: &[&'a [usize]; N],
        base: &[usize; N],
        start: usize,
    ) -> Self {
        let mut index: Dims = smallvec::smallvec![0; shape.len()];
        let mut rem = start;
        let mut offsets = *base;
        for d in (0..shape.len()).rev() {
            let s = shape[d].max(1);
            index[d] = rem % s;
            rem /= s;
            for k in 0..N {
                offsets[k] += index[d] * strides[k][d];
            }
        }
        StridedIter {
            shape,
            strides: *strides,
            index,
            offsets,
        }
    }

    /// Calls `f` with the operand offsets of the next `count` elements.
    #[inline]
    pub fn run(&mut self, mut count: usize, mut f: impl FnMut([usize; N])) {
        let nd = self.shape.len();
        if nd == 0 {
            if count > 0 {
                f(self.offsets);
            }
            return;
        }
        let last = nd - 1;
        let inner = self.shape[last];
        let inner_strides: [usize; N] = std::array::from_fn(|k| self.strides[k][last]);
        while count > 0 {
            let run = (inner - self.index[last]).min(count);
            let mut o = self.offsets;
            for _ in 0..run {
                f(o);
                for (ok, s) in o.iter_mut().zip(&inner_strides) {
                    *ok += s;
                }
            }
            count -= run;
            // Advance the counter by `run` along the last dim, carrying into outer dims.
            self.index[last] += run;
            for (o, s) in self.offsets.iter_mut().zip(&inner_strides) {
                *o += run * s;
            }
            let mut d = last;
            while self.index[d] == self.shape[d] && d > 0 {
                for k in 0..N {
                    self.offsets[k] -= self.shape[d] * self.strides[k][d];
                }
                self.index[d] = 0;
                d -= 1;
                self.index[d] += 1;
                for k in 0..N {
                    self.offsets[k] += self.strides[k][d];
                }
            }
        }
    }
}
