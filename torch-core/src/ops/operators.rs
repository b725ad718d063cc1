//! Rust operators for tensors (`&a + &b`, `&a * 2.0`, `-&a`): they panic with the message the
//! named method would return as an error (DESIGN R13); use the methods to handle errors.

use std::ops::{Add, Div, Mul, Neg, Sub};

use crate::Tensor;
use crate::ops::binary::Scalar;

macro_rules! tensor_op {
    ($trait:ident, $method:ident, $tensor_fn:ident, $scalar_fn:ident) => {
        impl $trait<&Tensor> for &Tensor {
            type Output = Tensor;
            fn $method(self, rhs: &Tensor) -> Tensor {
                self.$tensor_fn(rhs).unwrap_or_else(|e| panic!("{e}"))
            }
        }
        impl $trait<Tensor> for Tensor {
            type Output = Tensor;
            fn $method(self, rhs: Tensor) -> Tensor {
                $trait::$method(&self, &rhs)
            }
        }
        impl $trait<&Tensor> for Tensor {
            type Output = Tensor;
            fn $method(self, rhs: &Tensor) -> Tensor {
                $trait::$method(&self, rhs)
            }
        }
        impl $trait<Tensor> for &Tensor {
            type Output = Tensor;
            fn $method(self, rhs: Tensor) -> Tensor {
                $trait::$method(self, &rhs)
            }
        }
        impl<S: Into<Scalar>> $trait<S> for &Tensor {
            type Output = Tensor;
            fn $method(self, rhs: S) -> Tensor {
                self.$scalar_fn(rhs).unwrap_or_else(|e| panic!("{e}"))
            }
        }
        impl<S: Into<Scalar>> $trait<S> for Tensor {
            type Output = Tensor;
            fn $method(self, rhs: S) -> Tensor {
                $trait::$method(&self, rhs)
            }
        }
    };
}

tensor_op!(Add, add, add, add_scalar);
tensor_op!(Sub, sub, sub, sub_scalar);
tensor_op!(Mul, mul, mul, mul_scalar);
tensor_op!(Div, div, div, div_scalar);

impl Neg for &Tensor {
    type Output = Tensor;
    fn neg(self) -> Tensor {
        Tensor::neg(self).unwrap_or_else(|e| panic!("{e}"))
    }
}

impl Neg for Tensor {
    type Output = Tensor;
    fn neg(self) -> Tensor {
        -&self
    }
}
