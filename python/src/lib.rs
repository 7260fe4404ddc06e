//! `chunklint._chunklint`: the Python extension module over the zlint library. It converts
//! Python values to the library's types and back, and releases the GIL for the work; every
//! decision is the library's. Results cross as the same JSON documents the command line prints
//! (lint, scan, plan), which the Python package (`python/chunklint`) turns into its objects.

use clap::ValueEnum;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use serde_json::json;
use zlint::jobs::{self, AuditRequest, PlanRequest};
use zlint::lint::settings::Requested;
use zlint::model::Format;
use zlint::plan::parts::Part;
use zlint::plan::request::OmeVersion;
use zlint::plan::{Budget, CodecChoice, ShapeRequests, Targets};
use zlint::profile::{Access, Profile};
use zlint::rechunk::{self, Existing, Outcome, Rechunk};
use zlint::report::outcome_json::{OutcomeDocument, VerifyDocument};
use zlint::store::OpenOptions;
use zlint::{Error, Param};

mod watch;
use watch::watched;

create_exception!(
    chunklint,
    ZlintError,
    PyException,
    "Base of zlint's errors; `path` names the path at fault (None when there is none)."
);
create_exception!(
    chunklint,
    UsageError,
    ZlintError,
    "A request that cannot be met: an unknown rule, a bad option, a bad config file."
);
create_exception!(
    chunklint,
    StoreError,
    ZlintError,
    "A store that cannot be opened, read or written (missing, not a store, permissions)."
);
create_exception!(
    chunklint,
    DataError,
    ZlintError,
    "Stored data that cannot be decoded or written as planned (truncated chunks, bad codecs)."
);

/// The Python exception for `err`, with its `path` attribute set.
fn to_py(py: Python<'_>, err: Error) -> PyErr {
    let path = err.location();
    let message = err.worded(&word);
    let exception = match err {
        Error::Usage(_) | Error::Refused { .. } | Error::Config { .. } => {
            UsageError::new_err(message)
        }
        Error::Rechunk { .. } => DataError::new_err(message),
        Error::Interrupted(_) => ZlintError::new_err(message),
        _ => StoreError::new_err(message),
    };
    // Setting an attribute on a fresh exception instance does not fail.
    let _ = exception.value(py).setattr("path", path);
    exception
}

/// Runs `work` with the GIL released; its error is raised as the matching Python exception.
fn released<T: Send>(
    py: Python<'_>,
    work: impl FnOnce() -> Result<T, Error> + Send,
) -> PyResult<T> {
    py.detach(work).map_err(|e| to_py(py, e))
}

/// How Python names a parameter of a request in a message: as the keyword argument (or the
/// method) that sets it.
fn word(param: Param, value: Option<&str>) -> String {
    let keyword = match param {
        Param::Overwrite => return r#"existing="overwrite""#.into(),
        Param::Resume => return r#"existing="resume""#.into(),
        Param::Init => return "Plan.init()".into(),
        Param::Part => "part",
        Param::ResumePart => "resume",
        other => other.key(),
    };
    match (param, value) {
        (Param::Part, Some(value)) => format!("part {value}"),
        (_, Some(value)) => format!("{keyword}={value}"),
        (Param::Auto | Param::Verify | Param::Strict | Param::ResumePart, None) => {
            format!("{keyword}=True")
        }
        (_, None) => format!("{keyword}="),
    }
}

fn usage(message: String) -> Error {
    Error::Usage(message)
}

/// A clap value (`analysis`, `visualization`, …) by name.
fn choice<T: ValueEnum>(what: &str, text: Option<&str>) -> Result<Option<T>, Error> {
    text.map(|t| T::from_str(t, true).map_err(|_| usage(format!("{what} {t}: {}", known::<T>()))))
        .transpose()
}

fn known<T: ValueEnum>() -> String {
    let names: Vec<String> = T::value_variants()
        .iter()
        .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
        .collect();
    format!("expected one of {}", names.join(", "))
}

fn format_of(to: Option<&str>) -> Result<Option<Format>, Error> {
    to.map(|t| match t.to_ascii_lowercase().as_str() {
        "zarr2" | "v2" => Ok(Format::Zarr2),
        "zarr3" | "v3" => Ok(Format::Zarr3),
        "n5" => Ok(Format::N5),
        _ => Err(usage(format!("to={t}: expected zarr2, zarr3 or n5"))),
    })
    .transpose()
}

/// The settings request shared by `lint` and `report` (the command line's `SettingsArgs`).
fn requested(
    profile: Option<String>,
    access: Option<String>,
    select: Vec<String>,
    ignore: Vec<String>,
    config: Option<std::path::PathBuf>,
    no_config: bool,
) -> Result<Requested, Error> {
    Ok(Requested {
        config,
        no_config,
        profile: choice::<Profile>("profile", profile.as_deref())?,
        access: choice::<Access>("access", access.as_deref())?,
        select,
        ignore,
        ..Requested::default()
    })
}

fn budget(
    max_mem: Option<&str>,
    threads: Option<usize>,
    locations: &[&str],
) -> Result<Budget, Error> {
    rechunk::machine_budget_from(max_mem, threads, locations)
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| json!({ "error": e.to_string() }).to_string())
}

/// What a report renderer writes, as a string (`what` names it in the unlikely error).
fn rendered(
    what: &str,
    write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>,
) -> Result<String, Error> {
    let mut out = Vec::new();
    write(&mut out).map_err(|source| Error::Io {
        path: what.into(),
        source,
    })?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Runs the `zlint` command line with `argv` (the program name first) and returns its exit
/// code: the `zlint` console script.
#[pyfunction]
fn main(py: Python<'_>, argv: Vec<String>) -> u8 {
    py.detach(|| zlint::cli::main_from(argv.into_iter().map(Into::into).collect()))
}

/// Lints `store` and returns the lint JSON document (`zlint STORE --format json`).
#[pyfunction]
#[pyo3(signature = (store, *, profile=None, access=None, select=Vec::new(), ignore=Vec::new(),
    extend_select=Vec::new(), config=None, no_config=false, deep=false, cores=None))]
#[allow(clippy::too_many_arguments)] // Python keyword arguments
fn lint(
    py: Python<'_>,
    store: String,
    profile: Option<String>,
    access: Option<String>,
    select: Vec<String>,
    ignore: Vec<String>,
    extend_select: Vec<String>,
    config: Option<std::path::PathBuf>,
    no_config: bool,
    deep: bool,
    cores: Option<u64>,
) -> PyResult<String> {
    released(py, || -> Result<String, Error> {
        let requested = Requested {
            extend_select,
            cores,
            ..requested(profile, access, select, ignore, config, no_config)?
        };
        let audit = jobs::audit(
            &AuditRequest {
                location: store,
                open: OpenOptions::default(),
                settings: requested,
                deep,
            },
            &zlint::progress::NoProgress,
        )?;
        rendered("<lint JSON>", |out| {
            zlint::report::lint_json::write(&audit.lint, out)
        })
    })
}

/// Scans `store` and returns the scan JSON document (`zlint scan --json`).
#[pyfunction]
#[pyo3(signature = (store, *, deep=false))]
fn scan(py: Python<'_>, store: String, deep: bool) -> PyResult<String> {
    released(py, || -> Result<String, Error> {
        let found = jobs::survey(
            &store,
            OpenOptions::default(),
            deep,
            &zlint::progress::NoProgress,
        )?;
        rendered("<scan JSON>", |out| {
            zlint::report::scan_json::write(&found, out)
        })
    })
}

/// Builds the HTML report of `store` (`zlint report`); writes it to `output` when given (never
/// inside the store) and returns it.
#[pyfunction]
#[pyo3(signature = (store, output=None, *, profile=None, access=None, select=Vec::new(),
    ignore=Vec::new(), config=None, no_config=false, deep=false, plan_auto=false))]
#[allow(clippy::too_many_arguments)] // Python keyword arguments
fn report(
    py: Python<'_>,
    store: String,
    output: Option<std::path::PathBuf>,
    profile: Option<String>,
    access: Option<String>,
    select: Vec<String>,
    ignore: Vec<String>,
    config: Option<std::path::PathBuf>,
    no_config: bool,
    deep: bool,
    plan_auto: bool,
) -> PyResult<String> {
    released(py, || -> Result<String, Error> {
        let request = jobs::ReportRequest {
            settings: requested(profile, access, select, ignore, config, no_config)?,
            deep,
            plan_auto,
            open: OpenOptions::default(),
        };
        let data = jobs::report(&store, &request, &zlint::progress::NoProgress)?;
        let page = zlint::report::html::render(&data);
        if let Some(path) = output {
            jobs::save_page(&page, data.audit.root_dir.as_deref(), &path)?;
        }
        Ok(page)
    })
}

/// The recommended layout `(chunks, shards)` of a new array (see `zlint::plan::recommend_new`).
#[pyfunction]
#[pyo3(signature = (shape, dtype, *, profile=None, access=None, axes=None, current_chunks=None,
    current_shards=None, to=None))]
#[allow(clippy::too_many_arguments, clippy::type_complexity)] // Python keyword arguments
fn recommend(
    py: Python<'_>,
    shape: Vec<u64>,
    dtype: String,
    profile: Option<String>,
    access: Option<String>,
    axes: Option<Vec<String>>,
    current_chunks: Option<Vec<u64>>,
    current_shards: Option<Vec<u64>>,
    to: Option<String>,
) -> PyResult<(Vec<u64>, Option<Vec<u64>>)> {
    let result = (|| -> Result<_, Error> {
        let item_size = zlint::scan::data_type(&dtype)
            .and_then(|d| d.item_size)
            .ok_or_else(|| usage(format!("dtype {dtype}: not a fixed-size data type")))?;
        let current = match (current_chunks, current_shards) {
            (Some(chunks), shards) => Some(zlint::layout::Layout { chunks, shards }),
            (None, None) => None,
            (None, Some(_)) => return Err(usage("current_shards needs current_chunks".into())),
        };
        let layout = zlint::plan::recommend_new(
            &shape,
            item_size,
            axes.as_deref(),
            current,
            (
                choice::<Profile>("profile", profile.as_deref())?.unwrap_or_default(),
                choice::<Access>("access", access.as_deref())?.unwrap_or_default(),
                format_of(to.as_deref())?.unwrap_or(Format::Zarr3),
            ),
        )?;
        Ok((layout.chunks, layout.shards))
    })();
    result.map_err(|e| to_py(py, e))
}

/// A planned rechunk: the plan (nothing written yet) and the budget it was planned with.
#[pyclass(frozen)]
struct NativePlan {
    job: Rechunk,
    budget: Budget,
}

/// The outcome document `zlint rechunk --format json` prints (docs/outcome-json.md).
fn outcome_json(source: &str, target: &str, outcome: &Outcome) -> String {
    to_json(&OutcomeDocument::new(source, target, outcome))
}

#[pymethods]
impl NativePlan {
    /// Plans a rechunk of `source` into `target` (see `chunklint.plan`).
    #[new]
    #[pyo3(signature = (source, target, *, chunks=Vec::new(), shards=Vec::new(), to=None,
        ome_version=None, codec=None, max_mem=None, threads=None, auto=false, profile=None,
        access=None, existing="refuse", exclude=Vec::new(), strict=false))]
    #[allow(clippy::too_many_arguments)] // Python keyword arguments
    fn new(
        py: Python<'_>,
        source: String,
        target: String,
        chunks: Vec<String>,
        shards: Vec<String>,
        to: Option<String>,
        ome_version: Option<String>,
        codec: Option<String>,
        max_mem: Option<String>,
        threads: Option<usize>,
        auto: bool,
        profile: Option<String>,
        access: Option<String>,
        existing: &str,
        exclude: Vec<String>,
        strict: bool,
    ) -> PyResult<Self> {
        released(py, || -> Result<Self, Error> {
            let existing = match existing {
                "refuse" => Existing::Refuse,
                "overwrite" => Existing::Overwrite,
                "resume" => Existing::Resume,
                other => {
                    return Err(usage(format!(
                        "existing={other}: expected refuse, overwrite or resume"
                    )));
                }
            };
            let targets = Targets {
                chunks: ShapeRequests::parse(Param::Chunks, &chunks)?,
                shards: ShapeRequests::parse(Param::Shards, &shards)?,
                auto,
                profile: choice::<Profile>("profile", profile.as_deref())?.unwrap_or_default(),
                access: choice::<Access>("access", access.as_deref())?.unwrap_or_default(),
                format: zlint::plan::request::target_format(
                    format_of(to.as_deref())?,
                    choice::<OmeVersion>("ome_version", ome_version.as_deref())?,
                )?,
                codec: codec
                    .as_deref()
                    .map(CodecChoice::requested)
                    .transpose()?
                    .flatten(),
                two_pass: true,
                exclude,
            };
            let budget = budget(max_mem.as_deref(), threads, &[&source, &target])?;
            let job = jobs::plan(&PlanRequest {
                source,
                target,
                targets,
                budget,
                existing,
                open: OpenOptions::default(),
                verify: false,
                strict,
            })?;
            Ok(Self { job, budget })
        })
    }

    /// The plan as `zlint rechunk --dry-run` prints it.
    fn text(&self) -> String {
        self.job.plan_value().to_string()
    }

    /// The plan as HTML, a table per array (for notebooks).
    fn html(&self) -> String {
        zlint::report::html::plan_tables(self.job.plan_value())
    }

    /// The plan document of `zlint rechunk --dry-run --json` (`docs/plan-json.md`).
    fn json(&self) -> String {
        to_json(&self.job.plan_value().document())
    }

    /// Carries out the whole rechunk, verified first when `verify`; returns the outcome.
    /// `on_progress(phase, done, total, noun, counted, objects)` is called ten times a second.
    #[pyo3(signature = (*, progress=true, verify=false, on_progress=None))]
    fn run(
        &self,
        py: Python<'_>,
        progress: bool,
        verify: bool,
        on_progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        watched(py, on_progress.as_ref(), |watch| {
            let outcome = jobs::run(
                &self.job,
                verify.then_some(self.budget),
                &watch.bar(progress),
                &watch.bar(progress),
            )?;
            let plan = self.job.plan_value();
            Ok(outcome_json(&plan.source, &plan.target, &outcome))
        })
    }

    /// The split of the plan's write groups into `count` parts: `(groups, bytes)` of each.
    fn parts(&self, count: u64) -> PyResult<Vec<(u64, u64)>> {
        Part::check_count(count)
            .map_err(|why| UsageError::new_err(format!("count={count}: {why}")))?;
        Ok(zlint::plan::parts::partition(self.job.plan_value(), count)
            .into_iter()
            .map(|p| (p.groups, p.bytes))
            .collect())
    }

    /// Starts a split run: writes the plan into the target's journal.
    fn init(&self, py: Python<'_>) -> PyResult<()> {
        released(py, || self.job.init())
    }
}

/// Runs part `index` of `count` of the split run in progress at `target`; returns its summary.
#[pyfunction]
#[pyo3(signature = (
    source, target, index, count, *, resume=true, threads=None, progress=false, on_progress=None
))]
#[allow(clippy::too_many_arguments)] // Python keyword arguments
fn run_part(
    py: Python<'_>,
    source: String,
    target: String,
    index: u64,
    count: u64,
    resume: bool,
    threads: Option<usize>,
    progress: bool,
    on_progress: Option<Bound<'_, PyAny>>,
) -> PyResult<String> {
    watched(py, on_progress.as_ref(), |watch| {
        let part = Part::parse(&format!("{index}/{count}"))?;
        let threads = rechunk::checked_threads(threads)?;
        let summary = jobs::run_part(
            (&source, &target),
            part,
            resume,
            (threads, OpenOptions::default()),
            &watch.bar(progress),
        )?;
        Ok(to_json(&summary))
    })
}

/// Completes the split run at `target` once every part finished, verified first when `verify`.
#[pyfunction]
#[pyo3(signature = (
    source, target, *, verify=true, max_mem=None, threads=None, progress=false, on_progress=None
))]
#[allow(clippy::too_many_arguments)] // Python keyword arguments
fn finalize(
    py: Python<'_>,
    source: String,
    target: String,
    verify: bool,
    max_mem: Option<String>,
    threads: Option<usize>,
    progress: bool,
    on_progress: Option<Bound<'_, PyAny>>,
) -> PyResult<String> {
    watched(py, on_progress.as_ref(), |watch| {
        let budget = budget(max_mem.as_deref(), threads, &[&source, &target])?;
        let finalized = jobs::finalize(
            (&source, &target),
            budget,
            verify,
            OpenOptions::default(),
            &watch.bar(progress),
        )?;
        Ok(outcome_json(&source, &target, &finalized.outcome))
    })
}

/// Compares `source` with `target` value by value (`zlint verify`); returns the report.
#[pyfunction]
#[pyo3(signature = (source, target, *, max_mem=None, threads=None, progress=false, on_progress=None,
    exclude=Vec::new()))]
#[allow(clippy::too_many_arguments)] // Python keyword arguments
fn verify(
    py: Python<'_>,
    source: String,
    target: String,
    max_mem: Option<String>,
    threads: Option<usize>,
    progress: bool,
    on_progress: Option<Bound<'_, PyAny>>,
    exclude: Vec<String>,
) -> PyResult<String> {
    watched(py, on_progress.as_ref(), |watch| {
        let budget = budget(max_mem.as_deref(), threads, &[&source, &target])?;
        let report = jobs::verify(
            (&source, &target),
            budget,
            &exclude,
            OpenOptions::default(),
            &watch.bar(progress),
        )?;
        Ok(to_json(&VerifyDocument::new(&source, &target, &report)))
    })
}

/// The extension module.
#[pymodule]
mod _chunklint {
    #[pymodule_export]
    use super::{
        DataError, NativePlan, StoreError, UsageError, ZlintError, finalize, lint, main, recommend,
        report, run_part, scan, verify,
    };

    #[pymodule_init]
    fn init(m: &pyo3::Bound<'_, pyo3::types::PyModule>) -> pyo3::PyResult<()> {
        use pyo3::types::PyModuleMethods;
        m.add("__version__", env!("CARGO_PKG_VERSION"))
    }
}
