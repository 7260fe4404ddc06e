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
//!
//! A rechunk is planned first (nothing is written; the plan is a value that prints as the
//! `--dry-run` text), then run:
//!
//! ```
//! use zlint::plan::{ShapeRequests, Targets};
//! use zlint::progress::NoProgress;
//! use zlint::rechunk::{Existing, Rechunk, machine_budget};
//!
//! let dir = tempfile::tempdir().expect("a temporary directory");
//! let out = dir.path().join("out.zarr").display().to_string();
//! let targets = Targets {
//!     chunks: ShapeRequests::parse("--chunks", &["16,16".to_string()])?,
//!     shards: ShapeRequests::default(),
//!     auto: false,
//!     profile: Default::default(),
//!     access: Default::default(),
//!     format: None,
//!     codec: None,
//!     two_pass: true,
//!     exclude: Vec::new(),
//! };
//! let source = "fixtures/zarr3/plain.zarr";
//! let budget = machine_budget(None, Some(2), &[source, &out]);
//! let job = Rechunk::plan(source, &out, &targets, budget, Existing::Refuse, Default::default())?;
//! assert_eq!(job.plan_value().arrays[0].target.chunks, [16, 16]);
//! let outcome = job.run(&NoProgress, None)?;
//! assert!(outcome.complete);
//! # Ok::<(), zlint::Error>(())
//! ```

pub mod error;
pub mod formats;
pub mod guidance;
pub mod jobs;
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

#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;

pub use error::{Error, Result};
