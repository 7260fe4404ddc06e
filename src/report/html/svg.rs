//! The report's pictures, as inline SVG: the guidance scale, chunk grids over an array's planes,
//! and multiscale pyramids. Drawings only: every figure comes from the model, the linter or the
//! planner.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use maud::{Markup, PreEscaped, html};

use crate::layout::{AxisRole, axis_roles};
use crate::model::ArrayInfo;
use crate::profile::Thresholds;
use crate::units::human_bytes;

/// The byte axis of the guidance scale: 1 KiB to 10 GiB, as powers of two.
const SCALE_FROM: f64 = 10.0;
const SCALE_TO: f64 = 33.321_928_094_887_36; // log2(10 GiB)
/// Most lines drawn per axis of a grid; denser grids draw every k-th boundary.
const MAX_LINES: u64 = 40;

/// One array on the guidance scale.
pub(super) struct ScaleMark {
    /// The array's path, shown on hover (and beside its row when rows are tall enough).
    pub label: String,
    /// Uncompressed bytes of its read unit (chunk, or inner chunk when sharded).
    pub read_unit: Option<u64>,
    /// Uncompressed bytes of its stored object (chunk, or shard).
    pub object_unit: Option<u64>,
    /// Whether the array has findings.
    pub flagged: bool,
}

fn scale_x(bytes: u64, left: f64, width: f64) -> f64 {
    let log = (bytes.max(1) as f64).log2().clamp(SCALE_FROM, SCALE_TO);
    px(left + (log - SCALE_FROM) / (SCALE_TO - SCALE_FROM) * width)
}

/// Every array's read unit (square) and object unit (circle) on one log byte axis, with the
/// profile's windows shaded; arrays with findings in red.
pub(super) fn scale_chart(marks: &[ScaleMark], t: &Thresholds, profile: &str) -> Markup {
    let (left, width) = (170.0, 680.0);
    let row = px((600.0 / marks.len().max(1) as f64).clamp(3.0, 16.0));
    let top = 14.0;
    let height = top + row * marks.len() as f64 + 30.0;
    let band = |from: u64, to: u64| {
        let (a, b) = (scale_x(from, left, width), scale_x(to, left, width));
        (a, (b - a).max(0.0))
    };
    let (ok_x, ok_w) = band(t.chunk_min_bytes, t.chunk_max_bytes);
    let (inner_x, inner_w) = band(t.inner_chunk_min_bytes, t.chunk_min_bytes);
    let (hard_x, hard_w) = band(t.chunk_hard_max_bytes, u64::MAX);
    let ticks: [(u64, &str); 7] = [
        (1 << 10, "1 KiB"),
        (64 << 10, "64 KiB"),
        (1 << 20, "1 MiB"),
        (16 << 20, "16 MiB"),
        (256 << 20, "256 MiB"),
        (1 << 30, "1 GiB"),
        (10 << 30, "10 GiB"),
    ];
    let axis_y = top + row * marks.len() as f64;
    html! {
        svg.chart.scale role="img" width=(left + width + 20.0) height=(height)
            viewBox=(format!("0 0 {} {height}", left + width + 20.0))
            aria-label=(format!("read and object units of every array against the {profile} profile")) {
            title { "Read units (squares) and stored objects (circles) of every array, profile " (profile) }
            rect.window x=(ok_x) y=(top - 4.0) width=(ok_w) height=(axis_y - top + 8.0) {
                title { "the " (profile) " window: chunk-min-bytes " (human_bytes(t.chunk_min_bytes))
                    " to chunk-max-bytes " (human_bytes(t.chunk_max_bytes)) }
            }
            rect.inner-window x=(inner_x) y=(top - 4.0) width=(inner_w) height=(axis_y - top + 8.0) {
                title { "inner chunks of shards may be this small: inner-chunk-min-bytes "
                    (human_bytes(t.inner_chunk_min_bytes)) }
            }
            rect.hard x=(hard_x) y=(top - 4.0) width=(hard_w) height=(axis_y - top + 8.0) {
                title { "above chunk-hard-max-bytes " (human_bytes(t.chunk_hard_max_bytes))
                    ": Blosc and N5 cannot hold one chunk" }
            }
            @for (i, mark) in marks.iter().enumerate() {
                @let y = px(top + row * (i as f64 + 0.5));
                @let class = if mark.flagged { "mark flagged" } else { "mark" };
                g class=(class) {
                    title { (mark.label) ": read unit "
                        (mark.read_unit.map_or("?".into(), human_bytes)) ", stored object "
                        (mark.object_unit.map_or("?".into(), human_bytes)) }
                    @if row >= 12.0 {
                        text.row-label x=(left - 6.0) y=(y + 4.0) { (short(&mark.label, 26)) }
                    }
                    @if let (Some(a), Some(b)) = (mark.read_unit, mark.object_unit) {
                        line x1=(scale_x(a, left, width)) x2=(scale_x(b, left, width))
                            y1=(y) y2=(y) {}
                    }
                    @if let Some(bytes) = mark.read_unit {
                        @let r = px((row * 0.35).clamp(1.5, 4.5));
                        rect.read x=(scale_x(bytes, left, width) - r) y=(y - r)
                            width=(2.0 * r) height=(2.0 * r) {}
                    }
                    @if let Some(bytes) = mark.object_unit {
                        circle.object cx=(scale_x(bytes, left, width)) cy=(y)
                            r=(px((row * 0.4).clamp(1.5, 5.0))) {}
                    }
                }
            }
            line.axis x1=(left) x2=(left + width) y1=(axis_y + 4.0) y2=(axis_y + 4.0) {}
            @for (bytes, label) in ticks {
                @let x = scale_x(bytes, left, width);
                line.tick x1=(x) x2=(x) y1=(axis_y + 4.0) y2=(axis_y + 9.0) {}
                text.tick x=(x) y=(axis_y + 22.0) { (label) }
            }
        }
    }
}

fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let tail: String = text.chars().rev().take(max - 1).collect();
    format!("…{}", tail.chars().rev().collect::<String>())
}

/// The pairs of axes to draw an array's grid over: every pair of its spatial axes (z, y, x),
/// else its last two axes; one axis for 1-D arrays.
pub(super) fn drawn_planes(array: &ArrayInfo) -> Vec<(usize, usize)> {
    let rank = array.shape.len();
    let roles = axis_roles(array);
    let mut spatial: Vec<usize> = (0..rank)
        .filter(|&i| roles.get(i) == Some(&AxisRole::Space))
        .collect();
    if spatial.len() < 2 {
        spatial = (rank.saturating_sub(2)..rank).collect();
    }
    match spatial.as_slice() {
        [] => Vec::new(),
        [only] => vec![(*only, *only)],
        [.., y, x] if spatial.len() == 2 => vec![(*y, *x)],
        _ => {
            // z, y, x: the image plane (y, x) first, then (z, x) and (z, y).
            let mut pairs: Vec<(usize, usize)> = spatial
                .iter()
                .enumerate()
                .flat_map(|(i, &a)| spatial[i + 1..].iter().map(move |&b| (a, b)))
                .collect();
            pairs.sort_by_key(|&pair| std::cmp::Reverse(pair));
            pairs
        }
    }
}

/// `extents` with each axis's name, from the array's dimension names (which the scan takes from
/// the OME-NGFF axes when the array has none of its own): `z 64 × y 512 × x 512`; an unnamed
/// axis gives its extent alone.
pub(super) fn named_extents(array: &ArrayInfo, extents: &[u64]) -> String {
    let names = array.dimension_names.as_deref().unwrap_or_default();
    extents
        .iter()
        .enumerate()
        .map(|(i, e)| match names.get(i).and_then(Option::as_deref) {
            Some(name) if !name.is_empty() => format!("{name} {e}"),
            _ => e.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" × ")
}

/// An axis's name as the page shows it: `z`, or `axis 2`.
pub(super) fn axis_name(array: &ArrayInfo, i: usize) -> String {
    array.axis_label(i).trim_matches('`').to_string()
}

/// One plane of a chunk grid: extents, chunk and shard extents along its two axes (rows first).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Plane {
    /// Axis names, rows then columns.
    pub names: (String, String),
    /// Array extents.
    pub extent: (u64, u64),
    /// Chunk (read unit) extents.
    pub chunk: (u64, u64),
    /// Shard extents, when sharded.
    pub shard: Option<(u64, u64)>,
}

impl Plane {
    /// The plane of `array` over axes `(a, b)` (`a == b` for a 1-D array: one row).
    pub(super) fn of(array: &ArrayInfo, (a, b): (usize, usize)) -> Self {
        let one = a == b;
        let pick = |shape: &[u64]| {
            if one {
                (1, shape[b])
            } else {
                (shape[a], shape[b])
            }
        };
        Self {
            names: (
                if one {
                    String::new()
                } else {
                    axis_name(array, a)
                },
                axis_name(array, b),
            ),
            extent: pick(&array.shape),
            chunk: pick(&array.chunk_shape),
            shard: array.shard_shape.as_deref().map(pick),
        }
    }

    /// Share of the grid's area that is padding past the array's edge.
    fn waste(&self) -> f64 {
        let padded = |n: u64, c: u64| n.div_ceil(c.max(1)) * c.max(1);
        let object = self.shard.unwrap_or(self.chunk);
        let area = (self.extent.0 as f64) * (self.extent.1 as f64);
        let grid =
            (padded(self.extent.0, object.0) as f64) * (padded(self.extent.1, object.1) as f64);
        if grid > 0.0 { 1.0 - area / grid } else { 0.0 }
    }
}

/// The grids drawn so far, each defined once in the page and used by every array sharing it
/// (a plate of 1,536 arrays has a handful of distinct grids).
#[derive(Default)]
pub(super) struct Grids {
    ids: BTreeMap<Plane, (usize, f64, f64)>,
    defs: String,
}

impl Grids {
    /// A drawing of `plane`, at most `max_w` × `max_h` pixels, that uses the shared definition.
    pub(super) fn drawing(&mut self, plane: &Plane, max_w: f64, max_h: f64) -> Markup {
        let next = self.ids.len();
        let (id, w, h) = *self.ids.entry(plane.clone()).or_insert_with(|| {
            let (w, h, body) = grid_body(plane, max_w, max_h, &format!("grid-{next}"));
            let _ = write!(
                self.defs,
                "<g id=\"grid-{next}\">{}</g>",
                body.into_string()
            );
            (next, w, h)
        });
        let waste = plane.waste();
        html! {
            figure.grid {
                svg.chart.grid width=(w + 2.0) height=(h + 2.0) viewBox=(format!("-1 -1 {} {}", w + 2.0, h + 2.0)) {
                    title { (grid_title(plane, waste)) }
                    (PreEscaped(format!("<use href=\"#grid-{id}\"></use>")))
                }
                figcaption {
                    @if !plane.names.0.is_empty() { (plane.names.0) " × " }
                    (plane.names.1)
                    @if waste > 0.005 { span.waste { " · edge padding " (format!("{:.0} %", waste * 100.0)) } }
                }
            }
        }
    }

    /// The shared definitions, for one hidden SVG at the end of the page.
    pub(super) fn definitions(&self) -> Markup {
        html! {
            svg.defs width="0" height="0" aria-hidden="true" {
                defs { (PreEscaped(self.defs.as_str())) }
            }
        }
    }
}

fn grid_title(plane: &Plane, waste: f64) -> String {
    let pair = |(r, c): (u64, u64)| {
        if plane.names.0.is_empty() {
            c.to_string()
        } else {
            format!("{r} × {c}")
        }
    };
    let count =
        |(r, c): (u64, u64)| plane.extent.0.div_ceil(r.max(1)) * plane.extent.1.div_ceil(c.max(1));
    let mut title = format!(
        "{}: chunks {} ({} in this plane)",
        pair(plane.extent),
        pair(plane.chunk),
        count(plane.chunk)
    );
    if let Some(shard) = plane.shard {
        let _ = write!(title, ", shards {} ({})", pair(shard), count(shard));
    }
    if waste > 0.0 {
        let _ = write!(
            title,
            "; {:.1} % of the grid is padding past the edge",
            waste * 100.0
        );
    }
    title
}

/// `x` to a tenth of a pixel, which is all a drawing needs (and keeps pages small).
pub(super) fn px(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The drawing itself: the grid's padded extent (padding shaded), the array, and chunk and shard
/// boundaries as repeating patterns (every k-th boundary when they would be denser than
/// [`MAX_LINES`] across), so a drawing costs the same whatever the grid. `id` names its
/// patterns. Returns its width, height and content.
fn grid_body(plane: &Plane, max_w: f64, max_h: f64, id: &str) -> (f64, f64, Markup) {
    let object = plane.shard.unwrap_or(plane.chunk);
    let padded = |n: u64, c: u64| (n.div_ceil(c.max(1)) * c.max(1)).max(1) as f64;
    let (rows, cols) = (
        padded(plane.extent.0, object.0),
        padded(plane.extent.1, object.1),
    );
    let scale = (max_w / cols).min(max_h / rows);
    let (w, h) = (px((cols * scale).max(4.0)), px((rows * scale).max(4.0)));
    let (sx, sy) = (w / cols, h / rows);
    // One pattern cell: `every` units of `step` elements along each axis.
    let cell = |(r, c): (u64, u64)| {
        let every =
            |extent: u64, step: u64| extent.div_ceil(step.max(1)).div_ceil(MAX_LINES).max(1);
        (
            px((c.max(1) * every(plane.extent.1, c)) as f64 * sx),
            px((r.max(1) * every(plane.extent.0, r)) as f64 * sy),
        )
    };
    let patterns: Vec<(&str, (f64, f64))> = std::iter::once(("chunk", cell(plane.chunk)))
        .chain(plane.shard.map(|s| ("shard", cell(s))))
        .collect();
    let (aw, ah) = (
        px(plane.extent.1 as f64 * sx),
        px(plane.extent.0 as f64 * sy),
    );
    // Colours are attributes, not rules of the page's style: a drawing is shown through `<use>`,
    // whose copy the report's scoped rules (`.zlint-report …`) cannot reach.
    let line = |class: &str| match class {
        "shard" => ("#27415e", "2"),
        _ => ("#7f97b2", ".7"),
    };
    let body = html! {
        defs {
            @for (class, (cw, ch)) in &patterns {
                pattern id=(format!("{id}-{class}")) patternUnits="userSpaceOnUse" width=(cw) height=(ch) {
                    path class=(class) d=(format!("M{cw} 0V{ch}H0")) fill="none"
                        stroke=(line(class).0) stroke-width=(line(class).1) {}
                }
            }
        }
        rect.padding x="0" y="0" width=(w) height=(h) fill="#f3c9c5" {}
        rect.extent x="0" y="0" width=(aw) height=(ah) fill="#e4ecf5" {}
        @for (class, _) in &patterns {
            rect class=(format!("lines {class}")) x="0" y="0" width=(w) height=(h)
                fill=(format!("url(#{id}-{class})")) {}
        }
        rect.frame x="0" y="0" width=(w) height=(h) fill="none" stroke="#27415e" stroke-width="1.2" {}
    };
    (w, h, body)
}

/// One level of a pyramid: its label, plane, and whether a finding marks it inconsistent.
pub(super) struct Level {
    /// A name for its drawing, unique in the page.
    pub id: String,
    /// The level's dataset path.
    pub label: String,
    /// Its image plane.
    pub plane: Plane,
    /// Whether it is chunked inconsistently with the first level (ZL202).
    pub inconsistent: bool,
    /// Its whole shape and chunk shape, every axis named (`z 64 × y 512 × x 512`).
    pub shape: String,
    /// Its chunk shape, every axis named.
    pub chunks: String,
}

/// A multiscale pyramid: every level's plane at one scale (pixels per element of the first
/// level), side by side, with its chunk grid; inconsistent levels outlined in red.
pub(super) fn pyramid(levels: &[Level]) -> Markup {
    let first = levels.first().map_or((1, 1), |l| l.plane.extent);
    let scale = (260.0 / first.1.max(1) as f64).min(200.0 / first.0.max(1) as f64);
    html! {
        div.pyramid {
            @for level in levels {
                @let (max_w, max_h) = ((level.plane.extent.1 as f64 * scale).max(4.0), (level.plane.extent.0 as f64 * scale).max(4.0));
                @let (w, h, body) = grid_body(&level.plane, max_w, max_h, &format!("level-{}", level.id));
                figure class=(if level.inconsistent { "level inconsistent" } else { "level" }) {
                    svg.chart.level width=(w + 2.0) height=(h + 2.0) viewBox=(format!("-1 -1 {} {}", w + 2.0, h + 2.0)) {
                        title { (level.label) ": " (grid_title(&level.plane, level.plane.waste())) }
                        (body)
                    }
                    figcaption {
                        (level.label) br;
                        (level.shape) br;
                        "chunks " (level.chunks)
                        @if level.inconsistent { br; strong { "inconsistent (ZL202)" } }
                    }
                }
            }
        }
    }
}
