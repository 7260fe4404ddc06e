//! Where an array's stored objects are: counts over the image plane of its object grid (the
//! last two spatial axes), at most [`MAX_CELLS`] × [`MAX_CELLS`] cells, each cell a block of grid
//! positions when the grid is larger. `zlint report --deep` draws it as the map of missing
//! chunks.

use crate::layout::{axis_roles, plane_axes};
use crate::model::{ArrayInfo, Presence};

/// Most cells of the map along one axis.
pub(crate) const MAX_CELLS: u64 = 64;

/// How grid positions map to cells.
pub(crate) struct PresenceGrid {
    /// The map's axes (rows, columns); equal for a 1-D array (one row).
    axes: (usize, usize),
    /// Grid positions per cell along each.
    cell: (u64, u64),
    /// Cells down and across.
    rows: u64,
    cols: u64,
}

impl PresenceGrid {
    /// The map of `array`, whose object grid has `counts` positions per axis.
    pub(crate) fn new(array: &ArrayInfo, counts: &[u64]) -> Self {
        let axes = plane_axes(counts.len(), &axis_roles(array));
        let along = |axis: usize| counts.get(axis).copied().unwrap_or(1).max(1);
        let (down, across) = if axes.0 == axes.1 {
            (1, along(axes.1))
        } else {
            (along(axes.0), along(axes.1))
        };
        let cell = (down.div_ceil(MAX_CELLS), across.div_ceil(MAX_CELLS));
        Self {
            axes,
            cell,
            rows: down.div_ceil(cell.0),
            cols: across.div_ceil(cell.1),
        }
    }

    /// Number of cells.
    pub(crate) fn cells(&self) -> usize {
        usize::try_from(self.rows * self.cols).unwrap_or(0)
    }

    /// The cell of grid position `index` (C order, one entry per axis).
    pub(crate) fn cell_of(&self, index: &[u64]) -> usize {
        let at = |axis: usize| index.get(axis).copied().unwrap_or(0);
        let row = if self.axes.0 == self.axes.1 {
            0
        } else {
            at(self.axes.0) / self.cell.0
        };
        let col = at(self.axes.1) / self.cell.1;
        usize::try_from(row * self.cols + col).unwrap_or(0)
    }

    /// The map, from the stored objects counted per cell and the grid's `counts`.
    pub(crate) fn finish(self, stored: Vec<u64>, counts: &[u64]) -> Presence {
        let one = self.axes.0 == self.axes.1;
        let along = |axis: usize| counts.get(axis).copied().unwrap_or(1);
        let others: u64 = counts
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != self.axes.1 && (one || i != self.axes.0))
            .map(|(_, n)| *n)
            .product();
        let span = |i: u64, cell: u64, total: u64| cell.min(total.saturating_sub(i * cell));
        let down = if one { 1 } else { along(self.axes.0) };
        let capacity = (0..self.rows)
            .flat_map(|r| {
                (0..self.cols).map(move |c| {
                    span(r, self.cell.0, down) * span(c, self.cell.1, along(self.axes.1)) * others
                })
            })
            .collect();
        Presence {
            axes: self.axes,
            cell: self.cell,
            rows: self.rows,
            cols: self.cols,
            stored,
            capacity,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_grids_fold_into_blocks_and_capacities_add_up() {
        // A 3 × 100 × 130 grid (no axis names: the last two axes are the plane).
        let counts = [3, 100, 130];
        let array = crate::model::tests::array(&[3, 100, 130], &[1, 1, 1], None);
        let grid = PresenceGrid::new(&array, &counts);
        // 100 rows fold by 2 into 50 cells, 130 columns by 3 into 44 (the last holds one).
        assert_eq!((grid.rows, grid.cols, grid.cell), (50, 44, (2, 3)));
        assert_eq!(grid.cell_of(&[2, 99, 129]), 49 * 44 + 43);
        let map = grid.finish(vec![0; 50 * 44], &counts);
        assert_eq!(map.capacity.iter().sum::<u64>(), 3 * 100 * 130);
        assert_eq!(map.capacity[0], 3 * 2 * 3);
        assert_eq!(map.capacity[43], 3 * 2);
    }
}
