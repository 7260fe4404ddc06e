//! What a rechunk is asked for: the target options as the command line gives them, parsed into
//! values the planner reads.

use serde::Serialize;

use crate::error::{Error, Param, Result};
use crate::formats::codec::{Blosc, BloscShuffle, Codec};
use crate::model::{ArrayInfo, Format, NodePath, Store};
use crate::profile::{Access, Profile};

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
    /// Parses a codec request: `keep` (each array's own codecs, as when none is asked for:
    /// `None`) or a codec as [`CodecChoice::parse`] reads it.
    ///
    /// # Errors
    /// As [`CodecChoice::parse`].
    pub fn requested(text: &str) -> Result<Option<Self>> {
        if text.trim() == "keep" {
            Ok(None)
        } else {
            Self::parse(text).map(Some)
        }
    }

    /// Parses `none`, `zstd:3`, `gzip:6`, `blosc:zstd:5:shuffle` (level and shuffle optional).
    /// Levels outside a codec's range (zstd −131072 to 22, gzip and Blosc 0 to 9) are refused.
    ///
    /// # Errors
    /// [`Error::Usage`] naming [`Param::Codec`] and the part that is not understood.
    pub fn parse(text: &str) -> Result<Self> {
        let said = Param::Codec.with(text);
        let parts: Vec<&str> = text.split(':').collect();
        let number =
            |i: usize, default: i64, range: std::ops::RangeInclusive<i64>| -> Result<i64> {
                let n = parts.get(i).map_or(Ok(default), |p| {
                    p.parse()
                        .map_err(|_| Error::Usage(format!("{said}: `{p}` is not a level")))
                })?;
                if range.contains(&n) {
                    Ok(n)
                } else {
                    Err(Error::Usage(format!(
                        "{said}: level {n} is outside {} to {}",
                        range.start(),
                        range.end()
                    )))
                }
            };
        match parts[0] {
            "none" | "raw" => Ok(Self::None),
            "zstd" => Ok(Self::Zstd {
                level: i32::try_from(number(1, 3, -131_072..=22)?).unwrap_or(3),
            }),
            "gzip" => Ok(Self::Gzip {
                level: u32::try_from(number(1, 6, 0..=9)?).unwrap_or(6),
            }),
            "blosc" => {
                let cname = parts.get(1).copied().unwrap_or("zstd");
                if !["lz4", "lz4hc", "zstd", "zlib", "blosclz"].contains(&cname) {
                    return Err(Error::Usage(format!(
                        "{said}: unknown Blosc compressor `{cname}`"
                    )));
                }
                let shuffle = parts.get(3).copied().unwrap_or("shuffle");
                if BloscShuffle::from_name(shuffle).is_none() {
                    return Err(Error::Usage(format!("{said}: unknown shuffle `{shuffle}`")));
                }
                Ok(Self::Blosc {
                    cname: cname.to_string(),
                    clevel: u32::try_from(number(2, 5, 0..=9)?).unwrap_or(5),
                    shuffle: shuffle.to_string(),
                })
            }
            other => Err(Error::Usage(format!(
                "{said}: unknown codec `{other}` (none, zstd:L, gzip:L, blosc:CNAME:L:SHUFFLE)"
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

/// A layout asked for one array (`PATH=64,256,256`), for all (`64,256,256`), or by axis name
/// for every array that has those axes (`z=16,y=256,x=256`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShapeRequests {
    /// The shape for every array without its own.
    pub all: Option<Vec<u64>>,
    /// Per-array shapes.
    pub by_path: Vec<(NodePath, Vec<u64>)>,
    /// Extents by axis name, for every array with an axis of one of these names (see
    /// [`ShapeRequests::for_array`]).
    pub by_axis: Vec<(String, u64)>,
}

impl ShapeRequests {
    /// Whether nothing is asked for.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.all.is_none() && self.by_path.is_empty() && self.by_axis.is_empty()
    }

    /// Parses the values of `param` ([`Param::Chunks`] or [`Param::Shards`]): `64,256,256`, `PATH=64,256,256`, or `z=16,y=256,x=256` (every
    /// item `NAME=N`). A lone `NAME=N` names an array if the store has one at that path, else
    /// an axis (see [`ShapeRequests::resolve`]).
    ///
    /// # Errors
    /// [`Error::Usage`] for anything else.
    pub fn parse(param: Param, values: &[String]) -> Result<Self> {
        let mut requests = Self::default();
        let positive = |n: &str| n.trim().parse::<u64>().ok().filter(|&n| n > 0);
        for value in values {
            let items: Vec<&str> = value.split(',').collect();
            if items.len() > 1 && items.iter().all(|item| item.contains('=')) {
                for item in items {
                    let (name, n) = item.split_once('=').unwrap_or((item, ""));
                    let n = positive(n)
                        .filter(|_| !name.trim().is_empty())
                        .ok_or_else(|| {
                            Error::Usage(format!(
                                "{}: `{item}` is not AXIS=N with a positive N (z=16,y=256,x=256)",
                                param.with(value)
                            ))
                        })?;
                    requests.set_axis(name.trim(), n);
                }
                continue;
            }
            let (path, numbers) = match value.split_once('=') {
                Some((path, numbers)) => (Some(NodePath::new(path)), numbers),
                None => (None, value.as_str()),
            };
            // Commas, or the `×` (and `x`) zlint prints shapes with.
            let shape: Vec<u64> = numbers
                .split([',', '×', 'x', 'X'])
                .map(positive)
                .collect::<Option<_>>()
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "{}: expected positive integers separated by commas (64,256,256) \
                         or × (64×256×256), PATH=64,256,256, or extents by axis (z=16,y=256,x=256)",
                        param.with(value)
                    ))
                })?;
            match path {
                Some(path) => requests.by_path.push((path, shape)),
                None => requests.all = Some(shape),
            }
        }
        Ok(requests)
    }

    fn set_axis(&mut self, name: &str, n: u64) {
        match self.by_axis.iter_mut().find(|(axis, _)| axis == name) {
            Some(entry) => entry.1 = n,
            None => self.by_axis.push((name.to_string(), n)),
        }
    }

    /// These requests against `store`: a `PATH=…` naming no array of it but, being one number,
    /// the name of an axis some array has, becomes an axis request.
    ///
    /// # Errors
    /// [`Error::Usage`] for a `PATH=…` that names neither an array nor an axis, and for axis
    /// names no array has.
    pub fn resolve(&self, param: Param, store: &Store) -> Result<Self> {
        let axis_names: Vec<&str> = store
            .arrays
            .iter()
            .filter_map(|a| a.dimension_names.as_ref())
            .flatten()
            .filter_map(Option::as_deref)
            .collect();
        let mut out = Self {
            all: self.all.clone(),
            by_path: Vec::new(),
            by_axis: self.by_axis.clone(),
        };
        for (path, shape) in &self.by_path {
            if store.array(path).is_some() {
                out.by_path.push((path.clone(), shape.clone()));
            } else if let ([n], true) = (shape.as_slice(), axis_names.contains(&path.as_str())) {
                out.set_axis(path.as_str(), *n);
            } else {
                return Err(Error::Usage(format!(
                    "{}: the store has no array `{path}`{}",
                    param.with(format!("{path}=…")),
                    if shape.len() == 1 {
                        " and no axis of that name"
                    } else {
                        ""
                    }
                )));
            }
        }
        if let Some((name, _)) = out
            .by_axis
            .iter()
            .find(|(name, _)| !axis_names.contains(&name.as_str()))
        {
            let mut known: Vec<&str> = axis_names.clone();
            known.sort_unstable();
            known.dedup();
            return Err(Error::Usage(format!(
                "{}: no array has an axis `{name}` (axes here: {})",
                param.with(format!("{name}=…")),
                if known.is_empty() {
                    "none named".to_string()
                } else {
                    known.join(", ")
                }
            )));
        }
        Ok(out)
    }

    /// The shape asked for `array`: its own (`PATH=…`); else, when an axis request names one
    /// of its axes, `base` with each named axis set to its extent (clipped to the array's) and
    /// `unnamed` applied to the others; else the shape for all. `None` when nothing is asked.
    pub(crate) fn for_array(
        &self,
        array: &ArrayInfo,
        base: &[u64],
        unnamed: impl Fn(usize, u64) -> u64,
    ) -> Option<Vec<u64>> {
        if let Some((_, shape)) = self.by_path.iter().find(|(p, _)| *p == array.path) {
            return Some(shape.clone());
        }
        let names = array.dimension_names.as_ref();
        let named = |i: usize| {
            let name = names?.get(i)?.as_deref()?;
            self.by_axis
                .iter()
                .find(|(axis, _)| axis == name)
                .map(|(_, n)| *n)
        };
        if (0..array.shape.len()).any(|i| named(i).is_some()) && base.len() == array.shape.len() {
            return Some(
                (0..array.shape.len())
                    .map(|i| match named(i) {
                        Some(n) => n.min(array.shape[i]).max(1),
                        None => unnamed(i, base[i]),
                    })
                    .collect(),
            );
        }
        self.all.clone()
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

impl Targets {
    /// Whether these targets change nothing: no layout, format or codec is asked for and no
    /// file is left out, so a rewrite would copy the store as it is.
    #[must_use]
    pub fn change_nothing(&self) -> bool {
        self.chunks.is_empty()
            && self.shards.is_empty()
            && !self.auto
            && self.format.is_none()
            && self.codec.is_none()
            && self.exclude.is_empty()
    }

    /// The recommended layout of `profile` and `access` for every array, in each array's own
    /// format and codec, in one or two passes.
    #[must_use]
    pub fn auto(profile: Profile, access: Access) -> Self {
        Self {
            chunks: ShapeRequests::default(),
            shards: ShapeRequests::default(),
            auto: true,
            profile,
            access,
            format: None,
            codec: None,
            two_pass: true,
            exclude: Vec::new(),
        }
    }
}

/// OME-NGFF versions a rechunk can write, each tied to the Zarr version its specification
/// stores it in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum OmeVersion {
    /// OME-NGFF 0.4, in Zarr v2.
    #[cfg_attr(feature = "cli", value(name = "0.4"))]
    V04,
    /// OME-NGFF 0.5, in Zarr v3.
    #[cfg_attr(feature = "cli", value(name = "0.5"))]
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
            "{} cannot be written as {}: OME-NGFF 0.4 is stored in Zarr v2, 0.5 in Zarr v3{}",
            Param::OmeVersion.with(name),
            f.as_str(),
            if f == Format::N5 {
                " (an N5 output gets n5-viewer pyramid metadata instead)"
            } else {
                ""
            }
        ))),
    }
}
