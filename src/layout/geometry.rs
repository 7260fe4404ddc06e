//! Measures of a chunk grid over an array's shape.

use super::AxisRole;

/// Steps `index` to the next position of the box from `start` to `end` (exclusive, per axis) in
/// C order, the last axis fastest: `false` once it has passed the last position (`index` is
/// then back at `start`). An empty `index` (a scalar) has one position.
#[must_use]
pub fn next_in_box(index: &mut [u64], start: &[u64], end: &[u64]) -> bool {
    for axis in (0..index.len()).rev() {
        index[axis] += 1;
        if index[axis] < end[axis] {
            return true;
        }
        index[axis] = start[axis];
    }
    false
}

/// Share of stored elements that are padding in edge chunks: `1 − Π s / Π (ceil(s/c)·c)`.
#[must_use]
pub fn padding_share(shape: &[u64], chunks: &[u64]) -> f64 {
    let real: f64 = shape.iter().map(|&s| s as f64).product();
    let stored: f64 = shape
        .iter()
        .zip(chunks)
        .map(|(&s, &c)| s.div_ceil(c.max(1)) as f64 * c as f64)
        .product();
    if stored == 0.0 {
        0.0
    } else {
        1.0 - real / stored
    }
}

/// Axes along which a chunk is degenerate: extent 1 on a free (not time or channel) axis of
/// length 64 or more.
#[must_use]
pub fn degenerate_axes(shape: &[u64], chunks: &[u64], roles: &[AxisRole]) -> Vec<usize> {
    (0..shape.len().min(chunks.len()))
        .filter(|&i| !matches!(roles.get(i), Some(AxisRole::Time | AxisRole::Channel)))
        .filter(|&i| chunks[i] == 1 && shape[i] >= 64)
        .collect()
}

/// Ratio between the longest spatial chunk extent (clipped to the shape) and the shortest one of
/// an axis split into several chunks (a whole axis cannot be lengthened), when there is one.
#[must_use]
pub fn spatial_aspect_ratio(shape: &[u64], chunks: &[u64], roles: &[AxisRole]) -> Option<u64> {
    let spatial: Vec<usize> = (0..shape.len().min(chunks.len()))
        .filter(|&i| roles.get(i) == Some(&AxisRole::Space))
        .collect();
    if spatial.len() < 2 {
        return None;
    }
    let hi = spatial.iter().map(|&i| chunks[i].min(shape[i])).max()?;
    let lo = spatial
        .iter()
        .filter(|&&i| chunks[i] < shape[i])
        .map(|&i| chunks[i].max(1))
        .min()?;
    Some(hi / lo)
}

/// The Y and X axes of an image plane: the last two spatial axes, else the last two axes
/// (`(0, 0)` for fewer than two axes).
#[must_use]
pub fn plane_axes(ndim: usize, roles: &[AxisRole]) -> (usize, usize) {
    let spatial: Vec<usize> = (0..ndim)
        .filter(|&i| roles.get(i) == Some(&AxisRole::Space))
        .collect();
    match spatial.as_slice() {
        [.., y, x] => (*y, *x),
        _ if ndim >= 2 => (ndim - 2, ndim - 1),
        _ => (0, 0),
    }
}
