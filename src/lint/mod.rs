//! The linter: runs the rules over a scanned store and collects diagnostics.
//!
//! Rules are pure functions of the model. The driver decides which rules run (`--select`,
//! `--ignore`, per-path overrides), applies severities from the configuration, attaches the
//! recommended layout, and sorts the result by (path, rule).

pub mod registry;
pub mod rule;
mod rules;
pub mod settings;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::layout::{Layout, axis_roles};
use crate::model::{NodePath, Store};
use crate::plan::{LayoutRequest, recommend};
use rule::{Check, Diagnostic, Finding, LintContext, Rule, Severity};
pub use settings::Settings;

/// The result of linting a store.
#[derive(Clone, Debug, Serialize)]
pub struct LintReport {
    /// The store location.
    pub store: String,
    /// The profile in force.
    pub profile: crate::profile::Profile,
    /// The access pattern in force.
    pub access: crate::profile::Access,
    /// Findings, sorted by path then rule ID.
    pub findings: Vec<Diagnostic>,
    /// Counts.
    pub summary: Summary,
}

/// Counts of a lint run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Arrays checked.
    pub arrays: usize,
    /// Groups checked.
    pub groups: usize,
    /// Findings of severity error.
    pub errors: usize,
    /// Findings of severity warning.
    pub warnings: usize,
    /// Findings of severity info.
    pub infos: usize,
}

impl LintReport {
    /// The most severe finding, if any.
    #[must_use]
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|d| d.severity).max()
    }

    /// Whether a finding reaches `fail_on`: the run fails.
    #[must_use]
    pub fn fails(&self, fail_on: Severity) -> bool {
        self.worst().is_some_and(|worst| worst >= fail_on)
    }
}

/// Whether `rule` is selected by `select` (all when empty) and not ignored. Entries are rule IDs,
/// ID prefixes (`ZL2`), rule names, or `ALL`.
#[must_use]
pub fn is_selected(rule: &Rule, select: &[String], ignore: &[String]) -> bool {
    let matches = |entry: &String| {
        entry.eq_ignore_ascii_case("ALL")
            || rule.id.starts_with(&entry.to_ascii_uppercase())
            || rule.name == entry
    };
    (select.is_empty() || select.iter().any(matches)) && !ignore.iter().any(matches)
}

/// Lints `store` with `settings`.
#[must_use]
pub fn lint(store: &Store, settings: &Settings) -> LintReport {
    let cx = LintContext {
        store,
        profile: settings.profile,
        access: settings.access,
        thresholds: &settings.thresholds,
    };
    let mut findings = Vec::new();
    for rule in registry::RULES {
        if !is_selected(rule, &settings.select, &settings.ignore) {
            continue;
        }
        let found: Vec<Finding> = match rule.check {
            Check::Array(check) => store.arrays.iter().flat_map(|a| check(a, &cx)).collect(),
            Check::Group(check) => store.groups.iter().flat_map(|g| check(g, &cx)).collect(),
            Check::Store(check) => check(store, &cx),
        };
        for finding in found {
            if settings.ignored_at(rule, &finding.path) {
                continue;
            }
            let severity = settings
                .severities
                .get(rule.id)
                .copied()
                .or(finding.severity)
                .unwrap_or(rule.severity);
            findings.push(Diagnostic {
                rule: rule.id,
                name: rule.name,
                severity,
                file: metadata_file(store, &finding.path),
                path: finding.path,
                message: finding.message,
                measured: finding.measured,
                threshold: finding.threshold,
                recommendation: None,
                blocked: None,
            });
        }
    }
    attach_recommendations(store, settings, &mut findings);
    findings.sort_by(|a, b| a.path.cmp(&b.path).then(a.rule.cmp(b.rule)));
    let count = |s: Severity| findings.iter().filter(|d| d.severity == s).count();
    let summary = Summary {
        arrays: store.arrays.len(),
        groups: store.groups.len(),
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        infos: count(Severity::Info),
    };
    LintReport {
        store: store.location.clone(),
        profile: settings.profile,
        access: settings.access,
        findings,
        summary,
    }
}

/// For a level of a multiscale image: the layout of another level, clipped, when it suits this
/// one, so one chunk shape serves the whole pyramid.
fn pyramid_layout(
    store: &Store,
    array: &crate::model::ArrayInfo,
    request: &LayoutRequest<'_>,
) -> Option<Layout> {
    let levels: Vec<Layout> = store
        .multiscale_of(&array.path)?
        .levels
        .iter()
        .filter(|level| level.path != array.path)
        .filter_map(|level| store.array(&level.path))
        .map(|other| Layout {
            chunks: other.chunk_shape.clone(),
            shards: other.shard_shape.clone(),
        })
        .collect();
    crate::plan::reuse_layout(request, &levels)
}

/// The metadata file of the node at `path`, relative to the store root.
fn metadata_file(store: &Store, path: &NodePath) -> String {
    let file = match store.array(path) {
        Some(array) => Some(array.format.array_metadata_file()),
        None => store
            .group(path)
            .filter(|g| !g.implicit)
            .map(|g| g.format.group_metadata_file()),
    };
    match (path.is_root(), file) {
        (true, Some(file)) => file.to_string(),
        (true, None) => ".".to_string(),
        (false, Some(file)) => format!("{}/{file}", path.as_str()),
        (false, None) => path.as_str().to_string(),
    }
}

fn attach_recommendations(store: &Store, settings: &Settings, findings: &mut [Diagnostic]) {
    let mut cache: BTreeMap<NodePath, Option<Layout>> = BTreeMap::new();
    for diagnostic in findings.iter_mut() {
        let recommends = registry::find(diagnostic.rule).is_some_and(|r| r.recommends);
        if !recommends {
            continue;
        }
        let Some(array) = store.array(&diagnostic.path) else {
            continue;
        };
        diagnostic.recommendation = cache
            .entry(diagnostic.path.clone())
            .or_insert_with(|| {
                let roles = axis_roles(array);
                let request = LayoutRequest::for_array(
                    array,
                    &roles,
                    settings.profile,
                    settings.access,
                    &settings.thresholds,
                )?;
                Some(pyramid_layout(store, array, &request).unwrap_or_else(|| recommend(&request)))
            })
            .clone();
        if diagnostic.recommendation.is_some() {
            diagnostic.blocked = crate::plan::carried_arrays::undecodable(array)
                .map(|why| format!("zlint cannot rewrite this array: {why}"));
        }
    }
}
