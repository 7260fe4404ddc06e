//! Jobs: what a user asks zlint to do, start to end, as plain data in and plain data out. Each
//! job opens the store, runs the engines (`scan`, `lint`, `plan`, `rechunk`) in order, and
//! returns what they found; the faces (the command line, the Python bindings) only turn their
//! arguments into a request, call a job and render its result with `report`.
//!
//! - [`audit`] and [`survey`]: `zlint STORE` and `zlint scan`;
//! - [`report()`]: the data of `zlint report` (the page is drawn by `report::html`);
//! - [`plan`], [`run`], [`run_part`], [`finalize`], [`verify`]: `zlint rechunk` (whole, or split
//!   into parts) and `zlint verify`.

mod audit;
mod rechunk;
mod report;

pub use audit::{Audit, AuditRequest, audit, survey};
pub use rechunk::{Finalized, PlanRequest, finalize, plan, run, run_part, verify};
pub use report::{ReportData, ReportRequest, report, save_page};
