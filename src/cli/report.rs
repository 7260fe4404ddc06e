//! `zlint report`: the HTML report.

use std::io::Write;

use super::args::ReportArgs;
use super::progress::Bar;
use super::{EXIT_ERROR, EXIT_OK, print_node_errors, stdout_error};
use crate::error::Result;
use crate::jobs::{self, ReportRequest};
use crate::report::html;
use crate::store::OpenOptions;
use crate::units::{human_bytes, plural};

pub(crate) fn run(args: &ReportArgs, open: OpenOptions) -> Result<u8> {
    let request = ReportRequest {
        settings: args.settings.requested(),
        deep: args.deep,
        plan_auto: args.plan_auto,
        open,
    };
    let data = jobs::report(&args.path, &request, &Bar::new(args.quiet))?;
    let page = html::render(&data);
    let errors = &data.audit.store.errors;
    if args.output == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(page.as_bytes())
            .and_then(|()| out.flush())
            .map_err(stdout_error)?;
    } else {
        let path = std::path::PathBuf::from(&args.output);
        jobs::save_page(&page, data.audit.root_dir.as_deref(), &path)?;
        let store = &data.audit.store;
        writeln!(
            std::io::stdout(),
            "wrote {} ({}): {} and {}, {} in profile {}",
            path.display(),
            human_bytes(page.len() as u64),
            plural(store.arrays.len(), "array"),
            plural(store.groups.len(), "group"),
            plural(data.audit.lint.findings.len(), "finding"),
            data.audit.lint.profile
        )
        .map_err(stdout_error)?;
    }
    print_node_errors(errors);
    Ok(if errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_ERROR
    })
}
