//! zlint audits and repairs the chunk layout of chunked array stores: Zarr v2, Zarr v3 (with
//! sharding) and N5, with OME-Zarr multiscale images as a first-class case.
//!
//! The data flows one way: a location is opened ([`store::open`]) and scanned ([`scan::scan`])
//! into a format-neutral [`model::Store`], which everything after reads.
//!
//! ```
//! use zlint::{progress::NoProgress, scan, store};
//!
//! let opened = store::open("fixtures/zarr3/sharded.zarr")?;
//! let found = scan::scan(&opened, scan::ScanOptions::default(), &NoProgress)?;
//! let array = &found.arrays[0];
//! assert_eq!(array.shard_shape.as_deref(), Some(&[32u64, 32][..]));
//! # Ok::<(), zlint::Error>(())
//! ```

pub mod error;
pub mod layout;
pub mod lint;
pub mod model;
pub mod plan;
pub mod profile;
pub mod progress;
pub mod rechunk;
pub mod report;
pub mod scan;
pub mod store;
pub mod units;

#[doc(hidden)]
pub mod cli;

pub use error::{Error, Result};
