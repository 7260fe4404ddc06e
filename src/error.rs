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
    #[error("{location}: {message}")]
    Rechunk {
        /// The array (or file) at fault.
        location: String,
        /// What went wrong.
        message: String,
    },
    /// The storage layer failed.
    #[error("{location}: {message}")]
    Storage {
        /// The key or path at fault.
        location: String,
        /// What went wrong.
        message: String,
    },
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
