//! Reading and writing tensors in other libraries' file formats: safetensors (memory-mapped,
//! no copy on load), NumPy `.npy` and `.npz`, and PyTorch checkpoints (`.pt`/`.pth`/`.bin`,
//! the zip and legacy formats of `torch.save`, read by a safe unpickler that runs no code).
//!
//! Every reader reports a truncated or corrupt file as `Error::Format` naming the file, and a
//! dtype torch-core lacks (U16, F8, ...) as a named `Error::Format`; every writer writes a
//! temporary file next to its target and renames it into place, so a failed or interrupted
//! write never leaves a half-written file behind.

mod atomic;
mod npy;
mod npz;
mod pt;
mod raw;
mod safetensors;

pub use self::atomic::write_atomic;
pub use self::npy::{read_npy, write_npy};
pub use self::npz::{read_npz, write_npz, write_npz_compressed};
pub use self::pt::{PtValue, load_pt, load_pt_state_dict, save_pt};
pub use self::safetensors::{
    NamedTensors, SafetensorsMetadata, load_safetensors, load_safetensors_map,
    load_safetensors_with_metadata, save_safetensors,
};
