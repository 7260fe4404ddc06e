//! `zlint rechunk` and `zlint verify`.

use std::io::Write;

use super::args::{OutputFormat, RechunkArgs, VerifyArgs};
use super::progress::Bar;
use super::{EXIT_ERROR, EXIT_OK, stdout_error};
use crate::model::Format;
use crate::plan::parts::Part;
use crate::plan::{Budget, CodecChoice, RechunkPlan, ShapeRequests, Targets};
use crate::rechunk::{self, Existing, Journal};
use crate::scan::{ScanOptions, scan};
use crate::store::{self, TargetStore};
use crate::units::human_bytes;
use crate::units::parse_bytes;

/// A quarter of the machine's memory (1 GiB when it cannot be read).
fn default_max_mem() -> u64 {
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

/// `-j`, or [`super::default_threads`] for `locations`.
fn threads(requested: Option<usize>, locations: &[&str]) -> usize {
    requested
        .unwrap_or_else(|| super::default_threads(locations))
        .max(1)
}

fn budget(max_mem: Option<&str>, threads: usize) -> crate::Result<Budget> {
    let max_mem_bytes = match max_mem {
        Some(text) => parse_bytes(text).filter(|&n| n > 0).ok_or_else(|| {
            crate::Error::Usage(format!("--max-mem {text}: not a size (e.g. 512MiB, 2GiB)"))
        })?,
        None => default_max_mem(),
    };
    Ok(Budget {
        max_mem_bytes,
        threads,
    })
}

pub(crate) fn run(args: &RechunkArgs) -> crate::Result<u8> {
    if let Some(part) = &args.part {
        return run_part(args, part);
    }
    if args.finalize {
        return finalize(args);
    }
    let opened = store::open(&args.source)?;
    let existing = if args.overwrite {
        Existing::Overwrite
    } else if args.resume {
        Existing::Resume
    } else {
        Existing::Refuse
    };
    let target = TargetStore::open(&args.target)?;
    rechunk::check_target(&opened, &target, existing)?;
    let found = scan(
        &opened,
        ScanOptions::default(),
        &crate::progress::NoProgress,
    )?;
    let targets = Targets {
        chunks: ShapeRequests::parse("--chunks", &args.chunks)?,
        shards: ShapeRequests::parse("--shards", &args.shards)?,
        auto: args.auto,
        profile: args.profile,
        access: args.access,
        format: args.format.map(|f| match f {
            OutputFormat::Zarr2 => Format::Zarr2,
            OutputFormat::Zarr3 => Format::Zarr3,
            OutputFormat::N5 => Format::N5,
        }),
        codec: args.codec.as_deref().map(CodecChoice::parse).transpose()?,
        two_pass: !args.init,
    };
    let budget = budget(
        args.max_mem.as_deref(),
        threads(args.threads, &[&args.source, &args.target]),
    )?;
    let plan = RechunkPlan::build(&found, args.target.clone(), &targets, budget)?;
    let mut out = std::io::stdout().lock();
    if args.dry_run {
        if args.json {
            serde_json::to_writer_pretty(&mut out, &plan).map_err(|e| stdout_error(e.into()))?;
            writeln!(out).map_err(stdout_error)?;
        } else {
            write!(out, "{plan}").map_err(stdout_error)?;
        }
        return Ok(EXIT_OK);
    }
    if args.init {
        rechunk::init(&plan, &target, existing)?;
        let groups: u64 = plan.arrays.iter().map(|a| a.write_groups.count).sum();
        writeln!(
            out,
            "planned {} in {}: {} to write; run the parts (--part I/N), then --finalize",
            crate::units::plural(plan.arrays.len(), "array"),
            crate::units::plural(usize::try_from(groups).unwrap_or(usize::MAX), "write group"),
            human_bytes(plan.bytes_written()),
        )
        .map_err(stdout_error)?;
        return Ok(EXIT_OK);
    }
    drop(out);
    let bar = Bar::new(args.quiet);
    let mut verified = None;
    let mut check = verify_check(args, budget, &mut verified);
    let summary = rechunk::execute(&plan, &opened, &target, existing, &bar, &mut check)?;
    drop(check);
    print_summary("rechunked", &summary)?;
    Ok(report_verification(verified.as_ref(), args))
}

/// The check run before an output is marked complete: verification with --verify, else none.
/// The report lands in `verified`.
fn verify_check<'a>(
    args: &'a RechunkArgs,
    budget: Budget,
    verified: &'a mut Option<rechunk::VerifyReport>,
) -> impl FnMut() -> crate::Result<bool> + 'a {
    move || {
        if !args.verify {
            return Ok(true);
        }
        let report = verify_report(&args.source, &args.target, budget, args.quiet)?;
        let passed = report.mismatches.is_empty();
        *verified = Some(report);
        Ok(passed)
    }
}

fn report_verification(report: Option<&rechunk::VerifyReport>, args: &RechunkArgs) -> u8 {
    match report {
        None => EXIT_OK,
        Some(report) => {
            let code = print_verify(report, &args.target);
            if code != EXIT_OK {
                let _ = writeln!(
                    std::io::stderr(),
                    "zlint: error: {}: verification failed; the output was not marked complete",
                    args.target
                );
            }
            code
        }
    }
}

fn print_summary(what: &str, summary: &rechunk::RechunkSummary) -> crate::Result<()> {
    let secs = summary.elapsed_secs.max(1e-9);
    writeln!(
        std::io::stdout(),
        "{what} {}: {} in {:.2} s ({}/s){}",
        crate::units::plural(summary.arrays, "array"),
        human_bytes(summary.bytes_written),
        summary.elapsed_secs,
        human_bytes((summary.bytes_written as f64 / secs) as u64),
        if summary.groups_resumed > 0 {
            format!(", {} write groups resumed", summary.groups_resumed)
        } else {
            String::new()
        }
    )
    .map_err(stdout_error)
}

/// The plan an output in progress holds, with this machine's locations and threads.
fn plan_in_progress<'a>(
    args: &RechunkArgs,
    target: &'a TargetStore,
) -> crate::Result<(Journal<'a>, RechunkPlan)> {
    let journal = Journal::find(target)?.ok_or_else(|| {
        crate::Error::Usage(format!(
            "{}: no rechunk in progress here (start one with zlint rechunk SRC DST --init and the target options)",
            args.target
        ))
    })?;
    let mut plan = journal.plan()?;
    plan.target.clone_from(&args.target);
    plan.source.clone_from(&args.source);
    // The plan's groups were sized for its budget: a part on a machine with more threads than
    // that budget holds runs on fewer.
    plan.budget.threads =
        plan.threads_within_budget(threads(args.threads, &[&args.source, &args.target]));
    Ok((journal, plan))
}

fn run_part(args: &RechunkArgs, part: &str) -> crate::Result<u8> {
    let part = if part == "auto" {
        Part::from_env(|name| std::env::var(name).ok())?
    } else {
        Part::parse(part)?
    };
    let target = TargetStore::open(&args.target)?;
    let (journal, plan) = plan_in_progress(args, &target)?;
    let opened = store::open(&args.source)?;
    rechunk::check_target(&opened, &target, Existing::Resume)?;
    let found = scan(
        &opened,
        ScanOptions::default(),
        &crate::progress::NoProgress,
    )?;
    rechunk::check_source_unchanged(&plan, &found)?;
    let summary = rechunk::run_part(
        &plan,
        &journal,
        &opened,
        &target,
        part,
        args.resume,
        &Bar::new(args.quiet),
    )?;
    print_summary(&format!("part {part} wrote"), &summary)?;
    Ok(EXIT_OK)
}

fn finalize(args: &RechunkArgs) -> crate::Result<u8> {
    let target = TargetStore::open(&args.target)?;
    let (journal, plan) = plan_in_progress(args, &target)?;
    // Verification has its own budget: the plan's may be a worker's, far from this machine's.
    let budget = budget(
        args.max_mem.as_deref(),
        threads(args.threads, &[&args.source, &args.target]),
    )?;
    let mut verified = None;
    let mut check = verify_check(args, budget, &mut verified);
    let complete = rechunk::finalize(&plan, &target, journal, &mut check)?;
    drop(check);
    if complete {
        writeln!(
            std::io::stdout(),
            "finalized {}: {} complete",
            args.target,
            crate::units::plural(plan.arrays.len(), "array")
        )
        .map_err(stdout_error)?;
    }
    Ok(report_verification(verified.as_ref(), args))
}

pub(crate) fn verify(args: &VerifyArgs) -> crate::Result<u8> {
    let budget = budget(
        args.max_mem.as_deref(),
        threads(args.threads, &[&args.source, &args.target]),
    )?;
    let report = verify_report(&args.source, &args.target, budget, args.quiet)?;
    Ok(print_verify(&report, &args.target))
}

fn verify_report(
    source: &str,
    target: &str,
    budget: Budget,
    quiet: bool,
) -> crate::Result<rechunk::VerifyReport> {
    let src = store::open(source)?;
    let dst = store::open(target)?;
    let src_store = scan(&src, ScanOptions::default(), &crate::progress::NoProgress)?;
    let dst_store = scan(&dst, ScanOptions::default(), &crate::progress::NoProgress)?;
    rechunk::verify(
        (&src, &src_store),
        (&dst, &dst_store),
        budget.max_mem_bytes,
        budget.threads,
        &Bar::new(quiet),
    )
}

fn print_verify(report: &rechunk::VerifyReport, target: &str) -> u8 {
    if report.mismatches.is_empty() {
        let _ = writeln!(
            std::io::stdout(),
            "verified {}: {} identical",
            crate::units::plural(report.arrays, "array"),
            human_bytes(report.bytes_compared)
        );
        return EXIT_OK;
    }
    let mut err = std::io::stderr().lock();
    for mismatch in &report.mismatches {
        let _ = writeln!(err, "zlint: error: {target}: {mismatch}");
    }
    EXIT_ERROR
}
