//! `zlint report`: the HTML report.

use std::io::Write;

use super::args::ReportArgs;
use super::progress::Bar;
use super::{EXIT_ERROR, EXIT_OK, print_node_errors, stdout_error};
use crate::error::Result;
use crate::report::html::{ReportRequest, build};
use crate::store::OpenOptions;
use crate::units::{human_bytes, plural};

pub(crate) fn run(args: &ReportArgs, open: OpenOptions) -> Result<u8> {
    let request = ReportRequest {
        settings: args.settings.requested(),
        deep: args.deep,
        plan_auto: args.plan_auto,
        open,
    };
    let report = build(&args.path, &request, &Bar::new(args.quiet))?;
    if args.output == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(report.html.as_bytes())
            .and_then(|()| out.flush())
            .map_err(stdout_error)?;
    } else {
        let path = std::path::PathBuf::from(&args.output);
        report.write_to(&path)?;
        let (arrays, groups, findings) = report.counts;
        writeln!(
            std::io::stdout(),
            "wrote {} ({}): {} and {}, {} in profile {}",
            path.display(),
            human_bytes(report.html.len() as u64),
            plural(arrays, "array"),
            plural(groups, "group"),
            plural(findings, "finding"),
            report.profile
        )
        .map_err(stdout_error)?;
    }
    print_node_errors(&report.errors);
    Ok(if report.errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_ERROR
    })
}
