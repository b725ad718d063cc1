//! Thread-local grad mode (`torch.no_grad`, `enable_grad`, `set_grad_enabled`) and anomaly
//! detection (`torch.autograd.detect_anomaly`).

use std::cell::Cell;

thread_local! {
    static GRAD_ENABLED: Cell<bool> = const { Cell::new(true) };
    static ANOMALY: Cell<bool> = const { Cell::new(false) };
}

/// Whether ops record history on this thread (`torch.is_grad_enabled()`).
#[inline]
pub fn is_grad_enabled() -> bool {
    GRAD_ENABLED.with(|g| g.get())
}

/// Sets grad mode on this thread and returns the previous mode (`torch.set_grad_enabled`).
pub fn set_grad_enabled(enabled: bool) -> bool {
    GRAD_ENABLED.with(|g| g.replace(enabled))
}

/// Restores the previous grad mode when dropped.
#[must_use = "grad mode is restored when the guard is dropped"]
pub struct NoGradGuard {
    prev: bool,
}

impl Drop for NoGradGuard {
    fn drop(&mut self) {
        set_grad_enabled(self.prev);
    }
}

/// Restores the previous grad mode when dropped.
pub type EnableGradGuard = NoGradGuard;

/// Disables recording until the guard drops (`with torch.no_grad():`).
/// ```
/// use torch_core::{Tensor, autograd};
/// let w = Tensor::ones(&[3], Default::default()).unwrap().requires_grad_(true).unwrap();
/// let _g = autograd::no_grad();
/// assert!(!(&w * 2.0).requires_grad());
/// ```
pub fn no_grad() -> NoGradGuard {
    NoGradGuard {
        prev: set_grad_enabled(false),
    }
}

/// Enables recording until the guard drops (`with torch.enable_grad():`).
pub fn enable_grad() -> EnableGradGuard {
    NoGradGuard {
        prev: set_grad_enabled(true),
    }
}

/// Whether anomaly detection is on for this thread.
pub fn is_anomaly_enabled() -> bool {
    ANOMALY.with(|a| a.get())
}

/// Turns anomaly detection on or off and returns the previous state.
pub fn set_detect_anomaly(enabled: bool) -> bool {
    ANOMALY.with(|a| a.replace(enabled))
}

/// Restores the previous anomaly mode when dropped.
#[must_use = "anomaly mode is restored when the guard is dropped"]
pub struct AnomalyGuard {
    prev: bool,
}

impl Drop for AnomalyGuard {
    fn drop(&mut self) {
        set_detect_anomaly(self.prev);
    }
}

/// Makes backward name the op whose gradient first holds NaN (`torch.autograd.detect_anomaly`).
pub fn detect_anomaly() -> AnomalyGuard {
    AnomalyGuard {
        prev: set_detect_anomaly(true),
    }
}
