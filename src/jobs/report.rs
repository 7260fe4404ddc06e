//! `zlint report`: an audit in every profile, and the plan of `--auto`, for the page
//! `report::html` draws.

use std::path::Path;

use super::audit::{Audit, AuditRequest, audit};
use crate::error::{Error, Param, Result};
use crate::lint::settings::Requested;
use crate::lint::{Settings, Summary, lint};
use crate::plan::{RechunkPlan, Targets};
use crate::profile::Profile;
use crate::progress::Progress;

/// What a report is asked for besides the store.
#[derive(Clone, Debug, Default)]
pub struct ReportRequest {
    /// The lint settings, as for an audit (the profile is the page's).
    pub settings: Requested,
    /// Read the stored chunk objects too.
    pub deep: bool,
    /// Plan a rechunk to the recommended layout (`--auto`) and show its layouts.
    pub plan_auto: bool,
    /// How the store is opened.
    pub open: crate::store::OpenOptions,
}

/// Everything a report shows.
#[derive(Clone, Debug)]
pub struct ReportData {
    /// The audit in the requested profile.
    pub audit: Audit,
    /// For each profile: its counts, and whether the store passes it (no finding at or above
    /// the failing severity).
    pub profiles: Vec<(Profile, Summary, bool)>,
    /// The plan of a rechunk to the recommended layout, when asked for.
    pub plan: Option<RechunkPlan>,
}

/// Audits the store at `location` in the requested profile and in every profile for the
/// verdicts, and plans `--auto` when asked.
///
/// # Errors
/// Errors opening or scanning the store, of the configuration, or of the plan.
pub fn report(
    location: &str,
    request: &ReportRequest,
    progress: &dyn Progress,
) -> Result<ReportData> {
    let audit = audit(
        &AuditRequest {
            location: location.to_string(),
            open: request.open,
            settings: request.settings.clone(),
            deep: request.deep,
        },
        progress,
    )?;
    let root = audit.root_dir.as_deref();
    let mut profiles = Vec::new();
    for profile in [Profile::Analysis, Profile::Cloud, Profile::Visualization] {
        let requested = Requested {
            profile: Some(profile),
            ..request.settings.clone()
        };
        let settings = Settings::resolve(&requested, root)?;
        let run = lint(&audit.store, &settings);
        let pass = !run.fails(settings.fail_on);
        profiles.push((profile, run.summary, pass));
    }
    let plan = request
        .plan_auto
        .then(|| {
            let targets = Targets::auto(audit.settings.profile, audit.settings.access);
            let budget = crate::rechunk::machine_budget(None, None, &[location]);
            RechunkPlan::build(&audit.store, "OUT".into(), &targets, budget)
        })
        .transpose()?;
    Ok(ReportData {
        audit,
        profiles,
        plan,
    })
}

/// Writes a drawn page to `path` whole (a temporary file, then a rename), refusing a path inside
/// the store at `store_root`: a report never changes what it reports on.
///
/// # Errors
/// [`Error::Usage`] for a path inside the store; [`Error::Io`] when it cannot be written.
pub fn save_page(page: &str, store_root: Option<&Path>, path: &Path) -> Result<()> {
    if let Some(root) = store_root {
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if let (Ok(dir), Ok(root)) = (parent.canonicalize(), root.canonicalize())
            && dir.starts_with(&root)
        {
            return Err(Error::refused(
                path.display(),
                format!(
                    "inside the store {}; a report is written outside what it reports on ({})",
                    root.display(),
                    Param::Output,
                ),
            ));
        }
    }
    crate::store::atomic::write_atomic(path, page.as_bytes(), u64::from(std::process::id()))
        .map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })
}
