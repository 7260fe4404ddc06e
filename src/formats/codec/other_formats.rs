//! Codecs in Zarr v2 (numcodecs compressors) and N5 (`compression` objects): reading them into
//! the typed model and writing them from it.

use serde_json::{Map, Value, json};

use super::{Blosc, BloscShuffle, Codec, CodecError, codec_error, int_or, level_0_9, zstd_level};

impl Blosc {
    /// Reads Blosc as Zarr v2 and N5 write it (shuffle as a number, no `typesize`: `typesize`
    /// is given, or left to the item size).
    fn from_numbered(
        doc: &Map<String, Value>,
        codec: &str,
        typesize: Option<u64>,
    ) -> Result<Self, CodecError> {
        Ok(Self {
            cname: doc
                .get("cname")
                .and_then(Value::as_str)
                .unwrap_or("lz4")
                .to_string(),
            clevel: level_0_9(doc, codec, "clevel", 5)?,
            shuffle: BloscShuffle::from_number(int_or(doc, codec, "shuffle", 1)?)
                .ok_or_else(|| codec_error(codec, "unknown `shuffle`"))?,
            typesize,
            blocksize: int_or(doc, codec, "blocksize", 0)?.max(0).unsigned_abs(),
        })
    }

    /// Blosc as Zarr v2 (`kind` = `id`) and N5 (`kind` = `type`) write it.
    fn numbered(&self, kind: &str) -> Value {
        json!({kind: "blosc", "cname": self.cname, "clevel": self.clevel,
            "shuffle": self.shuffle.number(), "blocksize": self.blocksize})
    }
}

/// `doc` without `key`: a pass-through codec's configuration without its name.
fn without(doc: &Map<String, Value>, key: &str) -> Map<String, Value> {
    doc.iter()
        .filter(|(k, _)| k.as_str() != key)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

impl Codec {
    /// Reads a Zarr v2 `compressor` (numcodecs); `None` for `null`.
    ///
    /// # Errors
    /// [`CodecError`] when the document has no `id` or a malformed setting.
    pub fn from_v2_compressor(doc: &Value) -> Result<Option<Self>, CodecError> {
        let obj = match doc {
            Value::Null => return Ok(None),
            Value::Object(obj) => obj,
            _ => return Err(codec_error("?", "compressor is not an object")),
        };
        let id = obj
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| codec_error("?", "compressor has no `id`"))?;
        Ok(Some(match id {
            "zstd" => Self::Zstd {
                level: zstd_level(obj)?,
                checksum: obj
                    .get("checksum")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            },
            "gzip" => Self::Gzip {
                level: level_0_9(obj, id, "level", 6)?,
            },
            "zlib" => Self::Zlib {
                level: level_0_9(obj, id, "level", 1)?,
            },
            "blosc" => Self::Blosc(Blosc::from_numbered(obj, id, None)?),
            other => Self::Other {
                name: other.to_string(),
                configuration: Some(without(obj, "id")),
            },
        }))
    }

    /// The Zarr v2 `compressor` document, for the codecs that have one.
    #[must_use]
    pub fn to_v2_compressor(&self) -> Option<Value> {
        match self {
            Self::Zstd { level, .. } => Some(json!({"id": "zstd", "level": level})),
            Self::Gzip { level } => Some(json!({"id": "gzip", "level": level})),
            Self::Zlib { level } => Some(json!({"id": "zlib", "level": level})),
            Self::Blosc(b) => Some(b.numbered("id")),
            // numcodecs' PCodec: the same configuration under the id `pcodec`.
            Self::Other {
                name,
                configuration,
            } if matches!(name.as_str(), "pcodec" | "numcodecs.pcodec") => {
                let mut doc = configuration.clone().unwrap_or_default();
                doc.insert("id".into(), json!("pcodec"));
                Some(Value::Object(doc))
            }
            _ => None,
        }
    }

    /// Reads an N5 `compression` object (`type` and its settings); `None` for `raw`. The item
    /// size fills Blosc's `typesize`.
    ///
    /// # Errors
    /// [`CodecError`] for a malformed setting.
    pub fn from_n5(doc: &Map<String, Value>, item_size: u64) -> Result<Option<Self>, CodecError> {
        let kind = doc.get("type").and_then(Value::as_str).unwrap_or("raw");
        Ok(match kind {
            "raw" => None,
            // N5 writes -1 for the default level.
            "gzip" => {
                let level = u32::try_from(int_or(doc, kind, "level", 6)?)
                    .ok()
                    .filter(|l| *l <= 9)
                    .unwrap_or(6);
                Some(
                    if doc.get("useZlib").and_then(Value::as_bool) == Some(true) {
                        Self::Zlib { level }
                    } else {
                        Self::Gzip { level }
                    },
                )
            }
            "zstd" => Some(Self::Zstd {
                level: zstd_level(doc)?,
                checksum: false,
            }),
            "blosc" => Some(Self::Blosc(Blosc::from_numbered(
                doc,
                kind,
                Some(item_size),
            )?)),
            other => Some(Self::Other {
                name: other.to_string(),
                configuration: Some(without(doc, "type")),
            }),
        })
    }

    /// The N5 `compression` object, for the codecs N5 has (raw is [`n5_raw`]). Only the keys
    /// the N5 specification and its codec plug-ins define are written.
    #[must_use]
    pub fn to_n5(&self) -> Option<Value> {
        match self {
            Self::Zstd { level, .. } => Some(json!({"type": "zstd", "level": level})),
            Self::Gzip { level } => Some(json!({"type": "gzip", "level": level, "useZlib": false})),
            Self::Zlib { level } => Some(json!({"type": "gzip", "level": level, "useZlib": true})),
            Self::Blosc(b) => Some(b.numbered("type")),
            _ => None,
        }
    }
}

/// N5's `raw` compression document.
#[must_use]
pub fn n5_raw() -> Value {
    json!({"type": "raw"})
}
