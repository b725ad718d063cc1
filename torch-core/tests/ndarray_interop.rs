//! `Tensor::from_ndarray` / `to_ndarray` (feature `ndarray`): shapes, logical order of strided
//! arrays, dtypes, and the dtype-mismatch error.
#![cfg(feature = "ndarray")]

use ndarray::{Array3, ArrayD, IxDyn, s};
use torch_core::{DType, Tensor};

#[test]
fn round_trips_keep_shape_and_values() {
    let a = Array3::from_shape_fn((2, 3, 4), |(i, j, k)| (100 * i + 10 * j + k) as f32);
    let t = Tensor::from_ndarray(&a).unwrap();
    assert_eq!((t.shape(), t.dtype()), (&[2usize, 3, 4][..], DType::F32));
    assert_eq!(
        t.to_vec::<f32>().unwrap(),
        a.iter().copied().collect::<Vec<_>>()
    );
    assert_eq!(t.to_ndarray::<f32>().unwrap(), a.into_dyn());

    let ints = ArrayD::from_shape_vec(IxDyn(&[2, 2]), vec![1i64, -2, 3, -4]).unwrap();
    let back = Tensor::from_ndarray(&ints)
        .unwrap()
        .to_ndarray::<i64>()
        .unwrap();
    assert_eq!(back, ints);
    // A 0-d array is a 0-d tensor.
    let scalar = ArrayD::from_elem(IxDyn(&[]), 2.5f64);
    let t = Tensor::from_ndarray(&scalar).unwrap();
    assert_eq!((t.shape(), t.item().unwrap()), (&[][..], 2.5));
}

#[test]
fn strided_arrays_and_tensors_convert_in_logical_order() {
    let a = Array3::from_shape_fn((3, 4, 5), |(i, j, k)| (i * 20 + j * 5 + k) as f64);
    let view = a.slice(s![..;2, 1.., ..;-2]);
    let permuted = view.view().permuted_axes([2, 0, 1]);
    let t = Tensor::from_ndarray(&permuted).unwrap();
    assert_eq!(t.shape(), permuted.shape());
    assert_eq!(
        t.to_vec::<f64>().unwrap(),
        permuted.iter().copied().collect::<Vec<_>>()
    );
    // A transposed tensor gives the array of its logical layout.
    let x = Tensor::new([[1i32, 2, 3], [4, 5, 6]]).t().unwrap();
    let arr = x.to_ndarray::<i32>().unwrap();
    assert_eq!(arr.shape(), &[3, 2]);
    assert_eq!(arr[[2, 0]], 3);
    assert_eq!(arr[[0, 1]], 4);
}

#[test]
fn to_ndarray_with_the_wrong_type_is_an_error() {
    let err = Tensor::new([1.0f32, 2.0]).to_ndarray::<f64>().unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("to_ndarray") && msg.contains("F32") && msg.contains("F64"),
        "{msg}"
    );
}
