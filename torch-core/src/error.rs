//! `Error`, `Result`, the `bail!`/`ensure!` macros and `Context` (DESIGN R13, R14).
//!
//! A dozen general variants keyed by op name; messages read like PyTorch's: op first, then
//! shapes.

use std::path::PathBuf;

use crate::DType;

/// Every fallible function in the workspace returns this error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Two shapes that had to agree (broadcast, matmul, cat, ...) do not.
    #[error("{op}: shape mismatch: {lhs:?} and {rhs:?}{}", fmt_detail(.detail))]
    ShapeMismatch {
        op: &'static str,
        lhs: Vec<usize>,
        rhs: Vec<usize>,
        detail: String,
    },
    /// A dimension index outside `[-ndim, ndim)`.
    #[error(
        "{op}: Dimension out of range (expected to be in range of [{min}, {max}], but got {dim})"
    )]
    DimOutOfRange {
        op: &'static str,
        dim: i64,
        min: i64,
        max: i64,
    },
    /// An element index outside its dimension.
    #[error("{op}: index {index} is out of bounds for dimension {dim} with size {size}")]
    IndexOutOfRange {
        op: &'static str,
        index: i64,
        dim: usize,
        size: usize,
    },
    /// The op does not support this dtype.
    #[error("{op}: not implemented for dtype {dtype:?}")]
    UnsupportedDType { op: &'static str, dtype: DType },
    /// Two dtypes that must agree do not.
    #[error("{op}: expected dtype {expected:?} but got {got:?}")]
    DTypeMismatch {
        op: &'static str,
        expected: DType,
        got: DType,
    },
    /// Tensors on different devices.
    #[error("{op}: Expected all tensors to be on the same device, but found {lhs} and {rhs}")]
    DeviceMismatch {
        op: &'static str,
        lhs: String,
        rhs: String,
    },
    /// Any other invalid argument; the message names the op.
    #[error("{op}: {msg}")]
    InvalidArgument { op: &'static str, msg: String },
    /// Autograd refused (non-scalar backward, freed graph, in-place on a saved tensor, ...).
    #[error("{0}")]
    Autograd(String),
    /// The CUDA arm is not built yet.
    #[error("{op}: CUDA is not available in this build (device {device})")]
    Cuda { op: &'static str, device: String },
    /// An I/O failure on a named file.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file exists but its content is not valid for its format.
    #[error("{path}: {msg}")]
    Format { path: PathBuf, msg: String },
    /// An error with added context, outermost first.
    #[error("{context}: {source}")]
    Context {
        context: String,
        #[source]
        source: Box<Error>,
    },
}

fn fmt_detail(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(" ({detail})")
    }
}

/// The workspace-wide result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Shorthand for `Error::InvalidArgument`.
    pub fn invalid(op: &'static str, msg: impl Into<String>) -> Self {
        Error::InvalidArgument {
            op,
            msg: msg.into(),
        }
    }

    /// Shorthand for a shape mismatch without a detail message.
    pub fn shape(op: &'static str, lhs: &[usize], rhs: &[usize]) -> Self {
        Error::ShapeMismatch {
            op,
            lhs: lhs.to_vec(),
            rhs: rhs.to_vec(),
            detail: String::new(),
        }
    }

    /// Shorthand for `Error::Format` on a file.
    pub fn format(path: impl Into<PathBuf>, msg: impl Into<String>) -> Self {
        Error::Format {
            path: path.into(),
            msg: msg.into(),
        }
    }

    /// Shorthand for `Error::Io` on a file.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// Adds a message in front of an error, as `anyhow::Context` does.
pub trait Context<T> {
    /// Wraps the error with `context`.
    fn context(self, context: impl Into<String>) -> Result<T>;
    /// Wraps the error with a lazily built context.
    fn with_context<S: Into<String>>(self, f: impl FnOnce() -> S) -> Result<T>;
}

impl<T> Context<T> for Result<T> {
    fn context(self, context: impl Into<String>) -> Result<T> {
        self.map_err(|e| Error::Context {
            context: context.into(),
            source: Box::new(e),
        })
    }
    fn with_context<S: Into<String>>(self, f: impl FnOnce() -> S) -> Result<T> {
        self.map_err(|e| Error::Context {
            context: f().into(),
            source: Box::new(e),
        })
    }
}

/// Returns early with `Error::InvalidArgument { op, msg }`.
#[macro_export]
macro_rules! bail {
    ($op:expr, $($arg:tt)*) => {
        return Err($crate::Error::InvalidArgument { op: $op, msg: format!($($arg)*) })
    };
}

/// Returns `Error::InvalidArgument { op, msg }` unless the condition holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $op:expr, $($arg:tt)*) => {
        if !$cond {
            $crate::bail!($op, $($arg)*);
        }
    };
}
