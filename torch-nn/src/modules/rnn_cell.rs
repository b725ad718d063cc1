//! The recurrent cells (torch.nn's `RNNCell`, `LSTMCell`, `GRUCell`) and the one-step
//! updates they share with `RNN`, `LSTM` and `GRU` (rnn.rs). Composites over matmul.

use torch_core::{Error, Result, Tensor, TensorOptions};

use super::linear::fan_in_uniform;
use crate::functional as F;
use crate::repr;
use crate::{Module, ModuleBase, Parameter};

/// The nonlinearity of `RNN` / `RNNCell` (PyTorch's `nonlinearity="tanh"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Nonlinearity {
    /// `tanh` (PyTorch's default).
    #[default]
    Tanh,
    /// `relu`.
    Relu,
}

impl Nonlinearity {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Nonlinearity::Tanh => "tanh",
            Nonlinearity::Relu => "relu",
        }
    }
}

/// Which recurrence a cell or layer computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Rnn(Nonlinearity),
    Lstm,
    Gru,
}

impl Mode {
    /// Gates stacked in the weights' first dim (LSTM i,f,g,o; GRU r,z,n).
    pub(crate) fn gates(self) -> usize {
        match self {
            Mode::Rnn(_) => 1,
            Mode::Lstm => 4,
            Mode::Gru => 3,
        }
    }
}

/// The weights of one cell (one layer and direction of a recurrent layer).
pub(crate) struct CellWeights<'a> {
    pub w_hh: &'a Tensor,
    pub b_hh: Option<&'a Tensor>,
    /// LSTM's projection `weight_hr` `(proj_size, hidden)`.
    pub w_hr: Option<&'a Tensor>,
}

/// One step: `xw` is the input projection `x W_ihᵀ + b_ih` `(N, G*H)`, `h` `(N, H_out)`, `c`
/// the LSTM cell state `(N, H)`. Returns the new `(h, c)` (`c` is `None` but for LSTM).
///
/// - RNN: `h' = act(xw + h W_hhᵀ + b_hh)`
/// - LSTM: `i, f, g, o = xw + h W_hhᵀ + b_hh`; `c' = σ(f) c + σ(i) tanh(g)`;
///   `h' = σ(o) tanh(c')` (then `h' W_hrᵀ` with a projection)
/// - GRU: `r = σ(xr + hr)`, `z = σ(xz + hz)`, `n = tanh(xn + r hn)`, `h' = n + z (h - n)`
pub(crate) fn step(
    mode: Mode,
    xw: &Tensor,
    h: &Tensor,
    c: Option<&Tensor>,
    w: &CellWeights<'_>,
) -> Result<(Tensor, Option<Tensor>)> {
    let hw = F::linear(h, w.w_hh, w.b_hh)?;
    match mode {
        Mode::Rnn(act) => {
            let pre = xw.add(&hw)?;
            let h = match act {
                Nonlinearity::Tanh => pre.tanh()?,
                Nonlinearity::Relu => pre.relu()?,
            };
            Ok((h, None))
        }
        Mode::Lstm => {
            let gates = xw.add(&hw)?.chunk(4, -1)?;
            let c = c.ok_or_else(|| Error::invalid("LSTM", "missing cell state"))?;
            let (i, f, g, o) = (
                gates[0].sigmoid()?,
                gates[1].sigmoid()?,
                gates[2].tanh()?,
                gates[3].sigmoid()?,
            );
            let c = f.mul(c)?.add(&i.mul(&g)?)?;
            let h = o.mul(&c.tanh()?)?;
            let h = match w.w_hr {
                Some(w_hr) => h.matmul(&w_hr.t()?)?,
                None => h,
            };
            Ok((h, Some(c)))
        }
        Mode::Gru => {
            let xg = xw.chunk(3, -1)?;
            let hg = hw.chunk(3, -1)?;
            let r = xg[0].add(&hg[0])?.sigmoid()?;
            let z = xg[1].add(&hg[1])?.sigmoid()?;
            let n = xg[2].add(&r.mul(&hg[2])?)?.tanh()?;
            let h = n.add(&z.mul(&h.sub(&n)?)?)?;
            Ok((h, None))
        }
    }
}

/// `U(-1/√hidden, 1/√hidden)`, PyTorch's init of every recurrent weight and bias.
pub(crate) fn recurrent_param(shape: &[usize], hidden_size: usize) -> Result<Parameter> {
    fan_in_uniform(shape, hidden_size)
}

/// The parameters and forward shared by the three cells (PyTorch's `RNNCellBase`), which
/// deref to it: `weight_ih` `(G*hidden, input)`, `weight_hh` `(G*hidden, hidden)`, `bias_ih`
/// and `bias_hh` `(G*hidden)`, with G = 1 (RNN), 4 (LSTM) or 3 (GRU).
#[derive(Module)]
pub struct RNNCellBase {
    base: ModuleBase,
    pub weight_ih: Parameter,
    pub weight_hh: Parameter,
    pub bias_ih: Option<Parameter>,
    pub bias_hh: Option<Parameter>,
    pub input_size: usize,
    pub hidden_size: usize,
    #[module(skip)]
    mode: Mode,
}

impl RNNCellBase {
    fn new(input_size: usize, hidden_size: usize, bias: bool, mode: Mode) -> Result<RNNCellBase> {
        let g = mode.gates() * hidden_size;
        let bias_param = || -> Result<Option<Parameter>> {
            if bias {
                recurrent_param(&[g], hidden_size).map(Some)
            } else {
                Ok(None)
            }
        };
        Ok(RNNCellBase {
            base: ModuleBase::default(),
            weight_ih: recurrent_param(&[g, input_size], hidden_size)?,
            weight_hh: recurrent_param(&[g, hidden_size], hidden_size)?,
            bias_ih: bias_param()?,
            bias_hh: bias_param()?,
            input_size,
            hidden_size,
            mode,
        })
    }

    fn op(&self) -> &'static str {
        match self.mode {
            Mode::Rnn(_) => "RNNCell",
            Mode::Lstm => "LSTMCell",
            Mode::Gru => "GRUCell",
        }
    }

    fn extra_repr(&self) -> String {
        let mut s = format!("{}, {}", self.input_size, self.hidden_size);
        if self.bias_ih.is_none() {
            s.push_str(&format!(", bias={}", repr::bool(false)));
        }
        if let Mode::Rnn(Nonlinearity::Relu) = self.mode {
            s.push_str(&format!(", nonlinearity={}", Nonlinearity::Relu.name()));
        }
        s
    }

    /// Checks shapes, adds the batch dim to unbatched input and zero-fills missing states.
    /// Returns `(x, states, batched)`, `x` `(N, in)` and each state `(N, H)`.
    fn prepare(
        &self,
        x: &Tensor,
        states: &[Option<&Tensor>],
    ) -> Result<(Tensor, Vec<Tensor>, bool)> {
        let op = self.op();
        if x.dim() != 1 && x.dim() != 2 {
            return Err(Error::invalid(
                op,
                format!(
                    "Expected input to be 1D or 2D, got {}D instead (input shape {:?})",
                    x.dim(),
                    x.shape()
                ),
            ));
        }
        if x.shape().last() != Some(&self.input_size) {
            return Err(Error::invalid(
                op,
                format!(
                    "input has inconsistent input_size: got {:?}, expected {} (input shape {:?})",
                    x.shape().last(),
                    self.input_size,
                    x.shape()
                ),
            ));
        }
        let batched = x.dim() == 2;
        let x = if batched { x.clone() } else { x.unsqueeze(0)? };
        let n = x.shape()[0];
        let mut out = Vec::with_capacity(states.len());
        for (k, s) in states.iter().enumerate() {
            let s = match s {
                None => Tensor::zeros(
                    &[n, self.hidden_size],
                    TensorOptions::default().dtype(x.dtype()),
                )?,
                Some(s) => {
                    let s = if batched {
                        (*s).clone()
                    } else {
                        s.unsqueeze(0)?
                    };
                    if s.shape() != [n, self.hidden_size] {
                        return Err(Error::ShapeMismatch {
                            op,
                            lhs: s.shape().to_vec(),
                            rhs: vec![n, self.hidden_size],
                            detail: format!(
                                "hidden{k} must be (batch, hidden_size) for input {:?}",
                                x.shape()
                            ),
                        });
                    }
                    s
                }
            };
            out.push(s);
        }
        Ok((x, out, batched))
    }

    fn run(&self, x: &Tensor, states: &[Option<&Tensor>]) -> Result<Vec<Tensor>> {
        let (x, states, batched) = self.prepare(x, states)?;
        let xw = F::linear(&x, &self.weight_ih, self.bias_ih.as_deref())?;
        let w = CellWeights {
            w_hh: &self.weight_hh,
            b_hh: self.bias_hh.as_deref(),
            w_hr: None,
        };
        let (h, c) = step(self.mode, &xw, &states[0], states.get(1), &w)?;
        let mut out = vec![h];
        out.extend(c);
        if !batched {
            out = out
                .iter()
                .map(|t| t.squeeze_dim(0))
                .collect::<Result<_>>()?;
        }
        Ok(out)
    }
}

macro_rules! cell {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Module)]
        #[module(repr)]
        pub struct $name {
            #[module(flatten)]
            core: RNNCellBase,
        }

        impl $name {
            fn extra_repr(&self) -> String {
                self.core.extra_repr()
            }
        }

        impl std::ops::Deref for $name {
            type Target = RNNCellBase;
            fn deref(&self) -> &RNNCellBase {
                &self.core
            }
        }
    };
}

cell!(
    /// An Elman cell, as `nn.RNNCell(input_size, hidden_size, bias=True,
    /// nonlinearity="tanh")`: `h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)`.
    RNNCell
);
cell!(
    /// An LSTM cell, as `nn.LSTMCell(input_size, hidden_size, bias=True)`; weights stack the
    /// gates i, f, g, o: `weight_ih` `(4*hidden, input)`.
    LSTMCell
);
cell!(
    /// A GRU cell, as `nn.GRUCell(input_size, hidden_size, bias=True)`; weights stack the
    /// gates r, z, n: `weight_ih` `(3*hidden, input)`.
    GRUCell
);

/// Options of [`RNNCell`] (PyTorch's defaults).
#[derive(Clone, Debug)]
pub struct RNNCellOptions {
    /// Learn `bias_ih` and `bias_hh` (default true).
    pub bias: bool,
    /// `tanh` (default) or `relu`.
    pub nonlinearity: Nonlinearity,
}

impl Default for RNNCellOptions {
    fn default() -> Self {
        RNNCellOptions {
            bias: true,
            nonlinearity: Nonlinearity::Tanh,
        }
    }
}

fn first(mut v: Vec<Tensor>, op: &'static str) -> Result<Tensor> {
    if v.is_empty() {
        return Err(Error::invalid(op, "cell produced no output"));
    }
    Ok(v.swap_remove(0))
}

impl RNNCell {
    /// `nn.RNNCell(input_size, hidden_size)`.
    pub fn new(input_size: usize, hidden_size: usize) -> Result<RNNCell> {
        Self::with_options(input_size, hidden_size, RNNCellOptions::default())
    }

    /// `nn.RNNCell(input_size, hidden_size, bias, nonlinearity)`.
    pub fn with_options(
        input_size: usize,
        hidden_size: usize,
        o: RNNCellOptions,
    ) -> Result<RNNCell> {
        Ok(RNNCell {
            core: RNNCellBase::new(input_size, hidden_size, o.bias, Mode::Rnn(o.nonlinearity))?,
        })
    }

    /// The nonlinearity.
    pub fn nonlinearity(&self) -> Nonlinearity {
        match self.core.mode {
            Mode::Rnn(n) => n,
            _ => Nonlinearity::Tanh,
        }
    }

    /// `h'` `(N, hidden)` from `input` `(N, input)` and `hx` `(N, hidden)` (zeros if `None`);
    /// unbatched `(input)` / `(hidden)` too. As `forward(input, hx=None)`.
    pub fn forward(&self, input: &Tensor, hx: Option<&Tensor>) -> Result<Tensor> {
        first(self.core.run(input, &[hx])?, "RNNCell")
    }
}

impl LSTMCell {
    /// `nn.LSTMCell(input_size, hidden_size)`.
    pub fn new(input_size: usize, hidden_size: usize) -> Result<LSTMCell> {
        Self::with_options(input_size, hidden_size, true)
    }

    /// `nn.LSTMCell(input_size, hidden_size, bias)`.
    pub fn with_options(input_size: usize, hidden_size: usize, bias: bool) -> Result<LSTMCell> {
        Ok(LSTMCell {
            core: RNNCellBase::new(input_size, hidden_size, bias, Mode::Lstm)?,
        })
    }

    /// `(h', c')` from `input` `(N, input)` and `hx = (h, c)`, each `(N, hidden)` (zeros if
    /// `None`); unbatched too. As `forward(input, hx=None)`.
    pub fn forward(
        &self,
        input: &Tensor,
        hx: Option<(&Tensor, &Tensor)>,
    ) -> Result<(Tensor, Tensor)> {
        let (h, c) = match hx {
            Some((h, c)) => (Some(h), Some(c)),
            None => (None, None),
        };
        let mut out = self.core.run(input, &[h, c])?.into_iter();
        match (out.next(), out.next()) {
            (Some(h), Some(c)) => Ok((h, c)),
            _ => Err(Error::invalid("LSTMCell", "cell produced no state")),
        }
    }
}

impl GRUCell {
    /// `nn.GRUCell(input_size, hidden_size)`.
    pub fn new(input_size: usize, hidden_size: usize) -> Result<GRUCell> {
        Self::with_options(input_size, hidden_size, true)
    }

    /// `nn.GRUCell(input_size, hidden_size, bias)`.
    pub fn with_options(input_size: usize, hidden_size: usize, bias: bool) -> Result<GRUCell> {
        Ok(GRUCell {
            core: RNNCellBase::new(input_size, hidden_size, bias, Mode::Gru)?,
        })
    }

    /// `h'` `(N, hidden)` from `input` `(N, input)` and `hx` `(N, hidden)` (zeros if `None`);
    /// unbatched too. As `forward(input, hx=None)`.
    pub fn forward(&self, input: &Tensor, hx: Option<&Tensor>) -> Result<Tensor> {
        first(self.core.run(input, &[hx])?, "GRUCell")
    }
}
