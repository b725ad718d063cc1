//! Forward time of resnet18 on (1, 3, 224, 224) at 1 thread, for the figure compared with
//! torchvision (scripts/golden/vision_models.py prints PyTorch's). Ignored by default; run
//! in release: `cargo test --release -p torch-vision --test models_speed -- --ignored
//! --nocapture`.

use std::time::Instant;

use torch_core::Tensor;
use torch_nn::{Forward, Module};
use torch_vision::models::resnet18;

#[test]
#[ignore = "timing; run in release with --ignored --nocapture"]
fn resnet18_forward_time_1_thread() {
    torch_core::set_num_threads(1);
    let net = resnet18(None, Default::default()).unwrap();
    net.eval();
    let x = Tensor::randn(&[1, 3, 224, 224], Default::default()).unwrap();
    let _g = torch_core::autograd::no_grad();
    for _ in 0..3 {
        net.call(&x).unwrap();
    }
    let runs = 10;
    let t = Instant::now();
    let mut y = net.call(&x).unwrap();
    for _ in 1..runs {
        y = net.call(&x).unwrap();
    }
    let ms = t.elapsed().as_secs_f64() * 1e3 / runs as f64;
    assert_eq!(y.shape(), &[1, 1000]);
    assert!(y.to_vec_f64().unwrap().iter().all(|v| v.is_finite()));
    println!("torch-rs resnet18 (1,3,224,224) forward at 1 thread: {ms:.1} ms");
}
