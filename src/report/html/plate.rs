//! The plate map of an OME-NGFF high-content-screening plate: one cell per well, in the plate's
//! rows and columns, coloured by the worst finding under that well, so a 96-well plate is one
//! picture rather than 96 repeated sections.

use maud::{Markup, html};
use serde_json::Value;

use super::anchor;
use crate::lint::rule::{Diagnostic, Severity};
use crate::model::{NodePath, Store, ome_value};
use crate::units::plural;

/// The most rows or columns drawn: a plate's metadata is the store's word, and 1536-well
/// plates (32 × 48) are the largest made.
const MAX_SIDE: usize = 128;

/// A well's verdict, the worst first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Verdict {
    /// Unreadable metadata under it.
    Unreadable,
    /// Its worst finding is an error.
    Error,
    /// Its worst finding is a warning.
    Warning,
    /// Its worst finding is informational.
    Info,
    /// No finding.
    Clean,
    /// Declared by the plate, with no array under it.
    Absent,
}

impl Verdict {
    fn of(severity: Severity) -> Self {
        match severity {
            Severity::Error => Self::Error,
            Severity::Warning => Self::Warning,
            Severity::Info => Self::Info,
        }
    }

    /// Its colour (an attribute, as in every drawing of the page) and its name.
    fn colour(self) -> (&'static str, &'static str) {
        match self {
            Self::Unreadable => ("#5c1410", "unreadable"),
            Self::Error => ("#b3261e", "error"),
            Self::Warning => ("#e9a23b", "warning"),
            Self::Info => ("#8fb3de", "info"),
            Self::Clean => ("#7cbf83", "clean"),
            Self::Absent => ("#e6e9ed", "no array"),
        }
    }
}

/// One well of a plate.
struct Well {
    row: usize,
    column: usize,
    path: NodePath,
    verdict: Verdict,
    findings: usize,
    /// The first array under it, for the link.
    first_array: Option<String>,
}

/// A plate as the page draws it.
pub(super) struct Plate {
    /// The plate group's path.
    pub path: NodePath,
    /// The plate's `name`, when it has one.
    pub name: Option<String>,
    rows: Vec<String>,
    columns: Vec<String>,
    wells: Vec<Well>,
}

fn names(list: Option<&Value>) -> Vec<String> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|item| {
            item.get("name")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string()
        })
        .collect()
}

/// Every plate of `store`, with its wells' verdicts from `findings`.
pub(super) fn plates(store: &Store, findings: &[Diagnostic]) -> Vec<Plate> {
    store
        .groups
        .iter()
        .filter_map(|group| {
            let plate = ome_value(&group.attributes, "plate")?;
            let rows = names(plate.get("rows"));
            let columns = names(plate.get("columns"));
            if rows.is_empty() || columns.is_empty() {
                return None;
            }
            let wells = plate
                .get("wells")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|well| {
                    let index = |key: &str| usize::try_from(well.get(key)?.as_u64()?).ok();
                    let (row, column) = (index("rowIndex")?, index("columnIndex")?);
                    let path = well.get("path")?.as_str()?;
                    (row < rows.len() && column < columns.len() && !path.contains(".."))
                        .then(|| judge(store, findings, group.path.join(path), (row, column)))
                })
                .collect();
            Some(Plate {
                path: group.path.clone(),
                name: plate
                    .get("name")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                rows,
                columns,
                wells,
            })
        })
        .collect()
}

/// Whether `path` is `well` or below it.
fn under(path: &NodePath, well: &NodePath) -> bool {
    path == well
        || path
            .as_str()
            .strip_prefix(well.as_str())
            .is_some_and(|rest| rest.starts_with('/'))
}

fn judge(
    store: &Store,
    findings: &[Diagnostic],
    path: NodePath,
    (row, column): (usize, usize),
) -> Well {
    let here: Vec<&Diagnostic> = findings.iter().filter(|f| under(&f.path, &path)).collect();
    let first_array = store
        .arrays
        .iter()
        .find(|a| under(&a.path, &path))
        .map(|a| a.path.to_string());
    let verdict = if store.errors.iter().any(|e| under(&e.node, &path)) {
        Verdict::Unreadable
    } else if let Some(worst) = here.iter().map(|f| Verdict::of(f.severity)).min() {
        worst
    } else if first_array.is_some() {
        Verdict::Clean
    } else {
        Verdict::Absent
    };
    Well {
        row,
        column,
        path,
        verdict,
        findings: here.len(),
        first_array,
    }
}

/// The plate's map: wells as cells under column names, beside row names, each a link to the
/// well's first array, with a legend and the count of each verdict.
pub(super) fn plate_map(plate: &Plate) -> Markup {
    let cell = 22.0;
    let (rows, columns) = (
        plate.rows.len().min(MAX_SIDE),
        plate.columns.len().min(MAX_SIDE),
    );
    let (left, top) = (30.0, 20.0);
    let (w, h) = (left + cell * columns as f64, top + cell * rows as f64);
    let mut counts = std::collections::BTreeMap::new();
    for well in &plate.wells {
        *counts.entry(well.verdict).or_insert(0usize) += 1;
    }
    let title = plate.name.as_deref().unwrap_or(plate.path.as_str());
    html! {
        figure.plate {
            svg.chart.plate role="img" width=(w) height=(h) viewBox=(format!("0 0 {w} {h}"))
                aria-label=(format!("plate {title}: {} wells coloured by their worst finding", plate.wells.len())) {
                title { "plate " (title) ": wells coloured by their worst finding" }
                @for (c, name) in plate.columns.iter().take(columns).enumerate() {
                    text.column x=(left + cell * (c as f64 + 0.5)) y=(top - 6.0)
                        text-anchor="middle" font-size="11" fill="#5d6773" { (name) }
                }
                @for (r, name) in plate.rows.iter().take(rows).enumerate() {
                    text.row x=(left - 6.0) y=(top + cell * (r as f64 + 0.5) + 4.0)
                        text-anchor="end" font-size="11" fill="#5d6773" { (name) }
                }
                @for well in plate.wells.iter().filter(|w| w.row < rows && w.column < columns) {
                    @let (fill, verdict) = well.verdict.colour();
                    @let rect = html! {
                        rect class=(format!("well {verdict}")) x=(left + cell * well.column as f64 + 1.0)
                            y=(top + cell * well.row as f64 + 1.0) width=(cell - 2.0) height=(cell - 2.0)
                            rx="3" fill=(fill) {
                            title { (well.path) ": " (verdict)
                                @if well.findings > 0 { ", " (plural(well.findings, "finding")) } }
                        }
                    };
                    @match &well.first_array {
                        Some(array) => { a href=(format!("#{}", anchor(array))) { (rect) } }
                        None => { (rect) }
                    }
                }
            }
            figcaption {
                (plural(plate.wells.len(), "well")) ": "
                @for (i, (verdict, n)) in counts.iter().enumerate() {
                    @if i > 0 { ", " }
                    span.swatch style=(format!("background: {}", verdict.colour().0)) {} " "
                    (n) " " (verdict.colour().1)
                }
                @if rows < plate.rows.len() || columns < plate.columns.len() {
                    " (the first " (rows) " rows and " (columns) " columns drawn)"
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_well_holds_its_own_paths_only() {
        let well = NodePath::new("plate/A/1");
        assert!(under(&NodePath::new("plate/A/1"), &well));
        assert!(under(&NodePath::new("plate/A/1/0/0"), &well));
        assert!(!under(&NodePath::new("plate/A/10/0"), &well));
    }

    #[test]
    fn the_worst_verdict_sorts_first() {
        assert!(Verdict::Unreadable < Verdict::Error);
        assert!(Verdict::of(Severity::Error) < Verdict::of(Severity::Warning));
        assert!(Verdict::Info < Verdict::Clean);
    }
}
