//! `zlint STORE --format sarif`: SARIF 2.1.0, as GitHub code scanning accepts it. Plain serde
//! structs of the parts zlint fills; rule descriptions come from the registry.

use std::io::Write;

use serde::Serialize;

use crate::lint::LintReport;
use crate::lint::registry::RULES;
use crate::lint::rule::Severity;

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
struct Run<'a> {
    tool: Tool,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    information_uri: &'static str,
    rules: Vec<RuleDescriptor>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleDescriptor {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: String,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation,
    logical_locations: Vec<LogicalLocation<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    fully_qualified_name: &'a str,
    kind: &'static str,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Writes the lint report as a SARIF 2.1.0 log.
///
/// # Errors
/// Any error writing to `out`.
pub fn write(report: &LintReport, out: &mut dyn Write) -> std::io::Result<()> {
    write_all(&[report], out)
}

/// Writes the lint reports of several stores as one SARIF 2.1.0 log, a run for each.
///
/// # Errors
/// Any error writing to `out`.
pub fn write_all(reports: &[&LintReport], out: &mut dyn Write) -> std::io::Result<()> {
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: reports.iter().map(|report| run(report)).collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

/// The SARIF run of one store's lint report.
fn run(report: &LintReport) -> Run<'_> {
    let rules = RULES
        .iter()
        .map(|rule| RuleDescriptor {
            id: rule.id,
            name: rule.name,
            short_description: Text {
                text: rule.summary.to_string(),
            },
            full_description: Text {
                text: rule.explanation.to_string(),
            },
            help: Help {
                text: rule.documentation(),
                markdown: rule.documentation(),
            },
            help_uri: rule.guidance_uri(),
            default_configuration: Configuration {
                level: level(rule.severity),
            },
        })
        .collect();
    let store = report.store.trim_end_matches('/');
    let results = report
        .findings
        .iter()
        .map(|d| SarifResult {
            rule_id: d.rule,
            rule_index: RULES.iter().position(|r| r.id == d.rule).unwrap_or(0),
            level: level(d.severity),
            message: Text {
                text: match &d.recommendation {
                    Some(layout) => format!(
                        "{}. Recommended chunks {:?}{}{}",
                        d.message,
                        layout.chunks,
                        layout
                            .shards
                            .as_ref()
                            .map(|s| format!(", shards {s:?}"))
                            .unwrap_or_default(),
                        d.blocked
                            .as_ref()
                            .map(|why| format!(" ({why})"))
                            .unwrap_or_default()
                    ),
                    None => d.message.clone(),
                },
            },
            locations: vec![Location {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation {
                        uri: format!("{store}/{}", d.file),
                    },
                    region: Region { start_line: 1 },
                },
                logical_locations: vec![LogicalLocation {
                    fully_qualified_name: d.path.as_str(),
                    kind: "module",
                }],
            }],
        })
        .collect();
    Run {
        tool: Tool {
            driver: Driver {
                name: "zlint",
                version: env!("CARGO_PKG_VERSION"),
                information_uri: "https://crates.io/crates/chunklint",
                rules,
            },
        },
        results,
    }
}
