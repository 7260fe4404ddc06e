//! `zlint rechunk` and `zlint verify`.

use std::io::Write;

use super::args::{OutputFormat, RechunkArgs, VerifyArgs};
use super::progress::Bar;
use super::{EXIT_ERROR, EXIT_OK, stdout_error};
use crate::lint::settings::parse_bytes;
use crate::model::Format;
use crate::plan::rechunk_plan::{Budget, CodecChoice, RechunkPlan, ShapeRequests, Targets};
use crate::rechunk::{self, Existing};
use crate::scan::{ScanOptions, scan};
use crate::store;
use crate::units::human_bytes;

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

fn budget(max_mem: Option<&str>, threads: Option<usize>) -> crate::Result<Budget> {
    let max_mem_bytes = match max_mem {
        Some(text) => parse_bytes(text).filter(|&n| n > 0).ok_or_else(|| {
            crate::Error::Usage(format!("--max-mem {text}: not a size (e.g. 512MiB, 2GiB)"))
        })?,
        None => default_max_mem(),
    };
    let threads = threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get))
        .max(1);
    Ok(Budget {
        max_mem_bytes,
        threads,
    })
}

pub(crate) fn run(args: &RechunkArgs) -> crate::Result<u8> {
    let opened = store::open(&args.source)?;
    let existing = if args.overwrite {
        Existing::Overwrite
    } else if args.resume {
        Existing::Resume
    } else {
        Existing::Refuse
    };
    rechunk::check_target(&opened, &args.target, existing)?;
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
    };
    let budget = budget(args.max_mem.as_deref(), args.threads)?;
    let plan = RechunkPlan::build(&found, args.target.clone(), &targets, budget, &|array| {
        rechunk::source_metadata(&opened, array)
    })?;
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
    let bar = Bar::new(args.quiet);
    let summary = rechunk::execute(&plan, &opened, existing, &bar)?;
    let secs = summary.elapsed_secs.max(1e-9);
    writeln!(
        out,
        "rechunked {}: {} in {:.2} s ({}/s){}",
        crate::report::plural(summary.arrays, "array"),
        human_bytes(summary.bytes_written),
        summary.elapsed_secs,
        human_bytes((summary.bytes_written as f64 / secs) as u64),
        if summary.groups_resumed > 0 {
            format!(", {} write groups resumed", summary.groups_resumed)
        } else {
            String::new()
        }
    )
    .map_err(stdout_error)?;
    if args.verify {
        drop(out);
        return verify_stores(
            &args.source,
            &args.target.display().to_string(),
            budget,
            args.quiet,
        );
    }
    Ok(EXIT_OK)
}

pub(crate) fn verify(args: &VerifyArgs) -> crate::Result<u8> {
    let budget = budget(args.max_mem.as_deref(), args.threads)?;
    verify_stores(&args.source, &args.target, budget, args.quiet)
}

fn verify_stores(source: &str, target: &str, budget: Budget, quiet: bool) -> crate::Result<u8> {
    let src = store::open(source)?;
    let dst = store::open(target)?;
    let src_store = scan(&src, ScanOptions::default(), &crate::progress::NoProgress)?;
    let dst_store = scan(&dst, ScanOptions::default(), &crate::progress::NoProgress)?;
    let report = rechunk::verify(
        (&src, &src_store),
        (&dst, &dst_store),
        budget.max_mem_bytes,
        budget.threads,
        &Bar::new(quiet),
    )?;
    let mut out = std::io::stdout().lock();
    if report.mismatches.is_empty() {
        writeln!(
            out,
            "verified {}: {} identical",
            crate::report::plural(report.arrays, "array"),
            human_bytes(report.bytes_compared)
        )
        .map_err(stdout_error)?;
        return Ok(EXIT_OK);
    }
    let mut err = std::io::stderr().lock();
    for mismatch in &report.mismatches {
        let _ = writeln!(err, "zlint: error: {target}: {mismatch}");
    }
    Ok(EXIT_ERROR)
}
