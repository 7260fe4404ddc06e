//! `zlint rechunk` and `zlint verify`.

use std::io::Write;

use super::args::{DataFormat, OutputFormat, RechunkArgs, RechunkOutput, VerifyArgs};
use super::progress::Bar;
use super::{EXIT_ERROR, EXIT_OK, print_json, stdout_error};
use crate::error::{Error, Param, Result};
use crate::jobs::{self, PlanRequest};
use crate::lint::settings::Settings;
use crate::model::Format;
use crate::plan::parts::Part;
use crate::plan::{Budget, CodecChoice, ShapeRequests, Targets};
use crate::rechunk::{self, Existing, Outcome};
use crate::report::outcome_json::{OutcomeDocument, VerifyDocument};
use crate::store::OpenOptions;
use crate::units::{human_bytes, plural};

fn budget(max_mem: Option<&str>, threads: Option<usize>, locations: &[&str]) -> Result<Budget> {
    rechunk::machine_budget_from(max_mem, threads, locations)
}

fn existing(args: &RechunkArgs) -> Existing {
    if args.overwrite {
        Existing::Overwrite
    } else if args.resume {
        Existing::Resume
    } else {
        Existing::Refuse
    }
}

fn targets(args: &RechunkArgs) -> Result<Targets> {
    let mut chunks = ShapeRequests::parse(Param::Chunks, &args.chunks)?;
    let mut shards = ShapeRequests::parse(Param::Shards, &args.shards)?;
    // A layout by axis name in zlint.toml's `[rechunk]` (found upward from a local source, as
    // for a lint), when the command line asks for none.
    if args.chunks.is_empty() && args.shards.is_empty() && !args.auto {
        let source =
            (!crate::store::is_url(&args.source)).then(|| crate::store::local_path(&args.source));
        if let Some(file) = Settings::discover(source) {
            let defaults = Settings::from_file(&file, None)?.rechunk;
            if !defaults.chunks.is_empty() || !defaults.shards.is_empty() {
                eprintln!(
                    "zlint: rechunk layout by axis name from {} [rechunk]",
                    file.display()
                );
                chunks.by_axis = defaults.chunks.into_iter().collect();
                shards.by_axis = defaults.shards.into_iter().collect();
            }
        }
    }
    Ok(Targets {
        chunks,
        shards,
        auto: args.auto,
        profile: args.profile,
        access: args.access,
        format: target_format(args)?,
        codec: args
            .codec
            .as_deref()
            .map(CodecChoice::requested)
            .transpose()?
            .flatten(),
        two_pass: !args.init,
        exclude: args.exclude.clone(),
    })
}

/// The target format `--to` and `--ome-version` ask for, refusing a pair no OME-NGFF
/// specification allows (0.4 is stored in Zarr v2, 0.5 in Zarr v3, neither in N5).
fn target_format(args: &RechunkArgs) -> Result<Option<Format>> {
    let former = args.format.former_to();
    if former.is_some() {
        eprintln!(
            "warning: `rechunk --format` names the output's format now (text or json); the \
             store format is `--to` (`--format zarr2|zarr3|n5` goes in the next release)"
        );
        if args.to.is_some() {
            return Err(Error::Usage(
                "--to and a store format given to --format: give --to alone".into(),
            ));
        }
    }
    let format = args.to.or(former).map(|f| match f {
        OutputFormat::Zarr2 => Format::Zarr2,
        OutputFormat::Zarr3 => Format::Zarr3,
        OutputFormat::N5 => Format::N5,
    });
    crate::plan::request::target_format(format, args.ome_version)
}

/// Whether `--format json` (or its former spelling `--json`) asks for JSON.
fn wants_json(args: &RechunkArgs) -> bool {
    let format = if args.format == RechunkOutput::Json {
        DataFormat::Json
    } else {
        DataFormat::Text
    };
    super::args::wants_json(format, args.json, "rechunk")
}

pub(crate) fn run(args: &RechunkArgs, open: OpenOptions) -> Result<u8> {
    let json = wants_json(args);
    if let Some(part) = &args.part {
        return run_part(args, part, open, json);
    }
    if args.finalize {
        return finalize(args, open, json);
    }
    let locations = [args.source.as_str(), args.target.as_str()];
    let budget = budget(args.max_mem.as_deref(), args.threads, &locations)?;
    let job = jobs::plan(&PlanRequest {
        source: args.source.clone(),
        target: args.target.clone(),
        targets: targets(args)?,
        budget,
        existing: existing(args),
        open,
        verify: args.verify,
        strict: args.strict,
    })?;
    let plan = job.plan_value();
    warn_carried(plan, &args.source);
    let mut out = std::io::stdout().lock();
    if args.dry_run {
        if json {
            print_json(&plan.document())?;
        } else {
            write!(out, "{plan}").map_err(stdout_error)?;
        }
        return Ok(EXIT_OK);
    }
    if args.init {
        job.init()?;
        if json {
            print_json(&plan.document())?;
            return Ok(EXIT_OK);
        }
        let groups: u64 = plan.arrays.iter().map(|a| a.write_groups.count).sum();
        writeln!(
            out,
            "planned {} in {}: {} to write; run the parts (--part I/N), then --finalize",
            plural(plan.arrays.len(), "array"),
            plural(usize::try_from(groups).unwrap_or(usize::MAX), "write group"),
            human_bytes(plan.bytes_written()),
        )
        .map_err(stdout_error)?;
        return Ok(EXIT_OK);
    }
    drop(out);
    let outcome = jobs::run(
        &job,
        args.verify.then_some(budget),
        &Bar::new(args.quiet),
        &Bar::new(args.quiet),
    )?;
    if json {
        print_json(&OutcomeDocument::new(&args.source, &args.target, &outcome))?;
        return Ok(verdict(&outcome, &args.target));
    }
    if let Some(summary) = &outcome.summary {
        print_summary("rechunked", summary)?;
    }
    let code = report_verification(&outcome, args);
    if let (Some(entries), Some(zip)) = (outcome.zip_entries, job.zip_target()) {
        writeln!(
            std::io::stdout(),
            "packed {entries} {} into {} (stored, root metadata first)",
            if entries == 1 { "entry" } else { "entries" },
            zip.display()
        )
        .map_err(stdout_error)?;
    }
    Ok(code)
}

/// Warns of every array the plan carries over unchanged (`--strict` refuses the plan).
fn warn_carried(plan: &crate::plan::RechunkPlan, source: &str) {
    let mut err = std::io::stderr().lock();
    for array in &plan.carried_arrays {
        let _ = writeln!(
            err,
            "warning: {}: carried over unchanged (--strict refuses)",
            array.described(source)
        );
    }
}

/// The exit code of `outcome` when its document is the output: 0, or 2 (and a line saying the
/// output was not marked complete) when verification found differences.
fn verdict(outcome: &Outcome, target: &str) -> u8 {
    if outcome
        .verification
        .as_ref()
        .is_some_and(|report| !report.mismatches.is_empty())
    {
        let _ = writeln!(
            std::io::stderr(),
            "error: {target}: verification failed; the output was not marked complete"
        );
        return EXIT_ERROR;
    }
    EXIT_OK
}

/// Prints the differences verification found (at most `--max-diffs`), then [`verdict`].
fn report_verification(outcome: &Outcome, args: &RechunkArgs) -> u8 {
    if let Some(report) = &outcome.verification {
        print_verify(report, &args.target, args.max_diffs);
    }
    verdict(outcome, &args.target)
}

fn print_summary(what: &str, summary: &rechunk::RechunkSummary) -> Result<()> {
    let secs = summary.elapsed_secs.max(1e-9);
    writeln!(
        std::io::stdout(),
        "{what} {}: {} in {:.2} s ({}/s){}",
        crate::units::plural(summary.arrays, "array"),
        human_bytes(summary.bytes_written),
        summary.elapsed_secs,
        human_bytes((summary.bytes_written as f64 / secs) as u64),
        if summary.groups_resumed > 0 {
            format!(
                ", {} resumed",
                plural(
                    usize::try_from(summary.groups_resumed).unwrap_or(usize::MAX),
                    "write group"
                )
            )
        } else {
            String::new()
        }
    )
    .map_err(stdout_error)
}

fn run_part(args: &RechunkArgs, part: &str, open: OpenOptions, json: bool) -> Result<u8> {
    let part = if part == "auto" {
        Part::from_env(|name| std::env::var(name).ok())?
    } else {
        Part::parse(part)?
    };
    let threads = rechunk::checked_threads(args.threads)?;
    let summary = jobs::run_part(
        (&args.source, &args.target),
        part,
        args.resume,
        (threads, open),
        &Bar::new(args.quiet),
    )?;
    if json {
        print_json(&OutcomeDocument::part(&args.source, &args.target, &summary))?;
    } else {
        print_summary(&format!("part {part} wrote"), &summary)?;
    }
    Ok(EXIT_OK)
}

fn finalize(args: &RechunkArgs, open: OpenOptions, json: bool) -> Result<u8> {
    let locations = [args.source.as_str(), args.target.as_str()];
    // Verification has its own budget: the plan's may be a worker's, far from this machine's.
    let budget = budget(args.max_mem.as_deref(), args.threads, &locations)?;
    let finalized = jobs::finalize(
        (&args.source, &args.target),
        budget,
        args.verify,
        open,
        &Bar::new(args.quiet),
    )?;
    let outcome = finalized.outcome;
    if json {
        print_json(&OutcomeDocument::new(&args.source, &args.target, &outcome))?;
        return Ok(verdict(&outcome, &args.target));
    }
    if outcome.complete {
        writeln!(
            std::io::stdout(),
            "finalized {}: {} complete",
            args.target,
            plural(finalized.arrays, "array")
        )
        .map_err(stdout_error)?;
    }
    Ok(report_verification(&outcome, args))
}

pub(crate) fn verify(args: &VerifyArgs, open: OpenOptions) -> Result<u8> {
    let locations = [args.source.as_str(), args.target.as_str()];
    let budget = budget(args.max_mem.as_deref(), args.threads, &locations)?;
    let report = jobs::verify(
        (&args.source, &args.target),
        budget,
        &args.exclude,
        open,
        &Bar::new(args.quiet),
    )?;
    if args.format == DataFormat::Json {
        print_json(&VerifyDocument::new(&args.source, &args.target, &report))?;
        return Ok(if report.mismatches.is_empty() {
            EXIT_OK
        } else {
            EXIT_ERROR
        });
    }
    Ok(print_verify(&report, &args.target, args.max_diffs))
}

fn print_verify(report: &rechunk::VerifyReport, target: &str, max_diffs: usize) -> u8 {
    if report.mismatches.is_empty() {
        let mut files = if report.files_compared > 0 {
            format!(
                ", {} carried byte for byte",
                plural(report.files_compared, "file")
            )
        } else {
            String::new()
        };
        if report.compared_stored > 0 {
            files.push_str(&format!(
                " ({} zlint cannot decode compared by {})",
                plural(report.compared_stored, "array"),
                if report.compared_stored == 1 {
                    "its stored bytes"
                } else {
                    "their stored bytes"
                }
            ));
        }
        let _ = writeln!(
            std::io::stdout(),
            "verified {}: {} identical{files}",
            crate::units::plural(report.arrays, "array"),
            human_bytes(report.bytes_compared)
        );
        return EXIT_OK;
    }
    let mut err = std::io::stderr().lock();
    for mismatch in report.mismatches.iter().take(max_diffs) {
        let _ = writeln!(
            err,
            "error: {}",
            crate::units::printable_lines(&format!("{target}: {mismatch}"))
        );
    }
    let more = report.mismatches.len().saturating_sub(max_diffs);
    if more > 0 {
        let _ = writeln!(
            err,
            "error: {target}: … and {more} more\nhelp: `--max-diffs {}` shows them all",
            report.mismatches.len()
        );
    }
    EXIT_ERROR
}
