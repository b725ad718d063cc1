//! torch.optim.swa_utils: [`AveragedModel`], a running average of a model's weights
//! (stochastic weight averaging, or an exponential moving average with
//! [`get_ema_multi_avg_fn`]), and the averaging functions PyTorch ships.
//!
//! ```
//! use torch_core::Tensor;
//! use torch_nn::optim::swa_utils::{AveragedModel, AveragedModelOptions, get_ema_multi_avg_fn};
//! use torch_nn::{Forward, Linear, Module};
//!
//! let model = Linear::new(4, 2)?;
//! // PyTorch deep-copies `model`; here the caller builds the copy and its values are replaced.
//! let ema = AveragedModel::new(&model, Linear::new(4, 2)?, AveragedModelOptions {
//!     multi_avg_fn: Some(get_ema_multi_avg_fn(0.999)),
//!     ..Default::default()
//! })?;
//! // ... after each optimizer step:
//! ema.update_parameters(&model)?;
//! let y = ema.call(&Tensor::ones(&[3, 4], Default::default())?)?;
//! # Ok::<(), torch_core::Error>(())
//! ```

use std::fmt;

use torch_core::{DType, Error, Result, Tensor, autograd};

use super::inplace::lerp_;
use crate::{Forward, Module, ModuleBase};

/// An averaging function for one tensor: `(averaged, current, num_averaged)` to the new
/// average (`avg_fn` in PyTorch).
pub type AvgFn = Box<dyn Fn(&Tensor, &Tensor, i64) -> Result<Tensor> + Send + Sync>;

/// An averaging function that updates a list of averages in place from the matching list of
/// current values: `(averaged, current, num_averaged)` (`multi_avg_fn` in PyTorch). The lists
/// hold tensors of one dtype.
pub type MultiAvgFn = Box<dyn Fn(&[Tensor], &[Tensor], i64) -> Result<()> + Send + Sync>;

/// `decay * averaged + (1 - decay) * current` (`get_ema_avg_fn`).
pub fn get_ema_avg_fn(decay: f64) -> AvgFn {
    Box::new(move |avg, cur, _| avg.mul_scalar(decay)?.add(&cur.mul_scalar(1.0 - decay)?))
}

/// The running mean `averaged + (current - averaged) / (num_averaged + 1)`
/// (`get_swa_avg_fn`).
pub fn get_swa_avg_fn() -> AvgFn {
    Box::new(|avg, cur, n| avg.add(&cur.sub(avg)?.div_scalar((n + 1) as f64)?))
}

/// In place: `averaged.lerp_(current, 1 - decay)` for floating-point tensors, else
/// `averaged.copy_(averaged * decay + current * (1 - decay))` (`get_ema_multi_avg_fn`).
pub fn get_ema_multi_avg_fn(decay: f64) -> MultiAvgFn {
    Box::new(move |avgs, curs, _| {
        for (avg, cur) in avgs.iter().zip(curs) {
            if avg.dtype().is_float() {
                lerp_(avg, cur, 1.0 - decay)?;
            } else {
                avg.copy_(&avg.mul_scalar(decay)?.add(&cur.mul_scalar(1.0 - decay)?)?)?;
            }
        }
        Ok(())
    })
}

/// In place: the running mean, `averaged.lerp_(current, 1 / (num_averaged + 1))`
/// (`get_swa_multi_avg_fn`). Floating-point tensors only: PyTorch's version fails on integer
/// ones (its in-place `addcdiv_` refuses integer division), so `use_buffers` with a batch
/// norm's `num_batches_tracked` is an error here too.
pub fn get_swa_multi_avg_fn() -> MultiAvgFn {
    Box::new(move |avgs, curs, n| {
        for (avg, cur) in avgs.iter().zip(curs) {
            if !avg.dtype().is_float() {
                return Err(Error::invalid(
                    "get_swa_multi_avg_fn",
                    format!(
                        "cannot average {:?} tensors in place (integer division)",
                        avg.dtype()
                    ),
                ));
            }
            lerp_(avg, cur, 1.0 / (n + 1) as f64)?;
        }
        Ok(())
    })
}

/// How [`AveragedModel`] averages; the default is PyTorch's: the equal-weight running mean
/// of every update (SWA) over the parameters, buffers copied from the model.
#[derive(Default)]
pub struct AveragedModelOptions {
    /// Averages one tensor at a time; used when `multi_avg_fn` is `None`.
    pub avg_fn: Option<AvgFn>,
    /// Averages the tensors of each dtype together, in place; takes precedence.
    pub multi_avg_fn: Option<MultiAvgFn>,
    /// Average the buffers (batch norm's running statistics) too, instead of copying them.
    pub use_buffers: bool,
}

impl fmt::Debug for AveragedModelOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AveragedModelOptions")
            .field("avg_fn", &self.avg_fn.as_ref().map(|_| "<fn>"))
            .field("multi_avg_fn", &self.multi_avg_fn.as_ref().map(|_| "<fn>"))
            .field("use_buffers", &self.use_buffers)
            .finish()
    }
}

/// `torch.optim.swa_utils.AveragedModel`: holds `module`, a model whose weights are the
/// average of the ones [`update_parameters`](Self::update_parameters) is given. State-dict
/// keys are PyTorch's: `module.<name>` and `n_averaged`.
#[derive(crate::Module)]
pub struct AveragedModel<M: Module> {
    base: ModuleBase,
    /// The averaged copy; run it through [`Forward::call`] on `self` or use it directly.
    pub module: M,
    /// How many updates have been averaged (an i64 scalar buffer, as in PyTorch).
    #[buffer]
    pub n_averaged: Tensor,
    #[module(skip)]
    options: AveragedModelOptions,
}

impl<M: Module> AveragedModel<M> {
    /// `AveragedModel(model, avg_fn=..., multi_avg_fn=..., use_buffers=...)`. PyTorch
    /// deep-copies `model`; Rust cannot copy an arbitrary module, so `copy` is a module of the
    /// same architecture built by the caller, whose parameters and buffers are overwritten
    /// with `model`'s values here.
    pub fn new(model: &dyn Module, copy: M, options: AveragedModelOptions) -> Result<Self> {
        let averaged = AveragedModel {
            base: ModuleBase::default(),
            module: copy,
            n_averaged: Tensor::scalar(0i64),
            options,
        };
        let _ng = autograd::no_grad();
        for (a, m) in pairs(&averaged.module, model, true)? {
            a.copy_(&m)?;
        }
        averaged.module.train(model.is_training());
        Ok(averaged)
    }

    /// Folds `model`'s current weights into the average (`update_parameters(model)`): the
    /// first call copies them, later ones apply the averaging function; buffers are averaged
    /// with `use_buffers`, else copied. Fails if `model`'s tensors do not match the copy's.
    pub fn update_parameters(&self, model: &dyn Module) -> Result<()> {
        let _ng = autograd::no_grad();
        let n = self.n_averaged.item()? as i64;
        let averaged = pairs(&self.module, model, self.options.use_buffers)?;
        if n == 0 {
            for (a, m) in &averaged {
                a.copy_(m)?;
            }
        } else if let Some(multi) = &self.options.multi_avg_fn {
            for (avgs, curs) in by_dtype(&averaged) {
                multi(&avgs, &curs, n)?;
            }
        } else {
            let swa = get_swa_avg_fn();
            let single = self.options.avg_fn.as_ref().unwrap_or(&swa);
            for (a, m) in &averaged {
                a.copy_(&single(a, m, n)?)?;
            }
        }
        if !self.options.use_buffers {
            for (a, m) in self.module.buffers().iter().zip(model.buffers()) {
                a.copy_(&m)?;
            }
        }
        self.n_averaged.add_scalar_(1i64)
    }
}

impl<M: Forward> Forward for AveragedModel<M> {
    /// `self.module(x)`.
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.module.call(x)
    }
}

/// The (averaged, model) tensor pairs: parameters, then buffers when `buffers` is set, in
/// registration order, checked to agree in number and shape.
fn pairs(
    averaged: &dyn Module,
    model: &dyn Module,
    buffers: bool,
) -> Result<Vec<(Tensor, Tensor)>> {
    let tensors = |m: &dyn Module| {
        let mut t = m.named_parameters();
        if buffers {
            t.extend(m.named_buffers());
        }
        t
    };
    let (a, m) = (tensors(averaged), tensors(model));
    if a.len() != m.len() {
        return Err(Error::invalid(
            "AveragedModel",
            format!(
                "the averaged copy has {} tensors and the model {}: not the same architecture",
                a.len(),
                m.len()
            ),
        ));
    }
    a.into_iter()
        .zip(m)
        .map(|((name, a), (_, m))| {
            if a.shape() != m.shape() {
                return Err(Error::ShapeMismatch {
                    op: "AveragedModel",
                    lhs: a.shape().to_vec(),
                    rhs: m.shape().to_vec(),
                    detail: format!("{name}: the averaged copy's and the model's"),
                });
            }
            Ok((a, m.detach()))
        })
        .collect()
}

/// Groups the pairs by dtype, in order of first appearance (PyTorch groups by device and
/// dtype before calling `multi_avg_fn`).
fn by_dtype(pairs: &[(Tensor, Tensor)]) -> Vec<(Vec<Tensor>, Vec<Tensor>)> {
    let mut groups: Vec<(DType, Vec<Tensor>, Vec<Tensor>)> = Vec::new();
    for (a, m) in pairs {
        match groups.iter_mut().find(|g| g.0 == a.dtype()) {
            Some(g) => {
                g.1.push(a.clone());
                g.2.push(m.clone());
            }
            None => groups.push((a.dtype(), vec![a.clone()], vec![m.clone()])),
        }
    }
    groups.into_iter().map(|(_, a, m)| (a, m)).collect()
}
