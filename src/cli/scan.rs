//! `zlint scan`.

use std::io::Write;

use super::args::ScanArgs;
use super::progress::Bar;
use super::{EXIT_ERROR, EXIT_OK, print_node_errors, stdout_error};
use crate::jobs;
use crate::report::{scan_json, scan_text};
use crate::store::OpenOptions;

pub(crate) fn run(args: &ScanArgs, open: OpenOptions) -> crate::Result<u8> {
    let found = jobs::survey(&args.path, open, args.deep, &Bar::new(args.quiet))?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if super::args::wants_json(args.format, args.json, "scan") {
        scan_json::write(&found, &mut out).map_err(stdout_error)?;
    } else {
        scan_text::write(&found, &mut out).map_err(stdout_error)?;
    }
    out.flush().map_err(stdout_error)?;
    print_node_errors(&found.errors);
    Ok(if found.errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_ERROR
    })
}
