//! Copying one array of a plan: its write groups read from the source and written to the
//! target, in parallel within the memory bound, each finished group logged.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::Value;
use zarrs::array::ArraySubset;
use zarrs::array::{Array, ArrayMetadata};
use zarrs::storage::{ReadableListableStorageTraits, StorePrefix};

use super::journal::{JOURNAL_DIR, PartLog};
use super::{io, rechunk_error, region, repack, write, zarrs_path};
use crate::error::{Error, Result};
use crate::formats::normalize;
use crate::model::{Format, product};
use crate::plan::parts;
use crate::plan::rechunk_plan::ArrayPlan;
use crate::progress::Progress;
use crate::store::n5::{N5Array, N5Place};
use crate::store::{OpenedStore, TargetStore};

/// Where one array is read and written, and how its groups are logged.
pub(super) struct Copy<'a> {
    pub(super) index: usize,
    pub(super) plan: &'a ArrayPlan,
    pub(super) source: &'a OpenedStore,
    pub(super) target: &'a TargetStore,
    pub(super) log: &'a PartLog<'a>,
    pub(super) progress: &'a dyn Progress,
    pub(super) location: String,
}

/// One write group of a chain, as [`GroupWork`] is given it.
#[derive(Clone, Copy)]
struct Group<'g> {
    /// The group's region of the array.
    region: &'g ArraySubset,
    /// The region its chain copies next (`None` after the last).
    next: Option<&'g ArraySubset>,
    /// Whether it is its chain's first.
    first: bool,
}

/// What is done with one write group, given a buffer to read it into, kept from one group of a
/// chain to the next.
type GroupWork<'a> = dyn Fn(Group<'_>, &mut Vec<u8>) -> Result<()> + Sync + 'a;

/// Groups done and skipped, groups written, bytes written.
pub(super) type Counts = (u64, u64, u64);

/// The key prefix of array `index`'s intermediate array, inside the journal.
fn intermediate_prefix(index: usize) -> String {
    format!("{JOURNAL_DIR}/intermediate/{index}")
}

impl Copy<'_> {
    /// Where the array is written, for messages about writing it.
    fn output(&self) -> String {
        if self.plan.path.is_root() {
            self.target.location.clone()
        } else {
            self.target.key_location(self.plan.path.as_str())
        }
    }

    /// The array's writer in the target, for its target format.
    fn target_writer(&self) -> Result<write::Writer> {
        let (plan, target, location) = (self.plan, self.target, &self.location);
        let path = zarrs_path(&plan.path);
        let file = plan.target_format.array_metadata_file();
        let doc = plan
            .target_metadata
            .iter()
            .find_map(|(name, doc)| (name == file).then_some(doc))
            .ok_or_else(|| rechunk_error(location, format!("no target {file}")))?;
        match plan.target_format {
            Format::N5 => {
                let place = N5Place {
                    reader: target.storage.clone(),
                    writer: Some(target.storage.clone()),
                    prefix: io::node_prefix(&path),
                    location: target.key_location(plan.path.as_str()),
                };
                Ok(write::Writer::N5(N5Array::open(place, doc)?))
            }
            Format::Zarr2 => {
                let zarray = doc.as_object().cloned().unwrap_or_default();
                let v2 = normalize::zarrs_v2(&normalize::for_zarrs_v2(zarray))
                    .map_err(|e| self.invalid_target(e))?;
                self.zarr_writer(&path, ArrayMetadata::V2(v2), plan.concurrent_groups)
            }
            Format::Zarr3 => self.zarr_v3_writer(&path, doc.clone(), plan.concurrent_groups),
        }
    }

    fn invalid_target(&self, e: crate::formats::FormatError) -> Error {
        rechunk_error(&self.location, format!("target metadata: {e}"))
    }

    /// The writer of the Zarr v3 array with document `doc` at zarrs path `path`, written
    /// `groups_at_once` write groups at a time.
    fn zarr_v3_writer(&self, path: &str, doc: Value, groups_at_once: u64) -> Result<write::Writer> {
        let v3 = normalize::zarrs_v3(normalize::for_zarrs_v3(doc))
            .map_err(|e| self.invalid_target(e))?;
        self.zarr_writer(path, ArrayMetadata::V3(v3), groups_at_once)
    }

    fn zarr_writer(
        &self,
        path: &str,
        metadata: ArrayMetadata,
        groups_at_once: u64,
    ) -> Result<write::Writer> {
        // The writer's codecs may be zlint's (a Zarr v2 Blosc goes through `zlint.blosc`).
        crate::formats::decode::install();
        let array = Array::new_with_metadata(self.target.storage.clone(), path, metadata)
            .map_err(|e| rechunk_error(&self.location, e))?;
        let dir = self.target.dir.as_deref();
        Ok(write::Writer::zarr(array, groups_at_once, dir))
    }

    /// Copies the array: its `groups` (of the final pass), after the whole first pass when the
    /// plan has one. `done[i]` holds the groups finished before, for array `i` and, offset by the
    /// number of arrays, for first passes.
    pub(super) fn run(
        &self,
        groups: Range<u64>,
        done: &[HashSet<u64>],
        arrays: usize,
    ) -> Result<Counts> {
        let plan = self.plan;
        let dst = self.target_writer()?;
        let decoded = (!plan.variable).then(|| {
            let object = plan.source_shards.as_ref().unwrap_or(&plan.source_chunks);
            product(object).saturating_mul(plan.item_size)
        });
        let src = io::Reader::open(
            self.source.bounded_for(decoded),
            &zarrs_path(&plan.path),
            plan.source_format == Format::N5,
            &self.source.location,
        )?
        .reading_ahead(self.source.local());
        let Some(pass) = &plan.intermediate else {
            let group_shape = &plan.write_groups.group_shape;
            return self.groups(
                groups,
                &done[self.index],
                group_shape,
                plan.concurrent_groups,
                &|group, buffer| {
                    if plan.repack {
                        let region = group.region;
                        repack::repack_region(plan, region, self.source, self.target, self.progress)
                    } else {
                        self.copy_region(&src, &dst, group, buffer)
                    }
                },
                self.index,
            );
        };
        // First pass: source to the intermediate array (its metadata stored, so that a resumed
        // run can read what an earlier one wrote).
        let prefix = intermediate_prefix(self.index);
        let bytes =
            serde_json::to_vec(&pass.metadata).map_err(|e| rechunk_error(&self.location, e))?;
        self.target.put(&format!("{prefix}/zarr.json"), bytes)?;
        let between = self.zarr_v3_writer(
            &format!("/{prefix}"),
            pass.metadata.clone(),
            pass.write_groups.in_flight,
        )?;
        let first = arrays + self.index;
        let (first_written, first_resumed, _) = self.groups(
            0..pass.write_groups.count,
            &done[first],
            &pass.write_groups.group_shape,
            pass.write_groups.in_flight,
            &|group, buffer| self.copy_region(&src, &between, group, buffer),
            first,
        )?;
        // Second pass: intermediate to target.
        let storage: Arc<dyn ReadableListableStorageTraits> =
            self.target.storage.clone().readable_listable();
        let between =
            io::Reader::open(storage, &format!("/{prefix}"), false, &self.target.location)?;
        let counts = self.groups(
            groups,
            &done[self.index],
            &plan.write_groups.group_shape,
            plan.concurrent_groups,
            &|group, buffer| self.copy_region(&between, &dst, group, buffer),
            self.index,
        )?;
        let erase =
            StorePrefix::new(format!("{prefix}/")).map_err(|e| rechunk_error(&self.location, e))?;
        self.target
            .storage
            .erase_prefix(&erase)
            .map_err(|e| rechunk_error(self.target.key_location(&prefix), e))?;
        // Groups of both passes count; bytes are the output's.
        Ok((counts.0 + first_written, counts.1 + first_resumed, counts.2))
    }

    /// Copies `region` from `from` to `to`, decoding it into `buffer` on the way; the files of
    /// `next`, the region copied after it, are read ahead while it is encoded.
    fn copy_region(
        &self,
        from: &io::Reader,
        to: &write::Writer,
        group: Group<'_>,
        buffer: &mut Vec<u8>,
    ) -> Result<()> {
        let region = group.region;
        let item = self.plan.item_size;
        if self.plan.variable {
            let inner = self
                .plan
                .target
                .shards
                .is_some()
                .then_some(self.plan.target.chunks.as_slice());
            return write::copy_elements(
                from,
                to,
                region,
                (item, inner),
                &self.output(),
                self.progress,
            );
        }
        // All of a region's files asked for at once: a chain's first region here, the others
        // while the one before is encoded.
        if group.first {
            from.read_ahead(region);
        }
        if to.reads_chunk_for_chunk(from) {
            if let Some(next) = group.next {
                from.read_ahead(next);
            }
            return to.write_region_from(region, from, item, &self.output(), self.progress);
        }
        io::read_region_into(from, region, item, &self.location, buffer)?;
        if let Some(next) = group.next {
            from.read_ahead(next);
        }
        to.write_region(region, buffer, item, &self.output(), self.progress)
    }

    /// Runs `work` on every group in `groups` of a grid of `group_shape` not in `done`, as many
    /// at once as `in_flight`, logging each finished group under `log_index` (see [`GroupWork`]).
    fn groups(
        &self,
        groups: Range<u64>,
        done: &HashSet<u64>,
        group_shape: &[u64],
        in_flight: u64,
        work: &GroupWork<'_>,
        log_index: usize,
    ) -> Result<Counts> {
        let plan = self.plan;
        let counts: Vec<u64> = plan
            .shape
            .iter()
            .zip(group_shape)
            .map(|(s, g)| s.div_ceil((*g).max(1)))
            .collect();
        let bytes_of = |g| parts::block_bytes(&plan.shape, group_shape, plan.item_size, g);
        let resumed = groups.clone().filter(|g| done.contains(g)).count() as u64;
        let skipped: u64 = groups
            .clone()
            .filter(|g| done.contains(g))
            .map(bytes_of)
            .sum();
        self.progress.advance(skipped);
        // Target objects are counted in the final pass only (not in an intermediate one).
        let final_pass = log_index == self.index;
        let objects_of = |g| {
            if final_pass {
                parts::group_objects(plan, g)
            } else {
                0
            }
        };
        self.progress.counted(
            groups
                .clone()
                .filter(|g| done.contains(g))
                .map(objects_of)
                .sum(),
        );
        let written = std::sync::atomic::AtomicU64::new(0);
        let bytes = std::sync::atomic::AtomicU64::new(0);
        // As many chains of groups as the budget holds run in parallel, each chain one group
        // after another (no barrier between chains); nothing blocks a rayon worker, so threads
        // without a group of their own help decode and encode the others.
        let pending: Vec<u64> = groups.filter(|g| !done.contains(g)).collect();
        let in_flight = usize::try_from(in_flight.max(1)).unwrap_or(1);
        let chains: Vec<Vec<u64>> = (0..in_flight.min(pending.len()))
            .map(|c| pending.iter().skip(c).step_by(in_flight).copied().collect())
            .collect();
        chains.par_iter().try_for_each(|chain| -> Result<()> {
            // One group buffer per chain, reused by each of its groups.
            let mut buffer = Vec::new();
            for (i, &g) in chain.iter().enumerate() {
                if self.progress.cancelled() {
                    return Err(Error::Interrupted(self.output()));
                }
                let subset = region(g, &counts, group_shape, &plan.shape);
                let next = chain
                    .get(i + 1)
                    .map(|&n| region(n, &counts, group_shape, &plan.shape));
                let group = Group {
                    region: &subset,
                    next: next.as_ref(),
                    first: i == 0,
                };
                work(group, &mut buffer)?;
                self.log.record(log_index, g)?;
                self.progress.counted(objects_of(g));
                bytes.fetch_add(bytes_of(g), std::sync::atomic::Ordering::Relaxed);
                written.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            Ok(())
        })?;
        Ok((written.into_inner(), resumed, bytes.into_inner()))
    }
}
