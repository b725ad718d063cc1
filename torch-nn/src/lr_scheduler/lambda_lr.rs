//! `LambdaLR`: the lr is the base lr times a user function of the epoch.

use serde_json::{Map, Value};
use torch_core::{Error, Result};

use super::core::SchedulerCore;
use super::{LRScheduler, finish};
use crate::optim::Optimizer;

/// A multiplicative factor as a function of the epoch (`lr_lambda`).
pub type LrLambda = Box<dyn Fn(i64) -> f64 + Send + Sync>;

/// Options of [`LambdaLR`]; `Default` holds PyTorch's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LambdaLROptions {
    /// Last epoch of a resumed run (`last_epoch=-1`).
    pub last_epoch: i64,
}

impl Default for LambdaLROptions {
    fn default() -> Self {
        LambdaLROptions { last_epoch: -1 }
    }
}

/// torch.optim.lr_scheduler.LambdaLR: `lr = base_lr · lr_lambda(epoch)`.
///
/// ```
/// use torch_nn::lr_scheduler::{LambdaLR, LRScheduler};
/// use torch_nn::optim::{SGD, SGDOptions};
/// # use torch_nn::{Linear, Module};
/// # let model = Linear::new(4, 2)?;
/// let mut opt = SGD::new(model.parameters(), SGDOptions { lr: 0.1, ..Default::default() })?;
/// let mut sched = LambdaLR::new(&mut opt, |epoch| 0.95f64.powi(epoch as i32), Default::default())?;
/// sched.step(&mut opt)?;
/// assert!((sched.get_last_lr()[0] - 0.095).abs() < 1e-12);
/// # Ok::<(), torch_core::Error>(())
/// ```
pub struct LambdaLR {
    core: SchedulerCore,
    lr_lambdas: Vec<LrLambda>,
}

impl LambdaLR {
    /// One function for every group.
    pub fn new(
        opt: &mut dyn Optimizer,
        lr_lambda: impl Fn(i64) -> f64 + Send + Sync + Clone + 'static,
        options: LambdaLROptions,
    ) -> Result<Self> {
        let lambdas = (0..opt.num_param_groups())
            .map(|_| Box::new(lr_lambda.clone()) as LrLambda)
            .collect();
        Self::with_lambdas(opt, lambdas, options)
    }

    /// One function per group (`lr_lambda=[f, g]`).
    pub fn with_lambdas(
        opt: &mut dyn Optimizer,
        lr_lambdas: Vec<LrLambda>,
        options: LambdaLROptions,
    ) -> Result<Self> {
        let n = opt.num_param_groups();
        if lr_lambdas.len() != n {
            return Err(Error::invalid(
                "LambdaLR",
                format!("Expected {n} lr_lambdas, but got {}", lr_lambdas.len()),
            ));
        }
        let core = SchedulerCore::new("LambdaLR", opt, options.last_epoch)?;
        finish(LambdaLR { core, lr_lambdas }, opt)
    }
}

impl LRScheduler for LambdaLR {
    fn name(&self) -> &'static str {
        "LambdaLR"
    }
    fn core(&self) -> &SchedulerCore {
        &self.core
    }
    fn core_mut(&mut self) -> &mut SchedulerCore {
        &mut self.core
    }
    fn get_lr(&mut self, _opt: &mut dyn Optimizer) -> Result<Vec<f64>> {
        let e = self.core.last_epoch;
        Ok(self
            .core
            .base_lrs
            .iter()
            .zip(&self.lr_lambdas)
            .map(|(b, f)| b * f(e))
            .collect())
    }
    fn extra_state(&self) -> Map<String, Value> {
        // Functions are not saved, as in PyTorch (plain functions become None).
        let mut m = Map::new();
        m.insert(
            "lr_lambdas".into(),
            Value::Array(vec![Value::Null; self.lr_lambdas.len()]),
        );
        m
    }
}
