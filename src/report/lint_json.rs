//! `zlint STORE --format json`: the lint run as one JSON document (schema: docs/lint-json.md).

use std::io::Write;

use serde::Serialize;

use crate::lint::LintReport;

/// The version of the lint JSON schema.
pub const LINT_SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    /// The name every zlint JSON document gives its schema's version.
    schema_version: u32,
    /// The former name of `schema_version`, kept: fields are only ever added.
    version: u32,
    zlint_version: &'static str,
    #[serde(flatten)]
    report: &'a LintReport,
}

/// Writes the lint report as pretty-printed JSON followed by a newline.
///
/// # Errors
/// Any error writing to `out`.
pub fn write(report: &LintReport, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(report))?;
    writeln!(out)
}

/// Writes the lint reports of several stores as a JSON array of their documents, in order.
///
/// # Errors
/// Any error writing to `out`.
pub fn write_all(reports: &[&LintReport], out: &mut dyn Write) -> std::io::Result<()> {
    let documents: Vec<Document<'_>> = reports.iter().map(|report| document(report)).collect();
    serde_json::to_writer_pretty(&mut *out, &documents)?;
    writeln!(out)
}

fn document(report: &LintReport) -> Document<'_> {
    Document {
        schema_version: LINT_SCHEMA_VERSION,
        version: LINT_SCHEMA_VERSION,
        zlint_version: env!("CARGO_PKG_VERSION"),
        report,
    }
}
