//! The Transformer family (torch.nn's): `TransformerEncoderLayer`, `TransformerEncoder`,
//! `TransformerDecoderLayer`, `TransformerDecoder`, `Transformer`, with PyTorch's submodule
//! names, defaults and reference (non-fused) forward.

use torch_core::{Error, Result, Tensor};

use crate::functional::canonical_mask;
use crate::init;
use crate::{
    Dropout, Forward, LayerNorm, Linear, LinearOptions, MhaForwardOptions, Module, ModuleBase,
    MultiheadAttention, MultiheadAttentionOptions,
};

/// The feed-forward activation of the Transformer layers (PyTorch's `activation="relu"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TransformerActivation {
    /// `F.relu` (PyTorch's default).
    #[default]
    Relu,
    /// `F.gelu` (exact).
    Gelu,
}

impl TransformerActivation {
    fn apply(self, x: &Tensor) -> Result<Tensor> {
        match self {
            TransformerActivation::Relu => x.relu(),
            TransformerActivation::Gelu => x.gelu("none"),
        }
    }
}

/// Options of [`TransformerEncoderLayer`] and [`TransformerDecoderLayer`] (PyTorch's defaults).
#[derive(Clone, Debug)]
pub struct TransformerLayerOptions {
    /// Hidden size of the feed-forward block (default 2048).
    pub dim_feedforward: usize,
    /// Dropout probability everywhere in the layer (default 0.1).
    pub dropout: f64,
    /// Feed-forward activation (default relu).
    pub activation: TransformerActivation,
    /// LayerNorm epsilon (default 1e-5).
    pub layer_norm_eps: f64,
    /// Inputs are `(N, T, E)` instead of `(T, N, E)` (default false).
    pub batch_first: bool,
    /// Pre-norm (`x + f(norm(x))`) instead of post-norm (`norm(x + f(x))`) (default false).
    pub norm_first: bool,
    /// Biases in the linear layers, attention and LayerNorms (default true).
    pub bias: bool,
}

impl Default for TransformerLayerOptions {
    fn default() -> Self {
        TransformerLayerOptions {
            dim_feedforward: 2048,
            dropout: 0.1,
            activation: TransformerActivation::Relu,
            layer_norm_eps: 1e-5,
            batch_first: false,
            norm_first: false,
            bias: true,
        }
    }
}

/// Masks of an encoder forward (`src_mask` is PyTorch's `mask` for `TransformerEncoder`).
#[derive(Clone, Copy, Debug, Default)]
pub struct EncoderMasks<'a> {
    /// `(S, S)` or `(N * nhead, S, S)`: bool true = not allowed to attend, or float added.
    pub src_mask: Option<&'a Tensor>,
    /// `(N, S)`: bool true = padding, or float added.
    pub src_key_padding_mask: Option<&'a Tensor>,
    /// Hint that `src_mask` is causal (`src_mask` is still required).
    pub is_causal: bool,
}

/// Masks of a decoder forward.
#[derive(Clone, Copy, Debug, Default)]
pub struct DecoderMasks<'a> {
    /// `(T, T)` or `(N * nhead, T, T)` self-attention mask.
    pub tgt_mask: Option<&'a Tensor>,
    /// `(T, S)` or `(N * nhead, T, S)` cross-attention mask.
    pub memory_mask: Option<&'a Tensor>,
    /// `(N, T)` target padding.
    pub tgt_key_padding_mask: Option<&'a Tensor>,
    /// `(N, S)` memory padding.
    pub memory_key_padding_mask: Option<&'a Tensor>,
    /// Hint that `tgt_mask` is causal.
    pub tgt_is_causal: bool,
    /// Hint that `memory_mask` is causal.
    pub memory_is_causal: bool,
}

/// Masks of a [`Transformer`] forward.
#[derive(Clone, Copy, Debug, Default)]
pub struct TransformerMasks<'a> {
    pub src_mask: Option<&'a Tensor>,
    pub tgt_mask: Option<&'a Tensor>,
    pub memory_mask: Option<&'a Tensor>,
    pub src_key_padding_mask: Option<&'a Tensor>,
    pub tgt_key_padding_mask: Option<&'a Tensor>,
    pub memory_key_padding_mask: Option<&'a Tensor>,
    pub src_is_causal: bool,
    pub tgt_is_causal: bool,
    pub memory_is_causal: bool,
}

/// The square causal mask: `(sz, sz)` f32, `-inf` above the diagonal and 0 elsewhere, as
/// `nn.Transformer.generate_square_subsequent_mask(sz)`.
pub fn generate_square_subsequent_mask(sz: usize) -> Result<Tensor> {
    let v: Vec<f32> = (0..sz)
        .flat_map(|i| (0..sz).map(move |j| if j > i { f32::NEG_INFINITY } else { 0.0 }))
        .collect();
    Tensor::from_vec(v, &[sz, sz])
}

fn attention(
    d_model: usize,
    nhead: usize,
    o: &TransformerLayerOptions,
) -> Result<MultiheadAttention> {
    MultiheadAttention::with_options(
        d_model,
        nhead,
        MultiheadAttentionOptions {
            dropout: o.dropout,
            bias: o.bias,
            batch_first: o.batch_first,
            ..Default::default()
        },
    )
}

fn norm(d_model: usize, o: &TransformerLayerOptions) -> Result<LayerNorm> {
    LayerNorm::with_options(&[d_model], o.layer_norm_eps, true, o.bias)
}

fn linear(i: usize, out: usize, bias: bool) -> Result<Linear> {
    Linear::with_options(i, out, LinearOptions { bias })
}

/// A copy with equal parameters and training flags, as `copy.deepcopy(module)`.
fn deep_copy<M: Module>(m: &M, fresh: M) -> Result<M> {
    fresh.load_state_dict(&m.state_dict(), true)?;
    fresh.train(m.is_training());
    Ok(fresh)
}

/// `x + f(norm(x))` (pre-norm) or `norm(x + f(x))` (post-norm).
fn residual(
    x: &Tensor,
    norm: &LayerNorm,
    norm_first: bool,
    f: impl FnOnce(&Tensor) -> Result<Tensor>,
) -> Result<Tensor> {
    if norm_first {
        x.add(&f(&norm.call(x)?)?)
    } else {
        norm.call(&x.add(&f(x)?)?)
    }
}

/// One encoder block, as `nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=2048,
/// dropout=0.1, activation="relu", layer_norm_eps=1e-5, batch_first=False, norm_first=False,
/// bias=True)`: self-attention then a feed-forward block, each with a residual and LayerNorm.
#[derive(Module)]
pub struct TransformerEncoderLayer {
    base: ModuleBase,
    pub self_attn: MultiheadAttention,
    pub linear1: Linear,
    pub dropout: Dropout,
    pub linear2: Linear,
    pub norm1: LayerNorm,
    pub norm2: LayerNorm,
    pub dropout1: Dropout,
    pub dropout2: Dropout,
    pub d_model: usize,
    pub nhead: usize,
    #[module(skip)]
    pub options: TransformerLayerOptions,
}

impl TransformerEncoderLayer {
    /// `nn.TransformerEncoderLayer(d_model, nhead)`.
    pub fn new(d_model: usize, nhead: usize) -> Result<Self> {
        Self::with_options(d_model, nhead, TransformerLayerOptions::default())
    }

    /// `nn.TransformerEncoderLayer(d_model, nhead, ...)` with explicit options.
    pub fn with_options(d_model: usize, nhead: usize, o: TransformerLayerOptions) -> Result<Self> {
        Ok(TransformerEncoderLayer {
            base: ModuleBase::default(),
            self_attn: attention(d_model, nhead, &o)?,
            linear1: linear(d_model, o.dim_feedforward, o.bias)?,
            dropout: Dropout::new(o.dropout),
            linear2: linear(o.dim_feedforward, d_model, o.bias)?,
            norm1: norm(d_model, &o)?,
            norm2: norm(d_model, &o)?,
            dropout1: Dropout::new(o.dropout),
            dropout2: Dropout::new(o.dropout),
            d_model,
            nhead,
            options: o,
        })
    }

    /// A copy with the same parameters (`copy.deepcopy`).
    pub fn deep_copy(&self) -> Result<Self> {
        deep_copy(
            self,
            Self::with_options(self.d_model, self.nhead, self.options.clone())?,
        )
    }

    /// `src` `(S, N, E)` (`(N, S, E)` with `batch_first`, `(S, E)` unbatched) to the same
    /// shape, as `forward(src, src_mask=None, src_key_padding_mask=None, is_causal=False)`.
    pub fn forward(&self, src: &Tensor, masks: EncoderMasks<'_>) -> Result<Tensor> {
        let dtype = src.dtype();
        const OP: &str = "TransformerEncoderLayer";
        let kpm = canonical_mask(
            OP,
            "src_key_padding_mask",
            masks.src_key_padding_mask,
            dtype,
        )?;
        let mask = canonical_mask(OP, "src_mask", masks.src_mask, dtype)?;
        let nf = self.options.norm_first;
        let x = residual(src, &self.norm1, nf, |x| {
            let (y, _) = self.self_attn.forward(
                x,
                x,
                x,
                MhaForwardOptions {
                    key_padding_mask: kpm.as_ref(),
                    need_weights: false,
                    attn_mask: mask.as_ref(),
                    is_causal: masks.is_causal,
                    ..Default::default()
                },
            )?;
            self.dropout1.call(&y)
        })?;
        residual(&x, &self.norm2, nf, |x| {
            let h = self.options.activation.apply(&self.linear1.call(x)?)?;
            self.dropout2
                .call(&self.linear2.call(&self.dropout.call(&h)?)?)
        })
    }
}

/// A stack of `num_layers` copies of an encoder layer plus an optional final norm, as
/// `nn.TransformerEncoder(encoder_layer, num_layers, norm=None)`.
#[derive(Module)]
pub struct TransformerEncoder {
    base: ModuleBase,
    pub layers: Vec<TransformerEncoderLayer>,
    pub norm: Option<LayerNorm>,
    pub num_layers: usize,
}

impl TransformerEncoder {
    /// `nn.TransformerEncoder(encoder_layer, num_layers, norm)`: the layers are deep copies of
    /// `encoder_layer`, equal at initialisation as PyTorch's.
    pub fn new(
        encoder_layer: &TransformerEncoderLayer,
        num_layers: usize,
        norm: Option<LayerNorm>,
    ) -> Result<Self> {
        Ok(TransformerEncoder {
            base: ModuleBase::default(),
            layers: (0..num_layers)
                .map(|_| encoder_layer.deep_copy())
                .collect::<Result<_>>()?,
            norm,
            num_layers,
        })
    }

    /// Runs `src` through every layer and the norm, as `forward(src, mask=None,
    /// src_key_padding_mask=None, is_causal=None)` (`masks.src_mask` is `mask`).
    pub fn forward(&self, src: &Tensor, masks: EncoderMasks<'_>) -> Result<Tensor> {
        let mut x = src.clone();
        for layer in &self.layers {
            x = layer.forward(&x, masks)?;
        }
        match &self.norm {
            Some(n) => n.call(&x),
            None => Ok(x),
        }
    }
}

/// One decoder block, as `nn.TransformerDecoderLayer(d_model, nhead, dim_feedforward=2048,
/// dropout=0.1, activation="relu", layer_norm_eps=1e-5, batch_first=False, norm_first=False,
/// bias=True)`: self-attention, cross-attention over `memory`, feed-forward.
#[derive(Module)]
pub struct TransformerDecoderLayer {
    base: ModuleBase,
    pub self_attn: MultiheadAttention,
    pub multihead_attn: MultiheadAttention,
    pub linear1: Linear,
    pub dropout: Dropout,
    pub linear2: Linear,
    pub norm1: LayerNorm,
    pub norm2: LayerNorm,
    pub norm3: LayerNorm,
    pub dropout1: Dropout,
    pub dropout2: Dropout,
    pub dropout3: Dropout,
    pub d_model: usize,
    pub nhead: usize,
    #[module(skip)]
    pub options: TransformerLayerOptions,
}

impl TransformerDecoderLayer {
    /// `nn.TransformerDecoderLayer(d_model, nhead)`.
    pub fn new(d_model: usize, nhead: usize) -> Result<Self> {
        Self::with_options(d_model, nhead, TransformerLayerOptions::default())
    }

    /// `nn.TransformerDecoderLayer(d_model, nhead, ...)` with explicit options.
    pub fn with_options(d_model: usize, nhead: usize, o: TransformerLayerOptions) -> Result<Self> {
        Ok(TransformerDecoderLayer {
            base: ModuleBase::default(),
            self_attn: attention(d_model, nhead, &o)?,
            multihead_attn: attention(d_model, nhead, &o)?,
            linear1: linear(d_model, o.dim_feedforward, o.bias)?,
            dropout: Dropout::new(o.dropout),
            linear2: linear(o.dim_feedforward, d_model, o.bias)?,
            norm1: norm(d_model, &o)?,
            norm2: norm(d_model, &o)?,
            norm3: norm(d_model, &o)?,
            dropout1: Dropout::new(o.dropout),
            dropout2: Dropout::new(o.dropout),
            dropout3: Dropout::new(o.dropout),
            d_model,
            nhead,
            options: o,
        })
    }

    /// A copy with the same parameters (`copy.deepcopy`).
    pub fn deep_copy(&self) -> Result<Self> {
        deep_copy(
            self,
            Self::with_options(self.d_model, self.nhead, self.options.clone())?,
        )
    }

    /// `tgt` `(T, N, E)` attending to `memory` `(S, N, E)` (batch first or unbatched as the
    /// options say), as `forward(tgt, memory, tgt_mask=None, memory_mask=None,
    /// tgt_key_padding_mask=None, memory_key_padding_mask=None, tgt_is_causal=False,
    /// memory_is_causal=False)`.
    pub fn forward(
        &self,
        tgt: &Tensor,
        memory: &Tensor,
        masks: DecoderMasks<'_>,
    ) -> Result<Tensor> {
        let nf = self.options.norm_first;
        let x = residual(tgt, &self.norm1, nf, |x| {
            let (y, _) = self.self_attn.forward(
                x,
                x,
                x,
                MhaForwardOptions {
                    key_padding_mask: masks.tgt_key_padding_mask,
                    need_weights: false,
                    attn_mask: masks.tgt_mask,
                    is_causal: masks.tgt_is_causal,
                    ..Default::default()
                },
            )?;
            self.dropout1.call(&y)
        })?;
        let x = residual(&x, &self.norm2, nf, |x| {
            let (y, _) = self.multihead_attn.forward(
                x,
                memory,
                memory,
                MhaForwardOptions {
                    key_padding_mask: masks.memory_key_padding_mask,
                    need_weights: false,
                    attn_mask: masks.memory_mask,
                    is_causal: masks.memory_is_causal,
                    ..Default::default()
                },
            )?;
            self.dropout2.call(&y)
        })?;
        residual(&x, &self.norm3, nf, |x| {
            let h = self.options.activation.apply(&self.linear1.call(x)?)?;
            self.dropout3
                .call(&self.linear2.call(&self.dropout.call(&h)?)?)
        })
    }
}

/// A stack of `num_layers` copies of a decoder layer plus an optional final norm, as
/// `nn.TransformerDecoder(decoder_layer, num_layers, norm=None)`.
#[derive(Module)]
pub struct TransformerDecoder {
    base: ModuleBase,
    pub layers: Vec<TransformerDecoderLayer>,
    pub norm: Option<LayerNorm>,
    pub num_layers: usize,
}

impl TransformerDecoder {
    /// `nn.TransformerDecoder(decoder_layer, num_layers, norm)`: deep copies of the layer.
    pub fn new(
        decoder_layer: &TransformerDecoderLayer,
        num_layers: usize,
        norm: Option<LayerNorm>,
    ) -> Result<Self> {
        Ok(TransformerDecoder {
            base: ModuleBase::default(),
            layers: (0..num_layers)
                .map(|_| decoder_layer.deep_copy())
                .collect::<Result<_>>()?,
            norm,
            num_layers,
        })
    }

    /// Runs `tgt` through every layer (each attending to `memory`) and the norm, as
    /// `forward(tgt, memory, tgt_mask=None, ...)`.
    pub fn forward(
        &self,
        tgt: &Tensor,
        memory: &Tensor,
        masks: DecoderMasks<'_>,
    ) -> Result<Tensor> {
        let mut x = tgt.clone();
        for layer in &self.layers {
            x = layer.forward(&x, memory, masks)?;
        }
        match &self.norm {
            Some(n) => n.call(&x),
            None => Ok(x),
        }
    }
}

/// Options of [`Transformer`] (PyTorch's defaults).
#[derive(Clone, Debug)]
pub struct TransformerOptions {
    /// Model width (default 512).
    pub d_model: usize,
    /// Attention heads (default 8).
    pub nhead: usize,
    /// Encoder layers (default 6).
    pub num_encoder_layers: usize,
    /// Decoder layers (default 6).
    pub num_decoder_layers: usize,
    /// The layers' options (dim_feedforward, dropout, activation, layer_norm_eps,
    /// batch_first, norm_first, bias).
    pub layer: TransformerLayerOptions,
}

impl Default for TransformerOptions {
    fn default() -> Self {
        TransformerOptions {
            d_model: 512,
            nhead: 8,
            num_encoder_layers: 6,
            num_decoder_layers: 6,
            layer: TransformerLayerOptions::default(),
        }
    }
}

/// Encoder-decoder Transformer, as `nn.Transformer(d_model=512, nhead=8,
/// num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048, dropout=0.1,
/// activation="relu", layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True)`:
/// `encoder` and `decoder` each end with a LayerNorm; every parameter with more than one dim
/// is re-initialised with xavier_uniform_, as PyTorch's `_reset_parameters`.
#[derive(Module)]
pub struct Transformer {
    base: ModuleBase,
    pub encoder: TransformerEncoder,
    pub decoder: TransformerDecoder,
    pub d_model: usize,
    pub nhead: usize,
    pub batch_first: bool,
}

impl Transformer {
    /// `nn.Transformer(...)` with the given options.
    pub fn new(o: TransformerOptions) -> Result<Self> {
        let enc_layer = TransformerEncoderLayer::with_options(o.d_model, o.nhead, o.layer.clone())?;
        let encoder = TransformerEncoder::new(
            &enc_layer,
            o.num_encoder_layers,
            Some(norm(o.d_model, &o.layer)?),
        )?;
        let dec_layer = TransformerDecoderLayer::with_options(o.d_model, o.nhead, o.layer.clone())?;
        let decoder = TransformerDecoder::new(
            &dec_layer,
            o.num_decoder_layers,
            Some(norm(o.d_model, &o.layer)?),
        )?;
        Self::from_parts(encoder, decoder, o.d_model, o.nhead, o.layer.batch_first)
    }

    /// A Transformer around a custom encoder and decoder, as `nn.Transformer(...,
    /// custom_encoder=..., custom_decoder=...)` (their parameters are re-initialised too).
    pub fn from_parts(
        encoder: TransformerEncoder,
        decoder: TransformerDecoder,
        d_model: usize,
        nhead: usize,
        batch_first: bool,
    ) -> Result<Self> {
        let t = Transformer {
            base: ModuleBase::default(),
            encoder,
            decoder,
            d_model,
            nhead,
            batch_first,
        };
        for p in t.parameters() {
            if p.dim() > 1 {
                init::xavier_uniform_(&p, 1.0)?;
            }
        }
        Ok(t)
    }

    /// `(S, N, E)` source and `(T, N, E)` target (batch first or unbatched as configured) to
    /// `(T, N, E)`, as `forward(src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
    /// src_key_padding_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None,
    /// src_is_causal=None, tgt_is_causal=None, memory_is_causal=False)`.
    pub fn forward(
        &self,
        src: &Tensor,
        tgt: &Tensor,
        masks: TransformerMasks<'_>,
    ) -> Result<Tensor> {
        let batched = src.dim() == 3;
        let batch_dim = usize::from(!self.batch_first);
        if batched && src.shape().get(batch_dim) != tgt.shape().get(batch_dim) {
            return Err(Error::ShapeMismatch {
                op: "Transformer",
                lhs: src.shape().to_vec(),
                rhs: tgt.shape().to_vec(),
                detail: "the batch number of src and tgt must be equal".into(),
            });
        }
        if src.shape().last() != Some(&self.d_model) || tgt.shape().last() != Some(&self.d_model) {
            return Err(Error::ShapeMismatch {
                op: "Transformer",
                lhs: src.shape().to_vec(),
                rhs: tgt.shape().to_vec(),
                detail: format!(
                    "the feature number of src and tgt must be equal to d_model={}",
                    self.d_model
                ),
            });
        }
        let memory = self.encoder.forward(
            src,
            EncoderMasks {
                src_mask: masks.src_mask,
                src_key_padding_mask: masks.src_key_padding_mask,
                is_causal: masks.src_is_causal,
            },
        )?;
        self.decoder.forward(
            tgt,
            &memory,
            DecoderMasks {
                tgt_mask: masks.tgt_mask,
                memory_mask: masks.memory_mask,
                tgt_key_padding_mask: masks.tgt_key_padding_mask,
                memory_key_padding_mask: masks.memory_key_padding_mask,
                tgt_is_causal: masks.tgt_is_causal,
                memory_is_causal: masks.memory_is_causal,
            },
        )
    }

    /// `nn.Transformer.generate_square_subsequent_mask(sz)`; see
    /// [`generate_square_subsequent_mask`].
    pub fn generate_square_subsequent_mask(sz: usize) -> Result<Tensor> {
        generate_square_subsequent_mask(sz)
    }
}
