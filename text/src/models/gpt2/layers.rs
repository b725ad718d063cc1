//! GPT-2's blocks with HuggingFace's names: `Conv1D` (weight `(in, out)`), `GPT2Attention`
//! (`c_attn`, `c_proj`) with a per-layer key/value cache, `GPT2MLP` (`c_fc`, `c_proj`),
//! `GPT2Block` (`ln_1`, `attn`, `ln_2`, `mlp`).

use torch_core::{Result, Tensor, TensorOptions};
use torch_nn::functional as F;
use torch_nn::{Dropout, Forward, LayerNorm, Module, ModuleBase, Parameter, init};

use super::GPT2Config;
use crate::models::Activation;

/// HF's `Conv1D(nf, nx)`: a linear layer whose weight is stored transposed, `(in, out)`;
/// `y = x W + b`. Initialised N(0, 0.02) with zero bias, as HF does.
#[derive(Module)]
pub struct Conv1D {
    base: ModuleBase,
    pub weight: Parameter,
    pub bias: Parameter,
}

impl Conv1D {
    /// `Conv1D(nf=out_features, nx=in_features)`.
    pub fn new(in_features: usize, out_features: usize) -> Result<Conv1D> {
        let w = Tensor::empty(&[in_features, out_features], TensorOptions::default())?;
        init::normal_(&w, 0.0, 0.02)?;
        Ok(Conv1D {
            base: ModuleBase::default(),
            weight: Parameter::new(w)?,
            bias: Parameter::new(Tensor::zeros(&[out_features], TensorOptions::default())?)?,
        })
    }
}

impl Forward for Conv1D {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        // linear takes (out, in): the transposed view, no copy.
        F::linear(x, &self.weight.t()?, Some(&self.bias))
    }
}

/// One layer's cached keys and values, each `(B, nh, S, hs)`.
pub type LayerCache = Option<(Tensor, Tensor)>;

/// Causal self-attention (`GPT2Attention`): `c_attn` projects to q, k, v at once.
#[derive(Module)]
pub struct GPT2Attention {
    base: ModuleBase,
    pub c_attn: Conv1D,
    pub c_proj: Conv1D,
    pub attn_dropout: Dropout,
    pub resid_dropout: Dropout,
    n_head: usize,
    scale: f64,
}

impl GPT2Attention {
    /// `GPT2Attention(config, layer_idx)`.
    pub fn new(c: &GPT2Config, layer_idx: usize) -> Result<Self> {
        let hs = (c.n_embd / c.n_head) as f64;
        let mut scale = if c.scale_attn_weights {
            1.0 / hs.sqrt()
        } else {
            1.0
        };
        if c.scale_attn_by_inverse_layer_idx {
            scale /= (layer_idx + 1) as f64;
        }
        Ok(GPT2Attention {
            base: ModuleBase::default(),
            c_attn: Conv1D::new(c.n_embd, 3 * c.n_embd)?,
            c_proj: Conv1D::new(c.n_embd, c.n_embd)?,
            attn_dropout: Dropout::new(c.attn_pdrop),
            resid_dropout: Dropout::new(c.resid_pdrop),
            n_head: c.n_head,
            scale,
        })
    }

    /// `x` `(B, T, C)`; `mask` bool `(B or 1, 1, T, S)` (true = attend, S = past + T);
    /// `cache` holds the past keys/values and receives the new ones.
    pub fn forward(
        &self,
        x: &Tensor,
        mask: &Tensor,
        cache: Option<&mut LayerCache>,
    ) -> Result<Tensor> {
        let (b, t, c) = (
            x.shape()[0] as i64,
            x.shape()[1] as i64,
            x.shape()[2] as i64,
        );
        let nh = self.n_head as i64;
        let qkv = self.c_attn.forward(x)?; // (B, T, 3C)
        // (B, T, C) -> (B, nh, T, hs)
        let heads = |i: i64| {
            qkv.narrow(-1, i * c, c as usize)?
                .reshape(&[b, t, nh, c / nh])?
                .transpose(1, 2)
        };
        let (q, mut k, mut v) = (heads(0)?, heads(1)?, heads(2)?);
        if let Some(cache) = cache {
            if let Some((pk, pv)) = cache.as_ref() {
                k = Tensor::cat(&[pk, &k], 2)?;
                v = Tensor::cat(&[pv, &v], 2)?;
            }
            *cache = Some((k.clone(), v.clone()));
        }
        let p = if self.is_training() {
            self.attn_dropout.p
        } else {
            0.0
        };
        let y =
            F::scaled_dot_product_attention(&q, &k, &v, Some(mask), p, false, Some(self.scale))?;
        // (B, nh, T, hs) -> (B, T, C)
        let y = y.transpose(1, 2)?.reshape(&[b, t, c])?;
        self.resid_dropout.forward(&self.c_proj.forward(&y)?)
    }
}

/// The feed-forward block (`GPT2MLP`): `c_proj(act(c_fc(x)))`, dropout.
#[derive(Module)]
pub struct GPT2MLP {
    base: ModuleBase,
    pub c_fc: Conv1D,
    pub c_proj: Conv1D,
    pub dropout: Dropout,
    #[module(skip)]
    act: Activation,
}

impl GPT2MLP {
    /// `GPT2MLP(inner_dim, config)`.
    pub fn new(c: &GPT2Config) -> Result<Self> {
        Ok(GPT2MLP {
            base: ModuleBase::default(),
            c_fc: Conv1D::new(c.n_embd, c.inner_dim())?,
            c_proj: Conv1D::new(c.inner_dim(), c.n_embd)?,
            dropout: Dropout::new(c.resid_pdrop),
            act: Activation::from_name(&c.activation_function)?,
        })
    }
}

impl Forward for GPT2MLP {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.dropout.forward(
            &self
                .c_proj
                .forward(&self.act.forward(&self.c_fc.forward(x)?)?)?,
        )
    }
}

/// A pre-norm transformer block (`GPT2Block`): `x + attn(ln_1(x))`, then `x + mlp(ln_2(x))`.
#[derive(Module)]
pub struct GPT2Block {
    base: ModuleBase,
    pub ln_1: LayerNorm,
    pub attn: GPT2Attention,
    pub ln_2: LayerNorm,
    pub mlp: GPT2MLP,
}

impl GPT2Block {
    /// `GPT2Block(config, layer_idx)`.
    pub fn new(c: &GPT2Config, layer_idx: usize) -> Result<Self> {
        let ln = || LayerNorm::with_options(&[c.n_embd], c.layer_norm_epsilon, true, true);
        Ok(GPT2Block {
            base: ModuleBase::default(),
            ln_1: ln()?,
            attn: GPT2Attention::new(c, layer_idx)?,
            ln_2: ln()?,
            mlp: GPT2MLP::new(c)?,
        })
    }

    /// `(B, T, C)` → `(B, T, C)`; see [`GPT2Attention::forward`] for `mask` and `cache`.
    pub fn forward(
        &self,
        x: &Tensor,
        mask: &Tensor,
        cache: Option<&mut LayerCache>,
    ) -> Result<Tensor> {
        let x = x.add(&self.attn.forward(&self.ln_1.forward(x)?, mask, cache)?)?;
        x.add(&self.mlp.forward(&self.ln_2.forward(&x)?)?)
    }
}
