//! Activation modules (torch.nn's): thin holders of their options around the functional form.

use torch_core::{Result, Tensor, TensorOptions};

use crate::functional as F;
use crate::{Forward, Module, ModuleBase, Parameter};

/// Defines a parameterless activation module `$name` computing `$f(x)`.
macro_rules! activation {
    ($(#[$doc:meta])* $name:ident, $f:expr) => {
        $(#[$doc])*
        #[derive(Module, Default)]
        pub struct $name {
            base: ModuleBase,
        }

        impl $name {
            /// The module (it has no options).
            pub fn new() -> Self {
                Self::default()
            }
        }

        impl Forward for $name {
            fn forward(&self, x: &Tensor) -> Result<Tensor> {
                let f: fn(&Tensor) -> Result<Tensor> = $f;
                f(x)
            }
        }
    };
}

activation!(
    /// `max(x, 0)`, as `nn.ReLU`.
    ReLU, |x| x.relu()
);
activation!(
    /// `min(max(x, 0), 6)`, as `nn.ReLU6`.
    ReLU6, F::relu6
);
activation!(
    /// `scale * elu(x, alpha)`, as `nn.SELU`.
    SELU, F::selu
);
activation!(
    /// `x * sigmoid(x)`, as `nn.SiLU`.
    SiLU, |x| x.silu()
);
activation!(
    /// `x * tanh(softplus(x))`, as `nn.Mish`.
    Mish, |x| x.mish()
);
activation!(
    /// `tanh(x)`, as `nn.Tanh`.
    Tanh, |x| x.tanh()
);
activation!(
    /// `1 / (1 + exp(-x))`, as `nn.Sigmoid`.
    Sigmoid, |x| x.sigmoid()
);
activation!(
    /// `x * relu6(x + 3) / 6`, as `nn.Hardswish`.
    Hardswish, F::hardswish
);
activation!(
    /// `relu6(x + 3) / 6`, as `nn.Hardsigmoid`.
    Hardsigmoid, F::hardsigmoid
);
activation!(
    /// Returns its input, as `nn.Identity`.
    Identity, |x| Ok(x.clone())
);

/// `max(0, x) + negative_slope * min(0, x)`, as `nn.LeakyReLU(negative_slope=0.01)`.
#[derive(Module)]
#[module(repr)]
pub struct LeakyReLU {
    base: ModuleBase,
    pub negative_slope: f64,
}

impl LeakyReLU {
    /// `nn.LeakyReLU(negative_slope)`.
    pub fn new(negative_slope: f64) -> Self {
        LeakyReLU {
            base: ModuleBase::default(),
            negative_slope,
        }
    }
    fn extra_repr(&self) -> String {
        format!("negative_slope={}", crate::repr::float(self.negative_slope))
    }
}

impl Default for LeakyReLU {
    fn default() -> Self {
        Self::new(0.01)
    }
}

impl Forward for LeakyReLU {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        x.leaky_relu(self.negative_slope)
    }
}

/// `x` if `x > 0` else `alpha * (exp(x) - 1)`, as `nn.ELU(alpha=1.0)`.
#[derive(Module)]
#[module(repr)]
pub struct ELU {
    base: ModuleBase,
    pub alpha: f64,
}

impl ELU {
    /// `nn.ELU(alpha)`.
    pub fn new(alpha: f64) -> Self {
        ELU {
            base: ModuleBase::default(),
            alpha,
        }
    }
    fn extra_repr(&self) -> String {
        format!("alpha={}", crate::repr::float(self.alpha))
    }
}

impl Default for ELU {
    fn default() -> Self {
        Self::new(1.0)
    }
}

impl Forward for ELU {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        x.elu(self.alpha)
    }
}

/// GELU, exact (`"none"`) or with the tanh approximation (`"tanh"`), as
/// `nn.GELU(approximate='none')`.
#[derive(Module)]
#[module(repr)]
pub struct GELU {
    base: ModuleBase,
    pub approximate: String,
}

impl GELU {
    /// `nn.GELU(approximate)`.
    pub fn new(approximate: &str) -> Self {
        GELU {
            base: ModuleBase::default(),
            approximate: approximate.to_string(),
        }
    }
    fn extra_repr(&self) -> String {
        format!("approximate='{}'", self.approximate)
    }
}

impl Default for GELU {
    fn default() -> Self {
        Self::new("none")
    }
}

impl Forward for GELU {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        x.gelu(&self.approximate)
    }
}

/// `log(1 + exp(beta * x)) / beta`, linear above `threshold`, as
/// `nn.Softplus(beta=1.0, threshold=20.0)`.
#[derive(Module)]
#[module(repr)]
pub struct Softplus {
    base: ModuleBase,
    pub beta: f64,
    pub threshold: f64,
}

impl Softplus {
    /// `nn.Softplus(beta, threshold)`.
    pub fn new(beta: f64, threshold: f64) -> Self {
        Softplus {
            base: ModuleBase::default(),
            beta,
            threshold,
        }
    }
    fn extra_repr(&self) -> String {
        format!(
            "beta={}, threshold={}",
            crate::repr::float(self.beta),
            crate::repr::float(self.threshold)
        )
    }
}

impl Default for Softplus {
    fn default() -> Self {
        Self::new(1.0, 20.0)
    }
}

impl Forward for Softplus {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        x.softplus(self.beta, self.threshold)
    }
}

/// Softmax along `dim`, as `nn.Softmax(dim)`.
#[derive(Module)]
#[module(repr)]
pub struct Softmax {
    base: ModuleBase,
    pub dim: i64,
}

impl Softmax {
    /// `nn.Softmax(dim)`.
    pub fn new(dim: i64) -> Self {
        Softmax {
            base: ModuleBase::default(),
            dim,
        }
    }
    fn extra_repr(&self) -> String {
        format!("dim={}", self.dim)
    }
}

impl Forward for Softmax {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        x.softmax(self.dim)
    }
}

/// Log-softmax along `dim`, as `nn.LogSoftmax(dim)`.
#[derive(Module)]
#[module(repr)]
pub struct LogSoftmax {
    base: ModuleBase,
    pub dim: i64,
}

impl LogSoftmax {
    /// `nn.LogSoftmax(dim)`.
    pub fn new(dim: i64) -> Self {
        LogSoftmax {
            base: ModuleBase::default(),
            dim,
        }
    }
    fn extra_repr(&self) -> String {
        format!("dim={}", self.dim)
    }
}

impl Forward for LogSoftmax {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        x.log_softmax(self.dim)
    }
}

/// `max(0, x) + weight * min(0, x)` with a learnt `weight` (one value, or one per channel),
/// initialised to `init`, as `nn.PReLU(num_parameters=1, init=0.25)`.
#[derive(Module)]
#[module(repr)]
pub struct PReLU {
    base: ModuleBase,
    pub weight: Parameter,
}

impl PReLU {
    /// `nn.PReLU(num_parameters, init)`.
    pub fn new(num_parameters: usize, init: f64) -> Result<Self> {
        Ok(PReLU {
            base: ModuleBase::default(),
            weight: Parameter::new(Tensor::full(
                &[num_parameters],
                init,
                TensorOptions::default(),
            )?)?,
        })
    }
    fn extra_repr(&self) -> String {
        format!("num_parameters={}", self.weight.numel())
    }
}

impl Forward for PReLU {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        F::prelu(x, &self.weight)
    }
}
