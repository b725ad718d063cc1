//! torch-audio io against soundfile (libsndfile) goldens made by `scripts/golden/audio_io.py`:
//! WAV (every sample format) and FLAC exactly, Ogg Vorbis and MP3 within a stated tolerance;
//! `info`, offsets, `StreamReader`, `save` round trips, and errors on truncated files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use torch_audio::io::{LoadOptions, SaveOptions, StreamReader, info, load, save};
use torch_core::testing::{load_golden, shared_data};
use torch_core::{DType, Tensor};

struct Golden {
    t: HashMap<String, Tensor>,
    meta: serde_json::Value,
}

fn golden() -> Golden {
    let dir = env!("CARGO_MANIFEST_DIR");
    let meta = std::fs::read_to_string(Path::new(dir).join("tests/golden/io.json")).unwrap();
    Golden {
        t: load_golden(dir, "io").unwrap(),
        meta: serde_json::from_str(&meta).unwrap(),
    }
}

impl Golden {
    fn path(&self, key: &str) -> PathBuf {
        let rel = self.meta[key]["path"].as_str().unwrap();
        if rel.starts_with("tests/") {
            Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
        } else {
            shared_data().join("audio").join(rel)
        }
    }
    fn usize(&self, key: &str, field: &str) -> usize {
        self.meta[key][field].as_u64().unwrap() as usize
    }
}

fn rows(t: &Tensor) -> Vec<Vec<f64>> {
    let (c, n) = (t.shape()[0], t.shape()[1]);
    let v = t.to_vec_f64().unwrap();
    (0..c).map(|i| v[i * n..(i + 1) * n].to_vec()).collect()
}

/// sum, sum weighted by (i % 7 + 1), sum of squares per channel, as the script computes them.
fn sums(t: &Tensor) -> Vec<[f64; 3]> {
    rows(t)
        .iter()
        .map(|r| {
            let mut s = [0.0; 3];
            for (i, &x) in r.iter().enumerate() {
                let x = x as f32 as f64;
                s[0] += x;
                s[1] += x * ((i % 7) + 1) as f64;
                s[2] += x * x;
            }
            s
        })
        .collect()
}

/// Max |a - b| over the golden slices `head` and `mid` of `key` (`a` shifted by `lag`).
fn slice_error(g: &Golden, key: &str, wave: &Tensor, lag: i64) -> f64 {
    let mid = g.usize(key, "mid") as i64;
    let mut worst: f64 = 0.0;
    for (name, start) in [("head", 0i64), ("mid", mid)] {
        let exp = rows(&g.t[&format!("{key}.{name}")]);
        let act = rows(wave);
        for (e, a) in exp.iter().zip(&act) {
            for (i, &y) in e.iter().enumerate() {
                let j = start + i as i64 + lag;
                if j < 0 || j as usize >= a.len() {
                    return f64::INFINITY;
                }
                worst = worst.max((a[j as usize] - y).abs());
            }
        }
    }
    worst
}

fn check_exact(g: &Golden, key: &str) {
    let (wave, sr) = load(g.path(key), LoadOptions::default()).unwrap();
    assert_eq!(wave.dtype(), DType::F32, "{key}");
    assert_eq!(sr as usize, g.usize(key, "sample_rate"), "{key}");
    assert_eq!(
        wave.shape(),
        &[g.usize(key, "channels"), g.usize(key, "frames")],
        "{key}"
    );
    assert_eq!(slice_error(g, key, &wave, 0), 0.0, "{key}: samples differ");
    let exp = rows(&g.t[&format!("{key}.sums")]);
    for (c, (a, e)) in sums(&wave).iter().zip(&exp).enumerate() {
        for k in 0..3 {
            assert!(
                (a[k] - e[k]).abs() <= 1e-9 * e[k].abs().max(1.0),
                "{key} channel {c} checksum {k}: {} vs {}",
                a[k],
                e[k]
            );
        }
    }
}

#[test]
fn wav_and_flac_equal_soundfile_exactly() {
    let g = golden();
    for key in [
        "librivox_0870",
        "librivox_0880_flac",
        "alsa_front_center",
        "asterisk_digit_7",
        "wav_u8",
        "wav_s16",
        "wav_s24",
        "wav_s32",
        "wav_f32",
    ] {
        check_exact(&g, key);
    }
}

#[test]
fn integer_wav_without_normalize_keeps_native_dtype() {
    let g = golden();
    let raw = LoadOptions {
        normalize: false,
        ..Default::default()
    };
    // soundfile's int16 read of u8 is (x - 128) << 8; its int32 read of s24 is x << 8.
    for (key, dtype, to_golden) in [
        (
            "wav_u8",
            DType::U8,
            (|x: f64| (x - 128.0) * 256.0) as fn(f64) -> f64,
        ),
        ("wav_s16", DType::I16, |x| x),
        ("wav_s24", DType::I32, |x| x),
        ("wav_s32", DType::I32, |x| x),
    ] {
        let (wave, _) = load(g.path(key), raw).unwrap();
        assert_eq!(wave.dtype(), dtype, "{key}");
        let got: Vec<f64> = wave
            .to_vec_f64()
            .unwrap()
            .into_iter()
            .map(to_golden)
            .collect();
        assert_eq!(
            got,
            g.t[&format!("{key}.int")].to_vec_f64().unwrap(),
            "{key}"
        );
    }
    // FLAC ignores normalize=false (torchaudio: integer output is for WAV only).
    let (flac, _) = load(g.path("librivox_0880_flac"), raw).unwrap();
    assert_eq!(flac.dtype(), DType::F32);
}

#[test]
fn frame_offset_num_frames_and_channels_last() {
    let g = golden();
    let key = "librivox_0880_flac";
    let mid = g.usize(key, "mid");
    let opts = LoadOptions {
        frame_offset: mid,
        num_frames: Some(1000),
        ..Default::default()
    };
    let (part, _) = load(g.path(key), opts).unwrap();
    assert_eq!(
        part.to_vec_f64().unwrap(),
        g.t[&format!("{key}.mid")].to_vec_f64().unwrap()
    );
    // Past the end: torchaudio returns what is there.
    let frames = g.usize(key, "frames");
    let tail = LoadOptions {
        frame_offset: frames - 10,
        num_frames: Some(100),
        ..Default::default()
    };
    assert_eq!(load(g.path(key), tail).unwrap().0.shape(), &[1, 10]);
    let key = "wav_s16";
    let (cf, _) = load(g.path(key), LoadOptions::default()).unwrap();
    let last = LoadOptions {
        channels_first: false,
        ..Default::default()
    };
    let (cl, _) = load(g.path(key), last).unwrap();
    assert_eq!(cl.shape(), &[1000, 2]);
    assert_eq!(
        cl.t().unwrap().to_vec_f64().unwrap(),
        cf.to_vec_f64().unwrap()
    );
}

#[test]
fn vorbis_matches_soundfile_within_1e_5() {
    // Two independent float decoders (libvorbis and symphonia) differ by rounding only.
    let g = golden();
    for key in ["bell_oga", "complete_oga"] {
        let (wave, sr) = load(g.path(key), LoadOptions::default()).unwrap();
        assert_eq!(sr as usize, g.usize(key, "sample_rate"));
        assert_eq!(wave.shape(), &[2, g.usize(key, "frames")], "{key}");
        let err = slice_error(&g, key, &wave, 0);
        assert!(err < 1e-5, "{key}: max error {err}");
    }
}

#[test]
fn mp3_matches_soundfile_after_aligning_encoder_delay() {
    // LAME's delay and padding are trimmed by both decoders (gapless), but mpg123 and
    // symphonia may disagree on the first granule, so search a lag of up to one frame (1152
    // samples) and require the best lag to match within 1e-5 (measured: lag 0, max error
    // 1.2e-7; the two float synthesis filterbanks differ in rounding only).
    let g = golden();
    let key = "mp3";
    let (wave, sr) = load(g.path(key), LoadOptions::default()).unwrap();
    assert_eq!(sr, 16000);
    let frames = g.usize(key, "frames") as i64;
    let n = wave.shape()[1] as i64;
    assert!(
        (n - frames).abs() <= 1152,
        "{n} frames vs soundfile's {frames}"
    );
    let mid = g.usize(key, "mid") as i64;
    let (lag, err) = (-1152..=1152)
        .filter(|l| mid + l >= 0)
        .map(|l| (l, mid_error(&g, key, &wave, l)))
        .fold((0, f64::INFINITY), |b, x| if x.1 < b.1 { x } else { b });
    assert!(err < 1e-5, "best lag {lag}: max error {err}");
    println!("mp3: {n} frames (soundfile {frames}), lag {lag}, max error {err}");
}

fn mid_error(g: &Golden, key: &str, wave: &Tensor, lag: i64) -> f64 {
    let mid = g.usize(key, "mid") as i64;
    let exp = rows(&g.t[&format!("{key}.mid")]);
    let act = rows(wave);
    let mut worst: f64 = 0.0;
    for (i, &y) in exp[0].iter().enumerate() {
        let j = mid + i as i64 + lag;
        if j < 0 || j as usize >= act[0].len() {
            return f64::INFINITY;
        }
        worst = worst.max((act[0][j as usize] - y).abs());
    }
    worst
}

#[test]
fn info_reports_header_fields() {
    let g = golden();
    let cases = [
        ("librivox_0870", 16, "PCM_S"),
        ("librivox_0880_flac", 16, "FLAC"),
        ("wav_u8", 8, "PCM_U"),
        ("wav_s24", 24, "PCM_S"),
        ("wav_f32", 32, "PCM_F"),
        ("bell_oga", 0, "VORBIS"),
    ];
    for (key, bits, enc) in cases {
        let m = info(g.path(key)).unwrap();
        assert_eq!(m.sample_rate as usize, g.usize(key, "sample_rate"), "{key}");
        assert_eq!(m.num_frames as usize, g.usize(key, "frames"), "{key}");
        assert_eq!(m.num_channels, g.usize(key, "channels"), "{key}");
        assert_eq!(
            (m.bits_per_sample, m.encoding.as_str()),
            (bits, enc),
            "{key}"
        );
    }
    let m = info(g.path("mp3")).unwrap();
    assert_eq!(
        (m.encoding.as_str(), m.bits_per_sample, m.num_channels),
        ("MP3", 0, 1)
    );
    // The gapless frame count (LAME's delay and padding excluded), as soundfile's.
    assert_eq!(m.num_frames as usize, g.usize("mp3", "frames"));
}

#[test]
fn stream_reader_chunks_equal_load() {
    let g = golden();
    for key in ["librivox_0870", "librivox_0880_flac", "complete_oga"] {
        let (whole, _) = load(g.path(key), LoadOptions::default()).unwrap();
        let reader = StreamReader::new(g.path(key), 4000).unwrap();
        assert_eq!(reader.sample_rate() as usize, g.usize(key, "sample_rate"));
        let chunks: Vec<Tensor> = reader.map(|c| c.unwrap()).collect();
        let frames = g.usize(key, "frames");
        assert_eq!(chunks.len(), frames.div_ceil(4000), "{key}");
        for c in &chunks[..chunks.len() - 1] {
            assert_eq!(c.shape()[1], 4000);
        }
        let refs: Vec<&Tensor> = chunks.iter().collect();
        let joined = Tensor::cat(&refs, 1).unwrap();
        assert_eq!(
            joined.to_vec_f64().unwrap(),
            whole.to_vec_f64().unwrap(),
            "{key}"
        );
    }
}

#[test]
fn save_round_trips_pcm16_and_float() {
    let g = golden();
    let dir = tempfile::tempdir().unwrap();
    let (wave, sr) = load(g.path("wav_s16"), LoadOptions::default()).unwrap();
    // 16-bit PCM from floats that are exact 16-bit values: bit-exact round trip.
    let p16 = dir.path().join("a.wav");
    let o16 = SaveOptions {
        encoding: Some("PCM_S"),
        bits_per_sample: Some(16),
        ..Default::default()
    };
    save(&p16, &wave, sr, o16).unwrap();
    assert_eq!(std::fs::read(&p16).unwrap().len(), 44 + 1000 * 2 * 2);
    let (back, sr2) = load(&p16, LoadOptions::default()).unwrap();
    assert_eq!(sr2, sr);
    assert_eq!(back.to_vec_f64().unwrap(), wave.to_vec_f64().unwrap());
    let m = info(&p16).unwrap();
    assert_eq!((m.bits_per_sample, m.encoding.as_str()), (16, "PCM_S"));
    // Default for f32 is 32-bit float: any float survives.
    let pf = dir.path().join("f.wav");
    let odd = wave.mul_scalar(0.3).unwrap();
    save(&pf, &odd, 22050, SaveOptions::default()).unwrap();
    let (backf, srf) = load(&pf, LoadOptions::default()).unwrap();
    assert_eq!(srf, 22050);
    assert_eq!(backf.to_vec_f64().unwrap(), odd.to_vec_f64().unwrap());
    assert_eq!(info(&pf).unwrap().encoding, "PCM_F");
    // Rounding and clipping of floats into 16 bits (ffmpeg's rule).
    let x = Tensor::from_vec(vec![0.5f32, -1.5, 1.0, 3.0 / 65536.0, -0.25], &[1, 5]).unwrap();
    save(&p16, &x, 8000, o16).unwrap();
    let raw = LoadOptions {
        normalize: false,
        ..Default::default()
    };
    let (xi, _) = load(&p16, raw).unwrap();
    assert_eq!(
        xi.to_vec::<i16>().unwrap(),
        vec![16384, -32768, 32767, 2, -8192]
    );
    // Only the temp-free target remains in the folder.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2);
    // 1-D input is an error, as torchaudio.
    let err = save(
        &pf,
        &Tensor::zeros(&[5], Default::default()).unwrap(),
        8000,
        SaveOptions::default(),
    );
    assert!(
        err.unwrap_err()
            .to_string()
            .contains("Expected 2D Tensor, got 1D")
    );
}

#[test]
fn truncated_and_corrupt_files_are_errors_naming_the_file() {
    let g = golden();
    let dir = tempfile::tempdir().unwrap();
    for key in ["librivox_0870", "librivox_0880_flac", "complete_oga", "mp3"] {
        let bytes = std::fs::read(g.path(key)).unwrap();
        let name = g.path(key).file_name().unwrap().to_owned();
        for (what, data) in [
            ("header only", bytes[..20].to_vec()),
            ("half", bytes[..bytes.len() / 2].to_vec()),
            ("garbage", {
                let mut b = bytes.clone();
                for x in b.iter_mut().skip(4).step_by(3) {
                    *x ^= 0x5A;
                }
                b
            }),
        ] {
            let p = dir.path().join(&name);
            std::fs::write(&p, &data).unwrap();
            let err = load(&p, LoadOptions::default())
                .err()
                .unwrap_or_else(|| panic!("{key} {what}: loaded without error"));
            assert!(
                err.to_string().contains(&*name.to_string_lossy()),
                "{key} {what}: {err}"
            );
        }
    }
    let missing = load("/nonexistent/x.wav", LoadOptions::default()).unwrap_err();
    assert!(missing.to_string().contains("/nonexistent/x.wav"));
}
