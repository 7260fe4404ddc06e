//! `zlint rechunk` and `zlint verify`: plan a rewrite, run it whole or in parts, finalize it,
//! verify it.

use crate::error::{Error, Param, Result};
use crate::plan::parts::Part;
use crate::plan::{Budget, Targets};
use crate::progress::Progress;
use crate::rechunk::{
    self, Existing, InProgress, Outcome, Rechunk, RechunkSummary, Verification, VerifyReport,
};
use crate::store::OpenOptions;
use crate::units::plural;

/// What a rewrite is asked for.
#[derive(Clone, Debug)]
pub struct PlanRequest {
    /// The source store: a path or a URL.
    pub source: String,
    /// The output: a path, a URL, or a `.zip` file.
    pub target: String,
    /// The layout, format and codec asked for.
    pub targets: Targets,
    /// Memory and threads.
    pub budget: Budget,
    /// What to do with an output already at `target`.
    pub existing: Existing,
    /// How the source is opened.
    pub open: OpenOptions,
    /// The output will be verified: refuse a plan whose verification the budget cannot hold
    /// before anything is written.
    pub verify: bool,
    /// Refuse a plan that would carry some array over unchanged (it cannot be rewritten).
    pub strict: bool,
}

/// Plans the rewrite `request` asks for; nothing is written.
///
/// # Errors
/// Errors opening the source, of the request ([`Error::Usage`]: also a request that changes
/// nothing, unless it packs the store into a zip file), or of the source's metadata.
pub fn plan(request: &PlanRequest) -> Result<Rechunk> {
    let job = Rechunk::plan(
        &request.source,
        &request.target,
        &request.targets,
        request.budget,
        request.existing,
        request.open,
    )?;
    // Checked once the request is known to be sound otherwise (source, target, layouts).
    if request.targets.change_nothing() && job.zip_target().is_none() {
        return Err(Error::refused(
            &request.target,
            format!(
                "nothing to change: none of {}, {}, {}, {}, {}, {} or {} was given, so the \
             rewrite would copy the store as it is; to copy it, give {} with its format (into \
             a .zip or .ozx file, a rewrite packs the store as it is)",
                Param::Chunks,
                Param::Shards,
                Param::Auto,
                Param::To,
                Param::OmeVersion,
                Param::Codec,
                Param::Exclude,
                Param::To,
            ),
        ));
    }
    let plan = job.plan_value();
    let carried = &plan.carried_arrays;
    if request.strict && !carried.is_empty() {
        let named: Vec<String> = carried
            .iter()
            .map(|a| a.described(&request.source))
            .collect();
        return Err(Error::Usage(format!(
            "{}: {} cannot be rewritten, and would be carried over unchanged: {}",
            Param::Strict,
            plural(carried.len(), "array"),
            named.join("; ")
        )));
    }
    if request.verify {
        plan.check_verification(request.budget)?;
    }
    Ok(job)
}

/// Carries out the whole of `job`; with `verify`, compares the output with the source within
/// that budget before marking it complete.
///
/// # Errors
/// What stops the rewrite: unreadable source data, a failed write, an interruption.
pub fn run(
    job: &Rechunk,
    verify: Option<Budget>,
    progress: &dyn Progress,
    verify_progress: &dyn Progress,
) -> Result<Outcome> {
    let verification = verify
        .map(|budget| {
            job.plan_value().check_verification(budget)?;
            Ok::<_, Error>(Verification {
                budget,
                progress: verify_progress,
            })
        })
        .transpose()?;
    job.run(progress, verification.as_ref())
}

/// Runs `part` of the split run in progress at `target` on at most `threads` threads (default:
/// the machine's); with `resume`, a part started before continues.
///
/// # Errors
/// As [`InProgress::open`] and [`InProgress::run_part`].
pub fn run_part(
    (source, target): (&str, &str),
    part: Part,
    resume: bool,
    (threads, open): (Option<usize>, OpenOptions),
    progress: &dyn Progress,
) -> Result<RechunkSummary> {
    let threads = rechunk::machine_budget(None, threads, &[source, target]).threads;
    InProgress::open(source, target, threads, open)?.run_part(part, resume, progress)
}

/// A finalized split run.
#[derive(Debug)]
pub struct Finalized {
    /// How it ended.
    pub outcome: Outcome,
    /// The arrays of its plan.
    pub arrays: usize,
}

/// Completes the split run at `target` once every part finished; with `verify`, compares the
/// output with the source first. `budget` is this machine's: the plan's may be a worker's.
///
/// # Errors
/// As [`InProgress::open`] and [`InProgress::finalize`].
pub fn finalize(
    (source, target): (&str, &str),
    budget: Budget,
    verify: bool,
    open: OpenOptions,
    progress: &dyn Progress,
) -> Result<Finalized> {
    let output = InProgress::open(source, target, budget.threads, open)?;
    if verify {
        output.plan().check_verification(budget)?;
    }
    let verification = Verification { budget, progress };
    let outcome = output.finalize(verify.then_some(&verification))?;
    Ok(Finalized {
        outcome,
        arrays: output.plan().arrays.len(),
    })
}

/// Compares `source` with `target` value by value, and the files carried byte for byte, leaving
/// out files that match `exclude`.
///
/// # Errors
/// Errors opening or scanning either side.
pub fn verify(
    (source, target): (&str, &str),
    budget: Budget,
    exclude: &[String],
    open: OpenOptions,
    progress: &dyn Progress,
) -> Result<VerifyReport> {
    rechunk::verify_locations(source, target, budget, exclude, open, progress)
}
