//! `zlint STORE`: one line per finding, a `help:` line with the recommended layout, a summary.

use std::collections::HashMap;
use std::io::Write;

use super::{plural, shape_text};
use crate::lint::LintReport;
use crate::lint::rule::{Diagnostic, Severity};
use crate::units::printable;

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

/// How many arrays or groups must share a finding before the text output shows them as one
/// line (with [`Detail::Grouped`]).
const GROUP_FROM: usize = 3;

/// Whether repeated findings are shown once or every one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// Findings of one rule with the same message and recommendation on several nodes (the
    /// wells and fields of a plate) as one line with the count and two example paths.
    Grouped,
    /// One line per finding.
    All,
}

/// Writes the findings as text.
///
/// # Errors
/// Any error writing to `out`.
pub fn write(
    report: &LintReport,
    color: Color,
    detail: Detail,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    for group in finding_groups(&report.findings, detail) {
        let d = group[0];
        let severity = match d.severity {
            Severity::Error => paint(color, "1;31", "error"),
            Severity::Warning => paint(color, "1;33", "warning"),
            Severity::Info => paint(color, "1;36", "info"),
        };
        let (at, count) = if group.len() >= GROUP_FROM {
            let examples: Vec<&str> = group.iter().take(2).map(|d| d.path.as_str()).collect();
            (
                report.store.trim_end_matches('/').to_string(),
                format!(
                    " in {} ({}, …):",
                    plural(group.len(), "path"),
                    examples.join(", ")
                ),
            )
        } else {
            (location(report, d), String::new())
        };
        // Paths and messages hold names the store chose: no control character reaches the
        // terminal from them.
        writeln!(
            out,
            "{}: {} {} [{severity}]{} {}",
            paint(color, "1", &printable(&at)),
            paint(color, "1", d.rule),
            d.name,
            printable(&count),
            printable(&d.message)
        )?;
        if let Some(rule) = crate::lint::registry::find(d.rule) {
            writeln!(
                out,
                "  {}: {}",
                paint(color, "1;36", "why"),
                rule.why.for_profile(report.profile)
            )?;
        }
        if let Some(layout) = &d.recommendation {
            let shards = layout
                .shards
                .as_ref()
                .map(|s| format!(", shards {}", shape_text(s)))
                .unwrap_or_default();
            let how = match &d.blocked {
                Some(why) => format!(" ({why})"),
                None => format!(": {}", fix_command(report, &group, layout)),
            };
            writeln!(
                out,
                "  {}: use chunks {}{shards}{}",
                paint(color, "1;32", "help"),
                shape_text(&layout.chunks),
                printable(&how)
            )?;
        }
    }
    let grouped = detail == Detail::Grouped
        && finding_groups(&report.findings, detail)
            .iter()
            .any(|g| g.len() >= GROUP_FROM);
    if grouped {
        writeln!(
            out,
            "(repeated findings are grouped: --show-all lists each one)"
        )?;
    }
    summary(report, out)
}

/// The closing line: counts by severity, arrays and groups, profile.
fn summary(report: &LintReport, out: &mut dyn Write) -> std::io::Result<()> {
    let s = &report.summary;
    let total = s.errors + s.warnings + s.infos;
    let scope = format!(
        "{} and {} (profile {})",
        plural(s.arrays, "array"),
        plural(s.groups, "group"),
        report.profile
    );
    if total == 0 {
        writeln!(out, "{}: no findings in {scope}", printable(&report.store))
    } else {
        writeln!(
            out,
            "\n{}: {} ({}, {}, {} info) in {scope}",
            printable(&report.store),
            plural(total, "finding"),
            plural(s.errors, "error"),
            plural(s.warnings, "warning"),
            s.infos
        )
    }
}

/// Writes the number of findings of each rule, most first (as `ruff --statistics` does), then
/// the summary line.
///
/// # Errors
/// Any error writing to `out`.
pub fn write_statistics(report: &LintReport, out: &mut dyn Write) -> std::io::Result<()> {
    let mut counts: Vec<(usize, &str, &str, Severity)> = Vec::new();
    for d in &report.findings {
        match counts.iter_mut().find(|(_, rule, _, _)| *rule == d.rule) {
            Some(entry) => entry.0 += 1,
            None => counts.push((1, d.rule, d.name, d.severity)),
        }
    }
    counts.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let width = counts.first().map_or(1, |c| c.0.to_string().len());
    for (count, rule, name, severity) in &counts {
        writeln!(out, "{count:>width$}  {rule}  {name} [{severity}]")?;
    }
    summary(report, out)
}

/// The command that writes the recommended layout, as it can be pasted: `--chunks` (and
/// `--shards`) for the path of a single finding, `--auto` for a group of them, with the profile
/// and access pattern when they are not the defaults.
pub(crate) fn fix_command(
    report: &LintReport,
    group: &[&Diagnostic],
    layout: &crate::layout::Layout,
) -> String {
    let mut command = format!("zlint rechunk {} OUT", shell_word(&report.store));
    let numbers = |shape: &[u64]| {
        shape
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    match group {
        [one] => {
            let at = if one.path.is_root() {
                String::new()
            } else {
                format!("{}=", one.path.as_str())
            };
            let flag = |name: &str, shape: &[u64]| {
                format!(
                    "--{name} {}",
                    shell_word(&format!("{at}{}", numbers(shape)))
                )
            };
            command.push(' ');
            command.push_str(&flag("chunks", &layout.chunks));
            if let Some(shards) = &layout.shards {
                command.push(' ');
                command.push_str(&flag("shards", shards));
            }
        }
        _ => command.push_str(" --auto"),
    }
    if report.profile != crate::profile::Profile::Analysis {
        command.push_str(&format!(" --profile {}", report.profile));
    }
    if report.access != crate::profile::Access::Auto {
        command.push_str(&format!(" --access {}", report.access));
    }
    command
}

/// `word` as one shell word: as it is when it holds nothing a shell would interpret, else in
/// single quotes.
fn shell_word(word: &str) -> String {
    let plain = word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./=,:@+%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The findings in order, each alone, but for those of one rule with the same severity,
/// message and recommendation on [`GROUP_FROM`] or more paths when `detail` groups them: these
/// come together where the first of them was.
fn finding_groups(findings: &[Diagnostic], detail: Detail) -> Vec<Vec<&Diagnostic>> {
    if detail == Detail::All {
        return findings.iter().map(|d| vec![d]).collect();
    }
    let key = |d: &Diagnostic| {
        (
            d.rule,
            d.message.clone(),
            format!("{:?} {:?} {:?}", d.severity, d.recommendation, d.blocked),
        )
    };
    let mut members: HashMap<_, Vec<&Diagnostic>> = HashMap::new();
    for d in findings {
        members.entry(key(d)).or_default().push(d);
    }
    let mut groups = Vec::new();
    for d in findings {
        match members.get_mut(&key(d)) {
            Some(group) if group.len() >= GROUP_FROM => groups.push(std::mem::take(group)),
            Some(group) if group.is_empty() => {}
            _ => groups.push(vec![d]),
        }
    }
    groups
}
