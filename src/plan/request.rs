//! What a rechunk is asked for: the target options as the command line gives them, parsed into
//! values the planner reads.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{Format, NodePath};
use crate::profile::{Access, Profile};
use crate::store::formats::codec::{Blosc, BloscShuffle, Codec};

/// A compressor chosen with `--codec`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase", tag = "name")]
pub enum CodecChoice {
    /// No compression.
    None,
    /// Zstandard at a level.
    Zstd {
        /// Compression level.
        level: i32,
    },
    /// gzip at a level.
    Gzip {
        /// Compression level (0–9).
        level: u32,
    },
    /// Blosc with an inner compressor, level and shuffle.
    Blosc {
        /// `lz4`, `lz4hc`, `zstd`, `zlib`, `blosclz`.
        cname: String,
        /// Compression level (0–9).
        clevel: u32,
        /// `noshuffle`, `shuffle` or `bitshuffle`.
        shuffle: String,
    },
}

impl CodecChoice {
    /// Parses `none`, `zstd:3`, `gzip:6`, `blosc:zstd:5:shuffle` (level and shuffle optional).
    ///
    /// # Errors
    /// [`Error::Usage`] naming the part that is not understood.
    pub fn parse(text: &str) -> Result<Self> {
        let parts: Vec<&str> = text.split(':').collect();
        let number = |i: usize, default: i64| -> Result<i64> {
            parts.get(i).map_or(Ok(default), |p| {
                p.parse()
                    .map_err(|_| Error::Usage(format!("--codec {text}: `{p}` is not a level")))
            })
        };
        match parts[0] {
            "none" | "raw" => Ok(Self::None),
            "zstd" => Ok(Self::Zstd {
                level: i32::try_from(number(1, 3)?).unwrap_or(3),
            }),
            "gzip" => Ok(Self::Gzip {
                level: u32::try_from(number(1, 6)?.clamp(0, 9)).unwrap_or(6),
            }),
            "blosc" => {
                let cname = parts.get(1).copied().unwrap_or("zstd");
                if !["lz4", "lz4hc", "zstd", "zlib", "blosclz"].contains(&cname) {
                    return Err(Error::Usage(format!(
                        "--codec {text}: unknown Blosc compressor `{cname}`"
                    )));
                }
                let shuffle = parts.get(3).copied().unwrap_or("shuffle");
                if BloscShuffle::from_name(shuffle).is_none() {
                    return Err(Error::Usage(format!(
                        "--codec {text}: unknown shuffle `{shuffle}`"
                    )));
                }
                Ok(Self::Blosc {
                    cname: cname.to_string(),
                    clevel: u32::try_from(number(2, 5)?.clamp(0, 9)).unwrap_or(5),
                    shuffle: shuffle.to_string(),
                })
            }
            other => Err(Error::Usage(format!(
                "--codec {text}: unknown codec `{other}` (none, zstd:L, gzip:L, blosc:CNAME:L:SHUFFLE)"
            ))),
        }
    }

    /// The bytes-to-bytes codecs it stands for (none for `None`); Blosc shuffles items of
    /// `item_size` bytes.
    #[must_use]
    pub fn codecs(&self, item_size: u64) -> Vec<Codec> {
        match self {
            Self::None => vec![],
            Self::Zstd { level } => vec![Codec::Zstd {
                level: *level,
                checksum: false,
            }],
            Self::Gzip { level } => vec![Codec::Gzip { level: *level }],
            Self::Blosc {
                cname,
                clevel,
                shuffle,
            } => vec![Codec::Blosc(Blosc {
                cname: cname.clone(),
                clevel: *clevel,
                shuffle: BloscShuffle::from_name(shuffle).unwrap_or(BloscShuffle::Shuffle),
                typesize: Some(item_size),
                blocksize: 0,
            })],
        }
    }
}

/// A layout asked for one array (`PATH=...`) or all (`...`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShapeRequests {
    /// The shape for every array without its own.
    pub all: Option<Vec<u64>>,
    /// Per-array shapes.
    pub by_path: Vec<(NodePath, Vec<u64>)>,
}

impl ShapeRequests {
    /// Parses `--chunks` values: `64,256,256` or `PATH=64,256,256`.
    ///
    /// # Errors
    /// [`Error::Usage`] for anything else.
    pub fn parse(flag: &str, values: &[String]) -> Result<Self> {
        let mut requests = Self::default();
        for value in values {
            let (path, numbers) = match value.split_once('=') {
                Some((path, numbers)) => (Some(NodePath::new(path)), numbers),
                None => (None, value.as_str()),
            };
            // Commas, or the `×` (and `x`) zlint prints shapes with.
            let shape: Vec<u64> = numbers
                .split([',', '×', 'x', 'X'])
                .map(|n| n.trim().parse::<u64>().ok().filter(|&n| n > 0))
                .collect::<Option<_>>()
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "{flag} {value}: expected positive integers separated by commas (64,256,256) or × (64×256×256)"
                    ))
                })?;
            match path {
                Some(path) => requests.by_path.push((path, shape)),
                None => requests.all = Some(shape),
            }
        }
        Ok(requests)
    }

    pub(crate) fn get(&self, path: &NodePath) -> Option<&Vec<u64>> {
        self.by_path
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, s)| s)
            .or(self.all.as_ref())
    }
}

/// What the rechunk should produce.
#[derive(Clone, Debug)]
pub struct Targets {
    /// `--chunks`.
    pub chunks: ShapeRequests,
    /// `--shards`.
    pub shards: ShapeRequests,
    /// `--auto`: the linter's recommended layout.
    pub auto: bool,
    /// Profile for `--auto`.
    pub profile: Profile,
    /// Access pattern for `--auto`.
    pub access: Access,
    /// Output format (default: the source's).
    pub format: Option<Format>,
    /// Compressor (default: the source's).
    pub codec: Option<CodecChoice>,
    /// Whether an array whose write groups cannot align with both grids within the budget may
    /// go through an intermediate array in two passes (not for runs split into parts, whose
    /// parts cannot wait for each other between passes).
    pub two_pass: bool,
    /// Glob patterns of source files to leave out of the output (`--exclude`): only files that
    /// are neither array chunks nor node metadata (those the output otherwise carries byte for
    /// byte, see [`crate::plan::inventory`]); `*` stays within a path segment, `**` crosses
    /// them, and a pattern naming a folder leaves out everything below it.
    pub exclude: Vec<String>,
}

/// OME-NGFF versions a rechunk can write, each tied to the Zarr version its specification
/// stores it in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OmeVersion {
    /// OME-NGFF 0.4, in Zarr v2.
    #[value(name = "0.4")]
    V04,
    /// OME-NGFF 0.5, in Zarr v3.
    #[value(name = "0.5")]
    V05,
}

/// The target format `to` and `ome_version` ask for together: the version's Zarr format when
/// only it is given; a pair no OME-NGFF specification allows (0.4 is stored in Zarr v2, 0.5 in
/// Zarr v3, neither in N5) is refused.
///
/// # Errors
/// [`Error::Usage`] for a contradicting pair.
pub fn target_format(
    to: Option<Format>,
    ome_version: Option<OmeVersion>,
) -> Result<Option<Format>> {
    let Some(version) = ome_version else {
        return Ok(to);
    };
    let (name, zarr) = match version {
        OmeVersion::V04 => ("0.4", Format::Zarr2),
        OmeVersion::V05 => ("0.5", Format::Zarr3),
    };
    match to {
        None => Ok(Some(zarr)),
        Some(f) if f == zarr => Ok(Some(f)),
        Some(f) => Err(Error::Usage(format!(
            "--ome-version {name} cannot be written as {}: OME-NGFF 0.4 is stored in Zarr v2, \
             0.5 in Zarr v3{}",
            f.as_str(),
            if f == Format::N5 {
                " (an N5 output gets n5-viewer pyramid metadata instead)"
            } else {
                ""
            }
        ))),
    }
}
