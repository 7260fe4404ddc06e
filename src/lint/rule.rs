//! What a rule is, and what it reports.

use std::fmt;

use serde::Serialize;

use crate::layout::Layout;
use crate::model::{ArrayInfo, GroupInfo, NodePath, Store};
use crate::profile::{Access, Profile, Thresholds};

/// How serious a finding is.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Goes against the guidance.
    Warning,
    /// A spec violation or hard limit: data unreadable, or writes fail.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        })
    }
}

/// What a rule looks at.
#[derive(Clone, Copy)]
pub enum Check {
    /// One array at a time.
    Array(fn(&ArrayInfo, &LintContext<'_>) -> Vec<Finding>),
    /// One group at a time.
    Group(fn(&GroupInfo, &LintContext<'_>) -> Vec<Finding>),
    /// The whole store.
    Store(fn(&Store, &LintContext<'_>) -> Vec<Finding>),
}

impl fmt::Debug for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Array(_) => "Array",
            Self::Group(_) => "Group",
            Self::Store(_) => "Store",
        })
    }
}

/// Why a rule's finding matters, in one sentence without the final period.
#[derive(Clone, Copy, Debug)]
pub enum Why {
    /// The same sentence whatever the profile.
    Always(&'static str),
    /// A sentence for each profile, where the cost differs with the use.
    ByProfile {
        /// Batch analysis with dask or xarray.
        analysis: &'static str,
        /// Object stores.
        cloud: &'static str,
        /// Viewers.
        visualization: &'static str,
    },
}

impl Why {
    /// The sentence for `profile`.
    #[must_use]
    pub fn for_profile(&self, profile: Profile) -> &'static str {
        match (*self, profile) {
            (Self::Always(why), _) => why,
            (Self::ByProfile { analysis, .. }, Profile::Analysis) => analysis,
            (Self::ByProfile { cloud, .. }, Profile::Cloud) => cloud,
            (Self::ByProfile { visualization, .. }, Profile::Visualization) => visualization,
        }
    }
}

/// A lint rule: its stable ID, name, default severity, check and documentation.
#[derive(Debug)]
pub struct Rule {
    /// Stable ID, never reused: `ZL101`.
    pub id: &'static str,
    /// Kebab-case name stating the problem: `chunk-too-small`.
    pub name: &'static str,
    /// One line saying what it checks.
    pub summary: &'static str,
    /// Severity unless the finding or configuration says otherwise.
    pub severity: Severity,
    /// Whether the rule needs `--deep`.
    pub deep: bool,
    /// Whether findings carry the recommended layout of their array.
    pub recommends: bool,
    /// The check.
    pub check: Check,
    /// Why a finding matters (shown with each finding in text output).
    pub why: Why,
    /// Documentation under fixed headings (`zlint explain`).
    pub explanation: &'static str,
}

impl Rule {
    /// The section of `docs/guidance.md` that gives this rule's threshold, reasoning and sources
    /// (`docs/guidance.md#zl101-chunk-too-small`).
    #[must_use]
    pub fn guidance_link(&self) -> String {
        format!(
            "docs/guidance.md#{}-{}",
            self.id.to_ascii_lowercase(),
            self.name
        )
    }

    /// The same section on the web: docs.rs renders `docs/guidance.md` as this crate's
    /// [`crate::guidance`] module, for this version of zlint (SARIF's `helpUri`).
    #[must_use]
    pub fn guidance_uri(&self) -> String {
        let anchor = self.guidance_link();
        let anchor = anchor.split_once('#').map_or("", |(_, a)| a);
        format!(
            "https://docs.rs/{}/{}/zlint/guidance/index.html#{anchor}",
            env!("CARGO_PKG_NAME"),
            env!("CARGO_PKG_VERSION")
        )
    }

    /// The rule's page: a heading with its ID, name and default severity, then
    /// [`Self::documentation`]. `zlint explain` prints it; docs/rules/ holds it for every rule.
    #[must_use]
    pub fn page(&self) -> String {
        format!(
            "# {} {} ({} by default)\n\n{}",
            self.id,
            self.name,
            self.severity,
            self.documentation()
        )
    }

    /// The explanation with its link to the guidance, as `zlint explain` and SARIF show it.
    #[must_use]
    pub fn documentation(&self) -> String {
        format!(
            "{}
## Guidance and sources
{} (online: {})
",
            self.explanation,
            self.guidance_link(),
            self.guidance_uri()
        )
    }
}

/// What a rule's check returns: the node, the message and the measured figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The node the finding is about.
    pub path: NodePath,
    /// The message: measured value, limit and key.
    pub message: String,
    /// The measured value, when there is one.
    pub measured: Option<f64>,
    /// The limit it was compared with, when there is one.
    pub threshold: Option<f64>,
    /// A severity other than the rule's default (e.g. ZL102 above the hard limit).
    pub severity: Option<Severity>,
}

impl Finding {
    /// A finding about `path`.
    #[must_use]
    pub fn new(path: &NodePath, message: impl Into<String>) -> Self {
        Self {
            path: path.clone(),
            message: message.into(),
            measured: None,
            threshold: None,
            severity: None,
        }
    }

    /// With the measured value and the limit.
    #[must_use]
    pub fn measured(mut self, measured: f64, threshold: f64) -> Self {
        self.measured = Some(measured);
        self.threshold = Some(threshold);
        self
    }

    /// With a severity other than the rule's default.
    #[must_use]
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }
}

/// A finding as reported: the rule, the severity in force and the recommended layout.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    /// Rule ID (`ZL101`).
    pub rule: &'static str,
    /// Rule name (`chunk-too-small`).
    pub name: &'static str,
    /// Severity in force.
    pub severity: Severity,
    /// Node path relative to the store root (the group's path for group findings).
    pub path: NodePath,
    /// The node's metadata file, relative to the store root (`a/zarr.json`, `a/.zarray`, …;
    /// the directory for a group without metadata).
    pub file: String,
    /// The message.
    pub message: String,
    /// The measured value, when there is one.
    pub measured: Option<f64>,
    /// The limit, when there is one.
    pub threshold: Option<f64>,
    /// The recommended layout, where the rule has one.
    pub recommendation: Option<Layout>,
    /// Why `zlint rechunk` cannot write the recommended layout, where it cannot (a codec or
    /// data type it does not decode): the finding then offers no command.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked: Option<String>,
}

/// What every check may read besides its node.
#[derive(Debug)]
pub struct LintContext<'a> {
    /// The whole store (for rules that look at neighbours).
    pub store: &'a Store,
    /// The profile in force.
    pub profile: Profile,
    /// The access pattern in force.
    pub access: Access,
    /// The thresholds in force.
    pub thresholds: &'a Thresholds,
}

impl LintContext<'_> {
    /// `Warning` in `profile`, `Info` in the others: for rules that matter more for one use.
    #[must_use]
    pub fn warning_in(&self, profile: Profile) -> Severity {
        if self.profile == profile {
            Severity::Warning
        } else {
            Severity::Info
        }
    }
}
