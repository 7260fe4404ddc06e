//! `zlint report`: the HTML report.

use std::io::Write;

use super::args::ReportArgs;
use super::progress::Bar;
use super::{EXIT_ERROR, EXIT_OK, print_node_errors, stdout_error};
use crate::error::{Error, Result};
use crate::lint::settings::Requested;
use crate::lint::{Settings, lint};
use crate::plan::{RechunkPlan, ShapeRequests, Targets};
use crate::profile::Profile;
use crate::report::html::{self, HtmlReport};
use crate::scan::{ScanOptions, scan};
use crate::store;
use crate::units::{human_bytes, plural};

pub(crate) fn run(args: &ReportArgs) -> Result<u8> {
    let opened = store::open(&args.path)?;
    let requested = |profile: Option<Profile>| Requested {
        config: args.config.clone(),
        no_config: args.no_config,
        profile,
        access: args.access,
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        fail_on: args.fail_on,
        ..Requested::default()
    };
    let root = opened.root_dir.as_deref();
    let settings = Settings::resolve(&requested(args.profile), root)?;
    let found = scan(
        &opened,
        ScanOptions { deep: args.deep },
        &Bar::new(args.quiet),
    )?;
    let report = lint(&found, &settings);
    let mut profiles = Vec::new();
    for profile in [Profile::Analysis, Profile::Cloud, Profile::Visualization] {
        let settings = Settings::resolve(&requested(Some(profile)), root)?;
        let run = lint(&found, &settings);
        let pass = run.worst().is_none_or(|w| w < settings.fail_on);
        profiles.push((profile, run.summary, pass));
    }
    let plan = args
        .plan_auto
        .then(|| {
            let targets = Targets {
                chunks: ShapeRequests::default(),
                shards: ShapeRequests::default(),
                auto: true,
                profile: settings.profile,
                access: settings.access,
                format: None,
                codec: None,
                two_pass: true,
            };
            let budget = crate::rechunk::machine_budget(None, None, &[&args.path]);
            RechunkPlan::build(&found, "OUT".into(), &targets, budget)
        })
        .transpose()?;
    let page = HtmlReport {
        store: &found,
        lint: &report,
        thresholds: &settings.thresholds,
        profiles: &profiles,
        plan: plan.as_ref(),
    };
    if args.output == "-" {
        let mut out = std::io::stdout().lock();
        html::write(&page, &mut out).map_err(stdout_error)?;
        out.flush().map_err(stdout_error)?;
    } else {
        let path = std::path::PathBuf::from(&args.output);
        refuse_inside(&path, opened.root_dir.as_deref())?;
        let mut bytes = Vec::new();
        html::write(&page, &mut bytes).map_err(stdout_error)?;
        crate::store::atomic::write_atomic(&path, &bytes, u64::from(std::process::id())).map_err(
            |source| Error::Io {
                path: path.clone(),
                source,
            },
        )?;
        writeln!(
            std::io::stdout(),
            "wrote {} ({}): {} and {}, {} in profile {}",
            path.display(),
            human_bytes(bytes.len() as u64),
            plural(found.arrays.len(), "array"),
            plural(found.groups.len(), "group"),
            plural(report.findings.len(), "finding"),
            report.profile
        )
        .map_err(stdout_error)?;
    }
    print_node_errors(&found.errors);
    Ok(if found.errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_ERROR
    })
}

/// Refuses to write the page inside the store it reports on: a report never changes its source.
fn refuse_inside(page: &std::path::Path, root: Option<&std::path::Path>) -> Result<()> {
    let (Some(root), Some(parent)) = (root, page.parent()) else {
        return Ok(());
    };
    let parent = if parent.as_os_str().is_empty() {
        std::path::Path::new(".")
    } else {
        parent
    };
    let inside = match (parent.canonicalize(), root.canonicalize()) {
        (Ok(dir), Ok(root)) => dir.starts_with(root),
        _ => false,
    };
    if inside {
        return Err(Error::Usage(format!(
            "{}: inside the store {}; a report is written outside what it reports on (-o PATH)",
            page.display(),
            root.display()
        )));
    }
    Ok(())
}
