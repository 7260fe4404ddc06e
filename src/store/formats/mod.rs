//! One typed model of the metadata documents zlint reads and writes (Zarr v2, Zarr v3, N5) and of
//! their codecs, with the translation between the formats in one place. Pure: nothing here reads
//! or writes a store.

pub mod codec;
pub mod n5;
pub mod n5_pyramid;
pub mod normalize;
pub mod numeric;
pub mod ome;
mod ome06;
pub mod source;
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
