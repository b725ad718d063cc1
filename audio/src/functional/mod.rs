//! `torchaudio.functional`: the math behind the transforms, on batched `[..., time]` or
//! `[..., freq, time]` tensors.

mod amplitude;
mod filterbanks;
mod filtering;
mod lfilter;
mod misc;
mod power_spec;
mod resample;
mod spectrogram;
mod window;

pub use amplitude::{DB_to_amplitude, amplitude_to_DB, gain, mu_law_decoding, mu_law_encoding};
pub use filterbanks::{
    MelScaleType, create_dct, hz_to_mel, linear_fbanks, mel_to_hz, melscale_fbanks,
};
pub use filtering::{
    bandpass_biquad, biquad, deemphasis, highpass_biquad, lowpass_biquad, preemphasis,
};
pub use lfilter::lfilter;
pub use misc::{FadeShape, compute_deltas, mask_along_axis, mask_along_axis_iid, mask_range};
pub(crate) use misc::{fade_in_curve, fade_out_curve};
pub use resample::{ResampleOptions, ResamplingMethod, resample};
pub(crate) use resample::{apply_sinc_kernel, sinc_resample_kernel};
pub use spectrogram::{
    GriffinLimArgs, InverseSpectrogramArgs, Normalized, SpectrogramArgs, griffinlim,
    inverse_spectrogram, spectrogram,
};
pub use window::{
    WindowFn, bartlett_window, bessel_i0, blackman_window, hamming_window, hann_periodic,
    hann_window, kaiser_window,
};
