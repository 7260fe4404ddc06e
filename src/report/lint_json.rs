//! `zlint STORE --format json`: the lint run as one JSON document (schema: docs/lint-json.md).

use std::io::Write;

use serde::Serialize;

use crate::lint::LintReport;

/// The version of the lint JSON schema.
pub const LINT_SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
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
    let doc = Document {
        version: LINT_SCHEMA_VERSION,
        zlint_version: env!("CARGO_PKG_VERSION"),
        report,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
