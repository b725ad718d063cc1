//! A short tour of torch-core: creation, views, broadcasting, reductions, matmul and
//! autograd, printed as PyTorch prints. Run: `cargo run --release -p examples --bin tensor_tour`.

use torch_core::{DType, Result, Tensor, TensorOptions, autograd, manual_seed};

fn main() -> Result<()> {
    manual_seed(0);
    let x = Tensor::arange(0.0, 6.0, 1.0, TensorOptions::default().dtype(DType::F32))?
        .reshape(&[2, 3])?;
    println!("x = {x}");
    println!(
        "x.t() = {}  (a view: contiguous = {})",
        x.t()?,
        x.t()?.is_contiguous()
    );
    let b = Tensor::new([10.0f32, 20.0, 30.0]);
    println!("x + b (broadcast) = {}", x.add(&b)?);
    println!("x.sum(dim=1) = {}", x.sum_dim(&[1], false)?);
    println!("softmax(x, dim=-1) = {}", x.softmax(-1)?);
    println!("x @ x.T = {}", x.matmul(&x.t()?)?);

    // Autograd: d/dw of mean((w x - y)^2).
    let w = Tensor::randn(&[3, 1], TensorOptions::default())?.requires_grad_(true)?;
    let y = Tensor::new([[1.0f32], [2.0]]);
    let loss = x.matmul(&w)?.sub(&y)?.pow_scalar(2.0)?.mean()?;
    println!("loss = {loss}");
    loss.backward()?;
    println!("w.grad = {}", w.grad().expect("w requires grad"));

    // Second derivative of x^3 at 2: 12.
    let t = Tensor::new([2.0f64]).requires_grad_(true)?;
    let opts = autograd::GradOptions {
        create_graph: true,
        ..Default::default()
    };
    let dt =
        autograd::grad(&[t.pow_scalar(3.0)?.sum()?], std::slice::from_ref(&t), opts)?[0].clone();
    let d2t = autograd::grad(&[dt.expect("used").sum()?], &[t], Default::default())?[0].clone();
    println!("d2/dt2 t^3 at t=2: {}", d2t.expect("used"));
    Ok(())
}
