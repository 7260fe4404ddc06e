//! zlint audits and repairs the chunk layout of chunked array stores: Zarr v2, Zarr v3 (with
//! sharding) and N5, with OME-Zarr multiscale images as a first-class case.
//!
//! The data flows one way: a location is opened ([`store::open`]) and scanned ([`scan::scan`])
//! into a format-neutral [`model::Store`], which everything after reads. The [`jobs`] run
//! those steps in order for each thing a user asks (an audit, a report, a rechunk), as the
//! command line and the Python bindings do:
//!
//! ```
//! use zlint::jobs::{self, AuditRequest};
//! use zlint::progress::NoProgress;
//!
//! let request = AuditRequest {
//!     location: "fixtures/zarr3/sharded.zarr".into(),
//!     ..AuditRequest::default()
//! };
//! let audit = jobs::audit(&request, &NoProgress)?;
//! let array = &audit.store.arrays[0];
//! assert_eq!(array.shard_shape.as_deref(), Some(&[32u64, 32][..]));
//! println!("{} findings", audit.lint.findings.len());
//! # Ok::<(), zlint::Error>(())
//! ```
//!
//! A rechunk is planned first (nothing is written; the plan is a value that prints as the
//! `--dry-run` text), then run:
//!
//! ```
//! use zlint::jobs::{self, PlanRequest};
//! use zlint::plan::{ShapeRequests, Targets};
//! use zlint::progress::NoProgress;
//! use zlint::rechunk::{Existing, machine_budget};
//! use zlint::Param;
//!
//! let dir = tempfile::tempdir().expect("a temporary directory");
//! let out = dir.path().join("out.zarr").display().to_string();
//! let source = "fixtures/zarr3/plain.zarr";
//! let request = PlanRequest {
//!     source: source.into(),
//!     target: out.clone(),
//!     targets: Targets {
//!         chunks: ShapeRequests::parse(Param::Chunks, &["16,16".to_string()])?,
//!         auto: false,
//!         ..Targets::auto(Default::default(), Default::default())
//!     },
//!     budget: machine_budget(None, Some(2), &[source, &out]),
//!     existing: Existing::Refuse,
//!     open: Default::default(),
//!     verify: true,
//!     strict: false,
//! };
//! let job = jobs::plan(&request)?;
//! assert_eq!(job.plan_value().arrays[0].target.chunks, [16, 16]);
//! let outcome = jobs::run(&job, Some(request.budget), &NoProgress, &NoProgress)?;
//! assert!(outcome.complete && outcome.verification.is_some());
//! # Ok::<(), zlint::Error>(())
//! ```
//!
//! Errors name the parameters of a request as [`Param`]s, which each face words in its own
//! terms ([`Error::worded`]): `--max-mem` on the command line, `max_mem=` in Python.

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

pub use error::{Error, Param, Result};
