//! The activations HuggingFace configs name in `hidden_act` / `activation_function`
//! (`ACT2FN`): "gelu" (exact erf), "gelu_new" / "gelu_pytorch_tanh" (tanh approximation),
//! "relu", "silu"/"swish", "tanh".

use torch_core::{Error, Result, Tensor};

/// An activation named by a HuggingFace config, as `transformers.activations.ACT2FN[name]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// `"gelu"`: `x Φ(x)` with the exact erf (`nn.GELU()`).
    Gelu,
    /// `"gelu_new"`, `"gelu_pytorch_tanh"`, `"gelu_fast"`: the tanh approximation
    /// (`nn.GELU(approximate="tanh")`), GPT-2's.
    GeluTanh,
    /// `"relu"`.
    Relu,
    /// `"silu"` / `"swish"`: `x σ(x)`.
    Silu,
    /// `"tanh"`.
    Tanh,
}

impl Activation {
    /// Parses a config's activation name; an unknown name is an error naming it.
    pub fn from_name(name: &str) -> Result<Activation> {
        Ok(match name {
            "gelu" => Activation::Gelu,
            "gelu_new" | "gelu_pytorch_tanh" | "gelu_fast" => Activation::GeluTanh,
            "relu" => Activation::Relu,
            "silu" | "swish" => Activation::Silu,
            "tanh" => Activation::Tanh,
            other => {
                return Err(Error::invalid(
                    "Activation.from_name",
                    format!(
                        "unsupported activation {other:?} (supported: gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu, silu, swish, tanh)"
                    ),
                ));
            }
        })
    }

    /// Applies the activation elementwise.
    pub fn forward(self, x: &Tensor) -> Result<Tensor> {
        match self {
            Activation::Gelu => x.gelu("none"),
            Activation::GeluTanh => x.gelu("tanh"),
            Activation::Relu => x.relu(),
            Activation::Silu => x.silu(),
            Activation::Tanh => x.tanh(),
        }
    }
}
