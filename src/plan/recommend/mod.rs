//! The recommended layout: a pure function from an array's shape, data type, current layout,
//! axis roles, profile and access pattern to chunks (and shards). The linter shows it in every
//! finding; the rechunker's `--auto` writes it. `docs/guidance.md` ("The recommended layout") describes it.
//!
//! Outline:
//! 1. A layout already inside the profile's windows is kept as it is (so recommending again
//!    changes nothing, and good data is left alone).
//! 2. Otherwise the access pattern and axis roles fix some axes (time and channel at 1, whole
//!    planes for `plane` access, …); the others get near-isotropic extents aimed at the profile's
//!    byte target, capped by each axis's length with the remainder spread over the rest (dask's
//!    automatic chunking).
//! 3. Where the current chunk is known, growing extents are whole multiples of it and shrinking
//!    ones a divisor of it when one is within 25 % (so a rechunk decodes each source chunk once).
//! 4. Visualization rounds spatial extents to powers of two. A pass grows or shrinks axes
//!    until the chunk lies inside the profile's window whenever the array allows it; the last
//!    moves each split axis to a nearby extent that divides it or is a round size.
//! 5. Zarr v3 output shards chunks that are too small to be objects, or too many.

use self::round::round_extents;
use self::settle::{array_bytes, crowded_axis, settle, too_many_chunks};
use crate::layout::{AxisRole, Layout, LayoutView, plane_axes};
use crate::model::{ArrayInfo, Format, product};
use crate::profile::{Access, Profile, Thresholds};

/// dask's `array.chunk-size-tolerance`: how far an extent may stray from its ideal.
const TOLERANCE: f64 = 1.25;

/// Everything the planner looks at.
#[derive(Clone, Debug)]
pub struct LayoutRequest<'a> {
    /// Array shape.
    pub shape: &'a [u64],
    /// Bytes per element.
    pub item_size: u64,
    /// The current layout, if there is one.
    pub current: Option<Layout>,
    /// Axis roles (same length as the shape).
    pub roles: &'a [AxisRole],
    /// Target profile.
    pub profile: Profile,
    /// Access pattern.
    pub access: Access,
    /// Output format (only Zarr v3 can shard).
    pub format: Format,
    /// Thresholds of the profile (possibly changed by configuration).
    pub thresholds: &'a Thresholds,
}

impl<'a> LayoutRequest<'a> {
    /// The request for an existing array, keeping its format.
    #[must_use]
    pub fn for_array(
        array: &'a ArrayInfo,
        roles: &'a [AxisRole],
        profile: Profile,
        access: Access,
        thresholds: &'a Thresholds,
    ) -> Option<Self> {
        Some(Self {
            shape: &array.shape,
            item_size: array.item_size()?,
            current: Some(Layout {
                chunks: array.chunk_shape.clone(),
                shards: array.shard_shape.clone(),
            }),
            roles,
            profile,
            access,
            format: array.format,
            thresholds,
        })
    }
}

/// Whether `layout` already suits the request: no layout predicate that a lint rule fires on
/// holds for it (ZL101, ZL102, ZL103, ZL106, ZL107, ZL201, ZL203: see [`LayoutView`]), its chunks
/// are at least 1, and it shards only where the format can.
#[must_use]
pub fn is_acceptable(request: &LayoutRequest<'_>, layout: &Layout) -> bool {
    acceptable(request, layout, false)
}

/// Whether `layout` — the first level's of a multiscale pyramid, clipped — suits a later level:
/// as [`is_acceptable`], except that objects, inner chunks and edge chunks smaller than the
/// thresholds ask for, and a shape the access pattern would choose otherwise for so small an
/// array, are accepted. One chunk shape across the pyramid is what viewers and the guidance
/// want (ngff-zarr and bioformats2raw write it so); the first level is judged in full.
#[must_use]
pub fn is_acceptable_as_level(request: &LayoutRequest<'_>, layout: &Layout) -> bool {
    acceptable(request, layout, true)
}

fn acceptable(request: &LayoutRequest<'_>, layout: &Layout, later_level: bool) -> bool {
    let t = request.thresholds;
    if layout.chunks.len() != request.shape.len()
        || layout.chunks.contains(&0)
        || layout.shards.is_some() && request.format != Format::Zarr3
        || layout
            .shards
            .as_ref()
            .is_some_and(|s| s.len() != request.shape.len())
    {
        return false;
    }
    let view = LayoutView::of_layout(
        request.shape,
        request.item_size,
        layout,
        request.roles,
        request.format,
    );
    // A later level is judged through the first: its objects, inner chunks, edge chunks, chunk
    // count and access fit are the first level's, clipped.
    let first_level_only = || {
        !view.object_too_small(t)
            && !too_many_chunks(request, view.chunk_count(), view.chunk_bytes())
            && !view.inner_chunk_too_small(t)
            && view.edge_waste(t).is_none()
            && view.access_mismatch(request.access, t).is_none()
    };
    (later_level || first_level_only())
        && crowded_axis(request, view.object(), t).is_none()
        && !view.read_unit_too_large(t)
        && view.exceeding_axes().is_empty()
        && !view.shards_misaligned()
}

/// `extents` (chunks or shards) clipped to `shape`, each at least 1.
fn clip_to(extents: &[u64], shape: &[u64]) -> Vec<u64> {
    extents
        .iter()
        .zip(shape)
        .map(|(&c, &s)| c.min(s.max(1)))
        .collect()
}

/// The first of `layouts` that, clipped to the request's shape, is acceptable for it: how the
/// levels of one multiscale pyramid share one chunk shape (docs/guidance.md; ngff-zarr and
/// bioformats2raw do the same).
#[must_use]
pub fn reuse_layout<'l>(
    request: &LayoutRequest<'_>,
    layouts: impl IntoIterator<Item = &'l Layout>,
) -> Option<Layout> {
    let clip = |extents: &[u64]| clip_to(extents, request.shape);
    layouts
        .into_iter()
        .filter(|layout| layout.chunks.len() == request.shape.len())
        .map(|layout| Layout {
            chunks: clip(&layout.chunks),
            shards: layout.shards.as_deref().map(clip),
        })
        .find(|layout| is_acceptable(request, layout))
}

/// The first level's layout `first`, clipped to a later level of the same pyramid, when it suits
/// that level (see [`is_acceptable_as_level`]).
#[must_use]
pub fn level_layout(request: &LayoutRequest<'_>, first: &Layout) -> Option<Layout> {
    let clip = |extents: &[u64]| clip_to(extents, request.shape);
    if first.chunks.len() != request.shape.len() {
        return None;
    }
    let chunks = clip(&first.chunks);
    // Shards clipped to the level, rounded up to whole chunks, so they still hold whole chunks.
    let shards = first.shards.as_ref().map(|shards| {
        shards
            .iter()
            .zip(request.shape)
            .zip(&chunks)
            .map(|((&shard, &s), &c)| shard.min(s.max(1).div_ceil(c) * c))
            .collect()
    });
    let layout = Layout { chunks, shards };
    is_acceptable_as_level(request, &layout).then_some(layout)
}

/// How the planner treats one axis.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Spec {
    Fixed(u64),
    Auto,
}

/// The recommended layout for `request`: the current layout when it is acceptable, else a new
/// one (see the module documentation).
#[must_use]
pub fn recommend(request: &LayoutRequest<'_>) -> Layout {
    if let Some(current) = &request.current
        && is_acceptable(request, current)
    {
        return current.clone();
    }
    let mut layout = plan(request);
    // The planner aligns to the current chunks, so a plan it does not accept itself could be
    // planned again differently: plan from the last plan until it is accepted or plans itself,
    // so that the recommendation for the recommendation is the same.
    for _ in 0..4 {
        if is_acceptable(request, &layout) {
            break;
        }
        let again = plan(&LayoutRequest {
            current: Some(layout.clone()),
            ..request.clone()
        });
        if again == layout {
            break;
        }
        layout = again;
    }
    layout
}

fn plan(request: &LayoutRequest<'_>) -> Layout {
    let chunks = plan_chunks(request);
    let shards = plan_shards(request, &chunks);
    Layout { chunks, shards }
}

fn plan_chunks(request: &LayoutRequest<'_>) -> Vec<u64> {
    let shape = request.shape;
    let n = shape.len();
    if n == 0 {
        return Vec::new();
    }
    let t = request.thresholds;
    // Large enough that the array has no more chunks than ZL104 allows (with room for the
    // rounding below), within the read-unit ceiling.
    let few_enough = array_bytes(request)
        .div_ceil(t.max_chunks.max(1))
        .saturating_mul(2);
    let target_bytes = t.target_chunk_bytes.max(few_enough).min(t.chunk_max_bytes);
    let target_elems = (target_bytes / request.item_size.max(1)).max(1);
    let mut specs = axis_specs(request);
    let mut chunks = auto_chunks(shape, &specs, target_elems);
    // Fixed axes (time, channel) give way when the chunk would otherwise stay below the floor.
    let array_bytes = product(shape).saturating_mul(request.item_size);
    if product(&chunks).saturating_mul(request.item_size) < t.chunk_min_bytes.min(array_bytes)
        && specs.contains(&Spec::Fixed(1))
    {
        for spec in &mut specs {
            if *spec == Spec::Fixed(1) {
                *spec = Spec::Auto;
            }
        }
        chunks = auto_chunks(shape, &specs, target_elems);
    }
    let current = request.current.as_ref().map(|l| &l.chunks);
    for i in 0..n {
        if specs[i] != Spec::Auto {
            continue;
        }
        if let Some(current) = current.filter(|c| c.len() == n) {
            chunks[i] = align_to(chunks[i], current[i].clamp(1, shape[i].max(1)));
        }
        if request.profile == Profile::Visualization
            && request.roles.get(i) != Some(&AxisRole::Time)
        {
            chunks[i] = power_of_two_at_most(chunks[i]);
        }
        chunks[i] = chunks[i].clamp(1, shape[i].max(1));
    }
    settle(request, &mut chunks);
    // Axes the planner chose (or the settling pass moved off their fixed extent).
    let free: Vec<bool> = specs
        .iter()
        .zip(&chunks)
        .map(|(spec, &c)| match spec {
            Spec::Auto => true,
            Spec::Fixed(fixed) => c != *fixed,
        })
        .collect();
    let powers: Vec<bool> = (0..n)
        .map(|i| {
            request.profile == Profile::Visualization
                && request.roles.get(i) != Some(&AxisRole::Time)
        })
        .collect();
    round_extents(request, &mut chunks, &free, &powers);
    chunks
}

fn axis_specs(request: &LayoutRequest<'_>) -> Vec<Spec> {
    let shape = request.shape;
    let target_elems = request.thresholds.target_chunk_bytes / request.item_size.max(1);
    let role = |i: usize| request.roles.get(i).copied().unwrap_or(AxisRole::Other);
    let mut specs: Vec<Spec> = (0..shape.len())
        .map(|i| match role(i) {
            AxisRole::Time | AxisRole::Channel => Spec::Fixed(1),
            _ => Spec::Auto,
        })
        .collect();
    match request.access {
        Access::Auto | Access::Volume => {}
        Access::Plane => {
            let (y, x) = plane_axes(request.shape.len(), request.roles);
            if shape[y].saturating_mul(shape[x]) <= target_elems {
                specs[y] = Spec::Fixed(shape[y]);
                specs[x] = Spec::Fixed(shape[x]);
            }
        }
        Access::Timeseries => {
            for (i, spec) in specs.iter_mut().enumerate() {
                if role(i) == AxisRole::Time {
                    *spec = if shape[i] <= target_elems {
                        Spec::Fixed(shape[i])
                    } else {
                        Spec::Auto
                    };
                }
            }
        }
    }
    // An axis of length 1 is always whole.
    for (spec, &s) in specs.iter_mut().zip(shape) {
        if s <= 1 {
            *spec = Spec::Fixed(s.max(1));
        }
    }
    specs
}

/// dask's automatic chunking without previous chunks: equal extents over the free axes, axes
/// shorter than that taken whole and the budget spread again over the rest.
fn auto_chunks(shape: &[u64], specs: &[Spec], target_elems: u64) -> Vec<u64> {
    let mut chunks: Vec<u64> = specs
        .iter()
        .zip(shape)
        .map(|(spec, &s)| match spec {
            Spec::Fixed(c) => (*c).clamp(1, s.max(1)),
            Spec::Auto => 0,
        })
        .collect();
    let mut free: Vec<usize> = (0..shape.len()).filter(|&i| chunks[i] == 0).collect();
    loop {
        if free.is_empty() {
            return chunks;
        }
        let fixed: f64 = chunks
            .iter()
            .filter(|&&c| c > 0)
            .map(|&c| c as f64)
            .product();
        let budget = (target_elems as f64 / fixed).max(1.0);
        let size = budget.powf(1.0 / free.len() as f64);
        let capped: Vec<usize> = free
            .iter()
            .copied()
            .filter(|&i| (shape[i] as f64) <= size)
            .collect();
        if capped.is_empty() {
            for &i in &free {
                chunks[i] = (size.floor() as u64).clamp(1, shape[i].max(1));
            }
            return chunks;
        }
        for &i in &capped {
            chunks[i] = shape[i].max(1);
        }
        free.retain(|i| !capped.contains(i));
    }
}

/// An extent near `proposed` that keeps source chunks whole: a multiple of `current` when
/// growing, a divisor of it within the tolerance when shrinking.
fn align_to(proposed: u64, current: u64) -> u64 {
    if proposed >= current {
        return proposed / current * current;
    }
    let floor = (proposed as f64 / TOLERANCE).ceil() as u64;
    (floor.max(1)..=proposed)
        .rev()
        .find(|d| current.is_multiple_of(*d))
        .unwrap_or(proposed)
}

fn power_of_two_at_most(n: u64) -> u64 {
    if n <= 1 {
        1
    } else {
        1 << (63 - n.leading_zeros())
    }
}

/// Shards for Zarr v3 output when the chunks are too small to be objects or too many: the largest
/// equal multiplier over non-time, non-channel axes that stays near the shard target.
fn plan_shards(request: &LayoutRequest<'_>, chunks: &[u64]) -> Option<Vec<u64>> {
    if request.format != Format::Zarr3 || chunks.is_empty() {
        return None;
    }
    let t = request.thresholds;
    let chunk_bytes = product(chunks).saturating_mul(request.item_size);
    let objects = crate::model::grid_count(request.shape, chunks);
    let wants_shards =
        request.profile == Profile::Visualization && objects > 1 || objects > t.max_objects;
    if !wants_shards {
        return None;
    }
    let role = |i: usize| request.roles.get(i).copied().unwrap_or(AxisRole::Other);
    let shardable: Vec<usize> = (0..chunks.len())
        .filter(|&i| !matches!(role(i), AxisRole::Time | AxisRole::Channel))
        .filter(|&i| request.shape[i] > chunks[i])
        .collect();
    if shardable.is_empty() {
        return None;
    }
    let mut k = 1u64;
    loop {
        let next = k.saturating_mul(2);
        let grown: u64 = next.pow(shardable.len() as u32);
        if chunk_bytes.saturating_mul(grown) > t.target_shard_bytes
            || shardable
                .iter()
                .all(|&i| chunks[i].saturating_mul(k) >= request.shape[i])
        {
            break;
        }
        k = next;
    }
    if k == 1 {
        return None;
    }
    Some(
        chunks
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                if shardable.contains(&i) {
                    // Clip to the array, rounded up to whole chunks.
                    c.saturating_mul(k)
                        .min(request.shape[i].div_ceil(c).saturating_mul(c))
                } else {
                    c
                }
            })
            .collect(),
    )
}

/// The recommended layout of an array not written yet, as a writer asks before creating it
/// (zarr-python's `create_array(chunks=…, shards=…)`): `names` give the axes' roles (`t`, `c`,
/// `z`, `y`, `x`; unnamed axes are judged as "other"), and `current`, when given, is kept if it
/// already suits. The thresholds are `profile`'s defaults.
///
/// # Errors
/// [`crate::Error::Usage`] when `names` or `current` do not have one entry per axis, or an
/// extent is 0.
pub fn recommend_new(
    shape: &[u64],
    item_size: u64,
    names: Option<&[String]>,
    current: Option<Layout>,
    (profile, access, format): (Profile, Access, Format),
) -> crate::Result<Layout> {
    let usage = |m: String| Err(crate::Error::Usage(m));
    let rank = shape.len();
    if names.is_some_and(|n| n.len() != rank) {
        return usage(format!(
            "{rank} axes but names for {}",
            names.map_or(0, <[_]>::len)
        ));
    }
    if let Some(layout) = &current {
        let ranks = std::iter::once(&layout.chunks).chain(&layout.shards);
        if ranks.clone().any(|e| e.len() != rank) || ranks.flatten().any(|&e| e == 0) {
            return usage(format!(
                "the current layout does not give {rank} positive extents"
            ));
        }
    }
    if item_size == 0 || shape.contains(&0) {
        return usage("an array of no elements has no layout to recommend".into());
    }
    let roles: Vec<AxisRole> = names.map_or_else(
        || vec![AxisRole::Other; rank],
        |names| {
            names
                .iter()
                .map(|n| crate::layout::role_of_name(n))
                .collect()
        },
    );
    let thresholds = Thresholds::for_profile(profile);
    Ok(recommend(&LayoutRequest {
        shape,
        item_size,
        current,
        roles: &roles,
        profile,
        access,
        format,
        thresholds: &thresholds,
    }))
}

pub mod round;
mod settle;
#[cfg(test)]
mod tests;
