//! ZL502 mixed-zarr-versions.

use crate::lint::rule::{Check, Finding, LintContext, Rule, Severity, Why};
use crate::model::Store;

pub(crate) const RULE: Rule = Rule {
    id: "ZL502",
    name: "mixed-zarr-versions",
    summary: "Zarr v2 and Zarr v3 metadata side by side in one node",
    severity: Severity::Warning,
    deep: false,
    recommends: false,
    why: Why::Always("Zarr v2 and v3 readers see different metadata for the same node"),
    check: Check::Store(check),
    explanation: r#"## What it does
Finds nodes that hold a Zarr v3 `zarr.json` and Zarr v2 metadata (`.zgroup`, `.zarray` or
`.zattrs`) at once, as an in-place conversion from Zarr v2 to v3 leaves them (ome-zarr-py 0.18
does). The message names the Zarr v2 documents and the attributes `.zattrs` holds that
`zarr.json` lacks (OME-NGFF metadata compared in its Zarr v3 form, under `ome`).

## Why is this bad?
Readers disagree on what the node is. Zarr v3 readers (zarr-python 3, which warns about it,
tensorstore's `zarr3` driver, zlint) read `zarr.json`; Zarr v2 readers (zarr-python 2, older
viewers) read the others. When the two differ, each sees a different image: an OME-NGFF image
whose axes are only in `.zattrs` has none for a Zarr v3 reader, and zlint then judges its
channel axis as a spatial one.

## Example
An image group with `zarr.json` (no attributes) beside `.zgroup` and a `.zattrs` holding OME-NGFF
0.4 `multiscales`.

## How to fix
Keep one version: delete the Zarr v2 documents once `zarr.json` holds everything (move missing
attributes into it first), or rewrite the hierarchy with `zlint rechunk`, which writes one
version and migrates OME-NGFF metadata.

## Options
None.

## Known limitations
Only the node's own documents are compared; chunk keys of the two versions are not checked.
"#,
};

fn check(store: &Store, _cx: &LintContext<'_>) -> Vec<Finding> {
    store
        .mixed_metadata
        .iter()
        .map(|mixed| {
            let documents = mixed.zarr2_documents.join(", ");
            let differs = if mixed.attributes_only_in_zarr2.is_empty() {
                String::new()
            } else {
                format!(
                    "; .zattrs holds {} that zarr.json lacks, so Zarr v3 readers miss {}",
                    mixed.attributes_only_in_zarr2.join(", "),
                    if mixed.attributes_only_in_zarr2.len() == 1 {
                        "it"
                    } else {
                        "them"
                    }
                )
            };
            Finding::new(
                &mixed.node,
                format!(
                    "Zarr v3 zarr.json beside Zarr v2 {documents}: Zarr v3 readers (zarr-python 3, tensorstore's zarr3 driver, zlint) read zarr.json, Zarr v2 readers the others{differs}"
                ),
            )
        })
        .collect()
}
