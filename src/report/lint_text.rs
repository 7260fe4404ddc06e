//! `zlint STORE`: one line per finding, a `help:` line with the recommended layout, a summary.

use std::io::Write;

use super::{plural, shape_text};
use crate::lint::LintReport;
use crate::lint::rule::{Diagnostic, Severity};

/// Whether to colour the output (only on a terminal).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    /// ANSI colours.
    Always,
    /// Plain text.
    Never,
}

fn paint(color: Color, code: &str, text: &str) -> String {
    match color {
        Color::Always => format!("\x1b[{code}m{text}\x1b[0m"),
        Color::Never => text.to_string(),
    }
}

fn location(report: &LintReport, d: &Diagnostic) -> String {
    let store = report.store.trim_end_matches('/');
    if d.path.is_root() {
        store.to_string()
    } else {
        format!("{store}/{}", d.path.as_str())
    }
}

/// Writes the findings as text.
///
/// # Errors
/// Any error writing to `out`.
pub fn write(report: &LintReport, color: Color, out: &mut dyn Write) -> std::io::Result<()> {
    for d in &report.findings {
        let severity = match d.severity {
            Severity::Error => paint(color, "1;31", "error"),
            Severity::Warning => paint(color, "1;33", "warning"),
            Severity::Info => paint(color, "1;36", "info"),
        };
        writeln!(
            out,
            "{}: {} {} [{severity}] {}",
            paint(color, "1", &location(report, d)),
            paint(color, "1", d.rule),
            d.name,
            d.message
        )?;
        if let Some(layout) = &d.recommendation {
            let shards = layout
                .shards
                .as_ref()
                .map(|s| format!(", shards {}", shape_text(s)))
                .unwrap_or_default();
            writeln!(
                out,
                "  {}: use chunks {}{shards} (zlint rechunk --auto, profile {})",
                paint(color, "1;32", "help"),
                shape_text(&layout.chunks),
                report.profile
            )?;
        }
    }
    let s = &report.summary;
    let total = s.errors + s.warnings + s.infos;
    let scope = format!(
        "{} and {} (profile {})",
        plural(s.arrays, "array"),
        plural(s.groups, "group"),
        report.profile
    );
    if total == 0 {
        writeln!(out, "{}: no findings in {scope}", report.store)
    } else {
        writeln!(
            out,
            "\n{}: {} ({}, {}, {} info) in {scope}",
            report.store,
            plural(total, "finding"),
            plural(s.errors, "error"),
            plural(s.warnings, "warning"),
            s.infos
        )
    }
}
