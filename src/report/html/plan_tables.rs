//! A rechunk plan as HTML, a table per array (layouts, objects, write groups, memory, read
//! amplification): Python's `Plan._repr_html_` in notebooks.

use maud::{Markup, html};

use crate::plan::RechunkPlan;
use crate::units::{human_bytes, shape_text};

fn shape(extents: Option<&[u64]>) -> String {
    extents.map_or_else(|| "—".to_string(), shape_text)
}

/// The plan's tables, in one `div.chunklint-plan`.
#[must_use]
pub fn plan_tables(plan: &RechunkPlan) -> String {
    let tables: Vec<Markup> = plan
        .arrays
        .iter()
        .map(|a| {
            let groups = &a.write_groups;
            let method = if a.repack {
                "repack (encoded chunks moved)"
            } else if a.intermediate.is_some() {
                "two passes"
            } else {
                "decode and encode"
            };
            html! {
                table {
                    caption { (if a.path.is_root() { "/" } else { a.path.as_str() }) }
                    tr { th { "shape" } td { (shape_text(&a.shape)) " " (a.dtype) } }
                    tr { th { "layout" } td {
                        "chunks " (shape_text(&a.source_chunks)) ", shards " (shape(a.source_shards.as_deref()))
                        " (" (a.source_format.as_str()) ") → chunks " (shape_text(&a.target.chunks))
                        ", shards " (shape(a.target.shards.as_deref())) " (" (a.target_format.as_str()) ")"
                    } }
                    tr { th { "objects" } td { (a.objects_before) " → " (a.objects_after) } }
                    tr { th { "write groups" } td {
                        (groups.count) " of " (shape_text(&groups.group_shape)) " ("
                        (human_bytes(groups.group_bytes)) "), " (a.concurrent_groups) " at once"
                    } }
                    tr { th { "peak memory" } td { (human_bytes(a.peak_memory_bytes)) } }
                    tr { th { "read amplification" } td {
                        (format!("{:.2}", groups.read_amplification)) @if groups.aligned { " (aligned)" }
                    } }
                    tr { th { "method" } td { (method) } }
                    @for note in &a.notes { tr { th { "note" } td { (note) } } }
                }
            }
        })
        .collect();
    html! {
        div.chunklint-plan {
            p { b { (plan.source) } " → " b { (plan.target) } ": " (plan.arrays.len()) " arrays, "
                (human_bytes(plan.budget.max_mem_bytes)) " memory for data in flight on "
                (plan.budget.threads) " threads" }
            @for table in &tables { (table) }
        }
    }
    .into_string()
}
