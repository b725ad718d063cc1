//! Audio models: M5 for keyword spotting, and Silero VAD with the official segmenting rules.

mod m5;
mod silero_vad;
mod vad_timestamps;

pub use m5::M5;
pub use silero_vad::{CHUNK, CONTEXT, SileroVad, VadState};
pub use vad_timestamps::{SpeechTimestampsOptions, get_speech_timestamps_from_probs};
