//! The library's error type.

use std::path::PathBuf;

/// Errors that stop an operation as a whole. Problems with single nodes of a store do not stop a
/// scan: they are collected as [`crate::model::NodeError`]s instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The path does not exist or cannot be read.
    #[error("{path}: {source}")]
    Io {
        /// The path at fault.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The path exists but holds no Zarr or N5 metadata anywhere below it.
    #[error(
        "{0}: not a Zarr or N5 store (no zarr.json, .zarray, .zgroup or attributes.json found)"
    )]
    NotAStore(PathBuf),
    /// A configuration file is unreadable or invalid.
    #[error("{path}: {message}")]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The command line asks for something that does not exist.
    #[error("{0}")]
    Usage(String),
    /// A rechunk or verification failed on an array.
    #[error("{location}: {source}")]
    Rechunk {
        /// The array (or file) at fault.
        location: String,
        /// What went wrong: the underlying error (zarrs', the codec's, the metadata model's) or a
        /// message.
        source: Cause,
    },
    /// The caller asked the work to stop ([`crate::progress::Progress::cancelled`]).
    #[error("{0}: interrupted before it finished (a rechunk run again resumes where it stopped)")]
    Interrupted(String),
    /// The storage layer failed.
    #[error("{location}: {source}")]
    Storage {
        /// The key or path at fault.
        location: String,
        /// What went wrong.
        source: Cause,
    },
}

/// The cause of an error: another error, or a message (`String` and `&str` convert into it).
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

impl Error {
    /// The path, key or location at fault, when the error names one (not for usage errors).
    #[must_use]
    pub fn location(&self) -> Option<String> {
        match self {
            Self::Io { path, .. } | Self::Config { path, .. } | Self::NotAStore(path) => {
                Some(path.display().to_string())
            }
            Self::Rechunk { location, .. } | Self::Storage { location, .. } => {
                Some(location.clone())
            }
            Self::Interrupted(location) => Some(location.clone()),
            Self::Usage(_) => None,
        }
    }

    /// [`Error::Rechunk`] at `location`, caused by `cause`.
    pub fn rechunk(location: impl Into<String>, cause: impl Into<Cause>) -> Self {
        Self::Rechunk {
            location: location.into(),
            source: cause.into(),
        }
    }

    /// [`Error::Storage`] at `location`, caused by `cause`.
    pub fn storage(location: impl Into<String>, cause: impl Into<Cause>) -> Self {
        Self::Storage {
            location: location.into(),
            source: cause.into(),
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
