//! The classic first program: a single-layer perceptron separating two Gaussian blobs.
//!
//! ```sh
//! cargo run --release -p examples --bin perceptron
//! ```

use torch_core::{DType, Generator, Result, Tensor, TensorOptions};
use torch_nn::functional::{self as F, Reduction};
use torch_nn::optim::{Optimizer, SGD, SGDOptions};
use torch_nn::{Forward, Linear, Module};

fn main() -> Result<()> {
    // 200 points: class 0 around (-1, -1), class 1 around (1, 1).
    let g = Generator::new(0);
    let f32 = TensorOptions::default();
    let labels = Tensor::cat(
        &[
            &Tensor::zeros(&[100, 1], f32)?,
            &Tensor::ones(&[100, 1], f32)?,
        ],
        0,
    )?;
    let x = g
        .randn(&[200, 2], f32)?
        .mul_scalar(0.7)?
        .add(&labels.mul_scalar(2.0)?.sub_scalar(1.0)?)?;

    let model = Linear::new(2, 1)?; // y = w·x + b
    let mut opt = SGD::new(
        model.parameters(),
        SGDOptions {
            lr: 0.5,
            ..Default::default()
        },
    )?;
    for epoch in 1..=50 {
        opt.zero_grad();
        let loss = F::binary_cross_entropy_with_logits(
            &model.forward(&x)?,
            &labels,
            None,
            Reduction::Mean,
            None,
        )?;
        loss.backward()?;
        opt.step()?;
        if epoch % 10 == 0 {
            println!("epoch {epoch}: loss {:.4}", loss.item()?);
        }
    }
    model.eval();
    let predicted = model.forward(&x)?.gt_scalar(0.0)?.to_dtype(DType::F32)?;
    let accuracy = predicted
        .eq(&labels)?
        .to_dtype(DType::F32)?
        .mean()?
        .item()?;
    println!(
        "accuracy {:.1}%, weight {}, bias {}",
        100.0 * accuracy,
        *model.weight,
        model
            .bias
            .as_deref()
            .map_or(String::new(), |b| b.to_string())
    );
    Ok(())
}
