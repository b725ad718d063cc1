//! Conversion to and from `ndarray` arrays (feature `ndarray`), the Rust counterpart of
//! `torch.from_numpy` and `Tensor.numpy()`. Both directions copy (a tensor's storage is shared
//! and versioned, an array owns its buffer); any array layout, including a transposed or
//! sliced view, is read in logical order.

use ndarray::{ArrayBase, ArrayD, Data, Dimension, IxDyn};

use crate::{Element, Error, Result, Tensor};

impl Tensor {
    /// A tensor with the shape and elements of `array` (any dimensionality and layout).
    ///
    /// ```
    /// let a = ndarray::arr2(&[[1.0f32, 2.0], [3.0, 4.0]]);
    /// let t = torch_core::Tensor::from_ndarray(&a.t()).unwrap();
    /// assert_eq!(t.to_vec::<f32>().unwrap(), [1.0, 3.0, 2.0, 4.0]);
    /// ```
    pub fn from_ndarray<T, S, D>(array: &ArrayBase<S, D>) -> Result<Tensor>
    where
        T: Element,
        S: Data<Elem = T>,
        D: Dimension,
    {
        let data: Vec<T> = match array.as_slice() {
            Some(s) => s.to_vec(),
            None => array.iter().copied().collect(),
        };
        Tensor::from_vec(data, array.shape())
    }

    /// The tensor's elements as an `ArrayD` of its shape; `T` must match the dtype.
    ///
    /// ```
    /// let t = torch_core::Tensor::new([[1i64, 2, 3]]);
    /// let a = t.to_ndarray::<i64>().unwrap();
    /// assert_eq!(a.shape(), &[1, 3]);
    /// assert_eq!(a[[0, 2]], 3);
    /// ```
    pub fn to_ndarray<T: Element>(&self) -> Result<ArrayD<T>> {
        if self.dtype() != T::DTYPE {
            return Err(Error::invalid(
                "to_ndarray",
                format!(
                    "the tensor is {:?}, the array's element type is {:?}",
                    self.dtype(),
                    T::DTYPE
                ),
            ));
        }
        let data = self.to_vec::<T>()?;
        ArrayD::from_shape_vec(IxDyn(self.shape()), data)
            .map_err(|e| Error::invalid("to_ndarray", e.to_string()))
    }
}
