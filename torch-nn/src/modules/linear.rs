//! `Linear`, `Bilinear`, `Flatten`, `Unflatten` (torch.nn's).

use torch_core::{Result, Tensor, TensorOptions};

use crate::functional as F;
use crate::init;
use crate::repr;
use crate::{Forward, Module, ModuleBase, Parameter};

/// A uniform `U(-1/sqrt(fan_in), 1/sqrt(fan_in))` tensor: PyTorch's default for weights
/// (`kaiming_uniform_(a=sqrt(5))` reduces to this) and biases of Linear and conv layers.
pub(crate) fn fan_in_uniform(shape: &[usize], fan_in: usize) -> Result<Parameter> {
    let t = Tensor::empty(shape, TensorOptions::default())?;
    let bound = if fan_in > 0 {
        1.0 / (fan_in as f64).sqrt()
    } else {
        0.0
    };
    init::uniform_(&t, -bound, bound)?;
    Parameter::new(t)
}

/// Options of [`Linear`].
#[derive(Clone, Debug)]
pub struct LinearOptions {
    /// Learn an additive bias (default true).
    pub bias: bool,
}

impl Default for LinearOptions {
    fn default() -> Self {
        LinearOptions { bias: true }
    }
}

/// `y = x Wᵀ + b`, as `nn.Linear(in_features, out_features, bias=True)`: weight
/// `(out_features, in_features)`, both initialised `U(-1/√in, 1/√in)` as PyTorch.
#[derive(Module)]
#[module(repr)]
pub struct Linear {
    base: ModuleBase,
    pub weight: Parameter,
    pub bias: Option<Parameter>,
    pub in_features: usize,
    pub out_features: usize,
}

impl Linear {
    /// `nn.Linear(in_features, out_features)`.
    pub fn new(in_features: usize, out_features: usize) -> Result<Linear> {
        Self::with_options(in_features, out_features, LinearOptions::default())
    }

    /// `nn.Linear(in_features, out_features, bias=...)`.
    pub fn with_options(
        in_features: usize,
        out_features: usize,
        o: LinearOptions,
    ) -> Result<Linear> {
        Ok(Linear {
            base: ModuleBase::default(),
            weight: fan_in_uniform(&[out_features, in_features], in_features)?,
            bias: if o.bias {
                Some(fan_in_uniform(&[out_features], in_features)?)
            } else {
                None
            },
            in_features,
            out_features,
        })
    }

    fn extra_repr(&self) -> String {
        format!(
            "in_features={}, out_features={}, bias={}",
            self.in_features,
            self.out_features,
            repr::bool(self.bias.is_some())
        )
    }
}

impl Forward for Linear {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        F::linear(x, &self.weight, self.bias.as_deref())
    }
}

/// `y = x1ᵀ A x2 + b`, as `nn.Bilinear(in1_features, in2_features, out_features, bias=True)`:
/// weight `(out, in1, in2)`, initialised `U(-1/√in1, 1/√in1)`. Two inputs, so it has its own
/// `forward`.
#[derive(Module)]
#[module(repr)]
pub struct Bilinear {
    base: ModuleBase,
    pub weight: Parameter,
    pub bias: Option<Parameter>,
}

impl Bilinear {
    /// `nn.Bilinear(in1_features, in2_features, out_features, bias)`.
    pub fn new(in1: usize, in2: usize, out: usize, bias: bool) -> Result<Bilinear> {
        Ok(Bilinear {
            base: ModuleBase::default(),
            weight: fan_in_uniform(&[out, in1, in2], in1)?,
            bias: if bias {
                Some(fan_in_uniform(&[out], in1)?)
            } else {
                None
            },
        })
    }

    /// `bilinear(x1, x2)`.
    pub fn forward(&self, x1: &Tensor, x2: &Tensor) -> Result<Tensor> {
        F::bilinear(x1, x2, &self.weight, self.bias.as_deref())
    }

    fn extra_repr(&self) -> String {
        let s = self.weight.shape();
        format!(
            "in1_features={}, in2_features={}, out_features={}, bias={}",
            s[1],
            s[2],
            s[0],
            repr::bool(self.bias.is_some())
        )
    }
}

/// Flattens dims `start_dim..=end_dim`, as `nn.Flatten(start_dim=1, end_dim=-1)`.
#[derive(Module)]
#[module(repr)]
pub struct Flatten {
    base: ModuleBase,
    pub start_dim: i64,
    pub end_dim: i64,
}

impl Flatten {
    /// `nn.Flatten(start_dim, end_dim)`.
    pub fn new(start_dim: i64, end_dim: i64) -> Flatten {
        Flatten {
            base: ModuleBase::default(),
            start_dim,
            end_dim,
        }
    }
    fn extra_repr(&self) -> String {
        format!("start_dim={}, end_dim={}", self.start_dim, self.end_dim)
    }
}

impl Default for Flatten {
    fn default() -> Self {
        Self::new(1, -1)
    }
}

impl Forward for Flatten {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        x.flatten(self.start_dim, self.end_dim)
    }
}

/// Splits `dim` into `sizes`, as `nn.Unflatten(dim, unflattened_size)`.
#[derive(Module)]
#[module(repr)]
pub struct Unflatten {
    base: ModuleBase,
    pub dim: i64,
    pub sizes: Vec<i64>,
}

impl Unflatten {
    /// `nn.Unflatten(dim, sizes)`.
    pub fn new(dim: i64, sizes: &[i64]) -> Unflatten {
        Unflatten {
            base: ModuleBase::default(),
            dim,
            sizes: sizes.to_vec(),
        }
    }
    fn extra_repr(&self) -> String {
        let s: Vec<String> = self.sizes.iter().map(|v| v.to_string()).collect();
        format!("dim={}, unflattened_size=({})", self.dim, s.join(", "))
    }
}

impl Forward for Unflatten {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        x.unflatten(self.dim, &self.sizes)
    }
}
