//! `MultiheadAttention` (torch.nn's) and its output projection type
//! `NonDynamicallyQuantizableLinear`, following `F.multi_head_attention_forward`.

use torch_core::{Error, Result, Tensor, TensorOptions};

use crate::functional::{self as F, canonical_mask};
use crate::init;
use crate::{Forward, Linear, LinearOptions, Module, ModuleBase, Parameter};

/// A `Linear` under the class name PyTorch gives MultiheadAttention's `out_proj`
/// (`NonDynamicallyQuantizableLinear`), so reprs match; derefs to [`Linear`].
#[derive(Module)]
#[module(name = "NonDynamicallyQuantizableLinear", repr)]
pub struct NonDynamicallyQuantizableLinear {
    #[module(flatten)]
    inner: Linear,
}

impl NonDynamicallyQuantizableLinear {
    /// `NonDynamicallyQuantizableLinear(in_features, out_features, bias)`.
    pub fn new(in_features: usize, out_features: usize, bias: bool) -> Result<Self> {
        Ok(NonDynamicallyQuantizableLinear {
            inner: Linear::with_options(in_features, out_features, LinearOptions { bias })?,
        })
    }

    fn extra_repr(&self) -> String {
        Module::extra_repr(&self.inner)
    }
}

impl std::ops::Deref for NonDynamicallyQuantizableLinear {
    type Target = Linear;
    fn deref(&self) -> &Linear {
        &self.inner
    }
}

impl Forward for NonDynamicallyQuantizableLinear {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.inner.forward(x)
    }
}

/// Options of [`MultiheadAttention`] (PyTorch's defaults).
#[derive(Clone, Debug)]
pub struct MultiheadAttentionOptions {
    /// Dropout on the attention weights in training mode (default 0).
    pub dropout: f64,
    /// Biases on the input and output projections (default true).
    pub bias: bool,
    /// Learned `bias_k` / `bias_v` appended to the key and value sequences (default false).
    pub add_bias_kv: bool,
    /// A zero key and value appended to the sequences (default false).
    pub add_zero_attn: bool,
    /// Key features; `None` means `embed_dim`.
    pub kdim: Option<usize>,
    /// Value features; `None` means `embed_dim`.
    pub vdim: Option<usize>,
    /// Inputs and outputs are `(N, L, E)` instead of `(L, N, E)` (default false).
    pub batch_first: bool,
}

impl Default for MultiheadAttentionOptions {
    fn default() -> Self {
        MultiheadAttentionOptions {
            dropout: 0.0,
            bias: true,
            add_bias_kv: false,
            add_zero_attn: false,
            kdim: None,
            vdim: None,
            batch_first: false,
        }
    }
}

/// Optional arguments of [`MultiheadAttention::forward`] (PyTorch's keyword defaults).
#[derive(Clone, Copy, Debug)]
pub struct MhaForwardOptions<'a> {
    /// `(N, S)` (or `(S,)` unbatched): bool true = ignore that key, or float added to the
    /// scores.
    pub key_padding_mask: Option<&'a Tensor>,
    /// Also return the attention weights (default true).
    pub need_weights: bool,
    /// `(L, S)` or `(N * num_heads, L, S)`: bool true = NOT allowed to attend (the opposite of
    /// `scaled_dot_product_attention`'s bool mask), or float added to the scores.
    pub attn_mask: Option<&'a Tensor>,
    /// Average the returned weights over the heads (default true).
    pub average_attn_weights: bool,
    /// Hint that `attn_mask` is the causal mask; `attn_mask` is still required.
    pub is_causal: bool,
}

impl Default for MhaForwardOptions<'_> {
    fn default() -> Self {
        MhaForwardOptions {
            key_padding_mask: None,
            need_weights: true,
            attn_mask: None,
            average_attn_weights: true,
            is_causal: false,
        }
    }
}

/// Multi-head attention, as `nn.MultiheadAttention(embed_dim, num_heads, dropout=0.0,
/// bias=True, add_bias_kv=False, add_zero_attn=False, kdim=None, vdim=None,
/// batch_first=False)`.
///
/// Parameters as PyTorch: `in_proj_weight` `(3E, E)` (or `q_proj_weight` `(E, E)`,
/// `k_proj_weight` `(E, kdim)`, `v_proj_weight` `(E, vdim)` when kdim/vdim differ from E),
/// `in_proj_bias` `(3E)`, `bias_k`/`bias_v` `(1, 1, E)`, `out_proj` (a Linear). Initialised
/// as `_reset_parameters`: xavier_uniform_ projection weights, zero biases, xavier_normal_
/// `bias_k`/`bias_v`; `out_proj.weight` keeps Linear's default.
#[derive(Module)]
pub struct MultiheadAttention {
    base: ModuleBase,
    pub in_proj_weight: Option<Parameter>,
    pub q_proj_weight: Option<Parameter>,
    pub k_proj_weight: Option<Parameter>,
    pub v_proj_weight: Option<Parameter>,
    pub in_proj_bias: Option<Parameter>,
    pub bias_k: Option<Parameter>,
    pub bias_v: Option<Parameter>,
    pub out_proj: NonDynamicallyQuantizableLinear,
    pub embed_dim: usize,
    pub kdim: usize,
    pub vdim: usize,
    pub num_heads: usize,
    pub head_dim: usize,
    pub dropout: f64,
    pub batch_first: bool,
    pub add_zero_attn: bool,
}

fn xavier(shape: &[usize]) -> Result<Parameter> {
    let t = Tensor::empty(shape, TensorOptions::default())?;
    init::xavier_uniform_(&t, 1.0)?;
    Parameter::new(t)
}

fn xavier_normal(shape: &[usize]) -> Result<Parameter> {
    let t = Tensor::empty(shape, TensorOptions::default())?;
    init::xavier_normal_(&t, 1.0)?;
    Parameter::new(t)
}

const OP: &str = "MultiheadAttention";

impl MultiheadAttention {
    /// `nn.MultiheadAttention(embed_dim, num_heads)`.
    pub fn new(embed_dim: usize, num_heads: usize) -> Result<MultiheadAttention> {
        Self::with_options(embed_dim, num_heads, MultiheadAttentionOptions::default())
    }

    /// `nn.MultiheadAttention(embed_dim, num_heads, ...)` with explicit options.
    pub fn with_options(
        embed_dim: usize,
        num_heads: usize,
        o: MultiheadAttentionOptions,
    ) -> Result<MultiheadAttention> {
        if num_heads == 0 || !embed_dim.is_multiple_of(num_heads) {
            return Err(Error::invalid(
                OP,
                format!(
                    "embed_dim must be divisible by num_heads, got embed_dim={embed_dim} and num_heads={num_heads}"
                ),
            ));
        }
        if !(0.0..=1.0).contains(&o.dropout) {
            return Err(Error::invalid(
                OP,
                format!(
                    "dropout should be a number in range [0, 1], got {}",
                    o.dropout
                ),
            ));
        }
        let kdim = o.kdim.unwrap_or(embed_dim);
        let vdim = o.vdim.unwrap_or(embed_dim);
        let same = kdim == embed_dim && vdim == embed_dim;
        let e = embed_dim;
        let out_proj = NonDynamicallyQuantizableLinear::new(e, e, o.bias)?;
        if let Some(b) = &out_proj.bias {
            init::zeros_(b)?;
        }
        let opt = |cond: bool, shape: &[usize]| -> Result<Option<Parameter>> {
            if cond {
                xavier(shape).map(Some)
            } else {
                Ok(None)
            }
        };
        Ok(MultiheadAttention {
            base: ModuleBase::default(),
            in_proj_weight: opt(same, &[3 * e, e])?,
            q_proj_weight: opt(!same, &[e, e])?,
            k_proj_weight: opt(!same, &[e, kdim])?,
            v_proj_weight: opt(!same, &[e, vdim])?,
            in_proj_bias: if o.bias {
                Some(Parameter::new(Tensor::zeros(
                    &[3 * e],
                    TensorOptions::default(),
                )?)?)
            } else {
                None
            },
            bias_k: if o.add_bias_kv {
                Some(xavier_normal(&[1, 1, e])?)
            } else {
                None
            },
            bias_v: if o.add_bias_kv {
                Some(xavier_normal(&[1, 1, e])?)
            } else {
                None
            },
            out_proj,
            embed_dim,
            kdim,
            vdim,
            num_heads,
            head_dim: e / num_heads,
            dropout: o.dropout,
            batch_first: o.batch_first,
            add_zero_attn: o.add_zero_attn,
        })
    }

    /// `(output, weights)` for `query` `(L, N, E)`, `key` `(S, N, kdim)`, `value`
    /// `(S, N, vdim)` (`(N, L, E)`... with `batch_first`; `(L, E)`, `(S, kdim)`, `(S, vdim)`
    /// unbatched), as `forward(query, key, value, key_padding_mask=None, need_weights=True,
    /// attn_mask=None, average_attn_weights=True, is_causal=False)`. `output` has the query's
    /// layout; `weights` (when `need_weights`) is `(N, L, S)` averaged over heads or
    /// `(N, num_heads, L, S)`. Composite.
    pub fn forward(
        &self,
        query: &Tensor,
        key: &Tensor,
        value: &Tensor,
        o: MhaForwardOptions<'_>,
    ) -> Result<(Tensor, Option<Tensor>)> {
        let batched = query.dim() == 3;
        if !(query.dim() == 2 || batched) || key.dim() != query.dim() || value.dim() != query.dim()
        {
            return Err(Error::invalid(
                OP,
                format!(
                    "query should be unbatched 2D or batched 3D with key and value of the same rank, got query {:?}, key {:?}, value {:?}",
                    query.shape(),
                    key.shape(),
                    value.shape()
                ),
            ));
        }
        // Self-attention (one tensor) shares one projection matmul, as PyTorch.
        let self_attn = query.id() == key.id() && key.id() == value.id();
        let seq_first = |t: &Tensor| -> Result<Tensor> {
            match (batched, self.batch_first) {
                (true, true) => t.transpose(0, 1),
                (true, false) => Ok(t.clone()),
                (false, _) => t.unsqueeze(1),
            }
        };
        // (L, N, E), (S, N, kdim), (S, N, vdim)
        let (q, k, v) = (seq_first(query)?, seq_first(key)?, seq_first(value)?);
        let (tgt_len, bsz, e) = (q.shape()[0], q.shape()[1], q.shape()[2]);
        let src_len = k.shape()[0];
        let kv_ok = k.shape()[1] == bsz
            && v.shape()[1] == bsz
            && v.shape()[0] == src_len
            && k.shape()[2] == self.kdim
            && v.shape()[2] == self.vdim;
        if e != self.embed_dim || !kv_ok {
            return Err(Error::invalid(
                OP,
                format!(
                    "expected query (L, N, {}), key (S, N, {}) and value (S, N, {}) (batch first: {}), got query {:?}, key {:?}, value {:?}",
                    self.embed_dim,
                    self.kdim,
                    self.vdim,
                    self.batch_first,
                    query.shape(),
                    key.shape(),
                    value.shape()
                ),
            ));
        }
        let kpm = match o.key_padding_mask {
            Some(m) if !batched => Some(m.unsqueeze(0)?),
            m => m.cloned(),
        };
        if let Some(m) = &kpm
            && m.shape() != [bsz, src_len]
        {
            return Err(Error::ShapeMismatch {
                op: OP,
                lhs: m.shape().to_vec(),
                rhs: vec![bsz, src_len],
                detail: "expecting key_padding_mask of shape (N, S)".into(),
            });
        }
        let kpm = canonical_mask(OP, "key_padding_mask", kpm.as_ref(), q.dtype())?;
        if o.is_causal && o.attn_mask.is_none() {
            return Err(Error::invalid(
                OP,
                "Need attn_mask if specifying the is_causal hint. You may use the Transformer module method `generate_square_subsequent_mask` to create this mask.",
            ));
        }
        // With no padding mask and no weights wanted, the hint replaces the mask, as PyTorch.
        let use_causal = o.is_causal && kpm.is_none() && !o.need_weights;
        let attn_mask = if use_causal {
            None
        } else {
            canonical_mask(OP, "attn_mask", o.attn_mask, q.dtype())?
        };
        let nh = self.num_heads;
        let attn_mask = match attn_mask {
            None => None,
            Some(m) if m.dim() == 2 && m.shape() == [tgt_len, src_len] => Some(m.unsqueeze(0)?),
            Some(m) if m.dim() == 3 && m.shape() == [bsz * nh, tgt_len, src_len] => Some(m),
            Some(m) => {
                return Err(Error::ShapeMismatch {
                    op: OP,
                    lhs: m.shape().to_vec(),
                    rhs: vec![bsz * nh, tgt_len, src_len],
                    detail: format!(
                        "attn_mask must be ({tgt_len}, {src_len}) or (N * num_heads, L, S)"
                    ),
                });
            }
        };

        let (q, k, v) = self.in_projection(&q, &k, &v, self_attn)?;
        let (mut k, mut v, mut attn_mask, mut kpm) = (k, v, attn_mask, kpm);
        let pad_last = |m: Option<Tensor>| m.map(|m| m.pad(&[0, 1], "constant", 0.0)).transpose();
        if let (Some(bk), Some(bv)) = (&self.bias_k, &self.bias_v) {
            k = Tensor::cat(&[&k, &bk.repeat(&[1, bsz, 1])?], 0)?;
            v = Tensor::cat(&[&v, &bv.repeat(&[1, bsz, 1])?], 0)?;
            attn_mask = pad_last(attn_mask)?;
            kpm = pad_last(kpm)?;
        }
        let hd = self.head_dim as i64;
        let heads = |t: &Tensor| -> Result<Tensor> {
            // (T, N, E) -> (T, N * nh, hd) -> (N * nh, T, hd)
            t.reshape(&[t.shape()[0] as i64, (bsz * nh) as i64, hd])?
                .transpose(0, 1)
        };
        let q = heads(&q)?;
        let (mut k, mut v) = (heads(&k)?, heads(&v)?);
        if self.add_zero_attn {
            let zeros = Tensor::zeros(
                &[bsz * nh, 1, self.head_dim],
                TensorOptions::default().dtype(k.dtype()),
            )?;
            k = Tensor::cat(&[&k, &zeros], 1)?;
            v = Tensor::cat(&[&v, &zeros], 1)?;
            attn_mask = pad_last(attn_mask)?;
            kpm = pad_last(kpm)?;
        }
        let s = k.shape()[1] as i64;
        let (b, nh_i, l) = (bsz as i64, nh as i64, tgt_len as i64);
        if let Some(m) = kpm {
            // (N, S) -> (N, nh, 1, S) -> (N * nh, 1, S)
            let m = m
                .reshape(&[b, 1, 1, s])?
                .expand(&[b, nh_i, 1, s])?
                .reshape(&[b * nh_i, 1, s])?;
            attn_mask = Some(match attn_mask {
                Some(a) => a.add(&m)?,
                None => m,
            });
        }
        let dropout_p = if self.is_training() {
            self.dropout
        } else {
            0.0
        };
        let e = self.embed_dim as i64;
        let project_out = |out: Tensor| -> Result<Tensor> {
            // (L * N, E) -> (L, N, E)
            let y = self.out_proj.forward(&out)?.reshape(&[l, b, e])?;
            match (batched, self.batch_first) {
                (false, _) => y.squeeze_dim(1),
                (true, true) => y.transpose(0, 1),
                (true, false) => Ok(y),
            }
        };
        if o.need_weights {
            let qs = q.mul_scalar(1.0 / (self.head_dim as f64).sqrt())?;
            // (N * nh, L, S)
            let mut w = qs.matmul(&k.transpose(-2, -1)?)?;
            if let Some(m) = &attn_mask {
                w = w.add(m)?;
            }
            let w = F::dropout(&w.softmax(-1)?, dropout_p, true)?;
            // (N * nh, L, hd) -> (L, N * nh, hd) -> (L * N, E)
            let out = w.matmul(&v)?.transpose(0, 1)?.reshape(&[l * b, e])?;
            let y = project_out(out)?;
            // (N, nh, L, S)
            let w = w.reshape(&[b, nh_i, l, s])?;
            let w = if o.average_attn_weights {
                w.mean_dim(&[1], false)?
            } else {
                w
            };
            let w = if batched { w } else { w.squeeze_dim(0)? };
            Ok((y, Some(w)))
        } else {
            let attn_mask = match attn_mask {
                // (1, L, S) -> (1, 1, L, S)
                Some(m) if m.shape()[0] == 1 => Some(m.unsqueeze(0)?),
                // (N * nh, L, S) -> (N, nh, L, S)
                Some(m) => Some(m.reshape(&[b, nh_i, -1, s])?),
                None => None,
            };
            let split = |t: &Tensor| t.reshape(&[b, nh_i, -1, hd]);
            // (N, nh, L, hd)
            let out = F::scaled_dot_product_attention(
                &split(&q)?,
                &split(&k)?,
                &split(&v)?,
                attn_mask.as_ref(),
                dropout_p,
                use_causal,
                None,
            )?;
            // (N, nh, L, hd) -> (L, N, nh, hd) -> (L * N, E)
            let out = out.permute(&[2, 0, 1, 3])?.reshape(&[l * b, e])?;
            Ok((project_out(out)?, None))
        }
    }

    /// The q, k, v projections of seq-first inputs, each `(T, N, E)`.
    fn in_projection(
        &self,
        q: &Tensor,
        k: &Tensor,
        v: &Tensor,
        self_attn: bool,
    ) -> Result<(Tensor, Tensor, Tensor)> {
        let biases = match &self.in_proj_bias {
            Some(b) => b.chunk(3, 0)?.into_iter().map(Some).collect(),
            None => vec![None, None, None],
        };
        if let Some(w) = &self.in_proj_weight {
            if self_attn {
                let proj = F::linear(q, w, self.in_proj_bias.as_deref())?;
                let mut parts = proj.chunk(3, -1)?.into_iter();
                if let (Some(a), Some(b), Some(c)) = (parts.next(), parts.next(), parts.next()) {
                    return Ok((a, b, c));
                }
            }
            let ws = w.chunk(3, 0)?;
            return Ok((
                F::linear(q, &ws[0], biases[0].as_ref())?,
                F::linear(k, &ws[1], biases[1].as_ref())?,
                F::linear(v, &ws[2], biases[2].as_ref())?,
            ));
        }
        match (
            &self.q_proj_weight,
            &self.k_proj_weight,
            &self.v_proj_weight,
        ) {
            (Some(wq), Some(wk), Some(wv)) => Ok((
                F::linear(q, wq, biases[0].as_ref())?,
                F::linear(k, wk, biases[1].as_ref())?,
                F::linear(v, wv, biases[2].as_ref())?,
            )),
            _ => Err(Error::invalid(
                OP,
                "missing projection weights (in_proj_weight or q/k/v_proj_weight)",
            )),
        }
    }
}
