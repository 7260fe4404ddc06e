//! `zlint STORE`: lint a store.

use std::io::{IsTerminal, Write};

use super::args::{ColorChoice, LintArgs, LintFormat};
use super::progress::Bar;
use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, stdout_error};
use crate::jobs::{self, AuditRequest};
use crate::report::lint_text::{Color, Detail};
use crate::report::{github, lint_json, lint_text, sarif};
use crate::store::OpenOptions;

pub(crate) fn run(args: &LintArgs, open: OpenOptions) -> crate::Result<u8> {
    let request = AuditRequest {
        location: args.path.clone().unwrap_or_else(|| ".".into()),
        open,
        settings: args.settings.requested(),
        deep: args.deep,
    };
    let audit = jobs::audit(&request, &Bar::new(args.quiet))?;
    let report = &audit.lint;

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
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
            if args.statistics {
                lint_text::write_statistics(report, &mut out)
            } else {
                lint_text::write(report, color, detail, &mut out)
            }
        }
        LintFormat::Json => lint_json::write(report, &mut out),
        LintFormat::Sarif => sarif::write(report, &mut out),
        LintFormat::Github => github::write(report, &mut out),
    }
    .map_err(stdout_error)?;
    out.flush().map_err(stdout_error)?;

    if !audit.store.errors.is_empty() {
        return Ok(EXIT_ERROR);
    }
    Ok(if audit.fails() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// Whether to colour: `--color always|never` as said; `auto` follows the conventions, `NO_COLOR`
/// (set and not empty: no colour, <https://no-color.org>) before `CLICOLOR_FORCE` (set and not
/// `0`: colour), else colour on a terminal only.
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
        ColorChoice::Auto if set("CLICOLOR_FORCE", "0") || terminal() => Color::Always,
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
    }
}
