//! Which layout each array of a rechunk gets.

use super::recommend::{LayoutRequest, level_layout, recommend, reuse_layout};
use super::request::Targets;
use crate::error::{Error, Param, Result};
use crate::layout::{AxisRole, Layout, axis_roles};
use crate::model::{ArrayInfo, Format, NodePath, Store};
use crate::profile::Thresholds;
use crate::units::shape_text;

/// The layout each array of `store` is rechunked to (in the order of `store.arrays`; see
/// `target_layout`). With `--auto`, the first level of each multiscale pyramid is planned
/// before the others, which share its chunk shape.
///
/// # Errors
/// [`Error::Usage`] when a requested shape does not fit an array or the format.
pub fn target_layouts(store: &Store, targets: &Targets) -> Result<Vec<Layout>> {
    let targets = &Targets {
        chunks: targets.chunks.resolve(Param::Chunks, store)?,
        shards: targets.shards.resolve(Param::Shards, store)?,
        ..targets.clone()
    };
    let thresholds = Thresholds::for_profile(targets.profile);
    let later_level = |array: &ArrayInfo| {
        store
            .multiscale_of(&array.path)
            .and_then(|m| m.levels.first())
            .is_some_and(|first| first.path != array.path)
    };
    let mut order: Vec<usize> = (0..store.arrays.len()).collect();
    order.sort_by_key(|&i| later_level(&store.arrays[i]));
    let mut planned: Vec<(NodePath, Layout)> = Vec::new();
    let mut layouts = vec![None; store.arrays.len()];
    for i in order {
        let array = &store.arrays[i];
        let layout = target_layout(store, array, targets, &thresholds, &planned)?;
        if targets.auto {
            planned.push((array.path.clone(), layout.clone()));
        }
        layouts[i] = Some(layout);
    }
    Ok(layouts.into_iter().flatten().collect())
}

/// The layout `array` is rechunked to: the requested chunks and shards, `--auto`'s
/// recommendation, or the source's layout, checked against the shape and the target format.
///
/// # Errors
/// [`Error::Usage`] when a requested shape does not fit the array or the format.
fn target_layout(
    store: &Store,
    array: &ArrayInfo,
    targets: &Targets,
    thresholds: &Thresholds,
    earlier: &[(NodePath, Layout)],
) -> Result<Layout> {
    let ndim = array.shape.len();
    let check = |param: Param, shape: &Vec<u64>| -> Result<()> {
        if shape.len() == ndim {
            Ok(())
        } else {
            Err(Error::Usage(format!(
                "{} has {} dimensions but `{}` has {ndim}",
                param.with(shape_text(shape)),
                shape.len(),
                array.path
            )))
        }
    };
    // Axes an axis-named request leaves out: channels and time one at a time, the others as
    // the shape for all arrays (or the source) has them.
    let roles = axis_roles(array);
    let base = (targets.chunks.all.as_ref())
        .filter(|all| all.len() == ndim)
        .unwrap_or(&array.chunk_shape);
    let requested_chunks = targets
        .chunks
        .for_array(array, base, |i, extent| match roles.get(i) {
            Some(AxisRole::Channel | AxisRole::Time) => 1,
            _ => extent,
        });
    let requested_chunks = requested_chunks.as_ref();
    let mut layout = if let Some(chunks) = requested_chunks {
        check(Param::Chunks, chunks)?;
        Layout {
            chunks: chunks.clone(),
            shards: None,
        }
    } else if targets.auto {
        auto_layout(store, array, targets, thresholds, earlier)
    } else {
        Layout {
            chunks: array.chunk_shape.clone(),
            shards: array.shard_shape.clone(),
        }
    };
    // Shards by axis name hold whole chunks: one clipped to the array's extent is rounded up
    // to a multiple of the chunk; axes not named get one chunk a shard.
    let by_axis = !targets.shards.by_axis.is_empty()
        && !targets.shards.by_path.iter().any(|(p, _)| *p == array.path);
    let requested_shards = targets
        .shards
        .for_array(array, &layout.chunks, |_, chunk| chunk)
        .map(|shards| {
            if !by_axis {
                return shards;
            }
            shards
                .iter()
                .zip(&layout.chunks)
                .zip(&array.shape)
                .map(|((&s, &c), &extent)| {
                    if s.is_multiple_of(c) || s < extent {
                        s
                    } else {
                        s.div_ceil(c) * c
                    }
                })
                .collect()
        });
    if let Some(shards) = &requested_shards {
        check(Param::Shards, shards)?;
        layout.shards = Some(shards.clone());
    } else if requested_chunks.is_some() {
        // Asking for chunks alone means unsharded chunks of that shape, never silently the old
        // shards around them.
        layout.shards = None;
    }
    let format = targets.format.unwrap_or(array.format);
    // Shards kept from the source give way to their inner chunks in a format that cannot shard.
    if format != Format::Zarr3 && requested_shards.is_none() && !targets.auto {
        layout.shards = None;
    }
    check_shards(array, &layout, format)?;
    Ok(layout)
}

/// Shards only in Zarr v3, and only of whole chunks.
///
/// # Errors
/// [`Error::Usage`] naming the array otherwise.
fn check_shards(array: &ArrayInfo, layout: &Layout, format: Format) -> Result<()> {
    let Some(shards) = &layout.shards else {
        return Ok(());
    };
    if format != Format::Zarr3 {
        return Err(Error::Usage(format!(
            "`{}`: shards need Zarr v3 output ({}), not {format}",
            array.path,
            Param::To.with("zarr3")
        )));
    }
    let whole = shards
        .iter()
        .zip(&layout.chunks)
        .all(|(s, c)| s.is_multiple_of(*c));
    if !whole {
        return Err(Error::Usage(format!(
            "`{}`: shards {} are not whole multiples of chunks {}",
            array.path,
            shape_text(shards),
            shape_text(&layout.chunks)
        )));
    }
    Ok(())
}

fn auto_layout(
    store: &Store,
    array: &ArrayInfo,
    targets: &Targets,
    thresholds: &Thresholds,
    earlier: &[(NodePath, Layout)],
) -> Layout {
    let roles = axis_roles(array);
    let format = targets.format.unwrap_or(array.format);
    let Some(mut request) =
        LayoutRequest::for_array(array, &roles, targets.profile, targets.access, thresholds)
    else {
        return Layout {
            chunks: array.chunk_shape.clone(),
            shards: array.shard_shape.clone(),
        };
    };
    request.format = format;
    // zarr-python 3 can neither write nor read NumPy records in shards (see
    // `formats::target`): their layout is planned as for a format without shards.
    if array.dtype.name == "structured" {
        request.format = Format::Zarr2;
    }
    // Levels of one pyramid share one chunk shape: the first level's, clipped, if it suits this
    // level (small objects allowed: the level is small); else an earlier level's if it suits.
    if let Some(multiscale) = store.multiscale_of(&array.path) {
        let earlier_levels = earlier
            .iter()
            .filter(|(path, _)| multiscale.levels.iter().any(|l| &l.path == path))
            .map(|(_, layout)| layout);
        let first_level = multiscale.levels.first().map(|l| &l.path);
        if let Some(first) = earlier
            .iter()
            .find(|(path, _)| Some(path) == first_level)
            .and_then(|(_, first)| level_layout(&request, first))
        {
            return first;
        }
        if let Some(layout) = reuse_layout(&request, earlier_levels) {
            return layout;
        }
    }
    recommend(&request)
}
