//! ZL301 uncompressed.

use crate::lint::rule::{Check, Finding, LintContext, Rule, Severity, Why};
use crate::model::ArrayInfo;
use crate::profile::Profile;
use crate::units::human_bytes;

pub(crate) const RULE: Rule = Rule {
    id: "ZL301",
    name: "uncompressed",
    summary: "a large array stored without compression",
    severity: Severity::Info,
    deep: false,
    recommends: false,
    why: Why::Always(
        "compression usually halves such data, saving storage, transfer and read time",
    ),
    check: Check::Array(check),
    explanation: r#"## What it does
Finds arrays larger than `uncompressed-max-bytes` (64 MiB) with no compressor (Zarr v2
`compressor: null`, no bytes-to-bytes codec in Zarr v3, N5 `raw`). Info; a warning in the cloud
profile, where every byte is transferred.

## Why is this bad?
Microscopy and label data often compress several-fold (masks by 86–96 %); uncompressed stores
cost storage, transfer and read time.

## Example
A 10 GiB uint16 volume stored raw.

Use instead: zstd (level 3) or Blosc with zstd or lz4 and shuffle.

## How to fix
`zlint rechunk STORE OUT --codec zstd:3`.

## Options
`uncompressed-max-bytes`.

## Known limitations
Random-looking data (noise, encrypted) does not compress; then storing it raw is right.
"#,
};

fn check(array: &ArrayInfo, cx: &LintContext<'_>) -> Vec<Finding> {
    let limit = cx.thresholds.uncompressed_max_bytes;
    let Some(size) = array.size_bytes() else {
        return Vec::new();
    };
    if array.is_compressed() || size <= limit {
        return Vec::new();
    }
    let severity = cx.warning_in(Profile::Cloud);
    vec![
        Finding::new(
            &array.path,
            format!(
                "{} stored without compression, above the {} limit (uncompressed-max-bytes)",
                human_bytes(size),
                human_bytes(limit)
            ),
        )
        .measured(size as f64, limit as f64)
        .severity(severity),
    ]
}
