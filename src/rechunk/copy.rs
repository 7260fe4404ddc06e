//! Copying an n-dimensional box of elements between C-order buffers.

use std::sync::{Mutex, PoisonError};

use crate::layout::next_in_box;

/// Where a box sits in a C-order buffer: the buffer's shape and the box's first element.
#[derive(Clone, Copy, Debug)]
pub struct At<'a> {
    /// The buffer's shape.
    pub shape: &'a [u64],
    /// The box's first element in the buffer.
    pub start: &'a [u64],
}

/// Copies the box of `extent` elements at `from.start` in `from_buf` (a C-order buffer of
/// `from.shape`) to `to.start` in `to_buf`; elements are `item` bytes.
///
/// Runs along the last axis are copied with one `copy_from_slice` each.
///
/// # Panics
/// If a box lies outside its buffer (an invariant of the executor, which computes the boxes).
pub fn copy_box(
    from_buf: &[u8],
    from: At<'_>,
    to_buf: &mut [u8],
    to: At<'_>,
    extent: &[u64],
    item: u64,
) {
    if extent.is_empty() {
        let item = item as usize;
        to_buf[..item].copy_from_slice(&from_buf[..item]);
        return;
    }
    for_each_run(from, to, extent, item, |src, dst, run| {
        to_buf[dst..dst + run].copy_from_slice(&from_buf[src..src + run]);
    });
}

/// The box of `extent` elements at `from.start` in `from_buf` (a C-order buffer of
/// `from.shape`), as a C-order buffer of its own: [`copy_box`] into a new buffer, without first
/// filling it with zeros.
///
/// # Panics
/// If the box lies outside `from_buf`.
#[must_use]
pub fn gather_box(from_buf: &[u8], from: At<'_>, extent: &[u64], item: u64) -> Vec<u8> {
    let mut out = Vec::new();
    gather_box_into(from_buf, from, extent, item, &mut out);
    out
}

/// [`gather_box`] into `out`, which is cleared first: a buffer kept from one box to the next is
/// not allocated (and its pages faulted in) again.
///
/// # Panics
/// If the box lies outside `from_buf`.
pub fn gather_box_into(
    from_buf: &[u8],
    from: At<'_>,
    extent: &[u64],
    item: u64,
    out: &mut Vec<u8>,
) {
    out.clear();
    out.reserve((extent.iter().product::<u64>() * item) as usize);
    if extent.is_empty() {
        out.extend_from_slice(&from_buf[..item as usize]);
        return;
    }
    let origin = vec![0; extent.len()];
    let to = At {
        shape: extent,
        start: &origin,
    };
    // The runs of a whole C-order buffer come in order, so each one extends the last.
    for_each_run(from, to, extent, item, |src, _, run| {
        out.extend_from_slice(&from_buf[src..src + run]);
    });
}

/// Sets `out` to `len` bytes of `pattern` repeated (`len` a multiple of its length; an empty
/// pattern leaves `out` empty), doubling what is written with each copy instead of going byte
/// by byte.
pub fn fill_repeated(out: &mut Vec<u8>, pattern: &[u8], len: usize) {
    out.clear();
    if pattern.is_empty() {
        return;
    }
    if pattern.iter().all(|b| *b == pattern[0]) {
        out.resize(len, pattern[0]);
        return;
    }
    out.reserve(len);
    out.extend_from_slice(&pattern[..pattern.len().min(len)]);
    while out.len() < len {
        let more = out.len().min(len - out.len());
        out.extend_from_within(..more);
    }
}

/// Calls `copy(from_offset, to_offset, bytes)` for each run along the last axis of the box of
/// `extent` (at least one axis), in C order.
fn for_each_run(
    from: At<'_>,
    to: At<'_>,
    extent: &[u64],
    item: u64,
    mut copy: impl FnMut(usize, usize, usize),
) {
    let n = extent.len();
    if extent.contains(&0) {
        return;
    }
    let strides = |shape: &[u64]| -> Vec<u64> {
        let mut strides = vec![item; shape.len()];
        for i in (0..shape.len().saturating_sub(1)).rev() {
            strides[i] = strides[i + 1] * shape[i + 1];
        }
        strides
    };
    let (from_strides, to_strides) = (strides(from.shape), strides(to.shape));
    let run = (extent[n - 1] * item) as usize;
    let origin = vec![0u64; n - 1];
    let mut index = origin.clone();
    loop {
        let offset = |start: &[u64], strides: &[u64]| -> usize {
            let mut offset = start[n - 1] * strides[n - 1];
            for i in 0..n - 1 {
                offset += (start[i] + index[i]) * strides[i];
            }
            offset as usize
        };
        copy(
            offset(from.start, &from_strides),
            offset(to.start, &to_strides),
            run,
        );
        // Next index over the leading axes, last of them fastest.
        if !next_in_box(&mut index, &origin, &extent[..n - 1]) {
            return;
        }
    }
}

/// Buffers kept between the tasks of one write group and taken by whichever task gathers
/// next: an object of megabytes is then not allocated and faulted in again for each task. No
/// more are kept than tasks ran at once.
#[derive(Default)]
pub(crate) struct ScratchPool(Mutex<Vec<Vec<u8>>>);

impl ScratchPool {
    /// Runs `task` with a buffer from the pool (an empty one when none is spare), then puts the
    /// buffer back.
    pub(crate) fn with<T>(&self, task: impl FnOnce(&mut Vec<u8>) -> T) -> T {
        let spare = || self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let mut scratch = spare().pop().unwrap_or_default();
        let result = task(&mut scratch);
        spare().push(scratch);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(shape: &'a [u64], start: &'a [u64]) -> At<'a> {
        At { shape, start }
    }

    #[test]
    fn copies_a_box_between_buffers_of_different_shapes() {
        // from: 3×4 u8 holding 0..12; copy the 2×2 box at (1,1) to (0,1) of a 2×3 buffer.
        let from: Vec<u8> = (0..12).collect();
        let mut to = vec![0u8; 6];
        copy_box(
            &from,
            at(&[3, 4], &[1, 1]),
            &mut to,
            at(&[2, 3], &[0, 1]),
            &[2, 2],
            1,
        );
        assert_eq!(to, [0, 5, 6, 0, 9, 10]);
    }

    #[test]
    fn copies_multi_byte_items_in_three_dimensions() {
        let from: Vec<u8> = (0..2 * 2 * 3 * 2).map(|i| i as u8).collect(); // 2×2×3 of u16
        let mut to = vec![0u8; from.len()];
        let whole = at(&[2, 2, 3], &[0, 0, 0]);
        copy_box(&from, whole, &mut to, whole, &[2, 2, 3], 2);
        assert_eq!(to, from);
        let mut corner = vec![0u8; 2];
        copy_box(
            &from,
            at(&[2, 2, 3], &[1, 1, 2]),
            &mut corner,
            at(&[1, 1, 1], &[0, 0, 0]),
            &[1, 1, 1],
            2,
        );
        assert_eq!(corner, [22, 23]);
    }

    #[test]
    fn scalars_copy_one_item() {
        let mut to = vec![0u8; 4];
        copy_box(&[1, 2, 3, 4], at(&[], &[]), &mut to, at(&[], &[]), &[], 4);
        assert_eq!(to, [1, 2, 3, 4]);
    }

    #[test]
    fn gathering_a_box_equals_copying_it_into_zeros() {
        let from: Vec<u8> = (0..4 * 5 * 6 * 2).map(|i| (i % 251) as u8).collect(); // 4×5×6 of u16
        let source = at(&[4, 5, 6], &[1, 2, 3]);
        let extent = [3, 2, 3];
        let mut expected = vec![0u8; 3 * 2 * 3 * 2];
        copy_box(
            &from,
            source,
            &mut expected,
            at(&extent, &[0, 0, 0]),
            &extent,
            2,
        );
        assert_eq!(gather_box(&from, source, &extent, 2), expected);
        assert_eq!(gather_box(&from, source, &[3, 0, 3], 2), Vec::<u8>::new());
        assert_eq!(gather_box(&[7, 8], at(&[], &[]), &[], 2), [7, 8]);
        // Into a buffer that held a larger box before: only the new box is left.
        let mut reused = vec![9u8; 1000];
        gather_box_into(&from, source, &extent, 2, &mut reused);
        assert_eq!(reused, expected);
    }

    #[test]
    fn a_filled_buffer_repeats_the_pattern_exactly() {
        let mut out = vec![1, 2, 3];
        for (pattern, len) in [(&[0u8][..], 5), (&[7, 7][..], 6), (&[1, 2, 3][..], 21)] {
            fill_repeated(&mut out, pattern, len);
            let expected: Vec<u8> = pattern.iter().copied().cycle().take(len).collect();
            assert_eq!(out, expected);
        }
        fill_repeated(&mut out, &[1, 2, 3, 4, 5, 6, 7, 8], 8 * 1000 + 8);
        assert_eq!(out.len(), 8 * 1001);
        assert!(out.chunks(8).all(|c| c == [1, 2, 3, 4, 5, 6, 7, 8]));
        fill_repeated(&mut out, &[], 0);
        assert!(out.is_empty());
    }
}
