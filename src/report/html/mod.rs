//! `zlint report`: one self-contained HTML page (no script, no network) showing a store against
//! the guidance: a summary, the guidance scale, pyramids, every array's chunk grid with its
//! findings and fixes, and with a plan the recommended layouts beside today's. It decides
//! nothing: findings are the linter's, layouts the planner's.

mod plan_tables;
mod plate;
mod stored;
mod svg;

pub use plan_tables::plan_tables;

use std::collections::BTreeMap;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::jobs::ReportData;
use crate::lint::rule::{Diagnostic, Severity};
use crate::lint::{LintReport, Summary, registry};
use crate::model::{ArrayInfo, Store};
use crate::plan::RechunkPlan;
use crate::profile::{Profile, Thresholds};
use crate::units::{human_bytes, plural, shape_text};
use svg::{Grids, Level, Plane, ScaleMark};

/// Everything the page shows, decided before it is drawn.
struct HtmlReport<'a> {
    /// The scanned store.
    store: &'a Store,
    /// The lint run the page reports (its profile is the page's).
    lint: &'a LintReport,
    /// The thresholds of that run.
    thresholds: &'a Thresholds,
    /// For each profile: its counts and whether the store passes it (no finding at or above the
    /// failing severity).
    profiles: &'a [(Profile, Summary, bool)],
    /// The plan of `--auto` for the whole store (`--plan-auto`).
    plan: Option<&'a RechunkPlan>,
}

/// The page of a report (see [`crate::jobs::report()`]).
#[must_use]
pub fn render(data: &ReportData) -> String {
    page(&HtmlReport {
        store: &data.audit.store,
        lint: &data.audit.lint,
        thresholds: &data.audit.settings.thresholds,
        profiles: &data.profiles,
        plan: data.plan.as_ref(),
    })
    .into_string()
}

const STYLE: &str = include_str!("report.css");

fn findings_by_path(lint: &LintReport) -> BTreeMap<&str, Vec<&Diagnostic>> {
    let mut by_path: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
    for finding in &lint.findings {
        by_path
            .entry(finding.path.as_str())
            .or_default()
            .push(finding);
    }
    by_path
}

fn page(report: &HtmlReport<'_>) -> Markup {
    let store = report.store;
    let by_path = findings_by_path(report.lint);
    let mut grids = Grids::default();
    let arrays: Vec<Markup> = store
        .arrays
        .iter()
        .map(|a| array_section(report, a, by_path.get(a.path.as_str()), &mut grids))
        .collect();
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content=(format!("zlint {}", env!("CARGO_PKG_VERSION")));
                title { "zlint report: " (report.lint.store) }
                style { (PreEscaped(STYLE)) }
            }
            // The page's style is scoped to this element: the report shown inside another page
            // (a notebook) leaves that page's style alone.
            body style="margin: 0" {
                div.zlint-report {
                    header {
                        h1 { "zlint report" }
                        p.store { code { (report.lint.store) } }
                        p.meta { "profile " strong { (report.lint.profile) } ", access "
                            (report.lint.access) " · zlint " (env!("CARGO_PKG_VERSION")) }
                    }
                    (summary(report))
                    @if !store.arrays.is_empty() { section #scale {
                        h2 { "The guidance scale" }
                        p { "Each row is an array: its read unit (what a reader decodes for one value) "
                            "and its stored object (one file or request). The shaded band is where the "
                            (report.lint.profile) " profile wants them (docs/guidance.md, “Two units”)." }
                        (legend(SCALE_LEGEND))
                        (svg::scale_chart(&scale_marks(store, &by_path), report.thresholds, &report.lint.profile.to_string()))
                    } }
                    (pyramids(store, report.lint))
                    (plates(store, report.lint))
                    @if let Some(plan) = report.plan { (plan_section(plan, &by_path)) }
                    section #arrays {
                        h2 { "Arrays (" (store.arrays.len()) ")" }
                        @if arrays.is_empty() { p { "No readable array." } }
                        @if !arrays.is_empty() { (legend(GRID_LEGEND)) }
                        @for section in &arrays { (section) }
                    }
                    @if !store.errors.is_empty() {
                        section #errors {
                            h2 { "Unreadable nodes (" (store.errors.len()) ")" }
                            ul { @for e in &store.errors { li { code { (e.to_string()) } } } }
                        }
                    }
                    (grids.definitions())
                }
            }
        }
    }
}

/// A legend: a swatch (its inline style: colours are the drawings' own) and what it means.
fn legend(items: &[(&str, &str)]) -> Markup {
    html! {
        dl.legend {
            @for (swatch, meaning) in items {
                dt { span.swatch style=(swatch) {} } dd { (meaning) }
            }
        }
    }
}

/// What the colours of the grid drawings mean.
const GRID_LEGEND: &[(&str, &str)] = &[
    ("background: #e4ecf5", "the array"),
    (
        "background: #f3c9c5",
        "padding: edge chunks past the array's end (stored and decoded, never read)",
    ),
    (
        "border-bottom: 2px solid #7f97b2",
        "chunk (read unit) boundaries",
    ),
    (
        "border-bottom: 3px solid #27415e",
        "shard (stored object) boundaries",
    ),
    ("border-left: 3px solid #b3261e", "an array with findings"),
];

/// What the marks and bands of the guidance scale mean.
const SCALE_LEGEND: &[(&str, &str)] = &[
    (
        "background: #3b6ea8",
        "read unit (chunk, or inner chunk): a square",
    ),
    (
        "background: #3b6ea8; border-radius: 50%",
        "stored object (chunk, or shard): a circle",
    ),
    ("background: #b3261e", "an array with findings"),
    (
        "background: #d8efd9",
        "the profile's window for read units and objects",
    ),
    (
        "background: #eef6ee",
        "where inner chunks of shards may lie",
    ),
    (
        "background: #f8dcda",
        "beyond the hard limit: Blosc and N5 cannot hold one chunk",
    ),
];

fn summary(report: &HtmlReport<'_>) -> Markup {
    let store = report.store;
    let formats: std::collections::BTreeSet<&str> =
        store.arrays.iter().map(|a| a.format.as_str()).collect();
    let total: u64 = store.arrays.iter().filter_map(ArrayInfo::size_bytes).sum();
    let stored: Option<u64> = store
        .arrays
        .iter()
        .map(|a| a.stored.as_ref().map(|s| s.stored_bytes))
        .sum();
    let mut by_rule: BTreeMap<(&str, &str, Severity), usize> = BTreeMap::new();
    for f in &report.lint.findings {
        *by_rule.entry((f.rule, f.name, f.severity)).or_default() += 1;
    }
    html! {
        section #summary {
            h2 { "Summary" }
            table.facts {
                tr { th { "formats" } td { (formats.into_iter().collect::<Vec<_>>().join(", ")) } }
                tr { th { "arrays" } td { (store.arrays.len()) } }
                tr { th { "groups" } td { (store.groups.len()) } }
                tr { th { "data (uncompressed)" } td { (human_bytes(total)) } }
                @if let Some(stored) = stored { tr { th { "stored" } td { (human_bytes(stored)) } } }
                tr { th { "unreadable nodes" } td { (store.errors.len()) } }
            }
            @if let Some(buckets) = store_histogram(store) {
                h3 { "Stored objects" }
                (stored::histogram(&buckets))
            }
            h3 { "Profiles" }
            table.profiles {
                tr { th { "profile" } th { "errors" } th { "warnings" } th { "info" } th { "verdict" } }
                @for (profile, counts, pass) in report.profiles {
                    tr class=(if *pass { "pass" } else { "fail" }) {
                        td { (profile) } td { (counts.errors) } td { (counts.warnings) } td { (counts.infos) }
                        td { @if *pass { "passes" } @else { "fails" } }
                    }
                }
            }
            h3 { "Findings by rule (" (report.lint.findings.len()) ")" }
            @if by_rule.is_empty() {
                p.clean { "No findings in the " (report.lint.profile) " profile." }
            } @else {
                table.rules {
                    tr { th { "rule" } th { "severity" } th { "findings" } th { "why it matters" } }
                    @for ((id, name, severity), count) in &by_rule {
                        tr class=(severity.to_string()) {
                            td { (id) " " (name) } td { (severity) } td { (count) }
                            td { @if let Some(rule) = registry::find(id) { (rule.why.for_profile(report.lint.profile)) } }
                        }
                    }
                }
            }
        }
    }
}

/// Stored object sizes of the whole store, when it was scanned deep.
fn store_histogram(store: &Store) -> Option<Vec<u64>> {
    let mut total: Vec<u64> = Vec::new();
    let mut deep = false;
    for stored in store.arrays.iter().filter_map(|a| a.stored.as_ref()) {
        deep = true;
        if total.len() < stored.size_histogram.len() {
            total.resize(stored.size_histogram.len(), 0);
        }
        for (sum, n) in total.iter_mut().zip(&stored.size_histogram) {
            *sum += n;
        }
    }
    (deep && total.iter().any(|&n| n > 0)).then_some(total)
}

fn scale_marks(store: &Store, by_path: &BTreeMap<&str, Vec<&Diagnostic>>) -> Vec<ScaleMark> {
    store
        .arrays
        .iter()
        .map(|a| ScaleMark {
            label: if a.path.is_root() {
                "/".into()
            } else {
                a.path.to_string()
            },
            read_unit: a.chunk_bytes(),
            object_unit: a.object_bytes(),
            flagged: by_path.contains_key(a.path.as_str()),
        })
        .collect()
}

fn anchor(path: &str) -> String {
    format!(
        "array-{}",
        if path.is_empty() { "root" } else { path }.replace('/', "--")
    )
}

fn array_section(
    report: &HtmlReport<'_>,
    array: &ArrayInfo,
    findings: Option<&Vec<&Diagnostic>>,
    grids: &mut Grids,
) -> Markup {
    let label = |i: usize| svg::axis_name(array, i);
    let axes: Vec<String> = (0..array.shape.len()).map(label).collect();
    let codecs: Vec<String> = array
        .codecs
        .iter()
        .map(crate::model::Codec::summary)
        .collect();
    let drawings: Vec<Markup> = svg::drawn_planes(array)
        .into_iter()
        .map(|pair| grids.drawing(&Plane::of(array, pair), 300.0, 180.0))
        .collect();
    let path = if array.path.is_root() {
        "/"
    } else {
        array.path.as_str()
    };
    html! {
        article.array.flagged[findings.is_some()] id=(anchor(array.path.as_str())) {
            h3 { code { (path) } }
            table.facts {
                tr { th { "shape" } td { (shape_text(&array.shape)) " (" (axes.join(", ")) ")" } }
                tr { th { "data type" } td { (array.dtype.name) " · " (array.format.as_str()) } }
                tr { th { "codecs" } td { (codecs.join(" → ")) } }
                tr { th { "chunks" } td { (shape_text(&array.chunk_shape))
                    @if let Some(b) = array.chunk_bytes() { " (" (human_bytes(b)) ")" } } }
                tr { th { "shards" } td { @match &array.shard_shape {
                    Some(s) => { (shape_text(s)) @if let Some(b) = array.object_bytes() { " (" (human_bytes(b)) ")" } }
                    None => { "none" }
                } } }
                tr { th { "objects" } td { (array.object_count()) } }
                @if let Some(stored) = &array.stored {
                    tr { th { "stored" } td { (stored.stored_objects) " objects, " (human_bytes(stored.stored_bytes))
                        ", " (stored.missing_objects) " missing"
                        @if let Some(r) = stored.compression_ratio { ", compression " (format!("{r:.2}")) "×" } } }
                }
            }
            div.grids {
                @for d in &drawings { (d) }
                @if let Some(stored) = &array.stored {
                    @if let Some(map) = &stored.presence {
                        (stored::presence_map(map, (svg::axis_name(array, map.axes.0), svg::axis_name(array, map.axes.1))))
                    }
                    @if stored.stored_objects > 0 { (stored::histogram(&stored.size_histogram)) }
                }
            }
            @if let Some(findings) = findings {
                ul.findings {
                    @for f in findings { (finding(report, f)) }
                }
            }
        }
    }
}

fn finding(report: &HtmlReport<'_>, f: &Diagnostic) -> Markup {
    let rule = registry::find(f.rule);
    let fix = f.recommendation.as_ref().map(|layout| match &f.blocked {
        Some(why) => why.clone(),
        None => crate::report::lint_text::fix_command(report.lint, &[f], layout),
    });
    html! {
        li class=(f.severity.to_string()) {
            span.severity { (f.severity) } " "
            strong { (f.rule) " " (f.name) } ": " (f.message)
            @if let Some(rule) = rule {
                p.why { (rule.why.for_profile(report.lint.profile)) "."
                    " " a href=(rule.guidance_uri()) { "The guidance" } }
            }
            @if let (Some(layout), Some(fix)) = (&f.recommendation, fix) {
                p.fix { "Recommended: chunks " (shape_text(&layout.chunks))
                    @if let Some(s) = &layout.shards { ", shards " (shape_text(s)) }
                    br; code { (fix) } }
            }
        }
    }
}

fn plates(store: &Store, lint: &LintReport) -> Markup {
    let plates = plate::plates(store, &lint.findings);
    html! {
        @if !plates.is_empty() {
            section #plates {
                h2 { "Plates (" (plates.len()) ")" }
                p { "Each well of a high-content-screening plate, coloured by the worst finding under it "
                    "(in the " (lint.profile) " profile); a well links to its first array." }
                @for p in &plates {
                    h3 { code { (if p.path.is_root() { "/" } else { p.path.as_str() }) }
                        @if let Some(name) = &p.name { " " (name) } }
                    (plate::plate_map(p))
                }
            }
        }
    }
}

fn pyramids(store: &Store, lint: &LintReport) -> Markup {
    let inconsistent: std::collections::BTreeSet<&str> = lint
        .findings
        .iter()
        .filter(|f| f.rule == "ZL202")
        .map(|f| f.path.as_str())
        .collect();
    let drawn: Vec<(String, Markup)> = store
        .groups
        .iter()
        .flat_map(|g| g.multiscales.iter().map(move |m| (g, m)))
        .enumerate()
        .filter_map(|(m, (group, multiscale))| {
            let levels: Vec<Level> = multiscale
                .levels
                .iter()
                .enumerate()
                .filter_map(|(i, level)| store.array(&level.path).map(|a| (i, level, a)))
                .filter_map(|(i, level, array)| {
                    let pair = svg::drawn_planes(array).into_iter().next()?;
                    Some(Level {
                        id: format!("{m}-{i}"),
                        label: level.dataset_path.clone(),
                        plane: Plane::of(array, pair),
                        inconsistent: inconsistent.contains(level.path.as_str()),
                        shape: svg::named_extents(array, &array.shape),
                        chunks: svg::named_extents(array, &array.chunk_shape),
                    })
                })
                .collect();
            (!levels.is_empty()).then(|| {
                let name = if group.path.is_root() {
                    "/".to_string()
                } else {
                    group.path.to_string()
                };
                (name, svg::pyramid(&levels))
            })
        })
        .collect();
    html! {
        @if !drawn.is_empty() {
            section #pyramids {
                h2 { "Multiscale pyramids (" (drawn.len()) ")" }
                p { "Each level at one scale, with its chunk grid; viewers want one chunk shape across levels." }
                @for (name, drawing) in &drawn {
                    h3 { code { (name) } }
                    (drawing)
                }
            }
        }
    }
}

fn plan_section(plan: &RechunkPlan, by_path: &BTreeMap<&str, Vec<&Diagnostic>>) -> Markup {
    // Every array the rewrite would change: those with findings, and those changed to match
    // them (the other levels of a pyramid, which take one chunk shape).
    let changed: Vec<_> = plan.arrays.iter().filter(|a| !a.unchanged()).collect();
    let layout = |chunks: &[u64], shards: Option<&Vec<u64>>| {
        let mut text = format!("chunks {}", shape_text(chunks));
        if let Some(s) = shards {
            text.push_str(&format!(", shards {}", shape_text(s)));
        }
        text
    };
    let peak = changed
        .iter()
        .map(|a| a.peak_memory_bytes)
        .max()
        .unwrap_or(0);
    let read: u64 = changed.iter().map(|a| a.bytes_read).sum();
    let written: u64 = changed.iter().map(|a| a.bytes_written).sum();
    html! {
        section #plan {
            h2 { "The recommended layouts (" (plural(changed.len(), "array")) " to change)" }
            @if changed.is_empty() {
                p.clean { "Every array is already in its recommended layout: "
                    code { "zlint rechunk STORE OUT --auto" } " would change nothing." }
            } @else {
                p { "What " code { "zlint rechunk STORE OUT --auto" } " would write: every array with "
                    "findings, and the arrays changed with them (a pyramid's levels keep one chunk shape)." }
                table.facts {
                    tr { th { "budget" } td { (human_bytes(plan.budget.max_mem_bytes)) " of memory for data in flight, "
                        (plural(plan.budget.threads, "thread")) " (what the plan may use)" } }
                    tr { th { "cost" } td { "peak memory " (human_bytes(peak)) ", "
                        (human_bytes(read)) " decoded, " (human_bytes(written)) " encoded (uncompressed)" } }
                }
                table.plan {
                    tr { th { "array" } th { "today" } th { "recommended" } th { "why" } th { "objects" }
                        th { "peak memory" } th { "read amplification" } }
                    @for a in &changed {
                        tr {
                            td { a href=(format!("#{}", anchor(a.path.as_str()))) { code { (if a.path.is_root() { "/" } else { a.path.as_str() }) } } }
                            td { (layout(&a.source_chunks, a.source_shards.as_ref())) }
                            td { (layout(&a.target.chunks, a.target.shards.as_ref())) }
                            td { @match by_path.get(a.path.as_str()) {
                                Some(findings) => { (plural(findings.len(), "finding")) }
                                None => { "follows the others" }
                            } }
                            td { (a.objects_before) " → " (a.objects_after) }
                            td { (human_bytes(a.peak_memory_bytes)) }
                            td { (format!("{:.2}", a.write_groups.read_amplification)) }
                        }
                    }
                }
            }
        }
    }
}
