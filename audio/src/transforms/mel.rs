//! `AmplitudeToDB`, `MelScale`, `MelSpectrogram`, `MFCC` and `LFCC`
//! (`torchaudio.transforms`), with torchaudio's buffer and child names (`fb`,
//! `spectrogram`, `mel_scale`, `MelSpectrogram`, `dct_mat`, `filter_mat`).

use torch_core::{Error, Result, Tensor};
use torch_nn::{Forward, Module, ModuleBase};

use super::spectral::{Spectrogram, SpectrogramOptions};
use crate::functional::{self as F, MelScaleType};

/// Power (`stype="power"`, 10 log10) or magnitude (`"magnitude"`, 20 log10) to decibels, with
/// an optional floor `top_db` below the maximum (`torchaudio.transforms.AmplitudeToDB`).
#[derive(Module)]
pub struct AmplitudeToDB {
    base: ModuleBase,
    pub multiplier: f64,
    pub amin: f64,
    pub db_multiplier: f64,
    pub top_db: Option<f64>,
}

impl AmplitudeToDB {
    /// `AmplitudeToDB(stype, top_db)`; `stype` is `"power"` or `"magnitude"`.
    pub fn new(stype: &str, top_db: Option<f64>) -> Result<Self> {
        let multiplier = match stype {
            "power" => 10.0,
            "magnitude" => 20.0,
            _ => {
                return Err(Error::invalid(
                    "AmplitudeToDB",
                    format!("stype must be 'power' or 'magnitude', got {stype:?}"),
                ));
            }
        };
        if top_db.is_some_and(|t| t < 0.0) {
            return Err(Error::invalid(
                "AmplitudeToDB",
                "top_db must be positive value",
            ));
        }
        Ok(AmplitudeToDB {
            base: ModuleBase::default(),
            multiplier,
            amin: 1e-10,
            db_multiplier: 0.0,
            top_db,
        })
    }
}

impl Forward for AmplitudeToDB {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        F::amplitude_to_DB(
            x,
            self.multiplier,
            self.amin,
            self.db_multiplier,
            self.top_db,
        )
    }
}

/// Keyword arguments of `torchaudio.transforms.MelScale` (and the mel part of
/// `MelSpectrogram`), with its defaults.
#[derive(Clone, Copy, Debug)]
pub struct MelScaleOptions {
    pub n_mels: usize,
    pub sample_rate: u32,
    pub f_min: f64,
    /// `None` is `sample_rate / 2`.
    pub f_max: Option<f64>,
    /// `norm="slaney"` when true, `None` when false.
    pub slaney_norm: bool,
    pub mel_scale: MelScaleType,
}

impl Default for MelScaleOptions {
    fn default() -> Self {
        MelScaleOptions {
            n_mels: 128,
            sample_rate: 16000,
            f_min: 0.0,
            f_max: None,
            slaney_norm: false,
            mel_scale: MelScaleType::Htk,
        }
    }
}

/// Mel filter bank applied to a `[..., n_stft, time]` spectrogram, giving `[..., n_mels,
/// time]` (`torchaudio.transforms.MelScale(n_mels, sample_rate, f_min, f_max, n_stft, norm,
/// mel_scale)`). Buffer `fb` `[n_stft, n_mels]`.
#[derive(Module)]
pub struct MelScale {
    base: ModuleBase,
    #[buffer]
    pub fb: Tensor,
}

impl MelScale {
    /// `MelScale(n_stft=n_stft, **options)` (torchaudio's default `n_stft` is 201).
    pub fn new(n_stft: usize, o: MelScaleOptions) -> Result<Self> {
        let f_max = o.f_max.unwrap_or(o.sample_rate as f64 / 2.0);
        if o.f_min > f_max {
            return Err(Error::invalid(
                "MelScale",
                format!("Require f_min: {} <= f_max: {f_max}", o.f_min),
            ));
        }
        let fb = F::melscale_fbanks(
            n_stft,
            o.f_min,
            f_max,
            o.n_mels,
            o.sample_rate,
            o.slaney_norm,
            o.mel_scale,
        )?;
        Ok(MelScale {
            base: ModuleBase::default(),
            fb,
        })
    }
}

/// `(x^T fb)^T` over the last two dims: a filter bank `[freq, out]` applied to `[..., freq,
/// time]`.
fn apply_fb(x: &Tensor, fb: &Tensor) -> Result<Tensor> {
    x.transpose(-1, -2)?
        .matmul(&fb.to_dtype(x.dtype())?)?
        .transpose(-1, -2)
}

impl Forward for MelScale {
    fn forward(&self, specgram: &Tensor) -> Result<Tensor> {
        apply_fb(specgram, &self.fb)
    }
}

/// Mel spectrogram of `[..., time]` as `[..., n_mels, frames]`
/// (`torchaudio.transforms.MelSpectrogram`): `Spectrogram` then `MelScale`.
#[derive(Module)]
pub struct MelSpectrogram {
    base: ModuleBase,
    pub spectrogram: Spectrogram,
    pub mel_scale: MelScale,
}

impl MelSpectrogram {
    /// `MelSpectrogram(**spec, **mel)`; torchaudio's defaults are both `Default`s.
    pub fn new(spec: SpectrogramOptions, mel: MelScaleOptions) -> Result<Self> {
        Ok(MelSpectrogram {
            base: ModuleBase::default(),
            mel_scale: MelScale::new(spec.n_fft / 2 + 1, mel)?,
            spectrogram: Spectrogram::new(spec)?,
        })
    }
}

impl Forward for MelSpectrogram {
    fn forward(&self, waveform: &Tensor) -> Result<Tensor> {
        self.mel_scale.forward(&self.spectrogram.forward(waveform)?)
    }
}

/// Keyword arguments shared by `MFCC` and `LFCC`, with torchaudio's defaults.
#[derive(Clone, Copy, Debug)]
pub struct CepstralOptions {
    /// `n_mfcc` / `n_lfcc`.
    pub n_coeffs: usize,
    /// Only 2 is supported, as torchaudio.
    pub dct_type: u32,
    /// DCT `norm="ortho"` when true.
    pub ortho: bool,
    /// `log_mels` / `log_lf`: `log(x + 1e-6)` instead of decibels with `top_db=80`.
    pub log: bool,
}

impl Default for CepstralOptions {
    fn default() -> Self {
        CepstralOptions {
            n_coeffs: 40,
            dct_type: 2,
            ortho: true,
            log: false,
        }
    }
}

fn cepstrum(x: &Tensor, o: &CepstralOptions, db: &AmplitudeToDB, dct: &Tensor) -> Result<Tensor> {
    let x = if o.log {
        x.add_scalar(1e-6)?.log()?
    } else {
        db.forward(x)?
    };
    apply_fb(&x, dct)
}

fn dct_for(op: &'static str, o: &CepstralOptions, n_filters: usize) -> Result<Tensor> {
    if o.dct_type != 2 {
        return Err(Error::invalid(
            op,
            format!("DCT type not supported: {}", o.dct_type),
        ));
    }
    if o.n_coeffs > n_filters {
        return Err(Error::invalid(
            op,
            "Cannot select more MFCC coefficients than # mel bins",
        ));
    }
    F::create_dct(o.n_coeffs, n_filters, o.ortho.then_some("ortho"))
}

/// Mel-frequency cepstral coefficients `[..., n_mfcc, frames]` (`torchaudio.transforms.MFCC(
/// sample_rate, n_mfcc, dct_type, norm, log_mels, melkwargs)`).
#[derive(Module)]
#[allow(non_snake_case)]
pub struct MFCC {
    base: ModuleBase,
    pub amplitude_to_DB: AmplitudeToDB,
    pub MelSpectrogram: MelSpectrogram,
    #[buffer]
    pub dct_mat: Tensor,
    #[module(skip)]
    pub options: CepstralOptions,
}

impl MFCC {
    /// `MFCC(**options, melkwargs=(spec, mel))`; `mel.sample_rate` is the sample rate.
    pub fn new(o: CepstralOptions, spec: SpectrogramOptions, mel: MelScaleOptions) -> Result<Self> {
        Ok(MFCC {
            base: ModuleBase::default(),
            amplitude_to_DB: AmplitudeToDB::new("power", Some(80.0))?,
            dct_mat: dct_for("MFCC", &o, mel.n_mels)?,
            MelSpectrogram: MelSpectrogram::new(spec, mel)?,
            options: o,
        })
    }
}

impl Forward for MFCC {
    fn forward(&self, waveform: &Tensor) -> Result<Tensor> {
        let mel = self.MelSpectrogram.forward(waveform)?;
        cepstrum(&mel, &self.options, &self.amplitude_to_DB, &self.dct_mat)
    }
}

/// Linear-frequency cepstral coefficients `[..., n_lfcc, frames]` (`torchaudio.transforms.LFCC(
/// sample_rate, n_filter, f_min, f_max, n_lfcc, dct_type, norm, log_lf, speckwargs)`).
#[derive(Module)]
#[allow(non_snake_case)]
pub struct LFCC {
    base: ModuleBase,
    pub Spectrogram: Spectrogram,
    pub amplitude_to_DB: AmplitudeToDB,
    #[buffer]
    pub filter_mat: Tensor,
    #[buffer]
    pub dct_mat: Tensor,
    #[module(skip)]
    pub options: CepstralOptions,
}

impl LFCC {
    /// `LFCC(sample_rate, n_filter, f_min, f_max, **options, speckwargs=spec)`; torchaudio's
    /// defaults: 16000, 128, 0.0, `None` (`sample_rate / 2`).
    pub fn new(
        sample_rate: u32,
        n_filter: usize,
        f_min: f64,
        f_max: Option<f64>,
        o: CepstralOptions,
        spec: SpectrogramOptions,
    ) -> Result<Self> {
        let f_max = f_max.unwrap_or((sample_rate / 2) as f64);
        Ok(LFCC {
            base: ModuleBase::default(),
            filter_mat: F::linear_fbanks(spec.n_fft / 2 + 1, f_min, f_max, n_filter, sample_rate)?,
            dct_mat: dct_for("LFCC", &o, n_filter)?,
            Spectrogram: Spectrogram::new(spec)?,
            amplitude_to_DB: AmplitudeToDB::new("power", Some(80.0))?,
            options: o,
        })
    }
}

impl Forward for LFCC {
    fn forward(&self, waveform: &Tensor) -> Result<Tensor> {
        let spec = apply_fb(&self.Spectrogram.forward(waveform)?, &self.filter_mat)?;
        cepstrum(&spec, &self.options, &self.amplitude_to_DB, &self.dct_mat)
    }
}
