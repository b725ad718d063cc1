//! `ModuleBase`: the per-module state torch.nn.Module keeps besides parameters (the training
//! flag and the hook lists). A module struct holds one as a field, as a PyTorch module calls
//! `super().__init__()`; `forward(&self)` reads the flag, so it is atomic.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::hooks::HookLists;

/// Training flag and hooks of one module. `Default` is training mode with no hooks.
pub struct ModuleBase {
    training: AtomicBool,
    /// Shared with the `RemovableHandle`s, which remove their hook without the module.
    pub(crate) hooks: Arc<Mutex<HookLists>>,
}

impl Default for ModuleBase {
    fn default() -> Self {
        ModuleBase {
            training: AtomicBool::new(true),
            hooks: Arc::default(),
        }
    }
}

impl std::fmt::Debug for ModuleBase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModuleBase")
            .field("training", &self.is_training())
            .finish_non_exhaustive()
    }
}

impl ModuleBase {
    /// Whether this module is in training mode.
    pub fn is_training(&self) -> bool {
        self.training.load(Ordering::Relaxed)
    }

    /// Sets this module's flag only (`Module::train` sets the whole tree).
    pub fn set_training(&self, mode: bool) {
        self.training.store(mode, Ordering::Relaxed)
    }
}
