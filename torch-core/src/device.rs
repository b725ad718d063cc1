//! `Device`: where a tensor's storage lives. Only the CPU arm exists until the CUDA issue.

use std::fmt;

use crate::{Error, Result};

/// A compute device, spelled as in PyTorch (`cpu`, `cuda:0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Device {
    #[default]
    Cpu,
    /// A CUDA device by ordinal; every op returns `Error::Cuda` until the CUDA arm lands.
    Cuda(usize),
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Device::Cpu => write!(f, "cpu"),
            Device::Cuda(i) => write!(f, "cuda:{i}"),
        }
    }
}

impl Device {
    /// Fails with a clear error for devices this build cannot run `op` on.
    pub(crate) fn check_available(self, op: &'static str) -> Result<()> {
        match self {
            Device::Cpu => Ok(()),
            Device::Cuda(_) => Err(Error::Cuda {
                op,
                device: self.to_string(),
            }),
        }
    }
}
