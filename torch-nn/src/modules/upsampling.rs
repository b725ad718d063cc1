//! `Upsample`, `PixelShuffle`, `PixelUnshuffle` (torch.nn's).

use torch_core::{Result, Tensor};

use crate::functional::{self as F, InterpolateMode, OutputSize};
use crate::repr;
use crate::{Forward, Module, ModuleBase};

/// Resizes the spatial dims, as `nn.Upsample(size=None, scale_factor=None, mode='nearest',
/// align_corners=None)`.
#[derive(Module)]
#[module(repr)]
pub struct Upsample {
    base: ModuleBase,
    #[module(skip)]
    pub size: OutputSize,
    #[module(skip)]
    pub mode: InterpolateMode,
    pub align_corners: bool,
}

impl Upsample {
    /// `nn.Upsample(scale_factor=s, mode=mode)`.
    pub fn scale_factor(s: f64, mode: InterpolateMode) -> Upsample {
        Self::new(OutputSize::ScaleFactor(vec![s]), mode, false)
    }

    /// `nn.Upsample(size | scale_factor, mode, align_corners)`.
    pub fn new(size: OutputSize, mode: InterpolateMode, align_corners: bool) -> Upsample {
        Upsample {
            base: ModuleBase::default(),
            size,
            mode,
            align_corners,
        }
    }

    fn extra_repr(&self) -> String {
        let list = |v: Vec<String>| {
            if v.len() == 1 {
                v[0].clone()
            } else {
                format!("({})", v.join(", "))
            }
        };
        let size = match &self.size {
            OutputSize::Size(s) => {
                format!("size={}", list(s.iter().map(|v| v.to_string()).collect()))
            }
            OutputSize::ScaleFactor(f) => {
                format!(
                    "scale_factor={}",
                    list(f.iter().map(|&v| repr::float(v)).collect())
                )
            }
        };
        let mut s = format!("{size}, mode='{}'", self.mode.name());
        if self.mode != InterpolateMode::Nearest && self.align_corners {
            s.push_str(", align_corners=True");
        }
        s
    }
}

impl Forward for Upsample {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        F::interpolate(x, &self.size, self.mode, self.align_corners)
    }
}

/// `(*, C r², H, W)` → `(*, C, H r, W r)`, as `nn.PixelShuffle(upscale_factor)`.
#[derive(Module)]
#[module(repr)]
pub struct PixelShuffle {
    base: ModuleBase,
    pub upscale_factor: usize,
}

impl PixelShuffle {
    /// `nn.PixelShuffle(upscale_factor)`.
    pub fn new(upscale_factor: usize) -> PixelShuffle {
        PixelShuffle {
            base: ModuleBase::default(),
            upscale_factor,
        }
    }
    fn extra_repr(&self) -> String {
        format!("upscale_factor={}", self.upscale_factor)
    }
}

impl Forward for PixelShuffle {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        F::pixel_shuffle(x, self.upscale_factor)
    }
}

/// `(*, C, H r, W r)` → `(*, C r², H, W)`, as `nn.PixelUnshuffle(downscale_factor)`.
#[derive(Module)]
#[module(repr)]
pub struct PixelUnshuffle {
    base: ModuleBase,
    pub downscale_factor: usize,
}

impl PixelUnshuffle {
    /// `nn.PixelUnshuffle(downscale_factor)`.
    pub fn new(downscale_factor: usize) -> PixelUnshuffle {
        PixelUnshuffle {
            base: ModuleBase::default(),
            downscale_factor,
        }
    }
    fn extra_repr(&self) -> String {
        format!("downscale_factor={}", self.downscale_factor)
    }
}

impl Forward for PixelUnshuffle {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        F::pixel_unshuffle(x, self.downscale_factor)
    }
}
