//! Deep scans of a store that cannot be listed (a web server): every chunk key of each array's
//! grid is asked for by a HEAD request, a bounded number at a time, and the answers are counted
//! as a listing would be. Files that are no chunk key of a grid cannot be seen this way.

use super::deep::{object_counts, scan_array_listed};
use crate::error::{Error, Result};
use crate::layout::next_in_box;
use crate::model::{ArrayInfo, NodeError, NodePath};
use crate::progress::{NoProgress, Progress};
use crate::store::remote::Remote;

/// The most HEAD requests one deep scan makes, unless `ZLINT_MAX_HEAD_REQUESTS` says otherwise:
/// at 16 in flight and 50 ms each, about a minute.
pub(crate) const MAX_HEAD_REQUESTS: u64 = 20_000;

/// What a deep scan by HEAD requests could not do.
#[derive(Default)]
pub(crate) struct Unchecked {
    /// Arrays whose requests failed.
    pub(crate) errors: Vec<NodeError>,
    /// Arrays left unchecked: their objects would take more requests than the budget left.
    pub(crate) arrays: Vec<NodePath>,
}

/// The request budget: `ZLINT_MAX_HEAD_REQUESTS`, or [`MAX_HEAD_REQUESTS`].
fn budget() -> Result<u64> {
    crate::units::env_number("ZLINT_MAX_HEAD_REQUESTS", MAX_HEAD_REQUESTS, 0).map_err(Error::Usage)
}

/// Fills `stored` of each of `arrays` (in path order) whose chunk keys fit in the request
/// budget, with `in_flight` requests at a time; the others are named in [`Unchecked`].
///
/// # Errors
/// [`Error::Usage`] when `ZLINT_MAX_HEAD_REQUESTS` is not a whole number.
pub(crate) fn scan_arrays(
    remote: &Remote,
    arrays: &mut [ArrayInfo],
    in_flight: usize,
    progress: &dyn Progress,
) -> Result<Unchecked> {
    let mut left = budget()?;
    let mut unchecked = Unchecked::default();
    let mut checked = Vec::new();
    for (i, array) in arrays.iter().enumerate() {
        let count = array.object_count();
        if count <= left {
            left -= count;
            checked.push(i);
        } else {
            unchecked.arrays.push(array.path.clone());
        }
    }
    // Every key of every checked array, asked for in one stream (small arrays do not wait on
    // each other).
    let mut keys = Vec::new();
    let mut ranges = Vec::with_capacity(checked.len());
    for &i in &checked {
        let start = keys.len();
        keys.extend(grid_keys(&arrays[i]));
        ranges.push(start..keys.len());
    }
    progress.begin("HEAD requests", Some(keys.len() as u64));
    let sizes = remote.head_sizes(&keys, in_flight, &|| progress.advance(1));
    progress.end();
    for (&i, range) in checked.iter().zip(ranges) {
        let array = &mut arrays[i];
        let answers = &sizes[range.clone()];
        if let Some(Err(message)) = answers.iter().find(|answer| answer.is_err()) {
            unchecked.errors.push(NodeError {
                node: array.path.clone(),
                location: remote.url().to_string(),
                message: format!("cannot check the stored objects: {message}"),
            });
            continue;
        }
        let listed: Vec<(String, u64)> = keys[range]
            .iter()
            .zip(answers)
            .filter_map(|(key, answer)| Some((key.clone(), (*answer.as_ref().ok()?)?)))
            .collect();
        let errors = scan_array_listed(&|_| Ok(listed.clone()), array, remote.url(), &NoProgress);
        unchecked.errors.extend(errors);
    }
    Ok(unchecked)
}

/// The store keys of every object of `array`'s grid, in C order.
fn grid_keys(array: &ArrayInfo) -> Vec<String> {
    let counts = object_counts(array);
    let prefix = array.path.key_prefix();
    let mut keys = Vec::new();
    if counts.contains(&0) {
        return keys;
    }
    let origin = vec![0; counts.len()];
    let mut position = origin.clone();
    loop {
        keys.push(format!(
            "{prefix}{}",
            array.chunk_key_encoding.key(&position)
        ));
        if !next_in_box(&mut position, &origin, &counts) {
            return keys;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ChunkKeyEncoding;

    #[test]
    fn grid_keys_cover_the_grid_in_c_order() {
        let mut array = crate::model::tests::array(&[3, 40], &[2, 16], None);
        assert_eq!(
            grid_keys(&array),
            [
                "a/c/0/0", "a/c/0/1", "a/c/0/2", "a/c/1/0", "a/c/1/1", "a/c/1/2"
            ]
        );
        array.chunk_key_encoding = ChunkKeyEncoding::N5;
        assert_eq!(grid_keys(&array)[1], "a/1/0");
        let scalar = crate::model::tests::array(&[], &[], None);
        assert_eq!(grid_keys(&scalar).len(), 1);
        let empty = crate::model::tests::array(&[0, 4], &[2, 2], None);
        assert!(grid_keys(&empty).is_empty());
    }
}
