//! N5 `attributes.json`: read once into [`N5Attributes`] (by the scanner and by the block reader),
//! and written for new datasets. N5 lists the fastest axis first; everything here is in C order.

use serde_json::{Map, Value, json};

use super::FormatError;

/// The N5 numeric `dataType`s; N5 spells them as Zarr v3 does.
pub const N5_NUMERIC: &[&str] = &[
    "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64", "float32", "float64",
];

/// Keys of a dataset's `attributes.json` that describe the dataset rather than user attributes.
pub const DATASET_KEYS: &[&str] = &[
    "dimensions",
    "blockSize",
    "dataType",
    "compression",
    "compressionType",
];

/// Bytes per element of an N5 numeric `dataType`.
#[must_use]
pub fn n5_item_size(data_type: &str) -> Option<u64> {
    if !N5_NUMERIC.contains(&data_type) {
        return None;
    }
    let bits: u64 = data_type
        .trim_start_matches(|c: char| c.is_ascii_alphabetic())
        .parse()
        .ok()?;
    Some(bits / 8)
}

/// The N5 `dataType` of a Zarr v3 data type name, if N5 has it.
#[must_use]
pub fn n5_data_type(name: &str) -> Option<&'static str> {
    N5_NUMERIC.iter().copied().find(|n| *n == name)
}

/// Whether an `attributes.json` document describes a dataset (as opposed to a group).
#[must_use]
pub fn is_dataset(attributes: &Value) -> bool {
    attributes.get("dimensions").is_some()
}

/// A dataset's `attributes.json`, in C order.
#[derive(Clone, Debug, PartialEq)]
pub struct N5Attributes {
    /// Array shape (C order).
    pub shape: Vec<u64>,
    /// Block shape (C order).
    pub block_shape: Vec<u64>,
    /// `dataType` as stored.
    pub data_type: String,
    /// The `compression` object with its `type` (from `compressionType` for N5 before 1.0;
    /// `{"type": "raw"}` when absent).
    pub compression: Map<String, Value>,
    /// Every other key.
    pub user: Map<String, Value>,
}

impl N5Attributes {
    /// Reads a dataset's `attributes.json`.
    ///
    /// # Errors
    /// [`FormatError::Metadata`] naming the key that is missing or malformed.
    pub fn parse(doc: &Value) -> Result<Self, FormatError> {
        Self::parse_document(doc).map_err(FormatError::Metadata)
    }

    fn parse_document(doc: &Value) -> Result<Self, String> {
        let obj = doc
            .as_object()
            .ok_or("attributes.json is not a JSON object")?;
        let list = |key: &str| -> Result<Vec<u64>, String> {
            let mut list: Vec<u64> = obj
                .get(key)
                .ok_or(format!("missing `{key}`"))?
                .as_array()
                .ok_or(format!("`{key}` is not an array of integers"))?
                .iter()
                .map(|n| {
                    n.as_u64()
                        .ok_or(format!("`{key}` holds {n}, not a non-negative integer"))
                })
                .collect::<Result<_, _>>()?;
            list.reverse();
            Ok(list)
        };
        let data_type = obj
            .get("dataType")
            .ok_or("missing `dataType`")?
            .as_str()
            .ok_or("`dataType` is not a string")?
            .to_string();
        let compression = match (obj.get("compression"), obj.get("compressionType")) {
            (Some(Value::Object(cfg)), _) => {
                match cfg.get("type") {
                    None => return Err("`compression`: missing `type`".into()),
                    Some(kind) if !kind.is_string() => {
                        return Err("`compression`: `type` is not a string".into());
                    }
                    Some(_) => {}
                }
                cfg.clone()
            }
            (Some(_), _) => return Err("`compression` is not an object".into()),
            // N5 before 1.0 named the compression with a bare string.
            (None, Some(Value::String(name))) => json!({"type": name})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            (None, _) => json!({"type": "raw"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        };
        Ok(Self {
            shape: list("dimensions")?,
            block_shape: list("blockSize")?,
            data_type,
            compression,
            user: obj
                .iter()
                .filter(|(k, _)| !DATASET_KEYS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        })
    }

    /// The compression's `type`.
    #[must_use]
    pub fn compression_type(&self) -> &str {
        self.compression
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("raw")
    }

    /// The `attributes.json` document.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let reversed = |v: &[u64]| v.iter().rev().copied().collect::<Vec<u64>>();
        let mut doc = self.user.clone();
        doc.insert("dimensions".into(), json!(reversed(&self.shape)));
        doc.insert("blockSize".into(), json!(reversed(&self.block_shape)));
        doc.insert("dataType".into(), json!(self.data_type));
        doc.insert(
            "compression".into(),
            Value::Object(self.compression.clone()),
        );
        Value::Object(doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_round_trip_in_c_order() {
        let doc = json!({"dimensions": [300, 200, 10], "blockSize": [64, 32, 5],
            "dataType": "uint16", "compression": {"type": "gzip", "level": -1, "useZlib": false},
            "resolution": [1, 1, 2]});
        let attrs = N5Attributes::parse(&doc).expect("reads");
        assert_eq!(attrs.shape, [10, 200, 300]);
        assert_eq!(attrs.block_shape, [5, 32, 64]);
        assert_eq!(attrs.compression_type(), "gzip");
        assert_eq!(attrs.user.keys().collect::<Vec<_>>(), ["resolution"]);
        assert_eq!(attrs.to_json(), doc);
    }

    #[test]
    fn old_and_missing_compressions_read() {
        let old = json!({"dimensions": [4], "blockSize": [2], "dataType": "int8",
                         "compressionType": "bzip2"});
        assert_eq!(
            N5Attributes::parse(&old).expect("reads").compression_type(),
            "bzip2"
        );
        let none = json!({"dimensions": [4], "blockSize": [2], "dataType": "int8"});
        assert_eq!(
            N5Attributes::parse(&none)
                .expect("reads")
                .compression_type(),
            "raw"
        );
        let bad = json!({"dimensions": [4], "blockSize": "2", "dataType": "int8"});
        assert_eq!(
            N5Attributes::parse(&bad).map_err(|e| e.to_string()),
            Err("`blockSize` is not an array of integers".into())
        );
    }

    #[test]
    fn item_sizes() {
        assert_eq!(n5_item_size("uint8"), Some(1));
        assert_eq!(n5_item_size("float64"), Some(8));
        assert_eq!(n5_item_size("object"), None);
    }
}
