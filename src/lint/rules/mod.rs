//! One file per rule, named after it.

pub(crate) mod access_pattern_mismatch;
pub(crate) mod chunk_exceeds_shape;
pub(crate) mod chunk_too_large;
pub(crate) mod chunk_too_small;
pub(crate) mod edge_waste;
pub(crate) mod inner_chunk_too_small;
pub(crate) mod label_pyramid_mismatch;
pub(crate) mod metadata_invalid;
pub(crate) mod missing_multiscale;
pub(crate) mod mixed_zarr_versions;
pub(crate) mod multiscale_inconsistent;
pub(crate) mod no_consolidated_metadata;
pub(crate) mod ome_axis_order;
pub(crate) mod ome_metadata_invalid;
pub(crate) mod shard_misaligned;
pub(crate) mod siblings_misaligned;
pub(crate) mod sparse_chunks;
pub(crate) mod stray_objects;
pub(crate) mod tiny_stored_objects;
pub(crate) mod too_few_chunks;
pub(crate) mod too_many_chunks;
pub(crate) mod too_many_files_per_dir;
pub(crate) mod uncompressed;
