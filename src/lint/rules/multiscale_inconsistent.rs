//! ZL202 multiscale-inconsistent.

use crate::lint::rule::{Check, Finding, LintContext, Rule, Severity, Why};
use crate::model::{ArrayInfo, GroupInfo};
use crate::units::shape_text;

pub(crate) const RULE: Rule = Rule {
    id: "ZL202",
    name: "multiscale-inconsistent",
    summary: "levels of one OME-Zarr multiscale image that disagree with each other",
    severity: Severity::Warning,
    deep: false,
    recommends: false,
    why: Why::Always(
        "viewers expect one chunk shape across a pyramid, and a level chunked otherwise is slow to browse",
    ),
    check: Check::Group(check),
    explanation: r#"## What it does
For each OME-NGFF multiscale image, checks its levels against each other: a declared level
that does not exist (error), levels of different rank or data type (error), levels not ordered
from largest to smallest (error), and chunk shapes or codecs that differ other than by clipping
to a smaller level's shape (warning). Findings about one level are reported at that level's
path; a missing level at the group's.

## Why is this bad?
The NGFF specification requires every level to exist with the same axes, ordered from the
highest resolution down. Viewers and converters (ngff-zarr, bioformats2raw, webKnossos) use one
chunk shape for all levels; a level chunked differently reads at a different cost and usually
means one level was written by another tool or by mistake.

## Example
Levels chunked 64×64×64, 64×64×64 and 1×512×512.

Use instead: 64×64×64 on every level (clipped to small levels).

## How to fix
`zlint rechunk STORE OUT --auto` rewrites all levels with one chunk shape.

## Options
None.

## Known limitations
Only the first level's layout is taken as the reference.
"#,
};

fn check(group: &GroupInfo, cx: &LintContext<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for ms in &group.multiscales {
        let levels: Vec<(&str, Option<&ArrayInfo>)> = ms
            .levels
            .iter()
            .map(|l| (l.path.as_str(), cx.store.array(&l.path)))
            .collect();
        for (path, array) in &levels {
            if array.is_none() {
                findings.push(
                    Finding::new(
                        &group.path,
                        format!("level `{path}` is declared but missing"),
                    )
                    .severity(Severity::Error),
                );
            }
        }
        let present: Vec<(&str, &ArrayInfo)> = levels
            .iter()
            .filter_map(|(p, a)| a.map(|a| (*p, a)))
            .collect();
        let Some((_, first)) = present.first() else {
            continue;
        };
        for pair in present.windows(2) {
            let ((_, big), (path, small)) = (pair[0], pair[1]);
            let level_path = &small.path;
            let grows = small.shape.len() == big.shape.len()
                && small.shape.iter().zip(&big.shape).any(|(s, b)| s > b);
            if grows {
                findings.push(
                    Finding::new(
                        level_path,
                        format!("level `{path}` is larger than the level before it"),
                    )
                    .severity(Severity::Error),
                );
            }
        }
        for (path, level) in present.iter().skip(1) {
            if level.shape.len() != first.shape.len() || level.dtype != first.dtype {
                findings.push(
                    Finding::new(
                        &level.path,
                        format!(
                            "level `{path}` is {} {} but the first level is {} {}",
                            level.shape.len(),
                            level.dtype.name,
                            first.shape.len(),
                            first.dtype.name
                        ),
                    )
                    .severity(Severity::Error),
                );
                continue;
            }
            let expected: Vec<u64> = first
                .chunk_shape
                .iter()
                .zip(&level.shape)
                .map(|(&c, &s)| c.min(s))
                .collect();
            let clipped_level: Vec<u64> = level
                .chunk_shape
                .iter()
                .zip(&level.shape)
                .map(|(&c, &s)| c.min(s))
                .collect();
            if clipped_level != expected {
                findings.push(Finding::new(
                    &level.path,
                    format!(
                        "level `{path}` is chunked {} where the first level's chunk shape, cut to this level's size, is {}",
                        shape_text(&level.chunk_shape),
                        shape_text(&expected)
                    ),
                ));
            }
            if level.shard_shape.is_some() != first.shard_shape.is_some()
                || level.codecs != first.codecs
            {
                findings.push(Finding::new(
                    &level.path,
                    format!("level `{path}` is encoded differently from the first level"),
                ));
            }
        }
    }
    findings
}
