//! `torchaudio.transforms`: modules holding options and precomputed buffers (windows, filter
//! banks, DCT matrices, resampling kernels) around `functional`.

mod mel;
mod misc;
mod spectral;

pub use mel::{
    AmplitudeToDB, CepstralOptions, LFCC, MFCC, MelScale, MelScaleOptions, MelSpectrogram,
};
pub use misc::{
    AxisMasking, ComputeDeltas, Fade, FrequencyMasking, MuLawDecoding, MuLawEncoding, Resample,
    TimeMasking, Vol,
};
pub use spectral::{
    GriffinLim, GriffinLimOptions, InverseSpectrogram, Spectrogram, SpectrogramOptions,
};
