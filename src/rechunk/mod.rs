//! Carrying out a [`RechunkPlan`]: write groups in parallel within the memory bound, every object
//! written whole, finished groups journaled for `--resume`, metadata written last.
//!
//! Layout of an output in progress: chunk objects under their final keys, no array or group
//! metadata, and `.zlint-rechunk/` holding `plan.json` and `done.log` (one line per finished
//! write group). Until the metadata is written the output is not a readable store, and `zlint`
//! refuses it; the last step removes `.zlint-rechunk/`.

mod absent_fill;
mod advice;
mod array_copy;
mod carry;
mod checks;
pub mod copy;
mod direct;
mod framing;
mod io;
mod job;
mod journal;
mod lease;
mod repack;
mod shards;
mod verify;
mod write;
pub mod zip_output;

use array_copy::Copy;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use zarrs::array::ArraySubset;

pub use carry::compare_carried;
pub use checks::{Existing, check_source_unchanged, check_target};
pub use job::{
    InProgress, MAX_THREADS, Outcome, Rechunk, Verification, checked_threads, default_max_mem,
    default_threads, machine_budget, machine_budget_from, verify_locations,
};
pub use journal::{JOURNAL_DIR, Journal, PartLog};
pub use verify::{Mismatch, VerifyReport, verify};

use crate::error::{Error, Param, Result};
use crate::model::NodePath;
use crate::plan::parts::{self, Part};
use crate::plan::rechunk_plan::RechunkPlan;
use crate::progress::Progress;
use crate::store::{Fingerprint, OpenedStore, Overlay, TargetStore, fingerprint};

/// What a finished rechunk did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RechunkSummary {
    /// Arrays written.
    pub arrays: usize,
    /// Write groups carried out in this run.
    pub groups_written: u64,
    /// Write groups skipped because an earlier run finished them (`--resume`).
    pub groups_resumed: u64,
    /// Uncompressed bytes written in this run.
    pub bytes_written: u64,
    /// Wall time.
    pub elapsed_secs: f64,
}

/// zarrs' path for a node.
pub(crate) fn zarrs_path(path: &NodePath) -> String {
    format!("/{}", path.as_str())
}

fn rechunk_error(location: impl Into<String>, message: impl Into<crate::error::Cause>) -> Error {
    Error::rechunk(location.into(), message)
}

/// Starts an output for `plan` (the first step of a rechunk, and `--init` of one split into
/// parts): clears the target if `existing` says so and writes the plan into its journal. When
/// resuming an output of the same plan, keeps what it holds.
///
/// # Errors
/// [`Error::Usage`] when resuming an output of another plan; [`Error::Io`] for unwritable files.
pub fn init<'a>(
    plan: &RechunkPlan,
    source: &OpenedStore,
    target: &'a TargetStore,
    existing: Existing,
) -> Result<Journal<'a>> {
    if existing == Existing::Overwrite {
        target.clear()?;
    }
    let now = source_fingerprint(plan, source)?;
    if existing == Existing::Resume
        && let Some(journal) = Journal::find(target)?
    {
        journal.check_same_plan(plan)?;
        journal.check_source(now, &source.location)?;
        return Ok(journal);
    }
    let journal = Journal::create(target, plan)?;
    journal.record_source(now)?;
    Ok(journal)
}

/// The fingerprint of the stored objects of `plan`'s source arrays (see
/// [`crate::store::fingerprint`]).
///
/// # Errors
/// When the source cannot be listed.
pub fn source_fingerprint(plan: &RechunkPlan, source: &OpenedStore) -> Result<Fingerprint> {
    let prefixes: Vec<String> = plan
        .arrays
        .iter()
        .map(|a| a.path.as_str().to_string())
        .collect();
    fingerprint(source, &prefixes)
}

/// Carries out `plan`, reading from `source`: [`init`], then every write group, then
/// [`finalize`]. `existing` says what to do with a non-empty target (checked by [`check_target`]
/// beforehand); `check` runs on the output as it will be, before its metadata is written (see
/// [`finalize`]).
///
/// # Errors
/// [`Error::Rechunk`] naming the array and region at fault (a corrupt or truncated source chunk,
/// an unwritable target); the target is then left without metadata and can be resumed.
pub fn execute(
    plan: &RechunkPlan,
    source: &OpenedStore,
    target: &TargetStore,
    existing: Existing,
    progress: &dyn Progress,
    check: &mut dyn FnMut(&OpenedStore) -> Result<bool>,
) -> Result<RechunkSummary> {
    let started = Instant::now();
    let journal = init(plan, source, target, existing)?;
    // A resumed output goes on with the groups its journal counts (another -j shapes others).
    let continued;
    let plan = if existing == Existing::Resume {
        continued = journal.plan_to_continue(plan)?;
        &continued
    } else {
        plan
    };
    let mut summary = run_part(
        plan,
        &journal,
        source,
        target,
        Part::WHOLE,
        existing == Existing::Resume,
        progress,
    )?;
    finalize(plan, source, target, journal, check)?;
    summary.elapsed_secs = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Carries out the write groups of `part` (see [`crate::plan::parts`]) of an output started by
/// [`init`], skipping groups any part finished before when `resume` is set. Parts may run at the
/// same time, on any machines that see the target; each records its finished groups in its own
/// log.
///
/// # Errors
/// As [`execute`]; [`Error::Usage`] when the part is already running or was started before
/// without `resume`.
pub fn run_part(
    plan: &RechunkPlan,
    journal: &Journal<'_>,
    source: &OpenedStore,
    target: &TargetStore,
    part: Part,
    resume: bool,
    progress: &dyn Progress,
) -> Result<RechunkSummary> {
    let started = Instant::now();
    let log = journal.start_part(part, resume)?;
    let arrays = plan.arrays.len();
    if part.count > 1 && plan.arrays.iter().any(|a| a.intermediate.is_some()) {
        return Err(Error::refused(
            &target.location,
            format!(
                "this plan rechunks in two passes, which parts cannot run; plan a split run \
             with {}",
                Param::Init,
            ),
        ));
    }
    // Finished groups of every array, then of every first pass.
    let (done, _) = if resume {
        journal.finished(2 * arrays)?
    } else {
        (vec![HashSet::new(); 2 * arrays], Vec::new())
    };
    let mine = parts::part_groups(plan, part);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(plan.budget.threads.max(1))
        .build()
        .map_err(|e| rechunk_error(&target.location, e))?;
    let first_passes: u64 = plan
        .arrays
        .iter()
        .filter(|a| a.intermediate.is_some())
        .map(|a| a.bytes_written)
        .sum();
    progress.begin("rechunk bytes", Some(mine.bytes + first_passes));
    let objects: u64 = mine
        .ranges
        .iter()
        .flat_map(|(i, groups)| {
            groups
                .clone()
                .map(|g| parts::group_objects(&plan.arrays[*i], g))
        })
        .sum();
    let sharded = plan.arrays.iter().any(|a| a.target.shards.is_some());
    progress.count(if sharded { "shards" } else { "chunks" }, objects);
    let mut summary = RechunkSummary {
        arrays: mine.ranges.len(),
        groups_written: 0,
        groups_resumed: 0,
        bytes_written: 0,
        elapsed_secs: 0.0,
    };
    for (index, groups) in &mine.ranges {
        let array = &plan.arrays[*index];
        let copy = Copy {
            index: *index,
            plan: array,
            source,
            target,
            log: &log,
            progress,
            location: crate::store::located(&plan.source, array.path.as_str()),
        };
        let (written, resumed, bytes) = pool.install(|| copy.run(groups.clone(), &done, arrays))?;
        summary.groups_written += written;
        summary.groups_resumed += resumed;
        summary.bytes_written += bytes;
    }
    progress.end();
    summary.elapsed_secs = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Completes an output: checks that every write group is finished (by any part), runs `check`
/// (verification, or nothing) on the output as it will be (its metadata seen in memory, not
/// written), and only when it passes writes the array and group metadata and removes the
/// journal. Returns what `check` returned; when it fails, nothing is written and the output stays
/// an output in progress, so an interruption at any point leaves no unverified output that
/// readers open as complete.
///
/// # Errors
/// [`Error::Rechunk`] naming the parts with unfinished groups; [`Error::Io`] for unwritable
/// files; errors of `check`.
pub fn finalize(
    plan: &RechunkPlan,
    source: &OpenedStore,
    target: &TargetStore,
    journal: Journal<'_>,
    check: &mut dyn FnMut(&OpenedStore) -> Result<bool>,
) -> Result<bool> {
    // The source must be the one the output was started from (a part may have run long after
    // `--init`, and a single run reads it for hours).
    journal.check_source(source_fingerprint(plan, source)?, &source.location)?;

    let (done, counts) = journal.finished(plan.arrays.len())?;
    let missing: u64 = plan
        .arrays
        .iter()
        .zip(&done)
        .map(|(a, d)| a.write_groups.count - d.len() as u64)
        .sum();
    if missing > 0 {
        let total: u64 = plan.arrays.iter().map(|a| a.write_groups.count).sum();
        return Err(rechunk_error(
            &target.location,
            format!(
                "incomplete: {missing} of {total} write groups are not finished{}; run them \
                 (with {}) and finalize again",
                unfinished_parts(plan, &done, &counts),
                Param::ResumePart
            ),
        ));
    }

    // Every group is written and no part runs any more: what writes killed midway left behind
    // goes before the output becomes a store.
    target.remove_temporary_files()?;
    // The files the output carries, before the check (which compares them too).
    carry::carry_files(&plan.inventory.carried, source, target)?;

    // The metadata, arrays then groups, verified in memory first and written last.
    let mut documents = Vec::new();
    for (key, doc) in plan.documents() {
        let bytes = serde_json::to_vec_pretty(doc)
            .map_err(|e| rechunk_error(target.key_location(&key), e))?;
        documents.push((key, bytes));
    }
    let as_it_will_be = OpenedStore::other(
        target.location.clone(),
        Arc::new(Overlay::new(
            target.storage.clone().readable_listable(),
            documents
                .iter()
                .map(|(key, bytes)| (key.clone(), bytes.clone().into()))
                .collect(),
        )),
    );
    if !check(&as_it_will_be)? {
        return Ok(false);
    }
    for (key, bytes) in documents {
        target.put(&key, bytes)?;
    }
    journal.finish()?;
    Ok(true)
}

/// `" (parts 1/4, 3/4)"`: the parts, of the split the logs were written with, that still have
/// unfinished groups; empty when the logs do not tell.
fn unfinished_parts(plan: &RechunkPlan, done: &[HashSet<u64>], counts: &[u64]) -> String {
    let [count] = counts else {
        return if counts.is_empty() {
            " (no part has finished a group yet)".into()
        } else {
            String::new()
        };
    };
    let parts: Vec<String> = parts::partition(plan, *count)
        .iter()
        .filter(|p| {
            p.ranges
                .iter()
                .any(|(a, r)| r.clone().any(|g| !done[*a].contains(&g)))
        })
        .map(|p| p.part.to_string())
        .collect();
    match parts.as_slice() {
        [] => String::new(),
        [one] => format!(" (part {one})"),
        many if many.len() <= 10 => format!(" (parts {})", many.join(", ")),
        many => format!(" ({} parts, from {})", many.len(), many[0]),
    }
}

/// The region of write group `g` (C-order index into the group grid), clipped to the array.
fn region(g: u64, counts: &[u64], group: &[u64], shape: &[u64]) -> ArraySubset {
    let mut rest = g;
    let mut ranges = vec![0..0; counts.len()];
    for i in (0..counts.len()).rev() {
        let index = rest % counts[i].max(1);
        rest /= counts[i].max(1);
        let start = index * group[i];
        ranges[i] = start..(start + group[i]).min(shape[i]);
    }
    ArraySubset::new_with_ranges(&ranges)
}
