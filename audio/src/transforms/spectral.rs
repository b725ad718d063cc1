//! `Spectrogram`, `InverseSpectrogram` and `GriffinLim` (`torchaudio.transforms`): modules
//! holding their options and the window as a buffer (state-dict key `window`).

use torch_core::{Generator, Result, Tensor};
use torch_nn::{Forward, Module, ModuleBase};

use crate::functional::{self as F, Normalized, WindowFn};

/// Keyword arguments of `torchaudio.transforms.Spectrogram`, with its defaults.
#[derive(Clone, Copy, Debug)]
pub struct SpectrogramOptions {
    pub n_fft: usize,
    /// `None` is `n_fft`.
    pub win_length: Option<usize>,
    /// `None` is `win_length / 2`.
    pub hop_length: Option<usize>,
    pub pad: usize,
    /// Builds the window from its length (default: periodic Hann).
    pub window_fn: WindowFn,
    /// `None` gives the complex spectrum.
    pub power: Option<f64>,
    pub normalized: Normalized,
    pub center: bool,
    pub pad_mode: &'static str,
    pub onesided: bool,
}

impl Default for SpectrogramOptions {
    fn default() -> Self {
        SpectrogramOptions {
            n_fft: 400,
            win_length: None,
            hop_length: None,
            pad: 0,
            window_fn: F::hann_periodic,
            power: Some(2.0),
            normalized: Normalized::False,
            center: true,
            pad_mode: "reflect",
            onesided: true,
        }
    }
}

impl SpectrogramOptions {
    /// `(win_length, hop_length)` with torchaudio's defaults filled in.
    pub(crate) fn lengths(&self) -> (usize, usize) {
        let win = self.win_length.unwrap_or(self.n_fft);
        (win, self.hop_length.unwrap_or(win / 2))
    }
}

/// Spectrogram of `[..., time]` as `[..., n_fft / 2 + 1, frames]`
/// (`torchaudio.transforms.Spectrogram`).
#[derive(Module)]
pub struct Spectrogram {
    base: ModuleBase,
    #[buffer]
    pub window: Tensor,
    #[module(skip)]
    pub options: SpectrogramOptions,
}

impl Spectrogram {
    /// `torchaudio.transforms.Spectrogram(**options)`.
    pub fn new(options: SpectrogramOptions) -> Result<Self> {
        let (win, _) = options.lengths();
        Ok(Spectrogram {
            base: ModuleBase::default(),
            window: (options.window_fn)(win)?,
            options,
        })
    }
}

impl Forward for Spectrogram {
    fn forward(&self, waveform: &Tensor) -> Result<Tensor> {
        let o = &self.options;
        let (win_length, hop_length) = o.lengths();
        F::spectrogram(
            waveform,
            &F::SpectrogramArgs {
                pad: o.pad,
                window: &self.window,
                n_fft: o.n_fft,
                hop_length,
                win_length,
                power: o.power,
                normalized: o.normalized,
                center: o.center,
                pad_mode: o.pad_mode,
                onesided: o.onesided,
            },
        )
    }
}

/// Waveform from a complex spectrogram (`torchaudio.transforms.InverseSpectrogram`); the
/// options are `Spectrogram`'s (`power` and `pad_mode` unused).
#[derive(Module)]
pub struct InverseSpectrogram {
    base: ModuleBase,
    #[buffer]
    pub window: Tensor,
    #[module(skip)]
    pub options: SpectrogramOptions,
}

impl InverseSpectrogram {
    /// `torchaudio.transforms.InverseSpectrogram(**options)`.
    pub fn new(options: SpectrogramOptions) -> Result<Self> {
        let (win, _) = options.lengths();
        Ok(InverseSpectrogram {
            base: ModuleBase::default(),
            window: (options.window_fn)(win)?,
            options,
        })
    }

    /// `forward(spectrogram, length=None)`.
    pub fn forward_length(&self, spec: &Tensor, length: Option<usize>) -> Result<Tensor> {
        let o = &self.options;
        let (win_length, hop_length) = o.lengths();
        F::inverse_spectrogram(
            spec,
            &F::InverseSpectrogramArgs {
                length,
                pad: o.pad,
                window: &self.window,
                n_fft: o.n_fft,
                hop_length,
                win_length,
                normalized: o.normalized,
                center: o.center,
                onesided: o.onesided,
            },
        )
    }
}

impl Forward for InverseSpectrogram {
    fn forward(&self, spec: &Tensor) -> Result<Tensor> {
        self.forward_length(spec, None)
    }
}

/// Keyword arguments of `torchaudio.transforms.GriffinLim`, with its defaults.
#[derive(Clone, Copy, Debug)]
pub struct GriffinLimOptions {
    pub n_fft: usize,
    pub n_iter: usize,
    pub win_length: Option<usize>,
    pub hop_length: Option<usize>,
    pub window_fn: WindowFn,
    pub power: f64,
    pub momentum: f64,
    pub length: Option<usize>,
    pub rand_init: bool,
}

impl Default for GriffinLimOptions {
    fn default() -> Self {
        GriffinLimOptions {
            n_fft: 400,
            n_iter: 32,
            win_length: None,
            hop_length: None,
            window_fn: F::hann_periodic,
            power: 2.0,
            momentum: 0.99,
            length: None,
            rand_init: true,
        }
    }
}

/// Waveform from a magnitude spectrogram by fast Griffin-Lim
/// (`torchaudio.transforms.GriffinLim`); random initial phases from `generator` when set.
#[derive(Module)]
pub struct GriffinLim {
    base: ModuleBase,
    #[buffer]
    pub window: Tensor,
    #[module(skip)]
    pub options: GriffinLimOptions,
    #[module(skip)]
    pub generator: Option<Generator>,
}

impl GriffinLim {
    /// `torchaudio.transforms.GriffinLim(**options)`.
    pub fn new(options: GriffinLimOptions) -> Result<Self> {
        let win = options.win_length.unwrap_or(options.n_fft);
        Ok(GriffinLim {
            base: ModuleBase::default(),
            window: (options.window_fn)(win)?,
            options,
            generator: None,
        })
    }
}

impl Forward for GriffinLim {
    fn forward(&self, specgram: &Tensor) -> Result<Tensor> {
        let o = &self.options;
        let win_length = o.win_length.unwrap_or(o.n_fft);
        F::griffinlim(
            specgram,
            &F::GriffinLimArgs {
                window: &self.window,
                n_fft: o.n_fft,
                hop_length: o.hop_length.unwrap_or(win_length / 2),
                win_length,
                power: o.power,
                n_iter: o.n_iter,
                momentum: o.momentum,
                length: o.length,
                rand_init: o.rand_init,
            },
            self.generator.as_ref(),
        )
    }
}
