//! Normalisation layers (torch.nn's): BatchNorm1d/2d, LayerNorm, GroupNorm, InstanceNorm2d,
//! RMSNorm, with PyTorch's parameters, buffers, defaults and reprs.

use torch_core::autograd::no_grad;
use torch_core::{DType, Error, Result, Tensor, TensorOptions};

use crate::functional::{self as F, RunningStats};
use crate::repr;
use crate::{Forward, Module, ModuleBase, Parameter};

/// Options of the batch and instance norms (PyTorch's defaults: eps 1e-5, momentum 0.1,
/// affine, tracking running statistics).
#[derive(Clone, Debug)]
pub struct BatchNormOptions {
    pub eps: f64,
    /// `None` uses a cumulative moving average (momentum `1 / num_batches_tracked`).
    pub momentum: Option<f64>,
    pub affine: bool,
    pub track_running_stats: bool,
}

impl Default for BatchNormOptions {
    fn default() -> Self {
        BatchNormOptions {
            eps: 1e-5,
            momentum: Some(0.1),
            affine: true,
            track_running_stats: true,
        }
    }
}

fn param(shape: &[usize], value: f64) -> Result<Parameter> {
    Parameter::new(Tensor::full(shape, value, TensorOptions::default())?)
}

/// The state and forward shared by `BatchNorm1d`, `BatchNorm2d` and `InstanceNorm2d` (which
/// deref to it): parameters `weight` (ones) and `bias` (zeros); buffers `running_mean`,
/// `running_var`, `num_batches_tracked`.
#[derive(Module)]
pub struct BatchNorm {
    base: ModuleBase,
    pub weight: Option<Parameter>,
    pub bias: Option<Parameter>,
    #[buffer]
    pub running_mean: Option<Tensor>,
    #[buffer]
    pub running_var: Option<Tensor>,
    #[buffer]
    pub num_batches_tracked: Option<Tensor>,
    pub num_features: usize,
    #[module(skip)]
    pub options: BatchNormOptions,
    #[module(skip)]
    kind: NormKind,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum NormKind {
    Batch1d,
    Batch2d,
    Instance2d,
}

impl NormKind {
    fn name(self) -> &'static str {
        match self {
            NormKind::Batch1d => "BatchNorm1d",
            NormKind::Batch2d => "BatchNorm2d",
            NormKind::Instance2d => "InstanceNorm2d",
        }
    }
}

impl BatchNorm {
    fn build(num_features: usize, options: BatchNormOptions, kind: NormKind) -> Result<BatchNorm> {
        let stats = |v: f64| -> Result<Option<Tensor>> {
            if options.track_running_stats {
                Ok(Some(Tensor::full(
                    &[num_features],
                    v,
                    TensorOptions::default(),
                )?))
            } else {
                Ok(None)
            }
        };
        Ok(BatchNorm {
            base: ModuleBase::default(),
            weight: if options.affine {
                Some(param(&[num_features], 1.0)?)
            } else {
                None
            },
            bias: if options.affine {
                Some(param(&[num_features], 0.0)?)
            } else {
                None
            },
            running_mean: stats(0.0)?,
            running_var: stats(1.0)?,
            num_batches_tracked: if options.track_running_stats {
                Some(Tensor::zeros(
                    &[],
                    TensorOptions::default().dtype(DType::I64),
                )?)
            } else {
                None
            },
            num_features,
            options,
            kind,
        })
    }

    fn extra_repr(&self) -> String {
        let o = &self.options;
        format!(
            "{}, eps={}, momentum={}, affine={}, track_running_stats={}",
            self.num_features,
            repr::float(o.eps),
            o.momentum.map_or("None".to_string(), repr::float),
            repr::bool(o.affine),
            repr::bool(o.track_running_stats)
        )
    }

    fn check_input(&self, x: &Tensor) -> Result<()> {
        let ok = match self.kind {
            NormKind::Batch1d => x.dim() == 2 || x.dim() == 3,
            NormKind::Batch2d => x.dim() == 4,
            NormKind::Instance2d => x.dim() == 3 || x.dim() == 4,
        };
        if !ok {
            let expected = match self.kind {
                NormKind::Batch1d => "2D or 3D",
                NormKind::Batch2d => "4D",
                NormKind::Instance2d => "3D or 4D",
            };
            return Err(Error::invalid(
                self.kind.name(),
                format!("expected {expected} input (got {}D input)", x.dim()),
            ));
        }
        Ok(())
    }
}

impl BatchNorm {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.check_input(x)?;
        let training = self.is_training();
        let mut factor = self.options.momentum.unwrap_or(0.0);
        // InstanceNorm never counts batches (PyTorch's _InstanceNorm skips it).
        if training
            && self.kind != NormKind::Instance2d
            && self.options.track_running_stats
            && let Some(n) = &self.num_batches_tracked
        {
            let _g = no_grad();
            n.add_scalar_(1i64)?;
            if self.options.momentum.is_none() {
                factor = 1.0 / n.item()?;
            }
        }
        let running = match (&self.running_mean, &self.running_var) {
            (Some(mean), Some(var)) if !training || self.options.track_running_stats => {
                Some(RunningStats { mean, var })
            }
            _ => None,
        };
        let w = self.weight.as_deref();
        let b = self.bias.as_deref();
        if self.kind == NormKind::Instance2d {
            let unbatched = x.dim() == 3;
            let x = if unbatched {
                x.unsqueeze(0)?
            } else {
                x.clone()
            };
            let use_input_stats = training || running.is_none();
            let y = F::instance_norm(&x, running, w, b, use_input_stats, factor, self.options.eps)?;
            return if unbatched { y.squeeze_dim(0) } else { Ok(y) };
        }
        let bn_training = training || running.is_none();
        F::batch_norm(x, running, w, b, bn_training, factor, self.options.eps)
    }
}

/// Defines a public batch/instance-norm layer wrapping `BatchNorm`.
macro_rules! norm_layer {
    ($(#[$doc:meta])* $name:ident, $kind:expr, $defaults:expr) => {
        $(#[$doc])*
        #[derive(Module)]
        #[module(repr)]
        pub struct $name {
            #[module(flatten)]
            inner: BatchNorm,
        }

        impl $name {
            /// The layer with PyTorch's default options.
            pub fn new(num_features: usize) -> Result<$name> {
                Self::with_options(num_features, $defaults)
            }

            /// The layer with explicit options.
            pub fn with_options(num_features: usize, options: BatchNormOptions) -> Result<$name> {
                Ok($name { inner: BatchNorm::build(num_features, options, $kind)? })
            }

            fn extra_repr(&self) -> String {
                self.inner.extra_repr()
            }
        }

        impl std::ops::Deref for $name {
            type Target = BatchNorm;
            fn deref(&self) -> &BatchNorm {
                &self.inner
            }
        }

        impl Forward for $name {
            fn forward(&self, x: &Tensor) -> Result<Tensor> {
                self.inner.forward(x)
            }
        }
    };
}

norm_layer!(
    /// Batch normalisation of `(N, C)` or `(N, C, L)` inputs, as `nn.BatchNorm1d(num_features,
    /// eps=1e-5, momentum=0.1, affine=True, track_running_stats=True)`.
    BatchNorm1d, NormKind::Batch1d, BatchNormOptions::default()
);
norm_layer!(
    /// Batch normalisation of `(N, C, H, W)` inputs, as `nn.BatchNorm2d(num_features,
    /// eps=1e-5, momentum=0.1, affine=True, track_running_stats=True)`.
    BatchNorm2d, NormKind::Batch2d, BatchNormOptions::default()
);
norm_layer!(
    /// Instance normalisation of `(N, C, H, W)` or `(C, H, W)` inputs, as
    /// `nn.InstanceNorm2d(num_features, eps=1e-5, momentum=0.1, affine=False,
    /// track_running_stats=False)`.
    InstanceNorm2d,
    NormKind::Instance2d,
    BatchNormOptions { affine: false, track_running_stats: false, ..Default::default() }
);

/// Layer normalisation over the trailing `normalized_shape`, as `nn.LayerNorm(normalized_shape,
/// eps=1e-5, elementwise_affine=True, bias=True)`.
#[derive(Module)]
#[module(repr)]
pub struct LayerNorm {
    base: ModuleBase,
    pub weight: Option<Parameter>,
    pub bias: Option<Parameter>,
    pub normalized_shape: Vec<usize>,
    pub eps: f64,
}

impl LayerNorm {
    /// `nn.LayerNorm(normalized_shape)`.
    pub fn new(normalized_shape: &[usize]) -> Result<LayerNorm> {
        Self::with_options(normalized_shape, 1e-5, true, true)
    }

    /// `nn.LayerNorm(normalized_shape, eps, elementwise_affine, bias)`.
    pub fn with_options(
        normalized_shape: &[usize],
        eps: f64,
        elementwise_affine: bool,
        bias: bool,
    ) -> Result<LayerNorm> {
        Ok(LayerNorm {
            base: ModuleBase::default(),
            weight: if elementwise_affine {
                Some(param(normalized_shape, 1.0)?)
            } else {
                None
            },
            bias: if elementwise_affine && bias {
                Some(param(normalized_shape, 0.0)?)
            } else {
                None
            },
            normalized_shape: normalized_shape.to_vec(),
            eps,
        })
    }

    fn extra_repr(&self) -> String {
        format!(
            "{}, eps={}, elementwise_affine={}",
            repr::tuple(&self.normalized_shape),
            repr::float(self.eps),
            repr::bool(self.weight.is_some())
        )
    }
}

impl Forward for LayerNorm {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        F::layer_norm(
            x,
            &self.normalized_shape,
            self.weight.as_deref(),
            self.bias.as_deref(),
            self.eps,
        )
    }
}

/// RMS normalisation, as `nn.RMSNorm(normalized_shape, eps=None, elementwise_affine=True)`.
#[derive(Module)]
#[module(repr)]
pub struct RMSNorm {
    base: ModuleBase,
    pub weight: Option<Parameter>,
    pub normalized_shape: Vec<usize>,
    pub eps: Option<f64>,
}

impl RMSNorm {
    /// `nn.RMSNorm(normalized_shape, eps, elementwise_affine)`.
    pub fn new(
        normalized_shape: &[usize],
        eps: Option<f64>,
        elementwise_affine: bool,
    ) -> Result<RMSNorm> {
        Ok(RMSNorm {
            base: ModuleBase::default(),
            weight: if elementwise_affine {
                Some(param(normalized_shape, 1.0)?)
            } else {
                None
            },
            normalized_shape: normalized_shape.to_vec(),
            eps,
        })
    }

    fn extra_repr(&self) -> String {
        format!(
            "{}, eps={}, elementwise_affine={}",
            repr::tuple(&self.normalized_shape),
            self.eps.map_or("None".to_string(), repr::float),
            repr::bool(self.weight.is_some())
        )
    }
}

impl Forward for RMSNorm {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        F::rms_norm(x, &self.normalized_shape, self.weight.as_deref(), self.eps)
    }
}

/// Group normalisation, as `nn.GroupNorm(num_groups, num_channels, eps=1e-5, affine=True)`.
#[derive(Module)]
#[module(repr)]
pub struct GroupNorm {
    base: ModuleBase,
    pub weight: Option<Parameter>,
    pub bias: Option<Parameter>,
    pub num_groups: usize,
    pub num_channels: usize,
    pub eps: f64,
}

impl GroupNorm {
    /// `nn.GroupNorm(num_groups, num_channels)`.
    pub fn new(num_groups: usize, num_channels: usize) -> Result<GroupNorm> {
        Self::with_options(num_groups, num_channels, 1e-5, true)
    }

    /// `nn.GroupNorm(num_groups, num_channels, eps, affine)`.
    pub fn with_options(
        num_groups: usize,
        num_channels: usize,
        eps: f64,
        affine: bool,
    ) -> Result<GroupNorm> {
        if num_groups == 0 || !num_channels.is_multiple_of(num_groups) {
            return Err(Error::invalid(
                "GroupNorm",
                "num_channels must be divisible by num_groups",
            ));
        }
        Ok(GroupNorm {
            base: ModuleBase::default(),
            weight: if affine {
                Some(param(&[num_channels], 1.0)?)
            } else {
                None
            },
            bias: if affine {
                Some(param(&[num_channels], 0.0)?)
            } else {
                None
            },
            num_groups,
            num_channels,
            eps,
        })
    }

    fn extra_repr(&self) -> String {
        format!(
            "{}, {}, eps={}, affine={}",
            self.num_groups,
            self.num_channels,
            repr::float(self.eps),
            repr::bool(self.weight.is_some())
        )
    }
}

impl Forward for GroupNorm {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        F::group_norm(
            x,
            self.num_groups,
            self.weight.as_deref(),
            self.bias.as_deref(),
            self.eps,
        )
    }
}
