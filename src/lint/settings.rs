//! Lint settings: defaults, then `zlint.toml`, then command-line flags.
//!
//! ```toml
//! profile = "visualization"      # analysis | cloud | visualization
//! access = "volume"              # auto | volume | plane | timeseries
//! select = ["ZL1", "ZL2"]        # IDs, ID prefixes or names; empty = all
//! ignore = ["ZL105"]
//! fail-on = "warning"            # error | warning | info
//!
//! [thresholds]                   # any key of `zlint rules --thresholds`
//! chunk-min-bytes = "2 MiB"      # integers, or strings with a binary unit
//! cores = 32
//!
//! [severity]                     # per rule: error | warning | info
//! ZL104 = "error"
//!
//! [[overrides]]                  # per path (a store path, or a prefix ending in `/`)
//! path = "labels/"
//! ignore = ["ZL106", "ZL107"]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::rule::{Rule, Severity};
use crate::error::{Error, Result};
use crate::model::NodePath;
use crate::profile::{Access, Profile, Thresholds};
use crate::units::parse_bytes;

/// The config file name looked for in the store and the current directory.
pub const CONFIG_FILE: &str = "zlint.toml";

/// Everything that shapes a lint run.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Profile.
    pub profile: Profile,
    /// Access pattern.
    pub access: Access,
    /// Thresholds (the profile's defaults with the configured changes).
    pub thresholds: Thresholds,
    /// Rules to run (empty: all).
    pub select: Vec<String>,
    /// Rules not to run.
    pub ignore: Vec<String>,
    /// Severities set per rule ID.
    pub severities: BTreeMap<String, Severity>,
    /// Per-path rule exclusions.
    pub overrides: Vec<PathOverride>,
    /// The lowest severity that fails the run.
    pub fail_on: Severity,
    /// `[rechunk]`: target chunk and shard extents by axis name, for `zlint rechunk` when its
    /// command line asks for no layout.
    pub rechunk: RechunkDefaults,
}

/// The `[rechunk]` table: layouts by axis name (`chunks = { z = 16, y = 256, x = 256 }`), as
/// `--chunks z=16,y=256,x=256` gives them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RechunkDefaults {
    /// Chunk extents by axis name.
    #[serde(default)]
    pub chunks: BTreeMap<String, u64>,
    /// Shard extents by axis name.
    #[serde(default)]
    pub shards: BTreeMap<String, u64>,
}

/// Rules ignored below a path.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathOverride {
    /// A node path, or a prefix ending in `/`.
    pub path: String,
    /// Rules ignored there.
    #[serde(default)]
    pub ignore: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self::for_profile(Profile::default())
    }
}

/// The Python project file whose `[tool.zlint]` table configures zlint as `zlint.toml` does.
pub const PYPROJECT_FILE: &str = "pyproject.toml";

/// `pyproject.toml`: only `[tool.zlint]` is read; other tools' tables are theirs.
#[derive(Debug, Default, Deserialize)]
struct PyProject {
    #[serde(default)]
    tool: PyProjectTools,
}

#[derive(Debug, Default, Deserialize)]
struct PyProjectTools {
    zlint: Option<ConfigFile>,
}

fn is_pyproject(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == PYPROJECT_FILE)
}

/// Whether the `pyproject.toml` at `path` has a `[tool.zlint]` table (unreadable files have
/// none: they are not zlint's to report).
fn has_zlint_table(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .and_then(|table| table.get("tool")?.get("zlint").cloned())
        .is_some()
}

/// `zlint.toml` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConfigFile {
    profile: Option<Profile>,
    access: Option<Access>,
    #[serde(default)]
    select: Vec<String>,
    #[serde(default)]
    ignore: Vec<String>,
    fail_on: Option<Severity>,
    #[serde(default)]
    thresholds: BTreeMap<String, toml::Value>,
    #[serde(default)]
    severity: BTreeMap<String, Severity>,
    #[serde(default)]
    overrides: Vec<PathOverride>,
    #[serde(default)]
    rechunk: RechunkDefaults,
}

/// What a caller asks of a lint run's settings beside the config file: the command line's
/// flags, or a library call's arguments. `None` and empty leave the file's (or default) value.
#[derive(Clone, Debug, Default)]
pub struct Requested {
    /// A config file to read instead of the discovered one.
    pub config: Option<PathBuf>,
    /// Read no config file at all.
    pub no_config: bool,
    /// Profile.
    pub profile: Option<Profile>,
    /// Access pattern.
    pub access: Option<Access>,
    /// Rules to run, replacing the configured selection.
    pub select: Vec<String>,
    /// Rules added to the configured selection.
    pub extend_select: Vec<String>,
    /// Rules not to run, beside the configured ones.
    pub ignore: Vec<String>,
    /// The lowest severity that fails the run.
    pub fail_on: Option<Severity>,
    /// Worker cores (`--cores`).
    pub cores: Option<u64>,
}

impl Settings {
    /// Defaults, then the config file (`requested.config`, else the one discovered upward from
    /// `store_dir`, unless `no_config`), then what `requested` says.
    ///
    /// # Errors
    /// [`Error::Config`] for a bad config file; [`Error::Usage`] naming an unknown rule or
    /// prefix, with the closest known one suggested.
    pub fn resolve(requested: &Requested, store_dir: Option<&Path>) -> Result<Self> {
        let file = if requested.no_config {
            None
        } else {
            requested
                .config
                .clone()
                .or_else(|| Self::discover(store_dir))
        };
        let mut settings = match &file {
            Some(file) => Self::from_file(file, requested.profile)?,
            None => Self::for_profile(requested.profile.unwrap_or_default()),
        };
        if let Some(access) = requested.access {
            settings.access = access;
        }
        if !requested.select.is_empty() {
            settings.select.clone_from(&requested.select);
        }
        // An empty selection means every rule: extending it changes nothing.
        if !settings.select.is_empty() {
            settings
                .select
                .extend(requested.extend_select.iter().cloned());
        }
        settings.ignore.extend(requested.ignore.iter().cloned());
        if let Some(fail_on) = requested.fail_on {
            settings.fail_on = fail_on;
        }
        if let Some(cores) = requested.cores {
            settings.thresholds.cores = cores;
        }
        // The config file's entries were checked (naming their line) by `from_file`.
        for entry in requested
            .select
            .iter()
            .chain(&requested.ignore)
            .chain(&requested.extend_select)
        {
            if !super::registry::is_known_selector(entry) {
                return Err(Error::Usage(format!(
                    "unknown rule or prefix `{entry}`{}",
                    super::registry::did_you_mean(entry)
                )));
            }
        }
        Ok(settings)
    }

    /// Defaults of `profile`.
    #[must_use]
    pub fn for_profile(profile: Profile) -> Self {
        Self {
            profile,
            access: Access::default(),
            thresholds: Thresholds::for_profile(profile),
            select: Vec::new(),
            ignore: Vec::new(),
            severities: BTreeMap::new(),
            overrides: Vec::new(),
            fail_on: Severity::Warning,
            rechunk: RechunkDefaults::default(),
        }
    }

    /// Settings from a config file; `profile` from the command line wins over the file's.
    ///
    /// # Errors
    /// [`Error::Config`] naming the file when it cannot be read or holds unknown keys or values.
    pub fn from_file(path: &Path, profile: Option<Profile>) -> Result<Self> {
        let config_error = |message: String| Error::Config {
            path: path.to_path_buf(),
            line: None,
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| config_error(e.to_string()))?;
        let file: ConfigFile = if is_pyproject(path) {
            toml::from_str::<PyProject>(&text)
                .map_err(|e| config_error(e.to_string()))?
                .tool
                .zlint
                .ok_or_else(|| config_error("no [tool.zlint] table".into()))?
        } else {
            toml::from_str(&text).map_err(|e| config_error(e.to_string()))?
        };
        // An unknown rule is named with the line that names it.
        let unknown_rule = |entry: &str, message: String| Error::Config {
            path: path.to_path_buf(),
            line: line_naming(&text, entry),
            message: format!("{message}{}", super::registry::did_you_mean(entry)),
        };
        for (key, entries) in [("select", &file.select), ("ignore", &file.ignore)] {
            if let Some(entry) = entries
                .iter()
                .find(|e| !super::registry::is_known_selector(e))
            {
                return Err(unknown_rule(
                    entry,
                    format!("`{key}`: unknown rule or prefix `{entry}`"),
                ));
            }
        }
        let mut settings = Self::for_profile(profile.or(file.profile).unwrap_or_default());
        settings.access = file.access.unwrap_or_default();
        settings.select = file.select;
        settings.ignore = file.ignore;
        settings.fail_on = file.fail_on.unwrap_or(Severity::Warning);
        settings.overrides = file.overrides;
        for (table, extents) in [
            ("chunks", &file.rechunk.chunks),
            ("shards", &file.rechunk.shards),
        ] {
            if let Some((axis, _)) = extents.iter().find(|(_, n)| **n == 0) {
                return Err(config_error(format!(
                    "[rechunk] {table}: `{axis}` must be a positive extent"
                )));
            }
        }
        settings.rechunk = file.rechunk;
        for (i, o) in settings.overrides.iter().enumerate() {
            for entry in &o.ignore {
                if !super::registry::is_known_selector(entry) {
                    return Err(unknown_rule(
                        entry,
                        format!(
                            "[[overrides]] {} (path `{}`): unknown rule `{entry}` in `ignore`",
                            i + 1,
                            o.path,
                        ),
                    ));
                }
            }
        }
        for (id, severity) in file.severity {
            if super::registry::find(&id).is_none() {
                return Err(unknown_rule(
                    &id,
                    format!("[severity]: unknown rule `{id}`"),
                ));
            }
            settings
                .severities
                .insert(id.to_ascii_uppercase(), severity);
        }
        settings.thresholds =
            apply_thresholds(&settings.thresholds, &file.thresholds).map_err(config_error)?;
        Ok(settings)
    }

    /// The config file that applies to `store_dir`: the nearest `zlint.toml`, or
    /// `pyproject.toml` with a `[tool.zlint]` table, in the store's directory or above it; else
    /// the nearest in the current directory or above it (a `zlint.toml` wins over a
    /// `pyproject.toml` in the same directory).
    #[must_use]
    pub fn discover(store_dir: Option<&Path>) -> Option<PathBuf> {
        let absolute = |dir: &Path| std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        let starts = store_dir
            .map(absolute)
            .into_iter()
            .chain(std::iter::once(absolute(Path::new("."))));
        for start in starts {
            for dir in start.ancestors() {
                let config = dir.join(CONFIG_FILE);
                if config.is_file() {
                    return Some(config);
                }
                let pyproject = dir.join(PYPROJECT_FILE);
                if pyproject.is_file() && has_zlint_table(&pyproject) {
                    return Some(pyproject);
                }
            }
        }
        None
    }

    /// Whether a per-path override ignores `rule` at `path`.
    #[must_use]
    pub fn ignored_at(&self, rule: &Rule, path: &NodePath) -> bool {
        self.overrides.iter().any(|o| {
            let applies = match o.path.strip_suffix('/') {
                Some(prefix) => {
                    let prefix = NodePath::new(prefix);
                    path == &prefix
                        || prefix.is_root()
                        || path.as_str().starts_with(&format!("{}/", prefix.as_str()))
                }
                None => path == &NodePath::new(&o.path),
            };
            applies && super::is_selected(rule, &o.ignore, &[]) && !o.ignore.is_empty()
        })
    }
}

/// The line (from 1) of the first of `text`'s lines that names `entry` as a TOML string or key.
fn line_naming(text: &str, entry: &str) -> Option<usize> {
    let quoted = [format!("\"{entry}\""), format!("'{entry}'")];
    text.lines()
        .position(|line| {
            let line = line.split('#').next().unwrap_or_default();
            quoted.iter().any(|q| line.contains(q.as_str()))
                || line
                    .trim_start()
                    .strip_prefix(entry)
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

fn apply_thresholds(
    base: &Thresholds,
    changes: &BTreeMap<String, toml::Value>,
) -> std::result::Result<Thresholds, String> {
    let mut map = match serde_json::to_value(base) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => return Err("thresholds cannot be represented".into()),
    };
    for (key, value) in changes {
        if !map.contains_key(key) {
            let known: Vec<&str> = map.keys().map(String::as_str).collect();
            let hint = super::registry::closest(key, key, known.into_iter())
                .map_or_else(String::new, |k| format!("; did you mean `{k}`?"));
            return Err(format!("[thresholds]: unknown key `{key}`{hint}"));
        }
        let Some(slot) = map.get_mut(key) else {
            return Err(format!("[thresholds]: unknown key `{key}`"));
        };
        let parsed = match value {
            toml::Value::Integer(n) if *n >= 0 => serde_json::Value::from(*n),
            toml::Value::Float(f) => serde_json::Value::from(*f),
            toml::Value::String(s) => serde_json::Value::from(
                parse_bytes(s)
                    .ok_or_else(|| format!("[thresholds]: `{key}` = \"{s}\" is not a size"))?,
            ),
            other => {
                return Err(format!(
                    "[thresholds]: `{key}` = {} is not a number",
                    other.type_str()
                ));
            }
        };
        *slot = parsed;
    }
    serde_json::from_value(serde_json::Value::Object(map)).map_err(|e| format!("[thresholds]: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_bytes("64 KiB"), Some(65536));
        assert_eq!(parse_bytes("2MiB"), Some(2 << 20));
        assert_eq!(parse_bytes("1.5 MB"), Some(1_500_000));
        assert_eq!(parse_bytes("12"), Some(12));
        assert_eq!(parse_bytes("lots"), None);
    }

    #[test]
    fn thresholds_change_by_key_and_unknown_keys_are_refused() {
        let base = Thresholds::for_profile(Profile::Analysis);
        let mut changes = BTreeMap::new();
        changes.insert(
            "chunk-min-bytes".to_string(),
            toml::Value::String("2 MiB".into()),
        );
        changes.insert("cores".to_string(), toml::Value::Integer(32));
        let t = apply_thresholds(&base, &changes).unwrap();
        assert_eq!(t.chunk_min_bytes, 2 << 20);
        assert_eq!(t.cores, 32);
        changes.insert("chunk-min-byte".to_string(), toml::Value::Integer(1));
        assert!(
            apply_thresholds(&base, &changes)
                .unwrap_err()
                .contains("chunk-min-byte")
        );
    }
}
