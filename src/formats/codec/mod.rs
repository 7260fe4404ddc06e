//! The typed codec model: one enum variant per codec zlint writes or translates, with its
//! parameters, and every translation between Zarr v3 codecs, Zarr v2 compressors and N5
//! compressions. Codecs zlint only passes through stay [`Codec::Other`], as stored.

use serde_json::{Map, Value, json};

mod chain;
mod other_formats;

pub use chain::{
    Compressor, chain_from_v3, chain_to_v3, decode_form, in_stage_order, portable_read_unit,
    read_unit_codecs, single_compressor,
};
pub use other_formats::n5_raw;

/// Byte order of the `bytes` codec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endian {
    /// Little-endian (the default of Zarr v2 and of every writer zlint knows).
    Little,
    /// Big-endian.
    Big,
}

/// Blosc's shuffle: Zarr v3 names it, Zarr v2 and N5 number it (0, 1, 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BloscShuffle {
    /// `noshuffle` (0).
    NoShuffle,
    /// `shuffle`, byte shuffle (1).
    Shuffle,
    /// `bitshuffle` (2).
    BitShuffle,
}

impl BloscShuffle {
    /// The Zarr v3 name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::NoShuffle => "noshuffle",
            Self::Shuffle => "shuffle",
            Self::BitShuffle => "bitshuffle",
        }
    }

    /// The Zarr v2 / N5 number.
    #[must_use]
    pub const fn number(self) -> u64 {
        match self {
            Self::NoShuffle => 0,
            Self::Shuffle => 1,
            Self::BitShuffle => 2,
        }
    }

    /// From a Zarr v3 name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::NoShuffle, Self::Shuffle, Self::BitShuffle]
            .into_iter()
            .find(|s| s.name() == name)
    }

    /// From a Zarr v2 / N5 number (numcodecs' `-1`, "automatic", is byte shuffle).
    #[must_use]
    pub fn from_number(number: i64) -> Option<Self> {
        match number {
            0 => Some(Self::NoShuffle),
            1 | -1 => Some(Self::Shuffle),
            2 => Some(Self::BitShuffle),
            _ => None,
        }
    }
}

/// Blosc's parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blosc {
    /// Inner compressor: `lz4`, `lz4hc`, `zstd`, `zlib`, `blosclz`.
    pub cname: String,
    /// Level, 0–9.
    pub clevel: u32,
    /// Shuffle.
    pub shuffle: BloscShuffle,
    /// Bytes per element the shuffle works on (Zarr v3 only; the others take the item size).
    pub typesize: Option<u64>,
    /// Block size, 0 for automatic.
    pub blocksize: u64,
}

/// The `sharding_indexed` codec's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Sharding {
    /// Inner chunk shape.
    pub chunk_shape: Vec<u64>,
    /// Codecs of each inner chunk.
    pub codecs: Vec<Codec>,
    /// Codecs of the shard index.
    pub index_codecs: Vec<Codec>,
    /// `end` or `start`.
    pub index_location: String,
}

impl Sharding {
    /// Sharding as zlint writes it: inner chunks of `chunk_shape` coded by `codecs`, the index
    /// at the end of the shard, coded as little-endian bytes then crc32c.
    #[must_use]
    pub fn indexed_at_end(chunk_shape: Vec<u64>, codecs: Vec<Codec>) -> Self {
        Self {
            chunk_shape,
            codecs,
            index_codecs: vec![
                Codec::Bytes {
                    endian: Some(Endian::Little),
                },
                Codec::Crc32c,
            ],
            index_location: "end".into(),
        }
    }

    /// Whether the index is laid out as [`Sharding::indexed_at_end`] lays it out (a `bytes`
    /// codec with no byte order given reads as little-endian).
    #[must_use]
    pub fn is_indexed_at_end(&self) -> bool {
        self.index_location == "end"
            && matches!(
                self.index_codecs.as_slice(),
                [
                    Codec::Bytes {
                        endian: None | Some(Endian::Little)
                    },
                    Codec::Crc32c
                ]
            )
    }
}

/// One codec with its parameters.
#[derive(Clone, Debug, PartialEq)]
pub enum Codec {
    /// Zarr v3 `bytes` (`None`: no byte order, for one-byte types).
    Bytes {
        /// Byte order.
        endian: Option<Endian>,
    },
    /// Zarr v3 `transpose`, its configuration as stored.
    Transpose {
        /// `order`.
        order: Value,
    },
    /// Blosc.
    Blosc(Blosc),
    /// Zstandard.
    Zstd {
        /// Level.
        level: i32,
        /// Whether frames carry a checksum.
        checksum: bool,
    },
    /// gzip.
    Gzip {
        /// Level, 0–9.
        level: u32,
    },
    /// zlib (DEFLATE with the zlib header): numcodecs `zlib` in Zarr v2, `numcodecs.zlib` in
    /// Zarr v3, N5 `gzip` with `useZlib`.
    Zlib {
        /// Level, 0–9.
        level: u32,
    },
    /// CRC32C checksum (Zarr v3).
    Crc32c,
    /// Sharding.
    Sharding(Box<Sharding>),
    /// Any other codec, passed through as stored.
    Other {
        /// Its name.
        name: String,
        /// Its configuration, if it has one.
        configuration: Option<Map<String, Value>>,
    },
}

/// The three stages of a Zarr v3 codec chain, in chain order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Array to array (`transpose`, filters such as delta).
    ArrayToArray,
    /// Array to bytes (`bytes`, `sharding_indexed`, `vlen-utf8`, …).
    ArrayToBytes,
    /// Bytes to bytes (compressors, checksums, byte shuffles).
    BytesToBytes,
}

/// A codec document that does not say what it must.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("codec `{codec}`: {message}")]
pub struct CodecError {
    /// The codec's name (or `?`).
    pub codec: String,
    /// What is wrong.
    pub message: String,
}

fn codec_error(codec: &str, message: impl Into<String>) -> CodecError {
    CodecError {
        codec: codec.to_string(),
        message: message.into(),
    }
}

/// An integer setting, or `default` when absent; an error when present but not an integer.
fn int_or(
    cfg: &Map<String, Value>,
    codec: &str,
    key: &str,
    default: i64,
) -> Result<i64, CodecError> {
    match cfg.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(value) => value
            .as_i64()
            .ok_or_else(|| codec_error(codec, format!("`{key}` is not an integer: {value}"))),
    }
}

fn level_0_9(
    cfg: &Map<String, Value>,
    codec: &str,
    key: &str,
    default: i64,
) -> Result<u32, CodecError> {
    let level = int_or(cfg, codec, key, default)?;
    u32::try_from(level)
        .ok()
        .filter(|l| *l <= 9)
        .ok_or_else(|| codec_error(codec, format!("`{key}` {level} is not a level from 0 to 9")))
}

fn zstd_level(cfg: &Map<String, Value>) -> Result<i32, CodecError> {
    let level = int_or(cfg, "zstd", "level", 3)?;
    i32::try_from(level)
        .map_err(|_| codec_error("zstd", format!("`level` {level} is out of range")))
}

fn u64_list(value: &Value, codec: &str, key: &str) -> Result<Vec<u64>, CodecError> {
    value
        .as_array()
        .and_then(|items| items.iter().map(Value::as_u64).collect())
        .ok_or_else(|| codec_error(codec, format!("`{key}` is not a list of integers")))
}

impl Codec {
    /// The Zarr v3 name.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Bytes { .. } => "bytes",
            Self::Transpose { .. } => "transpose",
            Self::Blosc(_) => "blosc",
            Self::Zstd { .. } => "zstd",
            Self::Gzip { .. } => "gzip",
            Self::Zlib { .. } => "numcodecs.zlib",
            Self::Crc32c => "crc32c",
            Self::Sharding(_) => "sharding_indexed",
            Self::Other { name, .. } => name,
        }
    }

    /// Where it stands in a Zarr v3 chain: array-to-array codecs, then one array-to-bytes
    /// codec, then bytes-to-bytes codecs. Codecs zlint does not know count as bytes-to-bytes.
    #[must_use]
    pub fn stage(&self) -> Stage {
        match self {
            Self::Transpose { .. } => Stage::ArrayToArray,
            Self::Bytes { .. } | Self::Sharding(_) => Stage::ArrayToBytes,
            Self::Other { name, .. } => match name.as_str() {
                // zarr-python 3's numcodecs wrappers, as it classes them.
                "numcodecs.delta"
                | "numcodecs.astype"
                | "numcodecs.bitround"
                | "numcodecs.fixedscaleoffset"
                | "numcodecs.quantize"
                | "numcodecs.packbits"
                | "bitround"
                | "fixedscaleoffset"
                | "squeeze" => Stage::ArrayToArray,
                "vlen-utf8" | "vlen-bytes" | "packbits" | "zfp" | "pcodec" | "numcodecs.pcodec"
                | "numcodecs.zfpy" => Stage::ArrayToBytes,
                _ => Stage::BytesToBytes,
            },
            Self::Blosc(_)
            | Self::Zstd { .. }
            | Self::Gzip { .. }
            | Self::Zlib { .. }
            | Self::Crc32c => Stage::BytesToBytes,
        }
    }

    /// Whether it maps arrays to arrays (comes before the array-to-bytes codec).
    #[must_use]
    pub fn is_array_to_array(&self) -> bool {
        self.stage() == Stage::ArrayToArray
    }

    /// Whether it maps arrays to bytes (one per chain).
    #[must_use]
    pub fn is_array_to_bytes(&self) -> bool {
        self.stage() == Stage::ArrayToBytes
    }

    /// Reads a Zarr v3 codec: an object with `name` and optional `configuration`, or a bare name.
    /// Optional settings take their specification defaults.
    ///
    /// # Errors
    /// [`CodecError`] naming the codec and the setting that is malformed.
    pub fn from_v3(doc: &Value) -> Result<Self, CodecError> {
        let (name, cfg) = match doc {
            Value::String(name) => (name.as_str(), None),
            Value::Object(obj) => {
                let name = obj
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or_else(|| codec_error("?", "no `name`"))?;
                let cfg = match obj.get("configuration") {
                    None | Some(Value::Null) => None,
                    Some(Value::Object(cfg)) => Some(cfg),
                    Some(_) => return Err(codec_error(name, "`configuration` is not an object")),
                };
                (name, cfg)
            }
            _ => return Err(codec_error("?", "neither a name nor an object")),
        };
        let empty = Map::new();
        let c = cfg.unwrap_or(&empty);
        Ok(match name {
            "bytes" => Self::Bytes {
                endian: match c.get("endian").and_then(Value::as_str) {
                    None => None,
                    Some("little") => Some(Endian::Little),
                    Some("big") => Some(Endian::Big),
                    Some(other) => {
                        return Err(codec_error(name, format!("unknown endian `{other}`")));
                    }
                },
            },
            "transpose" => Self::Transpose {
                order: c.get("order").cloned().unwrap_or(Value::Null),
            },
            "blosc" => Self::Blosc(Blosc {
                cname: c
                    .get("cname")
                    .and_then(Value::as_str)
                    .unwrap_or("zstd")
                    .to_string(),
                clevel: level_0_9(c, name, "clevel", 5)?,
                shuffle: match c.get("shuffle") {
                    None | Some(Value::Null) => BloscShuffle::Shuffle,
                    Some(Value::String(s)) => BloscShuffle::from_name(s)
                        .ok_or_else(|| codec_error(name, format!("unknown shuffle `{s}`")))?,
                    Some(other) => other
                        .as_i64()
                        .and_then(BloscShuffle::from_number)
                        .ok_or_else(|| codec_error(name, format!("unknown shuffle {other}")))?,
                },
                typesize: c.get("typesize").and_then(Value::as_u64),
                blocksize: c.get("blocksize").and_then(Value::as_u64).unwrap_or(0),
            }),
            // numcodecs' zarr3 wrappers of gzip and zstd write the same streams as the core
            // codecs (zarr-python 3 with `numcodecs.zarr3`).
            "zstd" | "numcodecs.zstd" => Self::Zstd {
                level: zstd_level(c)?,
                checksum: c.get("checksum").and_then(Value::as_bool).unwrap_or(false),
            },
            "gzip" | "numcodecs.gzip" => Self::Gzip {
                level: level_0_9(c, name, "level", 6)?,
            },
            "numcodecs.zlib" => Self::Zlib {
                level: level_0_9(c, name, "level", 1)?,
            },
            "crc32c" => Self::Crc32c,
            "sharding_indexed" => {
                let chain = |key: &str| -> Result<Vec<Self>, CodecError> {
                    match c.get(key) {
                        None | Some(Value::Null) => Ok(Vec::new()),
                        Some(Value::Array(items)) => items.iter().map(Self::from_v3).collect(),
                        Some(_) => Err(codec_error(name, format!("`{key}` is not a list"))),
                    }
                };
                Self::Sharding(Box::new(Sharding {
                    chunk_shape: u64_list(
                        c.get("chunk_shape").unwrap_or(&Value::Null),
                        name,
                        "chunk_shape",
                    )?,
                    codecs: chain("codecs")?,
                    index_codecs: chain("index_codecs")?,
                    index_location: c
                        .get("index_location")
                        .and_then(Value::as_str)
                        .unwrap_or("end")
                        .to_string(),
                }))
            }
            other => Self::Other {
                name: other.to_string(),
                configuration: cfg.cloned(),
            },
        })
    }

    /// The Zarr v3 document, always in object form (`{"name": "bytes"}`), which every reader
    /// accepts; zarrs writes configuration-less codecs as bare names, which zarr-python 3.1
    /// refuses.
    #[must_use]
    pub fn to_v3(&self) -> Value {
        let with = |config: Value| json!({"name": self.name(), "configuration": config});
        match self {
            Self::Bytes { endian: None } | Self::Crc32c => json!({"name": self.name()}),
            Self::Bytes { endian: Some(e) } => with(json!({"endian": match e {
                Endian::Little => "little",
                Endian::Big => "big",
            }})),
            Self::Transpose { order } => with(json!({"order": order})),
            Self::Blosc(b) => {
                let mut config = json!({"cname": b.cname, "clevel": b.clevel,
                    "shuffle": b.shuffle.name(), "blocksize": b.blocksize});
                if let Some(typesize) = b.typesize {
                    config["typesize"] = json!(typesize);
                }
                with(config)
            }
            Self::Zstd { level, checksum } => with(json!({"level": level, "checksum": checksum})),
            Self::Gzip { level } | Self::Zlib { level } => with(json!({"level": level})),
            Self::Sharding(s) => with(json!({
                "chunk_shape": s.chunk_shape,
                "codecs": chain_to_v3(&s.codecs),
                "index_codecs": chain_to_v3(&s.index_codecs),
                "index_location": s.index_location,
            })),
            Self::Other {
                name,
                configuration,
            } => match configuration {
                Some(config) => json!({"name": name, "configuration": config}),
                // zarr-python 3 requires a configuration of its numcodecs wrappers, even empty.
                None if name.starts_with("numcodecs.") => {
                    json!({"name": name, "configuration": {}})
                }
                None => json!({"name": name}),
            },
        }
    }
}

#[cfg(test)]
mod tests;
