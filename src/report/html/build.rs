//! The report of a store, start to end: open and scan it, lint it in the requested profile and
//! in every profile for the verdicts, plan `--auto` when asked, and draw the page. Shared by
//! `zlint report` and Python's `chunklint.report`.

use std::path::Path;

use super::HtmlReport;
use crate::error::{Error, Result};
use crate::lint::settings::Requested;
use crate::lint::{Settings, lint};
use crate::model::NodeError;
use crate::plan::{RechunkPlan, ShapeRequests, Targets};
use crate::profile::Profile;
use crate::progress::Progress;
use crate::scan::{ScanOptions, scan};

/// What a report is asked for besides the store.
#[derive(Clone, Debug, Default)]
pub struct ReportRequest {
    /// The lint settings, as for `zlint STORE` (the profile is the page's).
    pub settings: Requested,
    /// Read the stored chunk objects too.
    pub deep: bool,
    /// Plan `rechunk --auto` and show its layouts.
    pub plan_auto: bool,
    /// How the store is opened.
    pub open: crate::store::OpenOptions,
}

/// A drawn report.
#[derive(Clone, Debug)]
pub struct Report {
    /// The page.
    pub html: String,
    /// The store's root directory, when it is on a filesystem.
    pub root_dir: Option<std::path::PathBuf>,
    /// Arrays, groups and findings (in the page's profile).
    pub counts: (usize, usize, usize),
    /// The page's profile.
    pub profile: Profile,
    /// Nodes that could not be read (the page lists them too).
    pub errors: Vec<NodeError>,
}

/// Builds the report of the store at `location`.
///
/// # Errors
/// Errors opening or scanning the store, of the configuration, or of the plan.
pub fn build(location: &str, request: &ReportRequest, progress: &dyn Progress) -> Result<Report> {
    let opened = crate::store::open_with(location, request.open)?;
    let root = opened.root_dir.as_deref();
    let settings = Settings::resolve(&request.settings, root)?;
    let found = scan(&opened, ScanOptions { deep: request.deep }, progress)?;
    let report = lint(&found, &settings);
    let mut profiles = Vec::new();
    for profile in [Profile::Analysis, Profile::Cloud, Profile::Visualization] {
        let requested = Requested {
            profile: Some(profile),
            ..request.settings.clone()
        };
        let settings = Settings::resolve(&requested, root)?;
        let run = lint(&found, &settings);
        let pass = run.worst().is_none_or(|w| w < settings.fail_on);
        profiles.push((profile, run.summary, pass));
    }
    let plan = request
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
                exclude: Vec::new(),
            };
            let budget = crate::rechunk::machine_budget(None, None, &[location]);
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
    Ok(Report {
        html: super::page(&page).into_string(),
        root_dir: opened.root_dir.clone(),
        counts: (
            found.arrays.len(),
            found.groups.len(),
            report.findings.len(),
        ),
        profile: report.profile,
        errors: found.errors.clone(),
    })
}

impl Report {
    /// Writes the page to `path` whole (a temporary file, then a rename), refusing a path inside
    /// the store: a report never changes what it reports on.
    ///
    /// # Errors
    /// [`Error::Usage`] for a path inside the store; [`Error::Io`] when it cannot be written.
    pub fn write_to(&self, path: &Path) -> Result<()> {
        if let Some(root) = &self.root_dir {
            let parent = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            if let (Ok(dir), Ok(root)) = (parent.canonicalize(), root.canonicalize())
                && dir.starts_with(&root)
            {
                return Err(Error::Usage(format!(
                    "{}: inside the store {}; a report is written outside what it reports on (-o PATH)",
                    path.display(),
                    root.display()
                )));
            }
        }
        crate::store::atomic::write_atomic(
            path,
            self.html.as_bytes(),
            u64::from(std::process::id()),
        )
        .map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })
    }
}
