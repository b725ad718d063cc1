//! The cache of freed large CPU buffers (`torch_core::cpu`): reuse, zeroing and release. One
//! test function, because the cache is process-wide and test threads would share it.

use torch_core::cpu::{CACHE_LIMIT, MIN_CACHED, cached_bytes, empty_cache};
use torch_core::{Tensor, TensorOptions};

#[test]
fn freed_large_buffers_are_reused_zeroed_when_asked_and_released_on_demand() {
    empty_cache();
    assert_eq!(cached_bytes(), 0);
    let n = MIN_CACHED; // elements of 4 bytes: above the threshold
    let x = Tensor::full(&[n], 7.0, TensorOptions::default()).unwrap();
    // Small buffers are left to the system allocator.
    drop(Tensor::ones(&[16], TensorOptions::default()).unwrap());
    assert_eq!(cached_bytes(), 0);
    drop(x);
    assert_eq!(cached_bytes(), 4 * n);
    // `zeros` of the same size takes the cached buffer and must still read as zeros.
    let z = Tensor::zeros(&[n], TensorOptions::default()).unwrap();
    assert_eq!(cached_bytes(), 0);
    assert!(z.to_vec::<f32>().unwrap().iter().all(|&v| v == 0.0));
    // An op's output of the same size reuses it too, and is fully written.
    drop(z);
    let y = Tensor::full(&[n], 2.0, TensorOptions::default()).unwrap();
    let s = y.mul_scalar(3.0).unwrap();
    assert!(s.to_vec::<f32>().unwrap().iter().all(|&v| v == 6.0));
    drop((y, s));
    assert_eq!(cached_bytes(), 8 * n);
    // Past the limit, the cache empties itself before keeping the newcomer.
    let big = CACHE_LIMIT / 4 - 8 * n / 4;
    drop(Tensor::zeros(&[big], TensorOptions::default()).unwrap());
    assert!(cached_bytes() <= CACHE_LIMIT);
    let huge = Tensor::zeros(&[CACHE_LIMIT / 4], TensorOptions::default()).unwrap();
    drop(huge);
    assert_eq!(cached_bytes(), CACHE_LIMIT);
    drop(Tensor::zeros(&[n], TensorOptions::default()).unwrap());
    assert_eq!(cached_bytes(), 4 * n);
    empty_cache();
    assert_eq!(cached_bytes(), 0);
}
