//! Splitting a rechunk into N disjoint parts of about equal bytes, so that N workers that never
//! talk to each other (a Slurm array job, a Kubernetes Indexed Job, GNU parallel) cover the whole
//! output exactly once.
//!
//! Write groups are taken in a fixed order (arrays by path, groups in C order) and cut into N
//! contiguous runs by the bytes they write: a group belongs to the part its midpoint falls in. The
//! same plan always gives the same parts, and a part differs from the mean by less than one
//! group.

use std::fmt;
use std::ops::Range;

use serde::Serialize;

use super::rechunk_plan::{ArrayPlan, RechunkPlan};
use crate::error::{Error, Param, Result};

/// The most parts a rechunk is split into: a Kubernetes Indexed Job's limit of completions,
/// and a hundred times Slurm's default array size. Each part has its own entry in memory.
pub const MAX_PARTS: u64 = 100_000;

/// Part `index` of `count` (`index` counts from 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Part {
    /// Which part, from 0 to `count - 1`.
    pub index: u64,
    /// How many parts the rechunk is split into.
    pub count: u64,
}

impl Part {
    /// The whole rechunk as one part.
    pub const WHOLE: Self = Self { index: 0, count: 1 };

    /// Parses `I/N` (`0/4` … `3/4`).
    ///
    /// # Errors
    /// [`Error::Usage`] when the text is not `I/N` with `I < N`.
    pub fn parse(text: &str) -> Result<Self> {
        let usage = |why: &str| Error::Usage(format!("{}: {why}", Param::Part.with(text)));
        let (index, count) = text
            .split_once('/')
            .ok_or_else(|| usage("expected I/N, e.g. 0/4 (parts count from 0), or auto"))?;
        let index: u64 = index
            .trim()
            .parse()
            .map_err(|_| usage("the part index is not a whole number"))?;
        let count: u64 = count
            .trim()
            .parse()
            .map_err(|_| usage("the part count is not a whole number"))?;
        Self::new(index, count).map_err(|why| usage(&why))
    }

    fn new(index: u64, count: u64) -> std::result::Result<Self, String> {
        Self::check_count(count)?;
        if index >= count {
            return Err(format!(
                "part {index} does not exist: parts count from 0 to {}",
                count - 1
            ));
        }
        Ok(Self { index, count })
    }

    /// Whether `count` parts can be made: from 1 to [`MAX_PARTS`].
    ///
    /// # Errors
    /// What is wrong with `count`.
    pub fn check_count(count: u64) -> std::result::Result<(), String> {
        match count {
            0 => Err("the part count must be at least 1".into()),
            n if n > MAX_PARTS => Err(format!(
                "{n} parts are more than the {MAX_PARTS} a split run can have"
            )),
            _ => Ok(()),
        }
    }

    /// The part a job scheduler assigned: Slurm array jobs (`SLURM_ARRAY_TASK_ID` less
    /// `SLURM_ARRAY_TASK_MIN`, of `SLURM_ARRAY_TASK_COUNT`), or a Kubernetes Indexed Job
    /// (`JOB_COMPLETION_INDEX`, of `ZLINT_PART_COUNT`, which the Job sets to its `completions`).
    /// `var` looks a variable up (`std::env::var` in the CLI).
    ///
    /// # Errors
    /// [`Error::Usage`] naming the variables when none are set, or what is wrong with them.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let auto = Param::Part.with("auto");
        let number = |name: &str| -> Result<Option<u64>> {
            var(name)
                .map(|v| {
                    v.trim().parse::<u64>().map_err(|_| {
                        Error::Usage(format!("{auto}: {name}={v} is not a whole number"))
                    })
                })
                .transpose()
        };
        let found = if let (Some(id), Some(count)) = (
            number("SLURM_ARRAY_TASK_ID")?,
            number("SLURM_ARRAY_TASK_COUNT")?,
        ) {
            if number("SLURM_ARRAY_TASK_STEP")?.is_some_and(|step| step != 1) {
                return Err(Error::Usage(format!(
                    "{auto}: the Slurm array has a step other than 1; submit --array=0-N"
                )));
            }
            let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            ("SLURM_ARRAY_TASK_ID", id.saturating_sub(min), count)
        } else if let Some(index) = number("JOB_COMPLETION_INDEX")? {
            let count = number("ZLINT_PART_COUNT")?.ok_or_else(|| {
                Error::Usage(format!(
                    "{auto}: JOB_COMPLETION_INDEX is set but ZLINT_PART_COUNT is not; set it to \
                     the Job's completions"
                ))
            })?;
            ("JOB_COMPLETION_INDEX", index, count)
        } else {
            return Err(Error::Usage(format!(
                "{auto}: found neither SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (Slurm array \
                 job) nor JOB_COMPLETION_INDEX and ZLINT_PART_COUNT (Kubernetes Indexed Job); \
                 give {}",
                Param::Part.with("I/N")
            )));
        };
        let (name, index, count) = found;
        Self::new(index, count).map_err(|why| Error::Usage(format!("{auto} ({name}): {why}")))
    }
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The write groups of one part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartGroups {
    /// Which part.
    pub part: Part,
    /// For each array with groups in this part: its index in the plan and the group indices.
    pub ranges: Vec<(usize, Range<u64>)>,
    /// Write groups in the part.
    pub groups: u64,
    /// Uncompressed bytes the part writes.
    pub bytes: u64,
}

impl PartGroups {
    /// The range of group indices of array `index` in this part (empty when it has none).
    #[must_use]
    pub fn of_array(&self, index: usize) -> Range<u64> {
        self.ranges
            .iter()
            .find(|(i, _)| *i == index)
            .map_or(0..0, |(_, r)| r.clone())
    }
}

/// Uncompressed bytes written by write group `g` (C-order index) of `array`: a full group, or
/// less at the array's far edges.
#[must_use]
pub fn group_bytes(array: &ArrayPlan, g: u64) -> u64 {
    block_bytes(
        &array.shape,
        &array.write_groups.group_shape,
        array.item_size,
        g,
    )
}

/// The extents of block `g` (C-order index) of a grid of `block` over `shape`, clipped to the
/// shape, one per axis (last axis first).
fn clipped_extents<'a>(
    shape: &'a [u64],
    block: &'a [u64],
    g: u64,
) -> impl Iterator<Item = (usize, u64)> + 'a {
    let mut rest = g;
    (0..shape.len()).rev().map(move |axis| {
        let extent = block[axis].max(1);
        let count = shape[axis].div_ceil(extent).max(1);
        let start = (rest % count) * extent;
        rest /= count;
        (axis, (start + extent).min(shape[axis]) - start)
    })
}

/// Uncompressed bytes of block `g` (C-order index) of a grid of `block` over `shape`, clipped to
/// the shape.
#[must_use]
pub fn block_bytes(shape: &[u64], block: &[u64], item_size: u64, g: u64) -> u64 {
    clipped_extents(shape, block, g)
        .fold(1u64, |elements, (_, extent)| {
            elements.saturating_mul(extent)
        })
        .saturating_mul(item_size)
}

/// Target objects (chunks, or shards) in block `g` (C-order index) of a grid of `block` over
/// `shape`, where `block` is a whole number of `object`s along every axis or spans it.
#[must_use]
pub fn block_objects(shape: &[u64], block: &[u64], object: &[u64], g: u64) -> u64 {
    clipped_extents(shape, block, g).fold(1u64, |objects, (axis, extent)| {
        objects.saturating_mul(extent.div_ceil(object[axis].max(1)))
    })
}

/// Target objects written by write group `g` of `array`.
#[must_use]
pub fn group_objects(array: &ArrayPlan, g: u64) -> u64 {
    block_objects(
        &array.shape,
        &array.write_groups.group_shape,
        array.target.object(),
        g,
    )
}

/// Splits the plan's write groups into `count` parts (see the module documentation).
///
/// # Panics
/// Never: `count` is taken as at least 1 and at most [`MAX_PARTS`].
#[must_use]
pub fn partition(plan: &RechunkPlan, count: u64) -> Vec<PartGroups> {
    // Counts are checked where they come in (`Part::check_count`); a part log's name is not,
    // and must not make this allocate without bound.
    let count = count.clamp(1, MAX_PARTS);
    let total: u128 = plan
        .arrays
        .iter()
        .map(|a| {
            (0..a.write_groups.count)
                .map(|g| u128::from(group_bytes(a, g)))
                .sum::<u128>()
        })
        .sum();
    let mut parts: Vec<PartGroups> = (0..count)
        .map(|index| PartGroups {
            part: Part { index, count },
            ranges: Vec::new(),
            groups: 0,
            bytes: 0,
        })
        .collect();
    let mut before: u128 = 0;
    for (index, array) in plan.arrays.iter().enumerate() {
        for g in 0..array.write_groups.count {
            let bytes = group_bytes(array, g);
            let midpoint = before + u128::from(bytes) / 2;
            before += u128::from(bytes);
            // With nothing to write (total 0), everything goes to part 0.
            let owner = (midpoint * u128::from(count))
                .checked_div(total)
                .map_or(0, |p| u64::try_from(p).unwrap_or(count - 1).min(count - 1));
            let part = &mut parts[usize::try_from(owner).unwrap_or(0)];
            match part.ranges.last_mut() {
                Some((i, range)) if *i == index && range.end == g => range.end = g + 1,
                _ => part.ranges.push((index, g..g + 1)),
            }
            part.groups += 1;
            part.bytes += bytes;
        }
    }
    parts
}

/// The write groups of `part` (computed as in [`partition`]).
#[must_use]
pub fn part_groups(plan: &RechunkPlan, part: Part) -> PartGroups {
    partition(plan, part.count)
        .into_iter()
        .nth(usize::try_from(part.index).unwrap_or(usize::MAX))
        .unwrap_or(PartGroups {
            part,
            ranges: Vec::new(),
            groups: 0,
            bytes: 0,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_parts_and_refuses_what_does_not_exist() {
        assert_eq!(Part::parse("3/4").ok(), Some(Part { index: 3, count: 4 }));
        for bad in [
            "4/4",
            "1",
            "a/4",
            "0/0",
            "-1/4",
            "0/100001",
            "0/1000000000000",
        ] {
            assert!(Part::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn counts_the_objects_of_edge_blocks() {
        // 10 × 7 in blocks of 4 × 7 made of 2 × 3 objects: full blocks hold 2 × 3 objects, the
        // last block row (2 × 7) holds 1 × 3.
        let (shape, block, object) = ([10, 7], [4, 7], [2, 3]);
        let counts: Vec<u64> = (0..3)
            .map(|g| block_objects(&shape, &block, &object, g))
            .collect();
        assert_eq!(counts, [6, 6, 3]);
        assert_eq!(counts.iter().sum::<u64>(), 5 * 3);
    }

    #[test]
    fn reads_slurm_and_kubernetes_variables() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_string())
            }
        };
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "8"),
        ]);
        assert_eq!(
            Part::from_env(slurm).ok(),
            Some(Part { index: 4, count: 8 })
        );
        let k8s = env(&[("JOB_COMPLETION_INDEX", "2"), ("ZLINT_PART_COUNT", "3")]);
        assert_eq!(Part::from_env(k8s).ok(), Some(Part { index: 2, count: 3 }));
        assert!(Part::from_env(env(&[("JOB_COMPLETION_INDEX", "2")])).is_err());
        assert!(Part::from_env(env(&[])).is_err());
        let stepped = env(&[
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_STEP", "2"),
        ]);
        assert!(Part::from_env(stepped).is_err());
    }

    fn plan_of(arrays: &[(&[u64], &[u64])]) -> RechunkPlan {
        use crate::layout::Layout;
        use crate::model::{ChunkKeyEncoding, Format, NodePath};
        use crate::plan::rechunk_plan::{ArrayPlan, Budget};
        use crate::plan::write_groups::WriteGroups;
        let arrays = arrays
            .iter()
            .enumerate()
            .map(|(i, (shape, group))| ArrayPlan {
                path: NodePath::new(&format!("a{i}")),
                shape: shape.to_vec(),
                dtype: "uint16".into(),
                item_size: 2,
                source_format: Format::Zarr3,
                source_chunks: group.to_vec(),
                source_shards: None,
                target_format: Format::Zarr3,
                target: Layout {
                    chunks: group.to_vec(),
                    shards: None,
                },
                target_metadata: Vec::new(),
                write_groups: WriteGroups {
                    group_shape: group.to_vec(),
                    count: shape
                        .iter()
                        .zip(group.iter())
                        .map(|(s, g)| s.div_ceil(*g))
                        .product(),
                    group_bytes: 2 * group.iter().product::<u64>(),
                    read_amplification: 1.0,
                    aligned: true,
                    in_flight: 1,
                },
                concurrent_groups: 1,
                peak_memory_bytes: 0,
                bytes_read: 0,
                bytes_written: 0,
                objects_before: 0,
                objects_after: 0,
                source_key_encoding: ChunkKeyEncoding::Default { separator: '/' },
                target_key_encoding: ChunkKeyEncoding::Default { separator: '/' },
                repack: false,
                intermediate: None,
                notes: Vec::new(),
                variable: false,
            })
            .collect();
        RechunkPlan {
            source: "src".into(),
            target: "dst".into(),
            budget: Budget {
                max_mem_bytes: 1 << 30,
                threads: 1,
            },
            arrays,
            groups: Vec::new(),
            inventory: crate::plan::inventory::Inventory::default(),
            carried_arrays: Vec::new(),
        }
    }

    proptest::proptest! {
        #[test]
        fn parts_cover_every_group_once_and_differ_from_the_mean_by_less_than_a_group(
            shapes in proptest::collection::vec(
                (1u64..300, 1u64..300, 1u64..40, 1u64..40), 1..4),
            count in 1u64..40,
        ) {
            let arrays: Vec<(Vec<u64>, Vec<u64>)> = shapes
                .iter()
                .map(|&(a, b, ga, gb)| (vec![a, b], vec![ga, gb]))
                .collect();
            let refs: Vec<(&[u64], &[u64])> =
                arrays.iter().map(|(s, g)| (s.as_slice(), g.as_slice())).collect();
            let plan = plan_of(&refs);
            let parts = partition(&plan, count);
            proptest::prop_assert_eq!(parts.len() as u64, count);
            let mut seen: Vec<Vec<u64>> =
                plan.arrays.iter().map(|a| vec![0; a.write_groups.count as usize]).collect();
            for part in &parts {
                let mut bytes = 0;
                for (array, range) in &part.ranges {
                    for g in range.clone() {
                        seen[*array][g as usize] += 1;
                        bytes += group_bytes(&plan.arrays[*array], g);
                    }
                }
                proptest::prop_assert_eq!(bytes, part.bytes);
                // Deterministic: each part alone is what the whole partition says.
                proptest::prop_assert_eq!(&part_groups(&plan, part.part), part);
            }
            proptest::prop_assert!(seen.iter().flatten().all(|&n| n == 1));
            let total: u64 = parts.iter().map(|p| p.bytes).sum();
            let largest_group = plan
                .arrays
                .iter()
                .map(|a| a.write_groups.group_bytes)
                .max()
                .unwrap_or(0);
            let mean = total as f64 / count as f64;
            for part in &parts {
                proptest::prop_assert!(
                    (part.bytes as f64 - mean).abs() <= largest_group as f64,
                    "part {} has {} bytes, mean {mean}, group {largest_group}",
                    part.part, part.bytes
                );
            }
        }
    }
}
