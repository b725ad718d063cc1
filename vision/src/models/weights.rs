//! Loading a checkpoint file into a model: the `weights` argument of every constructor.

use std::path::Path;

use torch_core::{Context, Result};
use torch_nn::{Module, StateDict};

/// Loads the checkpoint at `path` (safetensors if the name ends in `.safetensors`, else a
/// PyTorch `.pt`/`.pth`, zip or legacy format) into `model` strictly, as
/// `model.load_state_dict(torch.load(path))`; the error names the file and every missing,
/// unexpected or mis-shaped key.
pub fn load_weights(model: &dyn Module, path: &Path) -> Result<()> {
    let state = StateDict::load(path)?;
    model
        .load_state_dict(&state, true)
        .with_context(|| format!("loading weights from {}", path.display()))?;
    Ok(())
}

/// Builds a model: with `weights`, `build()` and then load the checkpoint strictly (the
/// random initialisation is skipped, since every tensor is overwritten); without, `build()`
/// then `init()`, torchvision's initialisation.
pub(crate) fn build_model<M: Module>(
    weights: Option<&Path>,
    build: impl FnOnce() -> Result<M>,
    init: impl FnOnce(&M) -> Result<()>,
) -> Result<M> {
    let model = build()?;
    match weights {
        Some(path) => load_weights(&model, path)?,
        None => init(&model)?,
    }
    Ok(model)
}
