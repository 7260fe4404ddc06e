//! One entry point for a rechunk, for the command line and library users alike: [`Rechunk`]
//! plans a rechunk from two locations and runs it (or starts a split run); [`InProgress`]
//! continues an output started before (its parts, then [`InProgress::finalize`]);
//! [`verify_locations`] compares two stores. The caller only fills in the request and shows the
//! outcome.

use std::path::{Path, PathBuf};

use super::checks::{Existing, check_source_unchanged, check_target};
use super::journal::Journal;
use super::zip_output;
use super::{
    RechunkSummary, VerifyReport, compare_carried, execute, finalize, init, run_part,
    source_fingerprint, verify,
};
use crate::error::{Error, Param, Result};
use crate::model::{Format, Store};
use crate::plan::carried_arrays::undecodable_arrays;
use crate::plan::inventory::{Exclusions, take_inventory};
use crate::plan::parts::Part;
use crate::plan::{Budget, RechunkPlan, Targets};
use crate::progress::{NoProgress, Progress};
use crate::scan::{ScanOptions, scan};
use crate::store::listing::list_objects;
use crate::store::{self, OpenOptions, OpenedStore, TargetStore};

/// Threads when a store is behind a URL: requests wait on the network, one per thread at a
/// time, so at least this many are kept in flight.
const OBJECT_STORE_THREADS: usize = 16;

/// The most worker threads a run takes (`-j`, `threads=`): more only adds scheduling and memory
/// for stacks (a thread waits on at most one request or chunk at a time).
pub const MAX_THREADS: usize = 256;

/// `threads` checked at the edge: `None` stays the default; 0 and more than [`MAX_THREADS`] are
/// refused.
///
/// # Errors
/// [`Error::Usage`] naming [`Param::Threads`].
pub fn checked_threads(threads: Option<usize>) -> Result<Option<usize>> {
    match threads {
        Some(n) if n == 0 || n > MAX_THREADS => Err(Error::Usage(format!(
            "{}: worker threads go from 1 to {MAX_THREADS}",
            Param::Threads.with(n)
        ))),
        other => Ok(other),
    }
}

/// Every core, or at least 16 threads when one of `locations` is an object store URL.
#[must_use]
pub fn default_threads(locations: &[&str]) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if locations.iter().any(|l| store::is_url(l)) {
        cores.max(OBJECT_STORE_THREADS)
    } else {
        cores
    }
}

/// A quarter of the machine's memory (1 GiB when it cannot be read).
#[must_use]
pub fn default_max_mem() -> u64 {
    let total_kib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse::<u64>().ok())
        });
    total_kib.map_or(1 << 30, |kib| kib * 1024 / 4)
}

/// The budget on this machine: `max_mem_bytes` or [`default_max_mem`], and `threads` or
/// [`default_threads`] for `locations` (at least one).
#[must_use]
pub fn machine_budget(
    max_mem_bytes: Option<u64>,
    threads: Option<usize>,
    locations: &[&str],
) -> Budget {
    Budget {
        max_mem_bytes: max_mem_bytes.unwrap_or_else(default_max_mem),
        threads: threads
            .unwrap_or_else(|| default_threads(locations))
            .clamp(1, MAX_THREADS),
    }
}

/// [`machine_budget`] with the memory given as text (`512MiB`, `2GiB`).
///
/// # Errors
/// [`Error::Usage`] naming [`Param::MaxMem`] when the text is not a positive size, and
/// [`Param::Threads`] for threads outside 1 to [`MAX_THREADS`].
pub fn machine_budget_from(
    max_mem: Option<&str>,
    threads: Option<usize>,
    locations: &[&str],
) -> Result<Budget> {
    let threads = checked_threads(threads)?;
    let bytes = max_mem
        .map(|text| {
            crate::units::parse_bytes(text)
                .filter(|&n| n > 0)
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "{}: not a size (e.g. 512MiB, 2GiB)",
                        Param::MaxMem.with(text)
                    ))
                })
        })
        .transpose()?;
    Ok(machine_budget(bytes, threads, locations))
}

fn scan_metadata(opened: &OpenedStore) -> Result<Store> {
    scan(opened, ScanOptions::default(), &NoProgress)
}

/// What a run or a finalization ended with.
#[derive(Debug)]
pub struct Outcome {
    /// What the run wrote (none for a finalization).
    pub summary: Option<RechunkSummary>,
    /// Whether the output is complete: its metadata written and its journal gone. `false` when
    /// verification found differences (the output then stays an output in progress).
    pub complete: bool,
    /// The verification, when one was asked for.
    pub verification: Option<VerifyReport>,
    /// For a zip target: the entries packed into the zip once the output was complete.
    pub zip_entries: Option<usize>,
}

/// A verification of an output before it is marked complete.
pub struct Verification<'a> {
    /// Its memory and threads (they may differ from the plan's, made elsewhere).
    pub budget: Budget,
    /// Where its progress goes.
    pub progress: &'a dyn Progress,
}

/// A planned rechunk of one location into another.
pub struct Rechunk {
    plan: RechunkPlan,
    source: OpenedStore,
    target: TargetStore,
    existing: Existing,
    /// The zip file the output is packed into, for a zip target (the plan's target is then
    /// its staging directory, see [`zip_output`]).
    zip: Option<PathBuf>,
}

impl std::fmt::Debug for Rechunk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rechunk")
            .field("plan", &self.plan)
            .field("existing", &self.existing)
            .finish_non_exhaustive()
    }
}

impl Rechunk {
    /// Opens `source` (with `options`, which every later opening of it for this job keeps) and
    /// `target`, checks that the target may be written (see [`check_target`]), scans the
    /// source's metadata and plans the rechunk. Nothing is written.
    ///
    /// # Errors
    /// [`Error::Usage`] for a target that may not be written or a layout that does not fit;
    /// errors opening or scanning either side.
    pub fn plan(
        source: &str,
        target: &str,
        targets: &Targets,
        budget: Budget,
        existing: Existing,
        options: OpenOptions,
    ) -> Result<Self> {
        let opened = store::open_with(source, options)?;
        let zip = zip_output::zip_target(target);
        let work = match &zip {
            Some(zip) => {
                check_zip_target(&opened, zip, existing)?;
                let staging = zip_output::staging_dir(zip);
                crate::store::atomic::refuse_link(&staging).map_err(|source| Error::Io {
                    path: staging.clone(),
                    source,
                })?;
                staging.display().to_string()
            }
            None => target.to_string(),
        };
        let output = TargetStore::open(&work)?;
        check_target(&opened, &output, existing)?;
        let found = scan_metadata(&opened)?;
        let mut plan = RechunkPlan::build(&found, work, targets, budget)?;
        if let Some(zip) = &zip {
            check_ozx_format(zip, &plan)?;
        }
        let exclusions = Exclusions::new(&targets.exclude)?;
        let carried: Vec<_> = plan.carried_arrays.iter().map(|a| a.path.clone()).collect();
        plan.set_inventory(take_inventory(
            &found,
            list_objects(&opened, "")?,
            &exclusions,
            &carried,
        ))?;
        Ok(Self {
            plan,
            source: opened,
            target: output,
            existing,
            zip,
        })
    }

    /// The zip file the output is packed into once complete, for a zip target.
    #[must_use]
    pub fn zip_target(&self) -> Option<&Path> {
        self.zip.as_deref()
    }

    /// The plan.
    #[must_use]
    pub fn plan_value(&self) -> &RechunkPlan {
        &self.plan
    }

    /// Starts a split run: clears or keeps the target as `existing` said, and writes the plan
    /// into its journal; the parts then run with [`InProgress::run_part`].
    ///
    /// # Errors
    /// As [`init`].
    pub fn init(&self) -> Result<()> {
        if let Some(zip) = &self.zip {
            return Err(Error::refused(
                zip.display(),
                format!(
                    "a split run writes a directory; rechunk into one, then a rechunk of that \
                 directory into {} packs it",
                    zip.display(),
                ),
            ));
        }
        init(&self.plan, &self.source, &self.target, self.existing).map(|_| ())
    }

    /// Carries out the whole rechunk; with `verification`, the output is compared with the
    /// source before it is marked complete.
    ///
    /// # Errors
    /// As [`execute`]; errors of the verification's reads.
    pub fn run(
        &self,
        progress: &dyn Progress,
        verification: Option<&Verification<'_>>,
    ) -> Result<Outcome> {
        let mut report = None;
        let mut check = verify_check(&self.plan, self.source.options, verification, &mut report);
        let summary = execute(
            &self.plan,
            &self.source,
            &self.target,
            self.existing,
            progress,
            &mut check,
        )?;
        drop(check);
        let complete = report.as_ref().is_none_or(|r| r.mismatches.is_empty());
        let zip_entries = match &self.zip {
            Some(zip) if complete => Some(zip_output::pack(&zip_output::staging_dir(zip), zip)?),
            _ => None,
        };
        Ok(Outcome {
            summary: Some(summary),
            complete,
            verification: report,
            zip_entries,
        })
    }
}

/// An `.ozx` holds OME-Zarr 0.5 or later, so Zarr v3 only (RFC-9): a plan that writes another
/// format into one is refused, naming the option that gives Zarr v3.
fn check_ozx_format(zip: &Path, plan: &RechunkPlan) -> Result<()> {
    if !zip_output::is_ozx(zip) {
        return Ok(());
    }
    let formats = plan
        .arrays
        .iter()
        .map(|a| (&a.path, a.target_format))
        .chain(plan.groups.iter().map(|g| {
            let format = match g.metadata.first().map(|(name, _)| name.as_str()) {
                Some(".zgroup") => Format::Zarr2,
                Some("attributes.json") => Format::N5,
                _ => Format::Zarr3,
            };
            (&g.path, format)
        }));
    for (path, format) in formats {
        if format != Format::Zarr3 {
            return Err(Error::refused(
                zip.display(),
                format!(
                    "an .ozx holds OME-Zarr 0.5 (Zarr v3), and `{}` would be written as {format}; \
                 add {} (or {}), or write a .zip",
                    if path.is_root() { "/" } else { path.as_str() },
                    Param::OmeVersion.with("0.5"),
                    Param::To.with("zarr3"),
                ),
            ));
        }
    }
    Ok(())
}

/// A zip target may be written: not the source itself, and not a file already there unless
/// `existing` replaces it (resuming continues its staging directory).
fn check_zip_target(source: &OpenedStore, zip: &Path, existing: Existing) -> Result<()> {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if source.zip().is_some() && same(store::local_path(&source.location), zip) {
        return Err(Error::refused(
            zip.display(),
            "the target is the source; zlint never writes over its source".into(),
        ));
    }
    if zip.exists() && existing == Existing::Refuse {
        return Err(Error::refused(
            zip.display(),
            format!("the target exists ({} replaces it)", Param::Overwrite,),
        ));
    }
    Ok(())
}

/// The check [`finalize`] runs before marking an output complete: a verification of the output
/// as it will be against `plan.source`, or none. Its report lands in `report`.
fn verify_check<'a>(
    plan: &'a RechunkPlan,
    options: OpenOptions,
    verification: Option<&'a Verification<'a>>,
    report: &'a mut Option<VerifyReport>,
) -> impl FnMut(&OpenedStore) -> Result<bool> + 'a {
    move |output| {
        let Some(verification) = verification else {
            return Ok(true);
        };
        let source = store::open_with(&plan.source, options)?;
        let (src_store, dst_store) = (scan_metadata(&source)?, scan_metadata(output)?);
        let compared = verify(
            (&source, &src_store),
            (output, &dst_store),
            verification.budget.max_mem_bytes,
            verification.budget.threads,
            verification.progress,
        )?;
        let mut compared = compared;
        compared
            .mismatches
            .extend(compare_carried(&source, output, &plan.inventory.carried)?);
        compared.files_compared = plan.inventory.carried.len();
        let passed = compared.mismatches.is_empty();
        *report = Some(compared);
        Ok(passed)
    }
}

/// An output in progress: started by [`Rechunk::init`] (or interrupted), with the plan its
/// journal holds.
pub struct InProgress {
    plan: RechunkPlan,
    stored_plan: Vec<u8>,
    target: TargetStore,
    /// How the source is opened.
    options: OpenOptions,
}

impl std::fmt::Debug for InProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProgress")
            .field("plan", &self.plan)
            .finish_non_exhaustive()
    }
}

impl InProgress {
    /// The output in progress at `target`, its plan read from the journal with this machine's
    /// locations, and run on at most `threads` threads: the plan's groups were sized for its
    /// budget, so a machine with more threads than that budget holds runs on fewer. The source
    /// is opened with `options`.
    ///
    /// # Errors
    /// [`Error::Usage`] when no rechunk is in progress there, or its plan is not one this zlint
    /// can continue.
    pub fn open(source: &str, target: &str, threads: usize, options: OpenOptions) -> Result<Self> {
        let output = TargetStore::open(target)?;
        let journal = Journal::find(&output)?.ok_or_else(|| {
            Error::Usage(format!(
                "{target}: no rechunk in progress here (plan one with {} and the target options)",
                Param::Init
            ))
        })?;
        let plan = journal.plan()?.continued(source, target, threads);
        let stored_plan = journal.into_stored();
        Ok(Self {
            plan,
            stored_plan,
            target: output,
            options,
        })
    }

    /// The plan.
    #[must_use]
    pub fn plan(&self) -> &RechunkPlan {
        &self.plan
    }

    fn journal(&self) -> Journal<'_> {
        Journal::from_stored(&self.target, self.stored_plan.clone())
    }

    /// Runs `part` (see [`run_part`]) after checking that the source is still the one planned.
    ///
    /// # Errors
    /// As [`run_part`]; [`Error::Usage`] when the source changed since the plan.
    pub fn run_part(
        &self,
        part: Part,
        resume: bool,
        progress: &dyn Progress,
    ) -> Result<RechunkSummary> {
        let opened = store::open_with(&self.plan.source, self.options)?;
        check_target(&opened, &self.target, Existing::Resume)?;
        check_source_unchanged(&self.plan, &scan_metadata(&opened)?)?;
        self.journal()
            .check_source(source_fingerprint(&self.plan, &opened)?, &opened.location)?;
        run_part(
            &self.plan,
            &self.journal(),
            &opened,
            &self.target,
            part,
            resume,
            progress,
        )
    }

    /// Completes the output once every part has finished (see [`finalize`]), verified first
    /// with `verification`.
    ///
    /// # Errors
    /// As [`finalize`].
    pub fn finalize(&self, verification: Option<&Verification<'_>>) -> Result<Outcome> {
        let mut report = None;
        let mut check = verify_check(&self.plan, self.options, verification, &mut report);
        let source = store::open_with(&self.plan.source, self.options)?;
        let complete = finalize(
            &self.plan,
            &source,
            &self.target,
            self.journal(),
            &mut check,
        )?;
        drop(check);
        Ok(Outcome {
            summary: None,
            complete,
            verification: report,
            zip_entries: None,
        })
    }
}

/// Opens (with `options`) and scans `source` and `target` and compares them (see [`verify`]).
///
/// # Errors
/// Errors opening, scanning or reading either side.
pub fn verify_locations(
    source: &str,
    target: &str,
    budget: Budget,
    exclude: &[String],
    options: OpenOptions,
    progress: &dyn Progress,
) -> Result<VerifyReport> {
    let exclusions = Exclusions::new(exclude)?;
    let src = store::open_with(source, options)?;
    let dst = store::open_with(target, options)?;
    let (src_store, dst_store) = (scan_metadata(&src)?, scan_metadata(&dst)?);
    let mut report = verify(
        (&src, &src_store),
        (&dst, &dst_store),
        budget.max_mem_bytes,
        budget.threads,
        progress,
    )?;
    let inventory = take_inventory(
        &src_store,
        list_objects(&src, "")?,
        &exclusions,
        &undecodable_arrays(&src_store),
    );
    report
        .mismatches
        .extend(compare_carried(&src, &dst, &inventory.carried)?);
    report.files_compared = inventory.carried.len();
    Ok(report)
}
