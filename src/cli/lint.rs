//! `zlint STORE`: lint a store.

use std::io::{IsTerminal, Write};

use super::args::{ColorChoice, LintArgs, LintFormat};
use super::progress::Bar;
use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, print_error, stdout_error};
use crate::jobs::{self, AuditRequest};
use crate::lint::LintReport;
use crate::report::lint_text::{Color, Detail};
use crate::report::{github, lint_json, lint_text, sarif};
use crate::store::OpenOptions;

pub(crate) fn run(args: &LintArgs, open: OpenOptions) -> crate::Result<u8> {
    let bar = Bar::new(args.quiet);
    let mut audits = Vec::new();
    let mut unreadable = false;
    for path in &args.paths {
        let request = AuditRequest {
            location: path.clone(),
            open,
            settings: args.settings.requested(),
            deep: args.deep,
        };
        match jobs::audit(&request, &bar) {
            Ok(audit) => audits.push(audit),
            // One store that cannot be opened does not stop the others.
            Err(err) if args.paths.len() > 1 => {
                print_error(&err);
                unreadable = true;
            }
            Err(err) => return Err(err),
        }
    }
    write_reports(args, &audits)?;
    if unreadable || audits.iter().any(|a| !a.store.errors.is_empty()) {
        return Ok(EXIT_ERROR);
    }
    let failing = !args.exit_zero && audits.iter().any(jobs::Audit::fails);
    Ok(if failing { EXIT_FINDINGS } else { EXIT_OK })
}

/// Writes the reports of `audits` to standard output in the format asked for: text and GitHub
/// annotations one store after another, SARIF one log with a run per store, JSON one document
/// (an array of them for several stores).
fn write_reports(args: &LintArgs, audits: &[jobs::Audit]) -> crate::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let reports: Vec<&LintReport> = audits.iter().map(|a| &a.lint).collect();
    match args.format {
        LintFormat::Text => {
            let color = resolve_color(
                args.color,
                |name| std::env::var_os(name),
                || std::io::stdout().is_terminal(),
            );
            let detail = if args.show_all {
                Detail::All
            } else {
                Detail::Grouped
            };
            reports.iter().enumerate().try_for_each(|(i, report)| {
                if i > 0 {
                    writeln!(out)?;
                }
                if args.statistics {
                    lint_text::write_statistics(report, &mut out)
                } else {
                    lint_text::write(report, color, detail, &mut out)
                }
            })
        }
        LintFormat::Json if args.paths.len() == 1 && reports.len() == 1 => {
            lint_json::write(reports[0], &mut out)
        }
        LintFormat::Json => lint_json::write_all(&reports, &mut out),
        LintFormat::Sarif => sarif::write_all(&reports, &mut out),
        LintFormat::Github => reports
            .iter()
            .try_for_each(|report| github::write(report, &mut out)),
    }
    .map_err(stdout_error)?;
    out.flush().map_err(stdout_error)
}

/// Whether to colour: `--color always|never` as said; `auto` follows the conventions in this
/// order: `NO_COLOR` set and not empty, no colour (<https://no-color.org>); `CLICOLOR_FORCE` set
/// and not `0`, or `FORCE_COLOR` set and not empty, colour (<https://force-color.org>);
/// `CLICOLOR=0`, no colour (<https://bixense.com/clicolors/>); else colour on a terminal only.
fn resolve_color(
    choice: ColorChoice,
    env: impl Fn(&str) -> Option<std::ffi::OsString>,
    terminal: impl Fn() -> bool,
) -> Color {
    let set = |name: &str, off: &str| env(name).is_some_and(|v| !v.is_empty() && v != off);
    match choice {
        ColorChoice::Always => Color::Always,
        ColorChoice::Never => Color::Never,
        ColorChoice::Auto if set("NO_COLOR", "") => Color::Never,
        ColorChoice::Auto if set("CLICOLOR_FORCE", "0") || set("FORCE_COLOR", "") => Color::Always,
        ColorChoice::Auto if env("CLICOLOR").is_some_and(|v| v == "0") => Color::Never,
        ColorChoice::Auto if terminal() => Color::Always,
        ColorChoice::Auto => Color::Never,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_follows_no_color_then_clicolor_force_then_the_terminal() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| std::ffi::OsString::from(v))
            }
        };
        let auto = ColorChoice::Auto;
        assert_eq!(
            resolve_color(auto, env(&[("NO_COLOR", "1")]), || true),
            Color::Never
        );
        assert_eq!(
            resolve_color(auto, env(&[("NO_COLOR", "")]), || true),
            Color::Always
        );
        assert_eq!(
            resolve_color(
                auto,
                env(&[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]),
                || false
            ),
            Color::Never
        );
        assert_eq!(
            resolve_color(auto, env(&[("CLICOLOR_FORCE", "1")]), || false),
            Color::Always
        );
        assert_eq!(
            resolve_color(auto, env(&[("CLICOLOR_FORCE", "0")]), || false),
            Color::Never
        );
        assert_eq!(
            resolve_color(ColorChoice::Always, env(&[("NO_COLOR", "1")]), || false),
            Color::Always
        );
        // FORCE_COLOR as CLICOLOR_FORCE; CLICOLOR=0 turns colour off on a terminal.
        assert_eq!(
            resolve_color(auto, env(&[("FORCE_COLOR", "1")]), || false),
            Color::Always
        );
        assert_eq!(
            resolve_color(auto, env(&[("CLICOLOR", "0")]), || true),
            Color::Never
        );
        assert_eq!(
            resolve_color(auto, env(&[("CLICOLOR", "1")]), || true),
            Color::Always
        );
        assert_eq!(
            resolve_color(
                auto,
                env(&[("CLICOLOR", "0"), ("FORCE_COLOR", "1")]),
                || true
            ),
            Color::Always
        );
    }
}
