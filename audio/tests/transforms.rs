//! torch-audio functional and transforms against torchaudio 2.11 goldens made by
//! `scripts/golden/audio_transforms.py` on two 75 ms excerpts of a LibriVox recording:
//! spectrograms, Griffin-Lim, filter banks, mel/MFCC/LFCC, decibels and resampling.
//! Tolerances: rtol 1e-4 with an atol of 1e-4 of each output's largest magnitude (f32
//! FFTs and sums of hundreds of terms differ in the last bits); decibels within 1e-3 dB.

mod common;

use common::{check, check_db, close, golden, speech};
use torch_audio::functional::{
    self as F, MelScaleType, Normalized, ResampleOptions, ResamplingMethod,
};
use torch_audio::transforms::*;
use torch_nn::{Forward, Module};

fn spec(o: SpectrogramOptions) -> Spectrogram {
    Spectrogram::new(o).unwrap()
}

#[test]
fn spectrogram_variants_match_torchaudio() {
    let (g, x) = (golden(), speech());
    check(&g, "spec.default", spec(Default::default()).forward(&x));
    let so = |n_fft, hop| SpectrogramOptions {
        n_fft,
        hop_length: Some(hop),
        ..Default::default()
    };
    check(
        &g,
        "spec.complex_norm",
        spec(SpectrogramOptions {
            power: None,
            normalized: Normalized::Window,
            ..so(256, 64)
        })
        .forward(&x),
    );
    let hamming = |n| F::hamming_window(n, true);
    check(
        &g,
        "spec.hamming_p1_nocenter",
        spec(SpectrogramOptions {
            win_length: Some(100),
            window_fn: hamming,
            power: Some(1.0),
            center: false,
            ..so(128, 50)
        })
        .forward(&x),
    );
    check(
        &g,
        "spec.pad_const_framelen",
        spec(SpectrogramOptions {
            n_fft: 64,
            pad: 10,
            pad_mode: "constant",
            normalized: Normalized::FrameLength,
            ..Default::default()
        })
        .forward(&x),
    );
    // [..., time] batching: a 3-D input gives the same rows.
    let s3 = spec(Default::default())
        .forward(&x.unsqueeze(0).unwrap())
        .unwrap();
    assert_eq!(s3.shape(), &[1, 2, 201, 7]);
}

#[test]
fn inverse_spectrogram_and_griffinlim_match_torchaudio() {
    let (g, x) = (golden(), speech());
    let so = SpectrogramOptions {
        n_fft: 256,
        hop_length: Some(64),
        power: None,
        ..Default::default()
    };
    let cplx = spec(so).forward(&x).unwrap();
    check(
        &g,
        "inverse.len1200",
        InverseSpectrogram::new(so)
            .unwrap()
            .forward_length(&cplx, Some(1200)),
    );
    let sn = SpectrogramOptions {
        normalized: Normalized::Window,
        pad: 10,
        ..so
    };
    let c2 = spec(sn).forward(&x).unwrap();
    check(
        &g,
        "inverse.norm_pad",
        InverseSpectrogram::new(sn)
            .unwrap()
            .forward_length(&c2, Some(1200)),
    );
    let gl = |o: GriffinLimOptions| GriffinLim::new(o).unwrap();
    let go = GriffinLimOptions {
        n_fft: 256,
        hop_length: Some(64),
        rand_init: false,
        ..Default::default()
    };
    let power = cplx.abs().unwrap().pow_scalar(2.0).unwrap();
    check(
        &g,
        "griffinlim",
        gl(GriffinLimOptions {
            n_iter: 8,
            length: Some(1200),
            ..go
        })
        .forward(&power),
    );
    check(
        &g,
        "griffinlim.nomomentum_p1",
        gl(GriffinLimOptions {
            n_iter: 4,
            momentum: 0.0,
            power: 1.0,
            ..go
        })
        .forward(&cplx.abs().unwrap()),
    );
}

#[test]
fn filterbanks_and_dct_match_torchaudio() {
    let g = golden();
    check(
        &g,
        "fb.htk",
        F::melscale_fbanks(129, 0.0, 8000.0, 40, 16000, false, MelScaleType::Htk),
    );
    check(
        &g,
        "fb.slaney",
        F::melscale_fbanks(129, 50.0, 7600.0, 64, 16000, true, MelScaleType::Slaney),
    );
    check(
        &g,
        "fb.linear",
        F::linear_fbanks(129, 0.0, 8000.0, 20, 16000),
    );
    check(&g, "dct.ortho", F::create_dct(13, 40, Some("ortho")));
    check(&g, "dct.none", F::create_dct(13, 40, None));
    assert!(F::create_dct(13, 40, Some("forward")).is_err());
}

fn mel_opts(n_fft: usize, hop: usize) -> SpectrogramOptions {
    SpectrogramOptions {
        n_fft,
        hop_length: Some(hop),
        ..Default::default()
    }
}

#[test]
fn mel_mfcc_lfcc_match_torchaudio() {
    let (g, x) = (golden(), speech());
    let mel80 = MelScaleOptions {
        n_mels: 80,
        ..Default::default()
    };
    let m = MelSpectrogram::new(mel_opts(400, 160), mel80).unwrap();
    check(&g, "mel.80", m.forward(&x));
    let keys: Vec<String> = m.state_dict().keys().map(String::from).collect();
    assert_eq!(
        keys,
        vec!["spectrogram.window".to_string(), "mel_scale.fb".to_string()]
    );
    let slaney = MelScaleOptions {
        n_mels: 64,
        f_min: 50.0,
        f_max: Some(7000.0),
        slaney_norm: true,
        mel_scale: MelScaleType::Slaney,
        ..Default::default()
    };
    let so = SpectrogramOptions {
        power: Some(1.0),
        ..mel_opts(512, 128)
    };
    check(
        &g,
        "mel.slaney",
        MelSpectrogram::new(so, slaney).unwrap().forward(&x),
    );
    check(
        &g,
        "mfcc.40",
        MFCC::new(CepstralOptions::default(), mel_opts(400, 160), mel80)
            .unwrap()
            .forward(&x),
    );
    let logmel = CepstralOptions {
        n_coeffs: 13,
        ortho: false,
        log: true,
        ..Default::default()
    };
    check(
        &g,
        "mfcc.logmels",
        MFCC::new(logmel, Default::default(), Default::default())
            .unwrap()
            .forward(&x),
    );
    let lf = CepstralOptions {
        n_coeffs: 20,
        ..Default::default()
    };
    check(
        &g,
        "lfcc.20",
        LFCC::new(16000, 64, 0.0, None, lf, mel_opts(400, 160))
            .unwrap()
            .forward(&x),
    );
    let too_many = CepstralOptions {
        n_coeffs: 100,
        ..Default::default()
    };
    assert!(MFCC::new(too_many, Default::default(), mel80).is_err());
}

#[test]
fn amplitude_to_db_matches_torchaudio_in_absolute_db() {
    let g = golden();
    check_db(
        &g,
        "db.power_top80",
        AmplitudeToDB::new("power", Some(80.0))
            .unwrap()
            .forward(&g["spec.default"]),
    );
    check_db(
        &g,
        "db.magnitude",
        AmplitudeToDB::new("magnitude", None)
            .unwrap()
            .forward(&g["spec.hamming_p1_nocenter"]),
    );
    let mel4 = g["mel.80"].reshape(&[2, 1, 80, -1]).unwrap();
    check_db(
        &g,
        "db.batched_top40",
        AmplitudeToDB::new("power", Some(40.0))
            .unwrap()
            .forward(&mel4),
    );
    let back = F::DB_to_amplitude(&g["db.magnitude"], 1.0, 0.5).unwrap();
    let floor = g["spec.hamming_p1_nocenter"]
        .clamp(Some(1e-10), None)
        .unwrap();
    close("DB_to_amplitude", &back, &floor, 1e-5, 1e-12);
}

#[test]
fn resample_matches_torchaudio() {
    let (g, x) = (golden(), speech());
    check(
        &g,
        "resample.8000",
        F::resample(&x, 16000, 8000, ResampleOptions::default()),
    );
    let x600 = x.narrow(1, 0, 600).unwrap();
    let kaiser = ResampleOptions {
        lowpass_filter_width: 16,
        rolloff: 0.95,
        resampling_method: ResamplingMethod::SincInterpKaiser { beta: None },
    };
    check(
        &g,
        "resample.44100_kaiser",
        F::resample(&x600, 16000, 44100, kaiser),
    );
    let beta8 = ResampleOptions {
        resampling_method: ResamplingMethod::SincInterpKaiser { beta: Some(8.0) },
        ..Default::default()
    };
    check(
        &g,
        "resample.22050_beta8",
        F::resample(&x600, 16000, 22050, beta8),
    );
    check(
        &g,
        "Resample.12000",
        Resample::new(16000, 12000, ResampleOptions::default())
            .unwrap()
            .forward(&x),
    );
    assert!(F::resample(&x, 0, 8000, ResampleOptions::default()).is_err());
}
