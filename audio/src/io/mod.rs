//! Audio io (`torchaudio.load`, `info`, `save`, `torchaudio.io.StreamReader`): decoding WAV
//! (PCM 8/16/24/32-bit and float), FLAC, MP3 and Ogg Vorbis through symphonia, writing WAV.

mod load;
mod ogg_check;
mod save;
mod source;
mod stream;

pub use load::{AudioMetaData, LoadOptions, info, load};
pub use save::{SaveOptions, save};
pub use stream::StreamReader;
