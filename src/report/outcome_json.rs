//! `zlint rechunk --format json` (a run, a part, a finalization) and `zlint verify --format
//! json`: what a rewrite did and what a comparison found, as one JSON document each. The schemas
//! are documented in `docs/outcome-json.md`; fields may be added, never renamed or removed
//! without a new `schema_version`.

use serde::Serialize;

use crate::rechunk::{Outcome, RechunkSummary, VerifyReport};

/// The version of the outcome and verification documents.
pub const OUTCOME_SCHEMA_VERSION: u32 = 1;

/// What a verification found.
#[derive(Serialize)]
pub struct VerifyDocument<'a> {
    schema_version: u32,
    zlint_version: &'static str,
    source: &'a str,
    target: &'a str,
    /// Whether the target holds the source's data, metadata and carried files.
    identical: bool,
    #[serde(flatten)]
    report: &'a VerifyReport,
}

impl<'a> VerifyDocument<'a> {
    /// The document of `report`, a comparison of `target` with `source`.
    #[must_use]
    pub fn new(source: &'a str, target: &'a str, report: &'a VerifyReport) -> Self {
        Self {
            schema_version: OUTCOME_SCHEMA_VERSION,
            zlint_version: env!("CARGO_PKG_VERSION"),
            source,
            target,
            identical: report.mismatches.is_empty(),
            report,
        }
    }
}

/// What a rewrite (or one part of it, or its finalization) did.
#[derive(Serialize)]
pub struct OutcomeDocument<'a> {
    schema_version: u32,
    zlint_version: &'static str,
    source: &'a str,
    target: &'a str,
    /// Whether the output is complete (its metadata written, its journal gone).
    complete: bool,
    /// What this run wrote (none for a finalization).
    summary: Option<&'a RechunkSummary>,
    /// The verification, when one was asked for.
    verification: Option<VerifyDocument<'a>>,
    /// For a zip target: the entries packed into the zip.
    zip_entries: Option<usize>,
}

impl<'a> OutcomeDocument<'a> {
    /// The document of `outcome`, a rewrite of `source` into `target`.
    #[must_use]
    pub fn new(source: &'a str, target: &'a str, outcome: &'a Outcome) -> Self {
        Self {
            schema_version: OUTCOME_SCHEMA_VERSION,
            zlint_version: env!("CARGO_PKG_VERSION"),
            source,
            target,
            complete: outcome.complete,
            summary: outcome.summary.as_ref(),
            verification: outcome
                .verification
                .as_ref()
                .map(|report| VerifyDocument::new(source, target, report)),
            zip_entries: outcome.zip_entries,
        }
    }

    /// The document of one part of a split run: what it wrote (the output is not complete
    /// until it is finalized).
    #[must_use]
    pub fn part(source: &'a str, target: &'a str, summary: &'a RechunkSummary) -> Self {
        Self {
            schema_version: OUTCOME_SCHEMA_VERSION,
            zlint_version: env!("CARGO_PKG_VERSION"),
            source,
            target,
            complete: false,
            summary: Some(summary),
            verification: None,
            zip_entries: None,
        }
    }
}
