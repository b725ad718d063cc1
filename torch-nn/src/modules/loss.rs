//! Loss modules (torch.nn's): hold the options; `forward(input, target)` calls the functional
//! form.

use torch_core::{Result, Tensor};

use crate::functional::{
    self as F, CrossEntropyOptions, KlReduction, Reduction, TripletMarginOptions,
};
use crate::{Module, ModuleBase};

/// Defines a loss module whose only option is the reduction.
macro_rules! simple_loss {
    ($(#[$doc:meta])* $name:ident, $f:path) => {
        $(#[$doc])*
        #[derive(Module, Default)]
        pub struct $name {
            base: ModuleBase,
            #[module(skip)]
            pub reduction: Reduction,
        }

        impl $name {
            /// The loss with the given reduction (`Reduction::default()` is PyTorch's `mean`).
            pub fn new(reduction: Reduction) -> Self {
                $name { base: ModuleBase::default(), reduction }
            }

            /// The loss of `input` against `target`.
            pub fn forward(&self, input: &Tensor, target: &Tensor) -> Result<Tensor> {
                $f(input, target, self.reduction)
            }
        }
    };
}

simple_loss!(
    /// Mean squared error, as `nn.MSELoss(reduction='mean')`.
    MSELoss, F::mse_loss
);
simple_loss!(
    /// Mean absolute error, as `nn.L1Loss(reduction='mean')`.
    L1Loss, F::l1_loss
);

/// Defines a loss module with one extra `f64` option.
macro_rules! param_loss {
    ($(#[$doc:meta])* $name:ident, $field:ident, $default:expr, $f:path) => {
        $(#[$doc])*
        #[derive(Module)]
        pub struct $name {
            base: ModuleBase,
            #[module(skip)]
            pub reduction: Reduction,
            pub $field: f64,
        }

        impl $name {
            /// The loss with explicit options.
            pub fn new(reduction: Reduction, $field: f64) -> Self {
                $name { base: ModuleBase::default(), reduction, $field }
            }

            /// The loss of `input` against `target`.
            pub fn forward(&self, input: &Tensor, target: &Tensor) -> Result<Tensor> {
                $f(input, target, self.reduction, self.$field)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new(Reduction::Mean, $default)
            }
        }
    };
}

param_loss!(
    /// Smooth L1, as `nn.SmoothL1Loss(reduction='mean', beta=1.0)`.
    SmoothL1Loss, beta, 1.0, F::smooth_l1_loss
);
param_loss!(
    /// Huber, as `nn.HuberLoss(reduction='mean', delta=1.0)`.
    HuberLoss, delta, 1.0, F::huber_loss
);

/// Cross-entropy on logits with class-index or probability targets, as
/// `nn.CrossEntropyLoss(weight=None, ignore_index=-100, reduction='mean', label_smoothing=0.0)`.
#[derive(Module, Default)]
pub struct CrossEntropyLoss {
    base: ModuleBase,
    #[module(skip)]
    pub options: CrossEntropyOptions,
}

impl CrossEntropyLoss {
    /// `nn.CrossEntropyLoss(...)`.
    pub fn new(options: CrossEntropyOptions) -> Self {
        CrossEntropyLoss {
            base: ModuleBase::default(),
            options,
        }
    }

    /// The loss of logits `input` against `target`.
    pub fn forward(&self, input: &Tensor, target: &Tensor) -> Result<Tensor> {
        F::cross_entropy(input, target, &self.options)
    }
}

/// Negative log-likelihood on log-probabilities, as `nn.NLLLoss(weight=None,
/// ignore_index=-100, reduction='mean')` (`label_smoothing` is ignored).
#[derive(Module, Default)]
pub struct NLLLoss {
    base: ModuleBase,
    #[module(skip)]
    pub options: CrossEntropyOptions,
}

impl NLLLoss {
    /// `nn.NLLLoss(...)`.
    pub fn new(options: CrossEntropyOptions) -> Self {
        NLLLoss {
            base: ModuleBase::default(),
            options,
        }
    }

    /// The loss of log-probabilities `input` against class indices `target`.
    pub fn forward(&self, input: &Tensor, target: &Tensor) -> Result<Tensor> {
        F::nll_loss(input, target, &self.options)
    }
}

/// Binary cross-entropy on probabilities, as `nn.BCELoss(weight=None, reduction='mean')`.
#[derive(Module, Default)]
pub struct BCELoss {
    base: ModuleBase,
    pub weight: Option<Tensor>,
    #[module(skip)]
    pub reduction: Reduction,
}

impl BCELoss {
    /// `nn.BCELoss(weight, reduction)`.
    pub fn new(weight: Option<Tensor>, reduction: Reduction) -> Self {
        BCELoss {
            base: ModuleBase::default(),
            weight,
            reduction,
        }
    }

    /// The loss of probabilities `input` against `target`.
    pub fn forward(&self, input: &Tensor, target: &Tensor) -> Result<Tensor> {
        F::binary_cross_entropy(input, target, self.weight.as_ref(), self.reduction)
    }
}

/// Binary cross-entropy on logits, as `nn.BCEWithLogitsLoss(weight=None, reduction='mean',
/// pos_weight=None)`.
#[derive(Module, Default)]
pub struct BCEWithLogitsLoss {
    base: ModuleBase,
    pub weight: Option<Tensor>,
    pub pos_weight: Option<Tensor>,
    #[module(skip)]
    pub reduction: Reduction,
}

impl BCEWithLogitsLoss {
    /// `nn.BCEWithLogitsLoss(weight, reduction, pos_weight)`.
    pub fn new(weight: Option<Tensor>, reduction: Reduction, pos_weight: Option<Tensor>) -> Self {
        BCEWithLogitsLoss {
            base: ModuleBase::default(),
            weight,
            pos_weight,
            reduction,
        }
    }

    /// The loss of logits `input` against `target`.
    pub fn forward(&self, input: &Tensor, target: &Tensor) -> Result<Tensor> {
        F::binary_cross_entropy_with_logits(
            input,
            target,
            self.weight.as_ref(),
            self.reduction,
            self.pos_weight.as_ref(),
        )
    }
}

/// KL divergence on log-probabilities, as `nn.KLDivLoss(reduction='mean', log_target=False)`.
#[derive(Module, Default)]
pub struct KLDivLoss {
    base: ModuleBase,
    #[module(skip)]
    pub reduction: KlReduction,
    pub log_target: bool,
}

impl KLDivLoss {
    /// `nn.KLDivLoss(reduction, log_target)`.
    pub fn new(reduction: KlReduction, log_target: bool) -> Self {
        KLDivLoss {
            base: ModuleBase::default(),
            reduction,
            log_target,
        }
    }

    /// The divergence of `target` from `input`.
    pub fn forward(&self, input: &Tensor, target: &Tensor) -> Result<Tensor> {
        F::kl_div(input, target, self.reduction, self.log_target)
    }
}

/// Defines a three-input loss with a margin.
macro_rules! margin_loss {
    ($(#[$doc:meta])* $name:ident, $f:path) => {
        $(#[$doc])*
        #[derive(Module, Default)]
        pub struct $name {
            base: ModuleBase,
            pub margin: f64,
            #[module(skip)]
            pub reduction: Reduction,
        }

        impl $name {
            /// The loss with explicit options.
            pub fn new(margin: f64, reduction: Reduction) -> Self {
                $name { base: ModuleBase::default(), margin, reduction }
            }

            /// The loss of the pair `(x1, x2)` with labels `y` (1 or -1).
            pub fn forward(&self, x1: &Tensor, x2: &Tensor, y: &Tensor) -> Result<Tensor> {
                $f(x1, x2, y, self.margin, self.reduction)
            }
        }
    };
}

margin_loss!(
    /// As `nn.CosineEmbeddingLoss(margin=0.0, reduction='mean')`.
    CosineEmbeddingLoss, F::cosine_embedding_loss
);
margin_loss!(
    /// As `nn.MarginRankingLoss(margin=0.0, reduction='mean')`.
    MarginRankingLoss, F::margin_ranking_loss
);

/// As `nn.TripletMarginLoss(margin=1.0, p=2.0, eps=1e-6, swap=False, reduction='mean')`.
#[derive(Module, Default)]
pub struct TripletMarginLoss {
    base: ModuleBase,
    #[module(skip)]
    pub options: TripletMarginOptions,
}

impl TripletMarginLoss {
    /// `nn.TripletMarginLoss(...)`.
    pub fn new(options: TripletMarginOptions) -> Self {
        TripletMarginLoss {
            base: ModuleBase::default(),
            options,
        }
    }

    /// The loss of `(anchor, positive, negative)` triplets.
    pub fn forward(&self, anchor: &Tensor, positive: &Tensor, negative: &Tensor) -> Result<Tensor> {
        F::triplet_margin_loss(anchor, positive, negative, &self.options)
    }
}

/// Connectionist temporal classification, as `nn.CTCLoss(blank=0, reduction='mean',
/// zero_infinity=False)`.
#[derive(Module, Default)]
pub struct CTCLoss {
    base: ModuleBase,
    #[module(skip)]
    pub options: F::CtcOptions,
}

impl CTCLoss {
    /// `nn.CTCLoss(...)`.
    pub fn new(options: F::CtcOptions) -> Self {
        CTCLoss {
            base: ModuleBase::default(),
            options,
        }
    }

    /// The loss of `log_probs` `(T, N, C)` against `targets`.
    pub fn forward(
        &self,
        log_probs: &Tensor,
        targets: &Tensor,
        input_lengths: &[usize],
        target_lengths: &[usize],
    ) -> Result<Tensor> {
        F::ctc_loss(
            log_probs,
            targets,
            input_lengths,
            target_lengths,
            &self.options,
        )
    }
}
