//! ZL302 too-many-files-per-dir.

use crate::lint::rule::{Check, Finding, LintContext, Rule, Severity, Why};
use crate::model::{ArrayInfo, ChunkKeyEncoding};

pub(crate) const RULE: Rule = Rule {
    id: "ZL302",
    name: "too-many-files-per-dir",
    summary: "a directory holding more chunk files than file systems handle well",
    severity: Severity::Warning,
    deep: false,
    recommends: false,
    why: Why::Always(
        "file systems and tools slow down with the number of entries in one directory",
    ),
    check: Check::Array(check),
    explanation: r#"## What it does
Estimates the largest number of entries in one directory of the array from its metadata: all
chunks for flat keys (Zarr v2's default `.` separator, or `c.0.0` keys in Zarr v3), the chunk
count along one axis for nested keys. With `--deep`, the measured largest directory is used.
Flags more than `max-files-per-dir` (10,000).

## Why is this bad?
Large directories are slow to list and to create files in on HPC file systems (Lustre guides
advise splitting at hundreds to thousands of files). The `/` separator "decreases the maximum
number of items in hierarchical stores" (Zarr v3 chunk key encoding).

## Example
A Zarr v2 array of 200×200 chunks with the `.` separator: 40,000 files in one directory.

Use instead: the `/` separator, or Zarr v3 with shards.

## How to fix
`zlint rechunk STORE OUT --to zarr3`.

## Options
`max-files-per-dir`.

## Known limitations
Object stores have no directories; the rule is meant for file systems.
"#,
};

fn check(array: &ArrayInfo, cx: &LintContext<'_>) -> Vec<Finding> {
    let limit = cx.thresholds.max_files_per_dir;
    let flat = matches!(
        array.chunk_key_encoding,
        ChunkKeyEncoding::V2 { separator: '.' } | ChunkKeyEncoding::Default { separator: '.' }
    );
    let estimate = if flat {
        array.object_count()
    } else {
        array
            .shape
            .iter()
            .zip(array.object_shape())
            .map(|(s, c)| s.div_ceil((*c).max(1)))
            .max()
            .unwrap_or(1)
    };
    let entries = array
        .stored
        .as_ref()
        .map_or(estimate, |stored| stored.largest_dir_entries);
    if entries <= limit {
        return Vec::new();
    }
    let how = if array.stored.is_some() {
        "holds"
    } else {
        "will hold up to"
    };
    vec![
        Finding::new(
            &array.path,
            format!("one directory {how} {entries} chunk files, above max-files-per-dir = {limit}"),
        )
        .measured(entries as f64, limit as f64),
    ]
}
