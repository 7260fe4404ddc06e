//! Drawings of what a deep scan found: stored object sizes and where objects are missing.

use maud::{Markup, html};

use super::svg::px;
use crate::model::Presence;
use crate::units::human_bytes;

/// Stored objects by size: one bar per power of two (the scan's `size_histogram`).
pub(super) fn histogram(buckets: &[u64]) -> Markup {
    let first = buckets.iter().position(|&n| n > 0).unwrap_or(0);
    let shown = &buckets[first.min(buckets.len())..];
    let top = shown.iter().copied().max().unwrap_or(0).max(1) as f64;
    let (bar, height) = (14.0, 70.0);
    let width = bar * shown.len().max(1) as f64;
    let label = |i: usize| human_bytes(1u64 << (first + i).min(63));
    html! {
        figure.histogram {
            svg.chart.histogram width=(width + 2.0) height=(height + 18.0) {
                title { "stored objects by size, from " (label(0)) " (each bar: up to twice its size)" }
                @for (i, &n) in shown.iter().enumerate() {
                    @let h = if n == 0 { 0.0 } else { px((n as f64 / top * height).max(1.5)) };
                    rect.bar x=(px(i as f64 * bar + 1.0)) y=(px(height - h)) width=(bar - 2.0) height=(h) {
                        title { (n) " objects of " (label(i)) " to " (human_bytes(1u64 << (first + i + 1).min(63))) }
                    }
                }
                line.axis x1="0" x2=(width) y1=(height + 0.5) y2=(height + 0.5) {}
                text.tick x="0" y=(height + 14.0) { (label(0)) }
                @if shown.len() > 3 {
                    text.tick.end x=(width) y=(height + 14.0) { (label(shown.len() - 1)) }
                }
            }
            figcaption { "stored object sizes" }
        }
    }
}

/// The map of missing chunks: the image plane of the object grid, each cell blue when all its
/// objects are stored, orange when some are, red when none is. Rows are drawn as runs of equal
/// cells, so a complete array costs one rectangle.
pub(super) fn presence_map(map: &Presence, names: (String, String)) -> Markup {
    let side = (240.0 / map.cols.max(1) as f64)
        .min(160.0 / map.rows.max(1) as f64)
        .clamp(1.0, 12.0);
    let (w, h) = (px(side * map.cols as f64), px(side * map.rows as f64));
    let state = |i: usize| match (map.stored.get(i), map.capacity.get(i)) {
        (Some(&s), Some(&c)) if s >= c => 0,
        (Some(0), _) | (None, _) => 2,
        _ => 1,
    };
    let mut runs: Vec<(u64, u64, u64, u8)> = Vec::new(); // row, first column, length, state
    for r in 0..map.rows {
        for c in 0..map.cols {
            let s = state(usize::try_from(r * map.cols + c).unwrap_or(usize::MAX));
            match runs.last_mut() {
                Some(run) if run.0 == r && run.3 == s && run.1 + run.2 == c => run.2 += 1,
                _ => runs.push((r, c, 1, s)),
            }
        }
    }
    let missing: u64 = map.capacity.iter().sum::<u64>()
        - map
            .stored
            .iter()
            .sum::<u64>()
            .min(map.capacity.iter().sum());
    html! {
        figure.presence {
            svg.chart.presence width=(w + 2.0) height=(h + 2.0) viewBox=(format!("-1 -1 {} {}", w + 2.0, h + 2.0)) {
                title { (missing) " of " (map.capacity.iter().sum::<u64>()) " objects missing; a cell holds "
                    (map.cell.0) " × " (map.cell.1) " grid positions of the plane" }
                rect.all x="0" y="0" width=(w) height=(h) {}
                @for (r, c, n, s) in runs.iter().filter(|run| run.3 != 0) {
                    rect class=(if *s == 2 { "absent" } else { "partial" })
                        x=(px(*c as f64 * side)) y=(px(*r as f64 * side)) width=(px(*n as f64 * side)) height=(px(side)) {}
                }
                rect.stored-frame x="0" y="0" width=(w) height=(h) {}
            }
            figcaption {
                "stored chunks over " @if !names.0.is_empty() { (names.0) " × " } (names.1)
                @if map.cell != (1, 1) { " (sampled: " (map.cell.0) " × " (map.cell.1) " per cell)" }
                @if missing > 0 { span.waste { " · " (missing) " missing" } }
            }
        }
    }
}
