//! `Resample`, `FrequencyMasking`, `TimeMasking`, `Vol`, `Fade`, `MuLawEncoding`,
//! `MuLawDecoding` and `ComputeDeltas` (`torchaudio.transforms`).

use torch_core::{Error, Generator, Result, Tensor};
use torch_nn::{Forward, Module, ModuleBase};

use crate::functional::{self as F, FadeShape, ResampleOptions};

/// Resampling with a precomputed windowed-sinc kernel (`torchaudio.transforms.Resample(
/// orig_freq=16000, new_freq=16000, resampling_method, lowpass_filter_width, rolloff, beta)`);
/// buffer `kernel`.
#[derive(Module)]
pub struct Resample {
    base: ModuleBase,
    #[buffer]
    pub kernel: Option<Tensor>,
    pub orig_freq: u32,
    pub new_freq: u32,
    gcd_orig: u64,
    gcd_new: u64,
    width: usize,
}

impl Resample {
    /// `Resample(orig_freq, new_freq, **options)`.
    pub fn new(orig_freq: u32, new_freq: u32, options: ResampleOptions) -> Result<Self> {
        if orig_freq == 0 || new_freq == 0 {
            return Err(Error::invalid(
                "Resample",
                "Original frequency and desired frequecy should be positive",
            ));
        }
        let (mut a, mut b) = (orig_freq as u64, new_freq as u64);
        while b != 0 {
            (a, b) = (b, a % b);
        }
        let (o, n) = (orig_freq as u64 / a, new_freq as u64 / a);
        let (kernel, width) = if orig_freq == new_freq {
            (None, 0)
        } else {
            let (k, w) = F::sinc_resample_kernel(o, n, &options)?;
            (Some(k), w)
        };
        Ok(Resample {
            base: ModuleBase::default(),
            kernel,
            orig_freq,
            new_freq,
            gcd_orig: o,
            gcd_new: n,
            width,
        })
    }
}

impl Forward for Resample {
    fn forward(&self, waveform: &Tensor) -> Result<Tensor> {
        match &self.kernel {
            None => Ok(waveform.clone()),
            Some(k) => F::apply_sinc_kernel(waveform, self.gcd_orig, self.gcd_new, k, self.width),
        }
    }
}

/// SpecAugment masking along frequency (`axis = -2`) or time (`-1`), the state of
/// `FrequencyMasking` and `TimeMasking`.
#[derive(Module)]
pub struct AxisMasking {
    base: ModuleBase,
    pub mask_param: usize,
    pub iid_masks: bool,
    pub p: f64,
    axis: i64,
    #[module(skip)]
    pub generator: Option<Generator>,
}

impl AxisMasking {
    fn new(mask_param: usize, iid_masks: bool, p: f64, axis: i64) -> Self {
        AxisMasking {
            base: ModuleBase::default(),
            mask_param,
            iid_masks,
            p,
            axis,
            generator: None,
        }
    }

    /// `forward(specgram, mask_value=0.0)`; iid masks need a 3-D or 4-D batch.
    pub fn forward_value(&self, specgram: &Tensor, mask_value: f64) -> Result<Tensor> {
        let g = self.generator.as_ref();
        if self.iid_masks {
            F::mask_along_axis_iid(specgram, self.mask_param, mask_value, self.axis, self.p, g)
        } else {
            F::mask_along_axis(specgram, self.mask_param, mask_value, self.axis, self.p, g)
        }
    }
}

impl Forward for AxisMasking {
    fn forward(&self, specgram: &Tensor) -> Result<Tensor> {
        self.forward_value(specgram, 0.0)
    }
}

/// `torchaudio.transforms.FrequencyMasking(freq_mask_param, iid_masks=False)`.
#[allow(non_snake_case)]
pub fn FrequencyMasking(freq_mask_param: usize, iid_masks: bool) -> AxisMasking {
    AxisMasking::new(freq_mask_param, iid_masks, 1.0, -2)
}

/// `torchaudio.transforms.TimeMasking(time_mask_param, iid_masks=False, p=1.0)`.
#[allow(non_snake_case)]
pub fn TimeMasking(time_mask_param: usize, iid_masks: bool, p: f64) -> AxisMasking {
    AxisMasking::new(time_mask_param, iid_masks, p, -1)
}

/// Gain then clamp to [-1, 1] (`torchaudio.transforms.Vol(gain, gain_type="amplitude")`);
/// `gain_type` is `"amplitude"`, `"db"` or `"power"`.
#[derive(Module)]
pub struct Vol {
    base: ModuleBase,
    pub gain: f64,
    #[module(skip)]
    pub gain_type: &'static str,
}

impl Vol {
    /// `Vol(gain, gain_type)`.
    pub fn new(gain: f64, gain_type: &'static str) -> Result<Self> {
        if !matches!(gain_type, "amplitude" | "db" | "power") {
            return Err(Error::invalid(
                "Vol",
                format!(
                    "Expected gain_type to be one of ['amplitude', 'db', 'power'], but got {gain_type}"
                ),
            ));
        }
        if gain_type != "db" && gain < 0.0 {
            return Err(Error::invalid(
                "Vol",
                "If gain_type = amplitude or power, gain must be positive.",
            ));
        }
        Ok(Vol {
            base: ModuleBase::default(),
            gain,
            gain_type,
        })
    }
}

impl Forward for Vol {
    fn forward(&self, waveform: &Tensor) -> Result<Tensor> {
        let y = match self.gain_type {
            "amplitude" => waveform.mul_scalar(self.gain)?,
            "db" => F::gain(waveform, self.gain)?,
            _ => F::gain(waveform, 10.0 * self.gain.log10())?,
        };
        y.clamp(Some(-1.0), Some(1.0))
    }
}

/// Fade in and out along the last dim (`torchaudio.transforms.Fade(fade_in_len=0,
/// fade_out_len=0, fade_shape="linear")`).
#[derive(Module)]
pub struct Fade {
    base: ModuleBase,
    pub fade_in_len: usize,
    pub fade_out_len: usize,
    #[module(skip)]
    pub fade_shape: FadeShape,
}

impl Fade {
    /// `Fade(fade_in_len, fade_out_len, fade_shape)`.
    pub fn new(fade_in_len: usize, fade_out_len: usize, fade_shape: FadeShape) -> Self {
        Fade {
            base: ModuleBase::default(),
            fade_in_len,
            fade_out_len,
            fade_shape,
        }
    }
}

impl Forward for Fade {
    fn forward(&self, waveform: &Tensor) -> Result<Tensor> {
        let n = waveform.shape().last().copied().unwrap_or(0);
        if self.fade_in_len > n || self.fade_out_len > n {
            return Err(Error::invalid(
                "Fade",
                format!(
                    "fade lengths ({}, {}) exceed the waveform length {n}",
                    self.fade_in_len, self.fade_out_len
                ),
            ));
        }
        let mut curve = vec![1.0f64; n];
        for (c, v) in curve
            .iter_mut()
            .zip(F::fade_in_curve(self.fade_shape, self.fade_in_len))
        {
            *c *= v;
        }
        let out = F::fade_out_curve(self.fade_shape, self.fade_out_len);
        for (c, v) in curve[n - self.fade_out_len..].iter_mut().zip(out) {
            *c *= v;
        }
        let curve = Tensor::from_vec(curve, &[n])?.to_dtype(waveform.dtype())?;
        waveform.mul(&curve)
    }
}

/// A module holding `quantization_channels` around a mu-law function.
macro_rules! mu_law_module {
    ($(#[$doc:meta])* $name:ident, $f:path) => {
        $(#[$doc])*
        #[derive(Module)]
        pub struct $name {
            base: ModuleBase,
            pub quantization_channels: usize,
        }

        impl $name {
            /// With `quantization_channels` levels (torchaudio's default: 256).
            pub fn new(quantization_channels: usize) -> Self {
                $name {
                    base: ModuleBase::default(),
                    quantization_channels,
                }
            }
        }

        impl Forward for $name {
            fn forward(&self, x: &Tensor) -> Result<Tensor> {
                $f(x, self.quantization_channels)
            }
        }
    };
}

mu_law_module!(
    /// `torchaudio.transforms.MuLawEncoding(quantization_channels=256)`.
    MuLawEncoding,
    F::mu_law_encoding
);
mu_law_module!(
    /// `torchaudio.transforms.MuLawDecoding(quantization_channels=256)`.
    MuLawDecoding,
    F::mu_law_decoding
);

/// `torchaudio.transforms.ComputeDeltas(win_length=5, mode="replicate")`.
#[derive(Module)]
pub struct ComputeDeltas {
    base: ModuleBase,
    pub win_length: usize,
    #[module(skip)]
    pub mode: &'static str,
}

impl ComputeDeltas {
    /// `ComputeDeltas(win_length, mode)`.
    pub fn new(win_length: usize, mode: &'static str) -> Self {
        ComputeDeltas {
            base: ModuleBase::default(),
            win_length,
            mode,
        }
    }
}

impl Forward for ComputeDeltas {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        F::compute_deltas(x, self.win_length, self.mode)
    }
}
