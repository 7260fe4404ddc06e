//! `zlint rules` and `zlint explain`.

use std::io::Write;

use serde::Serialize;

use super::args::{ExplainArgs, RulesArgs};
use super::{EXIT_OK, print_json, stdout_error};
use crate::lint::registry::{RULES, find};

#[derive(Serialize)]
struct RuleJson {
    id: &'static str,
    name: &'static str,
    severity: crate::lint::rule::Severity,
    deep: bool,
    summary: &'static str,
    explanation: &'static str,
}

/// The version of the `zlint rules --format json` document.
const RULES_SCHEMA_VERSION: u32 = 1;

/// `zlint rules --format json`: the rules, under the version of the document, as every JSON
/// document of zlint carries it.
#[derive(Serialize)]
struct RulesDocument {
    schema_version: u32,
    zlint_version: &'static str,
    rules: Vec<RuleJson>,
}

pub(crate) fn list(args: &RulesArgs) -> crate::Result<u8> {
    let mut out = std::io::stdout().lock();
    if super::args::wants_json(args.format, args.json, "rules") {
        let rules: Vec<RuleJson> = RULES
            .iter()
            .map(|r| RuleJson {
                id: r.id,
                name: r.name,
                severity: r.severity,
                deep: r.deep,
                summary: r.summary,
                explanation: r.explanation,
            })
            .collect();
        // The former `--json` printed the bare list: it still does, for this release.
        if args.json {
            print_json(&rules)?;
        } else {
            print_json(&RulesDocument {
                schema_version: RULES_SCHEMA_VERSION,
                zlint_version: env!("CARGO_PKG_VERSION"),
                rules,
            })?;
        }
        return Ok(EXIT_OK);
    }
    let width = RULES.iter().map(|r| r.name.len()).max().unwrap_or(0);
    for rule in RULES {
        let deep = if rule.deep { " (--deep)" } else { "" };
        writeln!(
            out,
            "{}  {:width$}  {:7}  {}{deep}",
            rule.id,
            rule.name,
            rule.severity.to_string(),
            rule.summary
        )
        .map_err(stdout_error)?;
    }
    Ok(EXIT_OK)
}

pub(crate) fn explain(args: &ExplainArgs) -> crate::Result<u8> {
    let rule = find(&args.rule).ok_or_else(|| {
        crate::Error::Usage(format!(
            "unknown rule `{}`{} (see `zlint rules`)",
            args.rule,
            crate::lint::registry::did_you_mean(&args.rule)
        ))
    })?;
    let mut out = std::io::stdout().lock();
    write!(out, "{}", rule.page()).map_err(stdout_error)?;
    Ok(EXIT_OK)
}
