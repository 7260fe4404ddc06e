//! `zlint STORE --format github`: GitHub Actions workflow commands, one per finding.

use std::io::Write;

use crate::lint::LintReport;
use crate::lint::rule::Severity;

/// Escapes a workflow-command property or message (`%`, CR, LF; and `:` `,` in properties).
fn escape(text: &str, property: bool) -> String {
    let mut out = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

/// Writes one `::error`/`::warning`/`::notice` line per finding.
///
/// # Errors
/// Any error writing to `out`.
pub fn write(report: &LintReport, out: &mut dyn Write) -> std::io::Result<()> {
    let store = report.store.trim_end_matches('/');
    for d in &report.findings {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let file = format!("{store}/{}", d.file);
        let mut message = d.message.clone();
        if let Some(layout) = &d.recommendation {
            message.push_str(&format!("; recommended chunks {:?}", layout.chunks));
            if let Some(shards) = &layout.shards {
                message.push_str(&format!(", shards {shards:?}"));
            }
            if let Some(why) = &d.blocked {
                message.push_str(&format!(" ({why})"));
            }
        }
        writeln!(
            out,
            "::{level} file={},title={}::{}",
            escape(&file, true),
            escape(&format!("zlint {} {}", d.rule, d.name), true),
            escape(&message, false)
        )?;
    }
    Ok(())
}
