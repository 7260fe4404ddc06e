//! One typed model of the metadata documents zlint reads and writes (Zarr v2, Zarr v3, N5) and of
//! their codecs, with the translation between the formats in one place. Pure: nothing here reads
//! or writes a store.

pub mod codec;
pub(crate) mod decode;
pub mod n5;
pub mod n5_pyramid;
pub mod normalize;
pub mod numeric;
pub mod ome;
mod ome06;
pub mod source;
pub mod structured;
pub mod target;

pub use codec::{Codec, CodecError};
pub use n5::N5Attributes;
pub use source::SourceMetadata;
pub use target::{ArrayDocuments, Documents, array_documents, group_documents};

/// Metadata that zlint cannot read or a target format cannot hold.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// A codec document is malformed.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// The document is not valid metadata of its format.
    #[error("{0}")]
    Metadata(String),
    /// Valid, but not supported here (or by the target format).
    #[error("{0}")]
    Unsupported(String),
}

impl FormatError {
    /// A zarrs error as zlint says it: the JSON zarrs prints with Rust's debug formatting
    /// (`{"level": Number(-1)}`) written as JSON again (`{"level": -1}`).
    pub(crate) fn from_zarrs(err: impl std::fmt::Display) -> Self {
        Self::Unsupported(plain_json(&err.to_string()))
    }
}

/// `text` with serde_json values in Rust's debug form (`Number(4)`, `String("a")`,
/// `Bool(true)`, `Null`, `Array [...]`, `Object {...}`) written as JSON; quoted text is left
/// as it is.
#[must_use]
pub fn plain_json(text: &str) -> String {
    const WRAPPERS: [&str; 3] = ["Number(", "String(", "Bool("];
    let mut out = String::with_capacity(text.len());
    // For each open parenthesis: whether its closing one is a wrapper's, to drop.
    let mut parens: Vec<bool> = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '"' {
            // A quoted string, escapes included, as it is.
            let mut end = 1;
            let bytes = rest.as_bytes();
            while end < bytes.len() && bytes[end] != b'"' {
                end += if bytes[end] == b'\\' { 2 } else { 1 };
            }
            let end = (end + 1).min(rest.len());
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        if let Some(w) = WRAPPERS.iter().find(|w| rest.starts_with(**w)) {
            parens.push(true);
            rest = &rest[w.len()..];
            continue;
        }
        if let Some(after) = rest
            .strip_prefix("Object ")
            .or_else(|| rest.strip_prefix("Array "))
        {
            rest = after;
            continue;
        }
        if rest.starts_with("Null") && !rest[4..].starts_with(|c: char| c.is_alphanumeric()) {
            out.push_str("null");
            rest = &rest[4..];
            continue;
        }
        match c {
            '(' => parens.push(false),
            ')' if parens.pop() == Some(true) => {
                rest = &rest[1..];
                continue;
            }
            _ => {}
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod plain_json_tests {
    use super::plain_json;

    #[test]
    fn debug_printed_json_reads_as_json() {
        assert_eq!(
            plain_json(r#"unsupported codec gzip with configuration {"level": Number(-1)}"#),
            r#"unsupported codec gzip with configuration {"level": -1}"#
        );
        // serde_json's own debug form, arrays and objects included.
        let value = serde_json::json!({"a": [1, "x (y)", ["b"]], "b": {"c": null}, "d": true});
        assert_eq!(
            plain_json(&format!("{value:?}")),
            r#"{"a": [1, "x (y)", ["b"]], "b": {"c": null}, "d": true}"#
        );
        // Quoted text is left alone, parentheses of the message too.
        assert_eq!(
            plain_json(r#"name "Number(2)" (sic)"#),
            r#"name "Number(2)" (sic)"#
        );
    }
}
