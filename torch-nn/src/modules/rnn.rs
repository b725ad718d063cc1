//! The multi-layer recurrent layers (torch.nn's `RNN`, `LSTM`, `GRU`) over the shared
//! `RNNBase`: PyTorch's parameter names (`weight_ih_l0`, `bias_hh_l1_reverse`, ...) and
//! layouts, `(output, h_n)` results. Composites: one matmul per layer and direction for the
//! input projection of the whole sequence, then one hidden-projection step per time step.

use std::any::Any;

use torch_core::{Error, Result, Tensor, TensorOptions};

use super::rnn_cell::{CellWeights, Mode, Nonlinearity, recurrent_param, step};
use crate::functional as F;
use crate::repr;
use crate::{Member, MemberMut, Module, ModuleBase, Parameter};

/// Options of [`RNN`], [`LSTM`] and [`GRU`] (PyTorch's defaults).
#[derive(Clone, Debug)]
pub struct RNNOptions {
    /// Stacked layers (default 1).
    pub num_layers: usize,
    /// `RNN` only: `tanh` (default) or `relu`.
    pub nonlinearity: Nonlinearity,
    /// Learn the `bias_ih_l*` / `bias_hh_l*` parameters (default true).
    pub bias: bool,
    /// Input and output are `(N, L, H)` instead of `(L, N, H)` (default false); the states
    /// stay `(D * num_layers, N, H)`.
    pub batch_first: bool,
    /// Dropout on the outputs of every layer but the last, in training mode (default 0).
    pub dropout: f64,
    /// Run a second, reversed direction per layer (default false).
    pub bidirectional: bool,
    /// `LSTM` only: project `h` to this size with `weight_hr_l*` (default 0: no projection).
    pub proj_size: usize,
}

impl Default for RNNOptions {
    fn default() -> Self {
        RNNOptions {
            num_layers: 1,
            nonlinearity: Nonlinearity::Tanh,
            bias: true,
            batch_first: false,
            dropout: 0.0,
            bidirectional: false,
            proj_size: 0,
        }
    }
}

/// The state and forward shared by [`RNN`], [`LSTM`] and [`GRU`] (which deref to it), as
/// PyTorch's `RNNBase`. Parameters, for layer `k` and suffix `""` or `"_reverse"`:
/// `weight_ih_l{k}` `(G*hidden, in)` (`in` = input_size for layer 0, else
/// `D * out_size`), `weight_hh_l{k}` `(G*hidden, out_size)`, `bias_ih_l{k}`, `bias_hh_l{k}`
/// `(G*hidden)`, LSTM's `weight_hr_l{k}` `(proj_size, hidden)`, where G = 1, 4 (i,f,g,o) or
/// 3 (r,z,n) and `out_size` is `proj_size` if set, else `hidden_size`. All initialised
/// `U(-1/√hidden, 1/√hidden)`.
pub struct RNNBase {
    base: ModuleBase,
    /// `(name, parameter)` in PyTorch's `_flat_weights_names` order.
    params: Vec<(String, Parameter)>,
    mode: Mode,
    pub input_size: usize,
    pub hidden_size: usize,
    pub num_layers: usize,
    pub bias: bool,
    pub batch_first: bool,
    pub dropout: f64,
    pub bidirectional: bool,
    pub proj_size: usize,
}

impl Module for RNNBase {
    fn visit<'a>(&'a self, f: &mut dyn FnMut(&str, Member<'a>)) {
        f("base", Member::Base(&self.base));
        for (name, p) in &self.params {
            f(name, Member::Parameter(p));
        }
    }
    fn visit_mut(&mut self, f: &mut dyn FnMut(&str, MemberMut<'_>)) {
        f("base", MemberMut::Base(&mut self.base));
        for (name, p) in &mut self.params {
            f(name, MemberMut::Parameter(p));
        }
    }
    fn type_name(&self) -> &str {
        self.op()
    }
    fn extra_repr(&self) -> String {
        let mut s = format!("{}, {}", self.input_size, self.hidden_size);
        if self.proj_size != 0 {
            s.push_str(&format!(", proj_size={}", self.proj_size));
        }
        if self.num_layers != 1 {
            s.push_str(&format!(", num_layers={}", self.num_layers));
        }
        if !self.bias {
            s.push_str(", bias=False");
        }
        if self.batch_first {
            s.push_str(", batch_first=True");
        }
        if self.dropout != 0.0 {
            s.push_str(&format!(", dropout={}", repr::float(self.dropout)));
        }
        if self.bidirectional {
            s.push_str(", bidirectional=True");
        }
        s
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_module(&self) -> &dyn Module {
        self
    }
}

impl std::fmt::Display for RNNBase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        crate::fmt_module(self, f)
    }
}

impl RNNBase {
    fn build(input_size: usize, hidden_size: usize, o: RNNOptions, mode: Mode) -> Result<RNNBase> {
        let op = match mode {
            Mode::Rnn(_) => "RNN",
            Mode::Lstm => "LSTM",
            Mode::Gru => "GRU",
        };
        if !(0.0..=1.0).contains(&o.dropout) {
            return Err(Error::invalid(
                op,
                format!(
                    "dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got {}",
                    o.dropout
                ),
            ));
        }
        if hidden_size == 0 || o.num_layers == 0 {
            return Err(Error::invalid(
                op,
                format!(
                    "hidden_size and num_layers must be positive, got hidden_size={hidden_size} and num_layers={}",
                    o.num_layers
                ),
            ));
        }
        if o.proj_size != 0 && mode != Mode::Lstm {
            return Err(Error::invalid(
                op,
                "proj_size argument is only supported for LSTM, not RNN or GRU",
            ));
        }
        if o.proj_size >= hidden_size && o.proj_size != 0 {
            return Err(Error::invalid(
                op,
                format!(
                    "proj_size has to be smaller than hidden_size, got proj_size={} and hidden_size={hidden_size}",
                    o.proj_size
                ),
            ));
        }
        let dirs = if o.bidirectional { 2 } else { 1 };
        let out_size = if o.proj_size > 0 {
            o.proj_size
        } else {
            hidden_size
        };
        let g = mode.gates() * hidden_size;
        let mut params = Vec::new();
        for layer in 0..o.num_layers {
            let layer_in = if layer == 0 {
                input_size
            } else {
                dirs * out_size
            };
            for d in 0..dirs {
                let sfx = if d == 1 { "_reverse" } else { "" };
                let mut add = |name: &str, shape: &[usize]| -> Result<()> {
                    params.push((
                        format!("{name}_l{layer}{sfx}"),
                        recurrent_param(shape, hidden_size)?,
                    ));
                    Ok(())
                };
                add("weight_ih", &[g, layer_in])?;
                add("weight_hh", &[g, out_size])?;
                if o.bias {
                    add("bias_ih", &[g])?;
                    add("bias_hh", &[g])?;
                }
                if o.proj_size > 0 {
                    add("weight_hr", &[o.proj_size, hidden_size])?;
                }
            }
        }
        Ok(RNNBase {
            base: ModuleBase::default(),
            params,
            mode,
            input_size,
            hidden_size,
            num_layers: o.num_layers,
            bias: o.bias,
            batch_first: o.batch_first,
            dropout: o.dropout,
            bidirectional: o.bidirectional,
            proj_size: o.proj_size,
        })
    }

    fn op(&self) -> &'static str {
        match self.mode {
            Mode::Rnn(_) => "RNN",
            Mode::Lstm => "LSTM",
            Mode::Gru => "GRU",
        }
    }

    fn dirs(&self) -> usize {
        if self.bidirectional { 2 } else { 1 }
    }

    fn out_size(&self) -> usize {
        if self.proj_size > 0 {
            self.proj_size
        } else {
            self.hidden_size
        }
    }

    /// The parameter named `name` (`"weight_ih_l0"`), as attribute access in PyTorch.
    pub fn get(&self, name: &str) -> Option<&Parameter> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, p)| p)
    }

    /// The parameters per layer and direction, as PyTorch's `all_weights`.
    pub fn all_weights(&self) -> Vec<Vec<&Parameter>> {
        let per = self.params.len() / (self.num_layers * self.dirs()).max(1);
        self.params
            .chunks(per.max(1))
            .map(|c| c.iter().map(|(_, p)| p).collect())
            .collect()
    }

    fn weights(
        &self,
        layer: usize,
        d: usize,
    ) -> Result<(&Tensor, Option<&Tensor>, CellWeights<'_>)> {
        let sfx = if d == 1 { "_reverse" } else { "" };
        let get = |name: &str| self.get(&format!("{name}_l{layer}{sfx}")).map(|p| &**p);
        let missing = || Error::invalid(self.op(), format!("missing weights of layer {layer}"));
        Ok((
            get("weight_ih").ok_or_else(missing)?,
            get("bias_ih"),
            CellWeights {
                w_hh: get("weight_hh").ok_or_else(missing)?,
                b_hh: get("bias_hh"),
                w_hr: get("weight_hr"),
            },
        ))
    }

    /// Checks the input and states, returning `x` as `(L, N, in)` and each state as
    /// `(D * num_layers, N, size)` (zeros when absent).
    fn prepare(
        &self,
        input: &Tensor,
        states: &[(Option<&Tensor>, usize)],
    ) -> Result<(Tensor, Vec<Tensor>, bool)> {
        let op = self.op();
        if input.dim() != 2 && input.dim() != 3 {
            return Err(Error::invalid(
                op,
                format!(
                    "{op}: Expected input to be 2D or 3D, got {}D instead (input shape {:?})",
                    input.dim(),
                    input.shape()
                ),
            ));
        }
        if input.shape().last() != Some(&self.input_size) {
            return Err(Error::invalid(
                op,
                format!(
                    "input.size(-1) must be equal to input_size. Expected {}, got {} (input shape {:?})",
                    self.input_size,
                    input.shape().last().copied().unwrap_or(0),
                    input.shape()
                ),
            ));
        }
        let batched = input.dim() == 3;
        // (L, N, in)
        let x = match (batched, self.batch_first) {
            (false, _) => input.unsqueeze(1)?,
            (true, true) => input.transpose(0, 1)?,
            (true, false) => input.clone(),
        };
        let n = x.shape()[1];
        let layers = self.dirs() * self.num_layers;
        let mut out = Vec::with_capacity(states.len());
        for (k, &(s, size)) in states.iter().enumerate() {
            let expected = if batched {
                vec![layers, n, size]
            } else {
                vec![layers, size]
            };
            let s = match s {
                None => Tensor::zeros(
                    &[layers, n, size],
                    TensorOptions::default().dtype(x.dtype()),
                )?,
                Some(s) if s.shape() == expected.as_slice() => {
                    if batched {
                        s.clone()
                    } else {
                        s.unsqueeze(1)?
                    }
                }
                Some(s) => {
                    let which = if states.len() > 1 {
                        format!("hidden[{k}]")
                    } else {
                        "hidden".to_string()
                    };
                    return Err(Error::ShapeMismatch {
                        op,
                        lhs: s.shape().to_vec(),
                        rhs: expected,
                        detail: format!(
                            "expected {which} of size (D * num_layers, N, H) = the second shape, for input {:?}",
                            input.shape()
                        ),
                    });
                }
            };
            out.push(s);
        }
        Ok((x, out, batched))
    }

    /// The shared forward: `states` is `[h0]` or `[h0, c0]`; returns `output` and the final
    /// states in the input's layout.
    fn run(&self, input: &Tensor, states: &[Option<&Tensor>]) -> Result<(Tensor, Vec<Tensor>)> {
        let sizes: Vec<(Option<&Tensor>, usize)> = match self.mode {
            Mode::Lstm => vec![(states[0], self.out_size()), (states[1], self.hidden_size)],
            _ => vec![(states[0], self.hidden_size)],
        };
        let (x, init, batched) = self.prepare(input, &sizes)?;
        let is_lstm = self.mode == Mode::Lstm;
        let seq_len = x.shape()[0];
        let mut h_n = Vec::new();
        let mut c_n = Vec::new();
        let mut layer_input = x;
        for layer in 0..self.num_layers {
            let mut dir_out = Vec::with_capacity(self.dirs());
            for d in 0..self.dirs() {
                let idx = (layer * self.dirs() + d) as i64;
                let (w_ih, b_ih, w) = self.weights(layer, d)?;
                // (L, N, G*H): the input projection of the whole sequence at once.
                let xw = F::linear(&layer_input, w_ih, b_ih)?;
                let mut h = init[0].select(0, idx)?;
                let mut c = if is_lstm {
                    Some(init[1].select(0, idx)?)
                } else {
                    None
                };
                let mut outs: Vec<Option<Tensor>> = vec![None; seq_len];
                for s in 0..seq_len {
                    let t = if d == 0 { s } else { seq_len - 1 - s };
                    let (h2, c2) = step(self.mode, &xw.select(0, t as i64)?, &h, c.as_ref(), &w)?;
                    outs[t] = Some(h2.clone());
                    h = h2;
                    c = c2;
                }
                let outs: Vec<Tensor> = outs.into_iter().flatten().collect();
                let refs: Vec<&Tensor> = outs.iter().collect();
                // (L, N, H_out)
                dir_out.push(if refs.is_empty() {
                    Tensor::zeros(
                        &[0, h.shape()[0], h.shape()[1]],
                        TensorOptions::default().dtype(h.dtype()),
                    )?
                } else {
                    Tensor::stack(&refs, 0)?
                });
                h_n.push(h);
                c_n.extend(c);
            }
            let refs: Vec<&Tensor> = dir_out.iter().collect();
            // (L, N, D * H_out)
            let out = Tensor::cat(&refs, 2)?;
            layer_input = if layer + 1 < self.num_layers {
                F::dropout(&out, self.dropout, self.base.is_training())?
            } else {
                out
            };
        }
        let stack = |v: &[Tensor]| -> Result<Tensor> {
            let refs: Vec<&Tensor> = v.iter().collect();
            // (D * num_layers, N, H)
            let s = Tensor::stack(&refs, 0)?;
            if batched { Ok(s) } else { s.squeeze_dim(1) }
        };
        let mut finals = vec![stack(&h_n)?];
        if is_lstm {
            finals.push(stack(&c_n)?);
        }
        let output = match (batched, self.batch_first) {
            (false, _) => layer_input.squeeze_dim(1)?,
            (true, true) => layer_input.transpose(0, 1)?,
            (true, false) => layer_input,
        };
        Ok((output, finals))
    }
}

macro_rules! recurrent {
    ($(#[$doc:meta])* $name:ident, $label:literal) => {
        $(#[$doc])*
        #[derive(Module)]
        #[module(name = $label, repr)]
        pub struct $name {
            #[module(flatten)]
            inner: RNNBase,
        }

        impl $name {
            fn extra_repr(&self) -> String {
                Module::extra_repr(&self.inner)
            }
        }

        impl std::ops::Deref for $name {
            type Target = RNNBase;
            fn deref(&self) -> &RNNBase {
                &self.inner
            }
        }
    };
}

recurrent!(
    /// A multi-layer Elman RNN, as `nn.RNN(input_size, hidden_size, num_layers=1,
    /// nonlinearity="tanh", bias=True, batch_first=False, dropout=0.0, bidirectional=False)`:
    /// `h_t = act(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh)`.
    RNN, "RNN"
);
recurrent!(
    /// A multi-layer LSTM, as `nn.LSTM(input_size, hidden_size, num_layers=1, bias=True,
    /// batch_first=False, dropout=0.0, bidirectional=False, proj_size=0)`; gates i, f, g, o.
    LSTM, "LSTM"
);
recurrent!(
    /// A multi-layer GRU, as `nn.GRU(input_size, hidden_size, num_layers=1, bias=True,
    /// batch_first=False, dropout=0.0, bidirectional=False)`; gates r, z, n.
    GRU, "GRU"
);

impl RNN {
    /// `nn.RNN(input_size, hidden_size)`.
    pub fn new(input_size: usize, hidden_size: usize) -> Result<RNN> {
        Self::with_options(input_size, hidden_size, RNNOptions::default())
    }

    /// `nn.RNN(input_size, hidden_size, ...)` with explicit options.
    pub fn with_options(input_size: usize, hidden_size: usize, o: RNNOptions) -> Result<RNN> {
        let mode = Mode::Rnn(o.nonlinearity);
        Ok(RNN {
            inner: RNNBase::build(input_size, hidden_size, o, mode)?,
        })
    }

    /// `(output, h_n)`: `input` `(L, N, in)` (`(N, L, in)` with batch_first, `(L, in)`
    /// unbatched), `h0` `(D * num_layers, N, hidden)` (`(D * num_layers, hidden)` unbatched,
    /// zeros if `None`); `output` `(L, N, D * hidden)`. As `forward(input, hx=None)`.
    pub fn forward(&self, input: &Tensor, h0: Option<&Tensor>) -> Result<(Tensor, Tensor)> {
        let (out, mut states) = self.inner.run(input, &[h0])?;
        Ok((out, states.swap_remove(0)))
    }
}

impl GRU {
    /// `nn.GRU(input_size, hidden_size)`.
    pub fn new(input_size: usize, hidden_size: usize) -> Result<GRU> {
        Self::with_options(input_size, hidden_size, RNNOptions::default())
    }

    /// `nn.GRU(input_size, hidden_size, ...)` with explicit options (`nonlinearity` is not
    /// used).
    pub fn with_options(input_size: usize, hidden_size: usize, o: RNNOptions) -> Result<GRU> {
        Ok(GRU {
            inner: RNNBase::build(input_size, hidden_size, o, Mode::Gru)?,
        })
    }

    /// `(output, h_n)`, shapes as [`RNN::forward`]. As `forward(input, hx=None)`.
    pub fn forward(&self, input: &Tensor, h0: Option<&Tensor>) -> Result<(Tensor, Tensor)> {
        let (out, mut states) = self.inner.run(input, &[h0])?;
        Ok((out, states.swap_remove(0)))
    }
}

impl LSTM {
    /// `nn.LSTM(input_size, hidden_size)`.
    pub fn new(input_size: usize, hidden_size: usize) -> Result<LSTM> {
        Self::with_options(input_size, hidden_size, RNNOptions::default())
    }

    /// `nn.LSTM(input_size, hidden_size, ...)` with explicit options (`nonlinearity` is not
    /// used).
    pub fn with_options(input_size: usize, hidden_size: usize, o: RNNOptions) -> Result<LSTM> {
        Ok(LSTM {
            inner: RNNBase::build(input_size, hidden_size, o, Mode::Lstm)?,
        })
    }

    /// `(output, (h_n, c_n))`: `input` as [`RNN::forward`], `hx = (h0, c0)` with `h0`
    /// `(D * num_layers, N, H_out)` and `c0` `(D * num_layers, N, hidden)` (zeros if `None`),
    /// `H_out = proj_size` if set, else `hidden`; `output` `(L, N, D * H_out)`. As
    /// `forward(input, hx=None)`.
    pub fn forward(
        &self,
        input: &Tensor,
        hx: Option<(&Tensor, &Tensor)>,
    ) -> Result<(Tensor, (Tensor, Tensor))> {
        let (h0, c0) = match hx {
            Some((h, c)) => (Some(h), Some(c)),
            None => (None, None),
        };
        let (out, mut states) = self.inner.run(input, &[h0, c0])?;
        let c = states.swap_remove(1);
        let h = states.swap_remove(0);
        Ok((out, (h, c)))
    }
}
