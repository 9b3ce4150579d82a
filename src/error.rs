//! The crate's top-level error type, wrapping each domain's error.
//!
//! Each layer has its own `#[non_exhaustive]` error enum; [`Error`] wraps them so that
//! the binary can map every failure to an exit code (2 for a bad scenario or bad usage,
//! 1 for anything else) with [`Error::is_usage`].

use std::path::PathBuf;

/// Any failure of the drawdown library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The scenario (file or overrides) is invalid; the message locates each problem.
    #[error(transparent)]
    Scenario(#[from] crate::scenario::ScenarioError),
    /// The command line asks for something impossible (the message names the flag).
    #[error("{0}")]
    Usage(String),
    /// An input/output failure on a named path.
    #[error("{action} '{}'", path.display())]
    Io {
        /// What was being done, e.g. "writing".
        action: &'static str,
        /// The file or folder concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The run was interrupted (Ctrl-C); nothing was written.
    #[error("interrupted: no results were written")]
    Interrupted,
    /// Any other failure, with its explanation.
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// Whether this error is the user's input (exit code 2) rather than a runtime failure.
    pub fn is_usage(&self) -> bool {
        matches!(self, Error::Scenario(_) | Error::Usage(_))
    }

    /// Builds an [`Error::Io`] for `path`.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
