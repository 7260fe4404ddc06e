//! The library's error type, and [`Param`]: the parameters of a request its messages name,
//! which each face words in its own terms.

use std::fmt;
use std::path::PathBuf;

/// Errors that stop an operation as a whole. Problems with single nodes of a store do not stop a
/// scan: they are collected as [`crate::model::NodeError`]s instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The path does not exist or cannot be read.
    Io {
        /// The path at fault.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The path exists but holds no Zarr or N5 metadata anywhere below it.
    NotAStore(PathBuf),
    /// A configuration file is unreadable or invalid.
    Config {
        /// The configuration file.
        path: PathBuf,
        /// The line at fault (from 1), when one is.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// The request asks for something that does not exist or cannot be done.
    Usage(String),
    /// The request cannot be carried out because of what is at `location`: a target that is
    /// not empty, a source that changed, an output in progress of another plan.
    Refused {
        /// The path or URL at fault.
        location: String,
        /// Why, and what to ask instead.
        message: String,
    },
    /// A rechunk or verification failed on an array.
    Rechunk {
        /// The array (or file) at fault.
        location: String,
        /// What went wrong: the underlying error (zarrs', the codec's, the metadata model's) or a
        /// message.
        source: Cause,
    },
    /// The caller asked the work to stop ([`crate::progress::Progress::cancelled`]).
    Interrupted(String),
    /// The storage layer failed.
    Storage {
        /// The key or path at fault.
        location: String,
        /// What went wrong.
        source: Cause,
    },
}

impl Error {
    /// The message, with every parameter it names worded by `word` (a face's own terms: a
    /// command-line flag, a Python keyword). [`fmt::Display`] words them as the request fields
    /// (`` `max_mem` ``).
    #[must_use]
    pub fn worded(&self, word: &dyn Fn(Param, Option<&str>) -> String) -> String {
        word_params(&self.marked(), word)
    }

    /// The message with parameter marks in place.
    fn marked(&self) -> String {
        match self {
            Self::Io { path, source } => format!("{}: {source}", path.display()),
            Self::NotAStore(path) => format!(
                "{}: not a Zarr or N5 store (no zarr.json, .zarray, .zgroup or attributes.json \
                 found)",
                path.display()
            ),
            Self::Config {
                path,
                line: None,
                message,
            } => format!("{}: {message}", path.display()),
            Self::Config {
                path,
                line: Some(line),
                message,
            } => format!("{}:{line}: {message}", path.display()),
            Self::Usage(message) => message.clone(),
            Self::Refused { location, message } => format!("{location}: {message}"),
            Self::Rechunk { location, source } | Self::Storage { location, source } => {
                // A cause that is an error of this library keeps its marks.
                match source.downcast_ref::<Self>() {
                    Some(inner) => format!("{location}: {}", inner.marked()),
                    None => format!("{location}: {source}"),
                }
            }
            Self::Interrupted(location) => format!(
                "{location}: interrupted before it finished (a rechunk run again resumes where \
                 it stopped)"
            ),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.worded(&library_word))
    }
}

/// A parameter of a request (an option of a rechunk, a verification or a split run) that an
/// error message names: what to change, or what was wrong. Messages carry it as a mark (its
/// [`fmt::Display`]); each face words it ([`Error::worded`]): `--max-mem` on the command line,
/// `max_mem=` in Python.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Param {
    /// The chunk shape asked for.
    Chunks,
    /// The shard shape asked for.
    Shards,
    /// The recommended layout.
    Auto,
    /// The output format.
    To,
    /// The OME-NGFF version of the output.
    OmeVersion,
    /// The compressor of the output.
    Codec,
    /// The memory budget.
    MaxMem,
    /// The worker threads.
    Threads,
    /// Files left out of the output.
    Exclude,
    /// One part of a split run.
    Part,
    /// Replace an existing output.
    Overwrite,
    /// Continue an interrupted output.
    Resume,
    /// Run again a part of a split run that was started before.
    ResumePart,
    /// Start a split run (write its plan).
    Init,
    /// Verify the output.
    Verify,
    /// Refuse arrays carried over unchanged.
    Strict,
    /// Where a report is written.
    Output,
}

impl Param {
    /// Every parameter.
    pub const ALL: [Self; 17] = [
        Self::Chunks,
        Self::Shards,
        Self::Auto,
        Self::To,
        Self::OmeVersion,
        Self::Codec,
        Self::MaxMem,
        Self::Threads,
        Self::Exclude,
        Self::Part,
        Self::Overwrite,
        Self::Resume,
        Self::ResumePart,
        Self::Init,
        Self::Verify,
        Self::Strict,
        Self::Output,
    ];

    /// The mark of this parameter given `value` (`--max-mem 2GiB` on the command line).
    #[must_use]
    pub fn with(self, value: impl fmt::Display) -> String {
        format!("{}{}{}{value}{}", MARK.0, self.key(), MARK.2, MARK.1)
    }

    /// Its name in the library's requests (`max_mem`).
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            Self::Chunks => "chunks",
            Self::Shards => "shards",
            Self::Auto => "auto",
            Self::To => "to",
            Self::OmeVersion => "ome_version",
            Self::Codec => "codec",
            Self::MaxMem => "max_mem",
            Self::Threads => "threads",
            Self::Exclude => "exclude",
            Self::Part => "part",
            Self::Overwrite => "overwrite",
            Self::Resume => "resume",
            Self::ResumePart => "resume_part",
            Self::Init => "init",
            Self::Verify => "verify",
            Self::Strict => "strict",
            Self::Output => "output",
        }
    }
}

/// Opens and closes a parameter's mark in a message: Unicode private-use characters, which no
/// text zlint writes holds. (A store name may: between them, only a parameter's key is read as
/// a mark; anything else stays as it is.)
/// The third separates the key from a value.
const MARK: (char, char, char) = ('\u{E000}', '\u{E001}', '\u{E002}');

impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", MARK.0, self.key(), MARK.1)
    }
}

/// How the library words a parameter: as its request field, `` `max_mem` ``, or
/// `` `max_mem=2GiB` `` with a value.
fn library_word(param: Param, value: Option<&str>) -> String {
    match value {
        Some(value) => format!("`{}={value}`", param.key()),
        None => format!("`{}`", param.key()),
    }
}

/// `text` with each parameter mark replaced by `word` of it (and its value, when it has one).
#[must_use]
pub fn word_params(text: &str, word: &dyn Fn(Param, Option<&str>) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(MARK.0) {
        out.push_str(&rest[..start]);
        let after = &rest[start + MARK.0.len_utf8()..];
        let Some(end) = after.find(MARK.1) else {
            out.push_str(&rest[start..]);
            return out;
        };
        let inside = &after[..end];
        let (key, value) = match inside.split_once(MARK.2) {
            Some((key, value)) => (key, Some(value)),
            None => (inside, None),
        };
        let next = &after[end + MARK.1.len_utf8()..];
        match Param::ALL.iter().find(|p| p.key() == key) {
            Some(param) => out.push_str(&word(*param, value)),
            None => out.push_str(&rest[start..rest.len() - next.len()]),
        }
        rest = next;
    }
    out.push_str(rest);
    out
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
            Self::Interrupted(location) | Self::Refused { location, .. } => Some(location.clone()),
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

    /// [`Error::Refused`] at `location`, saying `message`.
    pub fn refused(location: impl std::fmt::Display, message: String) -> Self {
        Self::Refused {
            location: location.to_string(),
            message,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cli(param: Param, value: Option<&str>) -> String {
        let flag = format!("--{}", param.key().replace('_', "-"));
        value.map_or(flag.clone(), |v| format!("{flag} {v}"))
    }

    #[test]
    fn each_face_words_the_parameters_a_message_names() {
        let err = Error::Usage(format!(
            "{}: too small; give {} or {}",
            Param::MaxMem.with("1KiB"),
            Param::MaxMem,
            Param::Overwrite
        ));
        assert_eq!(
            err.to_string(),
            "`max_mem=1KiB`: too small; give `max_mem` or `overwrite`"
        );
        assert_eq!(
            err.worded(&cli),
            "--max-mem 1KiB: too small; give --max-mem or --overwrite"
        );
    }

    #[test]
    fn marks_that_name_no_parameter_stay_as_they_are() {
        let text = "a\u{E000}nothing\u{E001}b \u{E000}open";
        assert_eq!(word_params(text, &cli), text);
    }
}
