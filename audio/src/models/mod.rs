//! Audio models: M5 and a mel-input CNN for keyword spotting, Silero VAD with the official segmenting rules, and
//! CREPE pitch estimation.

mod crepe;
mod m5;
mod mel_cnn;
mod silero_vad;
mod vad_timestamps;

pub use crepe::{
    Crepe, PITCH_BINS, SAMPLE_RATE, WINDOW_SIZE, bin_to_frequency, normalize_frames, predict_pitch,
};
pub use m5::M5;
pub use mel_cnn::MelCnn;
pub use silero_vad::{CHUNK, CONTEXT, SileroVad, VadState};
pub use vad_timestamps::{SpeechTimestampsOptions, get_speech_timestamps_from_probs};
