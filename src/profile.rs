//! Profiles, access patterns and the named thresholds that the lint rules and the planner both
//! read (so neither depends on the other for them).
//!
//! Each threshold is a kebab-case key (the same spelling in `zlint.toml`, `--help` and messages)
//! with a default per profile, taken from the guidance (`docs/`).

use std::fmt;

use serde::{Deserialize, Serialize};

const KIB: u64 = 1 << 10;
const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

/// What the data is for: it sets the byte windows of the read and object units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Batch analysis with dask or xarray (the Dask blog's guidance).
    #[default]
    Analysis,
    /// Object stores (S3, GCS): larger objects, fewer of them.
    Cloud,
    /// Viewers (napari, neuroglancer, OME-Zarr web viewers): small read units, shards for files.
    Visualization,
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Analysis => "analysis",
            Self::Cloud => "cloud",
            Self::Visualization => "visualization",
        })
    }
}

/// How the data will be read; it fixes the extent of some axes in a recommended layout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// From axis roles: time and channel axes of 1, near-isotropic chunks over the others.
    #[default]
    Auto,
    /// 3-D blocks: near-isotropic over the spatial axes.
    Volume,
    /// Whole planes: full extent along Y and X.
    Plane,
    /// Series along time: long along T, small spatially.
    Timeseries,
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Auto => "auto",
            Self::Volume => "volume",
            Self::Plane => "plane",
            Self::Timeseries => "timeseries",
        })
    }
}

/// The named thresholds of the rules and the planner.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Thresholds {
    /// Object-unit floor (chunk, or shard when sharded), uncompressed (ZL101).
    pub chunk_min_bytes: u64,
    /// Read-unit ceiling (chunk, or inner chunk when sharded), uncompressed (ZL102).
    pub chunk_max_bytes: u64,
    /// Read-unit size that is an error: Blosc's 2 GiB buffer limit (ZL102).
    pub chunk_hard_max_bytes: u64,
    /// Inner-chunk floor of sharded arrays (ZL103).
    pub inner_chunk_min_bytes: u64,
    /// Read units per array above which ZL104 informs.
    pub max_chunks_info: u64,
    /// Read units per array above which ZL104 warns.
    pub max_chunks: u64,
    /// Worker cores the data is processed with (ZL105).
    pub cores: u64,
    /// Array size from which ZL105 applies.
    pub too_few_chunks_min_array_bytes: u64,
    /// Padding share of stored bytes above which ZL107 fires.
    pub edge_waste_max: f64,
    /// Uncompressed arrays above this size are reported (ZL301).
    pub uncompressed_max_bytes: u64,
    /// Chunk files per directory above which ZL302 warns.
    pub max_files_per_dir: u64,
    /// Nodes in a hierarchy above which consolidated metadata is expected (ZL303).
    pub consolidated_min_nodes: usize,
    /// Share of absent chunks above which ZL401 informs.
    pub sparse_max: f64,
    /// Median stored object size below which ZL402 fires.
    pub min_stored_object_bytes: u64,
    /// Pixels along a spatial axis above which an image wants a multiscale pyramid (ZL205).
    pub multiscale_min_pixels: u64,
    /// Array size above which an image wants a multiscale pyramid (ZL205).
    pub multiscale_min_bytes: u64,
    /// Largest ratio between the chunk extents of two spatial axes (ZL203).
    pub max_aspect_ratio: u64,
    /// Read-unit size the planner aims at.
    pub target_chunk_bytes: u64,
    /// Shard size the planner aims at when it shards.
    pub target_shard_bytes: u64,
    /// Stored objects per array above which the planner shards (Zarr v3).
    pub max_objects: u64,
}

impl Thresholds {
    /// The defaults of `profile`.
    #[must_use]
    pub fn for_profile(profile: Profile) -> Self {
        let analysis = Self {
            chunk_min_bytes: MIB,
            chunk_max_bytes: GIB,
            chunk_hard_max_bytes: 2 * GIB,
            inner_chunk_min_bytes: 16 * KIB,
            max_chunks_info: 10_000,
            max_chunks: 100_000,
            cores: 8,
            too_few_chunks_min_array_bytes: 256 * MIB,
            edge_waste_max: 0.25,
            uncompressed_max_bytes: 64 * MIB,
            max_files_per_dir: 10_000,
            consolidated_min_nodes: 100,
            sparse_max: 0.5,
            min_stored_object_bytes: 64 * KIB,
            multiscale_min_pixels: 4096,
            multiscale_min_bytes: GIB,
            max_aspect_ratio: 64,
            target_chunk_bytes: 64 * MIB,
            target_shard_bytes: GIB,
            max_objects: 100_000,
        };
        match profile {
            Profile::Analysis => analysis,
            Profile::Cloud => Self {
                chunk_min_bytes: 8 * MIB,
                chunk_max_bytes: 256 * MIB,
                target_chunk_bytes: 32 * MIB,
                consolidated_min_nodes: 10,
                ..analysis
            },
            Profile::Visualization => Self {
                chunk_min_bytes: 128 * KIB,
                chunk_max_bytes: 8 * MIB,
                target_chunk_bytes: MIB,
                target_shard_bytes: 256 * MIB,
                max_chunks_info: u64::MAX,
                max_chunks: u64::MAX,
                ..analysis
            },
        }
    }
}
