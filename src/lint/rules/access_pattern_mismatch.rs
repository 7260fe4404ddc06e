//! ZL203 access-pattern-mismatch.

use crate::layout::{AccessMismatch, LayoutView, axis_roles};
use crate::lint::rule::{Check, Finding, LintContext, Rule, Severity, Why};
use crate::model::ArrayInfo;
use crate::units::human_bytes;

pub(crate) const RULE: Rule = Rule {
    id: "ZL203",
    name: "access-pattern-mismatch",
    summary: "a chunk shape that fights the way the data is read",
    severity: Severity::Warning,
    deep: false,
    recommends: true,
    why: Why::Always(
        "the common read then touches many chunks or decodes far more than it returns",
    ),
    check: Check::Array(check),
    explanation: r#"## What it does
Always: finds degenerate chunks, with an extent of 1 along an axis of 64 or more while the
chunk is below `chunk-min-bytes`. With `--access volume`: spatial chunk extents whose ratio
exceeds `max-aspect-ratio` (64:1). With `--access plane`: chunks that split a Y–X plane that
would fit the target. Time and channel axes of 1 are the norm and never flagged.
Later levels of a multiscale pyramid chunked as its first level (clipped to their shape) are
judged through the first level: one chunk shape across a pyramid is what viewers want.

## Why is this bad?
A Z chunk of 1 on a 1,187-plane stack (iohub #374) or 1-pixel chunks (acquire-zarr #184) make
every read touch thousands of objects; plane chunks read for volumes decode 64 planes per block.

## Example
A 2048×2048×2048 uint8 volume chunked 1×64×64 (4 KiB).

Use instead: 128×128×128 for volume access.

## How to fix
`zlint rechunk STORE OUT --auto --access volume`.

## Options
`max-aspect-ratio`, `chunk-min-bytes`.

## Known limitations
Append-only axes may be chunked thinly on purpose; ignore them with a per-path override.
"#,
};

fn check(array: &ArrayInfo, cx: &LintContext<'_>) -> Vec<Finding> {
    let t = cx.thresholds;
    // A later pyramid level chunked as the first level is: judged through the first level.
    if cx.store.follows_first_level(array) {
        return Vec::new();
    }
    let roles = axis_roles(array);
    let Some(view) = LayoutView::of_array(array, &roles) else {
        return Vec::new();
    };
    let Some(mismatch) = view.access_mismatch(cx.access, t) else {
        return Vec::new();
    };
    let finding = match mismatch {
        AccessMismatch::Degenerate { axes } => {
            let axes: Vec<String> = axes.iter().map(|&i| array.axis_label(i)).collect();
            let bytes = view.chunk_bytes();
            Finding::new(
                &array.path,
                format!(
                    "chunk extent 1 along {} of length ≥ 64, with {} chunks, below the {} floor (chunk-min-bytes)",
                    axes.join(", "),
                    human_bytes(bytes),
                    human_bytes(t.chunk_min_bytes)
                ),
            )
            .measured(bytes as f64, t.chunk_min_bytes as f64)
        }
        AccessMismatch::AspectRatio { ratio } => Finding::new(
            &array.path,
            format!(
                "spatial chunk aspect ratio {ratio}:1 for volume access, above the {}:1 limit (max-aspect-ratio)",
                t.max_aspect_ratio
            ),
        )
        .measured(ratio as f64, t.max_aspect_ratio as f64),
        AccessMismatch::PlaneSplit {
            plane_bytes,
            chunks_per_plane,
        } => Finding::new(
            &array.path,
            format!(
                "a {} plane is split into {chunks_per_plane} chunks for plane access",
                human_bytes(plane_bytes)
            ),
        )
        .measured(chunks_per_plane as f64, 1.0),
    };
    vec![finding]
}
