//! `zlint STORE` and `zlint scan`: open a store, read its metadata, lint it.

use crate::error::Result;
use crate::lint::settings::Requested;
use crate::lint::{LintReport, Settings, lint};
use crate::model::Store;
use crate::progress::Progress;
use crate::scan::{ScanOptions, scan};
use crate::store::{self, OpenOptions};

/// What an audit is asked for.
#[derive(Clone, Debug, Default)]
pub struct AuditRequest {
    /// The store: a path or a URL.
    pub location: String,
    /// How the store is opened.
    pub open: OpenOptions,
    /// The lint settings asked for (a configuration file is discovered beside a local store).
    pub settings: Requested,
    /// Read the stored chunk objects too.
    pub deep: bool,
}

/// What an audit found.
#[derive(Clone, Debug)]
pub struct Audit {
    /// The scanned store (its `errors` are the nodes that could not be read).
    pub store: Store,
    /// The settings the lint ran with.
    pub settings: Settings,
    /// The lint's findings.
    pub lint: LintReport,
    /// The store's root directory, when it is on a filesystem.
    pub root_dir: Option<std::path::PathBuf>,
}

impl Audit {
    /// Whether a finding reaches the failing severity of the settings.
    #[must_use]
    pub fn fails(&self) -> bool {
        self.lint.fails(self.settings.fail_on)
    }
}

/// Opens and scans the store at `location` (`zlint scan`).
///
/// # Errors
/// Errors opening the store, or a scan stopped by `progress`.
pub fn survey(
    location: &str,
    open: OpenOptions,
    deep: bool,
    progress: &dyn Progress,
) -> Result<Store> {
    let opened = store::open_with(location, open)?;
    scan(&opened, ScanOptions { deep }, progress)
}

/// Opens, scans and lints the store `request` names (`zlint STORE`).
///
/// # Errors
/// Errors opening or scanning the store, or of the configuration.
pub fn audit(request: &AuditRequest, progress: &dyn Progress) -> Result<Audit> {
    let opened = store::open_with(&request.location, request.open)?;
    let settings = Settings::resolve(&request.settings, opened.root_dir())?;
    let found = scan(&opened, ScanOptions { deep: request.deep }, progress)?;
    let lint = lint(&found, &settings);
    Ok(Audit {
        store: found,
        settings,
        lint,
        root_dir: opened.root_dir().map(std::path::Path::to_path_buf),
    })
}
