//! Arrays a rewrite carries over unchanged: zlint can read their metadata but not decode their
//! data (a codec or data type it does not support), the output keeps their format, and the
//! store has other arrays to rewrite (a rewrite of none is refused). Their
//! metadata is written again as it was, and their stored objects are carried byte for byte (see
//! [`super::inventory`]) and compared so by `--verify` and `zlint verify`: the rest of the
//! store is rewritten, and nothing of it is lost.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::VARIABLE_ITEM_ESTIMATE;
use super::request::Targets;
use crate::error::{Param, Result};
use crate::formats::{ArrayDocuments, FormatError, SourceMetadata, array_documents};
use crate::layout::Layout;
use crate::model::{ArrayInfo, Format, NodePath, Store};

/// An array the output holds as the source stores it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CarriedArray {
    /// Path inside both stores.
    pub path: NodePath,
    /// Its format, the output's too.
    pub format: Format,
    /// Why zlint cannot rewrite it (the codec or data type it does not support).
    pub why: String,
    /// Its metadata documents, as the source holds them: file name → JSON.
    pub documents: Vec<(String, Value)>,
}

impl CarriedArray {
    /// The array where `source` holds it, and why it is carried, as messages name it (control
    /// characters of the store's names escaped).
    #[must_use]
    pub fn described(&self, source: &str) -> String {
        let line = format!(
            "{}: {}",
            crate::store::located(source, self.path.as_str()),
            self.why
        );
        crate::units::printable(&line).into_owned()
    }

    /// `array`, carried because of `why`; `None` when its stored metadata is not JSON (then
    /// nothing can be carried and the plan refuses it).
    pub(crate) fn of(array: &ArrayInfo, why: String) -> Option<Self> {
        let stored: Value = serde_json::from_slice(&array.metadata).ok()?;
        let mut documents = Vec::new();
        match array.format {
            Format::Zarr3 => documents.push(("zarr.json".to_string(), stored)),
            Format::N5 => documents.push(("attributes.json".to_string(), stored)),
            Format::Zarr2 => {
                documents.push((".zarray".to_string(), stored));
                if !array.attributes.is_empty() {
                    documents.push((
                        ".zattrs".to_string(),
                        Value::Object(array.attributes.clone()),
                    ));
                }
            }
        }
        Some(Self {
            path: array.path.clone(),
            format: array.format,
            why,
            documents,
        })
    }
}

/// Why zlint cannot decode `array`'s data (a codec or data type it does not support), or
/// `None` when it can, or when its metadata is invalid rather than unsupported (that is an
/// error, never a reason to carry).
#[must_use]
pub fn undecodable(array: &ArrayInfo) -> Option<String> {
    match SourceMetadata::of_array(array) {
        Err(FormatError::Unsupported(why)) => Some(why),
        _ => None,
    }
}

/// The arrays of `store` zlint cannot decode, by path: a verification compares their stored
/// objects byte for byte instead of their values.
#[must_use]
pub fn undecodable_arrays(store: &Store) -> Vec<NodePath> {
    store
        .arrays
        .iter()
        .filter(|a| undecodable(a).is_some())
        .map(|a| a.path.clone())
        .collect()
}

/// What a rewrite does with one array.
pub(crate) enum Prepared {
    /// Rewrites it: its source metadata, and the output's documents.
    Rewrite(Box<(SourceMetadata, ArrayDocuments)>),
    /// Carries it over unchanged.
    Carry(CarriedArray),
}

/// Whether `array` is rewritten to `layout` or carried over unchanged: an array zlint cannot
/// decode or write again is carried when the output keeps its format, no `--codec` is asked for,
/// and `named` (the arrays the user asked for by path) does not hold it.
///
/// # Errors
/// What is unsupported or invalid about the array, when it is not carried.
pub(crate) fn prepare(
    array: &ArrayInfo,
    layout: &Layout,
    targets: &Targets,
    named: &[NodePath],
) -> std::result::Result<Prepared, FormatError> {
    let target_format = targets.format.unwrap_or(array.format);
    let compressor = targets
        .codec
        .as_ref()
        .map(|choice| choice.codecs(array.item_size().unwrap_or(VARIABLE_ITEM_ESTIMATE)));
    let prepared = SourceMetadata::of_array(array).and_then(|meta| {
        array_documents(array, &meta, layout, target_format, compressor.as_deref())
            .map(|documents| (meta, documents))
    });
    let carriable =
        target_format == array.format && targets.codec.is_none() && !named.contains(&array.path);
    match prepared {
        Ok(rewrite) => Ok(Prepared::Rewrite(Box::new(rewrite))),
        Err(FormatError::Unsupported(why)) if carriable => CarriedArray::of(array, why.clone())
            .map(Prepared::Carry)
            .ok_or(FormatError::Unsupported(why)),
        Err(err) => Err(err),
    }
}

/// The arrays `--chunks PATH=…` or `--shards PATH=…` name: a rewrite the user asked for by
/// name is refused, never carried unchanged.
pub(crate) fn named_arrays(store: &Store, targets: &Targets) -> Result<Vec<NodePath>> {
    let chunks = targets.chunks.resolve(Param::Chunks, store)?;
    let shards = targets.shards.resolve(Param::Shards, store)?;
    Ok(chunks
        .by_path
        .into_iter()
        .chain(shards.by_path)
        .map(|(path, _)| path)
        .collect())
}
