//! Every rule, in ID order. IDs are never renumbered or reused: a retired rule moves to
//! [`RETIRED`] with the version and the reason.

use super::rule::Rule;
use super::rules::{
    access_pattern_mismatch, chunk_exceeds_shape, chunk_too_large, chunk_too_small, edge_waste,
    inner_chunk_too_small, label_pyramid_mismatch, metadata_invalid, missing_multiscale,
    mixed_zarr_versions, multiscale_inconsistent, no_consolidated_metadata, ome_axis_order,
    ome_metadata_invalid, shard_misaligned, siblings_misaligned, sparse_chunks, stray_objects,
    tiny_stored_objects, too_few_chunks, too_many_chunks, too_many_files_per_dir, uncompressed,
};

/// The rules, sorted by ID.
pub static RULES: &[Rule] = &[
    chunk_too_small::RULE,
    chunk_too_large::RULE,
    inner_chunk_too_small::RULE,
    too_many_chunks::RULE,
    too_few_chunks::RULE,
    chunk_exceeds_shape::RULE,
    edge_waste::RULE,
    shard_misaligned::RULE,
    multiscale_inconsistent::RULE,
    access_pattern_mismatch::RULE,
    siblings_misaligned::RULE,
    missing_multiscale::RULE,
    ome_axis_order::RULE,
    label_pyramid_mismatch::RULE,
    uncompressed::RULE,
    too_many_files_per_dir::RULE,
    no_consolidated_metadata::RULE,
    sparse_chunks::RULE,
    tiny_stored_objects::RULE,
    stray_objects::RULE,
    metadata_invalid::RULE,
    mixed_zarr_versions::RULE,
    ome_metadata_invalid::RULE,
];

/// Retired rule IDs: (ID, version retired in, reason). None yet.
pub static RETIRED: &[(&str, &str, &str)] = &[];

/// The rule with this ID or name (case-insensitive), if any.
#[must_use]
pub fn find(id_or_name: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(id_or_name) || r.name == id_or_name)
}

/// Whether `entry` selects rules (in `select`, `ignore` or an override's `ignore`): `ALL`, a
/// rule ID or ID prefix (`ZL1`), or a rule name.
#[must_use]
pub fn is_known_selector(entry: &str) -> bool {
    entry.eq_ignore_ascii_case("ALL")
        || RULES
            .iter()
            .any(|r| r.id.starts_with(&entry.to_ascii_uppercase()) || r.name == entry)
}

/// The rule ID or name closest to a misspelled `entry` (`ZL1O1`, `chunk-to-small`), when one is
/// close enough to be meant: at most two edits away, or one for a word of four characters or
/// fewer.
#[must_use]
pub fn suggest(entry: &str) -> Option<&'static str> {
    let entry_upper = entry.to_ascii_uppercase();
    let candidates = RULES.iter().flat_map(|r| [r.id, r.name]);
    closest(&entry_upper, entry, candidates)
}

/// The candidate closest to `entry` (compared as typed, and upper-cased for IDs), if close
/// enough (see [`suggest`]).
pub(crate) fn closest<'a>(
    upper: &str,
    entry: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = if entry.chars().count() <= 4 { 1 } else { 2 };
    candidates
        .map(|c| {
            let distance =
                strsim::damerau_levenshtein(entry, c).min(strsim::damerau_levenshtein(upper, c));
            (distance, c)
        })
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// " (did you mean `X`?)" for a misspelled rule, or nothing.
#[must_use]
pub fn did_you_mean(entry: &str) -> String {
    suggest(entry).map_or_else(String::new, |s| format!("; did you mean `{s}`?"))
}

/// The rule table of docs/lint.md, generated from the registry (a test checks docs/lint.md holds
/// it).
#[must_use]
pub fn markdown_table() -> String {
    let mut out = String::from("| ID | name | default severity | checks |\n|---|---|---|---|\n");
    for rule in RULES {
        let deep = if rule.deep { " (`--deep`)" } else { "" };
        out.push_str(&format!(
            "| [{id}](rules/{id}.md) | `{}` | {} | {}{deep} |\n",
            rule.name,
            rule.severity,
            rule.summary,
            id = rule.id,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADINGS: &[&str] = &[
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## How to fix",
        "## Options",
        "## Known limitations",
    ];

    #[test]
    fn ids_are_unique_sorted_and_in_their_family() {
        for pair in RULES.windows(2) {
            assert!(
                pair[0].id < pair[1].id,
                "{} before {}",
                pair[0].id,
                pair[1].id
            );
        }
        for rule in RULES {
            assert!(
                rule.id.starts_with("ZL") && rule.id.len() == 5,
                "{}",
                rule.id
            );
            assert!(!RETIRED.iter().any(|(id, _, _)| *id == rule.id));
        }
    }

    #[test]
    fn names_are_kebab_case_and_match_their_module() {
        for rule in RULES {
            assert!(
                rule.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                rule.name
            );
            let module = rule.name.replace('-', "_");
            let path = format!("{}/src/lint/rules/{module}.rs", env!("CARGO_MANIFEST_DIR"));
            assert!(std::path::Path::new(&path).exists(), "{path}");
        }
    }

    #[test]
    fn every_explanation_has_every_heading() {
        for rule in RULES {
            for heading in HEADINGS {
                assert!(
                    rule.explanation.contains(heading),
                    "{} lacks {heading}",
                    rule.id
                );
            }
        }
    }
}
