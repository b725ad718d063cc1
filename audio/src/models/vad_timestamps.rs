//! Speech segments from per-chunk speech probabilities, as the official
//! `silero_vad.get_speech_timestamps_from_probs` computes them (hysteresis thresholds,
//! minimum speech and silence durations, maximum speech length, padding).

/// The keyword arguments of `get_speech_timestamps`, with its defaults (16 kHz).
#[derive(Clone, Copy, Debug)]
pub struct SpeechTimestampsOptions {
    pub threshold: f64,
    pub sampling_rate: u32,
    pub min_speech_duration_ms: u32,
    pub max_speech_duration_s: f64,
    pub min_silence_duration_ms: u32,
    pub speech_pad_ms: u32,
    /// `None` is `max(threshold - 0.15, 0.01)`.
    pub neg_threshold: Option<f64>,
    pub min_silence_at_max_speech: u32,
    pub use_max_poss_sil_at_max_speech: bool,
}

impl Default for SpeechTimestampsOptions {
    fn default() -> Self {
        SpeechTimestampsOptions {
            threshold: 0.5,
            sampling_rate: 16000,
            min_speech_duration_ms: 250,
            max_speech_duration_s: f64::INFINITY,
            min_silence_duration_ms: 100,
            speech_pad_ms: 30,
            neg_threshold: None,
            min_silence_at_max_speech: 98,
            use_max_poss_sil_at_max_speech: true,
        }
    }
}

/// `[start, end)` sample ranges of speech from the probabilities of consecutive windows (512
/// samples at 16 kHz, 256 at 8 kHz); `audio_length_samples` `None` is `probs.len() * window`.
pub fn get_speech_timestamps_from_probs(
    probs: &[f32],
    audio_length_samples: Option<usize>,
    o: &SpeechTimestampsOptions,
) -> Vec<(usize, usize)> {
    let sr = o.sampling_rate as f64;
    let window = if o.sampling_rate == 16000 {
        512.0
    } else {
        256.0
    };
    let audio_len = audio_length_samples.map_or(probs.len() as f64 * window, |n| n as f64);
    let min_speech = sr * o.min_speech_duration_ms as f64 / 1000.0;
    let pad = sr * o.speech_pad_ms as f64 / 1000.0;
    let max_speech = sr * o.max_speech_duration_s - window - 2.0 * pad;
    let min_silence = sr * o.min_silence_duration_ms as f64 / 1000.0;
    let min_silence_at_max = sr * o.min_silence_at_max_speech as f64 / 1000.0;
    let neg = o.neg_threshold.unwrap_or((o.threshold - 0.15).max(0.01));

    let mut triggered = false;
    let mut speeches: Vec<(f64, f64)> = Vec::new();
    let mut start: Option<f64> = None;
    let (mut temp_end, mut prev_end, mut next_start) = (0.0f64, 0.0f64, 0.0f64);
    let mut possible_ends: Vec<(f64, f64)> = Vec::new();
    for (i, &p) in probs.iter().enumerate() {
        let (p, cur) = (p as f64, window * i as f64);
        if p >= o.threshold && temp_end != 0.0 {
            let sil = cur - temp_end;
            if sil > min_silence_at_max {
                possible_ends.push((temp_end, sil));
            }
            temp_end = 0.0;
            if next_start < prev_end {
                next_start = cur;
            }
        }
        if p >= o.threshold && !triggered {
            triggered = true;
            start = Some(cur);
            continue;
        }
        if let Some(s) = start.filter(|&s| triggered && cur - s > max_speech) {
            if o.use_max_poss_sil_at_max_speech && !possible_ends.is_empty() {
                // The longest silence inside the segment (the first of equals, as Python's max).
                let (pe, dur) = possible_ends
                    .iter()
                    .fold(possible_ends[0], |b, &x| if x.1 > b.1 { x } else { b });
                speeches.push((s, pe));
                next_start = pe + dur;
                start = None;
                if next_start < pe + cur {
                    start = Some(next_start);
                } else {
                    triggered = false;
                }
            } else if prev_end != 0.0 {
                speeches.push((s, prev_end));
                start = None;
                if next_start < prev_end {
                    triggered = false;
                } else {
                    start = Some(next_start);
                }
            } else {
                speeches.push((s, cur));
                start = None;
                triggered = false;
                (prev_end, next_start, temp_end) = (0.0, 0.0, 0.0);
                possible_ends.clear();
                continue;
            }
            (prev_end, next_start, temp_end) = (0.0, 0.0, 0.0);
            possible_ends.clear();
        }
        if p < neg && triggered {
            if temp_end == 0.0 {
                temp_end = cur;
            }
            let sil_now = cur - temp_end;
            if !o.use_max_poss_sil_at_max_speech && sil_now > min_silence_at_max {
                prev_end = temp_end;
            }
            if sil_now < min_silence {
                continue;
            }
            if let Some(s) = start.take()
                && temp_end - s > min_speech
            {
                speeches.push((s, temp_end));
            }
            (prev_end, next_start, temp_end) = (0.0, 0.0, 0.0);
            triggered = false;
            possible_ends.clear();
        }
    }
    if let Some(s) = start
        && audio_len - s > min_speech
    {
        speeches.push((s, audio_len));
    }
    let n = speeches.len();
    for i in 0..n {
        if i == 0 {
            speeches[0].0 = (speeches[0].0 - pad).max(0.0).trunc();
        }
        if i + 1 < n {
            let gap = speeches[i + 1].0 - speeches[i].1;
            if gap < 2.0 * pad {
                speeches[i].1 += (gap / 2.0).floor();
                speeches[i + 1].0 = (speeches[i + 1].0 - (gap / 2.0).floor()).max(0.0).trunc();
            } else {
                speeches[i].1 = audio_len.min(speeches[i].1 + pad).trunc();
                speeches[i + 1].0 = (speeches[i + 1].0 - pad).max(0.0).trunc();
            }
        } else {
            speeches[i].1 = audio_len.min(speeches[i].1 + pad).trunc();
        }
    }
    speeches
        .into_iter()
        .map(|(s, e)| (s as usize, e as usize))
        .collect()
}
