//! `IntoSize`: a size argument given as one int or one per spatial dim, as PyTorch's
//! `kernel_size=3` / `kernel_size=(3, 5)` (its `_pair`, `_single`).

/// A per-dim size: `3` expands to `[3; N]`, `[3, 5]` is taken as is.
pub trait IntoSize<const N: usize> {
    /// The size for each of the `N` spatial dims.
    fn into_size(self) -> [usize; N];
}

impl<const N: usize> IntoSize<N> for usize {
    fn into_size(self) -> [usize; N] {
        [self; N]
    }
}

impl<const N: usize> IntoSize<N> for [usize; N] {
    fn into_size(self) -> [usize; N] {
        self
    }
}
