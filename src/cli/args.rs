//! Command-line arguments.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::lint::rule::Severity;
use crate::plan::request::OmeVersion;
use crate::profile::{Access, Profile};

/// Audit and repair the chunk layout of Zarr v2, Zarr v3 and N5 stores.
///
/// `zlint STORE...` lints stores; the subcommands do the rest.
#[derive(Debug, Parser)]
#[command(
    name = "zlint",
    version,
    about,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    arg_required_else_help = true
)]
pub struct Cli {
    /// What to do (default: lint STORE...).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Lint options, for `zlint STORE...`.
    #[command(flatten)]
    pub lint: LintArgs,
    /// Read through symbolic links that lead outside a store (by default they are not followed,
    /// and reported where zlint meets them: metadata always, chunk files with --deep and by
    /// rechunk; links that loop are never followed).
    #[arg(long, global = true)]
    pub follow_links: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every array and group of a store with its layout.
    Scan(ScanArgs),
    /// Lint a store (the same as `zlint STORE`).
    Lint(LintArgs),
    /// List every lint rule.
    Rules(RulesArgs),
    /// Print the documentation of a rule.
    Explain(ExplainArgs),
    /// Rewrite a store (or one array) with another layout, format or codec.
    Rechunk(RechunkArgs),
    /// Compare two stores value by value (shape, data type, fill value, attributes, values).
    Verify(VerifyArgs),
    /// Write a self-contained HTML report of a store: summary, guidance scale, chunk grids,
    /// pyramids, findings and fixes.
    Report(ReportArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
    /// Print the manual page (roff), e.g. `zlint man > zlint.1`, or write one page per
    /// subcommand too with --out-dir.
    Man(ManArgs),
}

/// Arguments of `zlint man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `zlint.1` and `zlint-SUBCOMMAND.1` into this directory instead of printing.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<std::path::PathBuf>,
}

/// Arguments of `zlint completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Output formats of the linter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// One line per finding with a `help:` line, and a summary.
    Text,
    /// One JSON document (docs/lint-json.md).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
}

/// Output formats of `zlint scan` and `zlint rules`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DataFormat {
    /// A table for people.
    Text,
    /// One JSON document.
    Json,
}

/// What `rechunk --format` takes: the output format, or (for one release) a store format, the
/// former meaning of `--format`, now `--to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RechunkOutput {
    /// Text for people.
    Text,
    /// One JSON document (with --dry-run: the plan).
    Json,
    /// Zarr v2 (the former `--format`: use --to).
    #[value(hide = true)]
    Zarr2,
    /// Zarr v3 (the former `--format`: use --to).
    #[value(hide = true)]
    Zarr3,
    /// N5 (the former `--format`: use --to).
    #[value(hide = true)]
    N5,
}

impl RechunkOutput {
    /// The store format it names, when it is the former spelling of --to.
    #[must_use]
    pub fn former_to(self) -> Option<OutputFormat> {
        match self {
            Self::Text | Self::Json => None,
            Self::Zarr2 => Some(OutputFormat::Zarr2),
            Self::Zarr3 => Some(OutputFormat::Zarr3),
            Self::N5 => Some(OutputFormat::N5),
        }
    }
}

/// When to colour text output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal only.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Arguments of `zlint STORE...`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// The stores: each a hierarchy root, a group inside one, or a single array. With several,
    /// each is linted in turn; the exit code is the worst of theirs.
    #[arg(required = true, value_name = "STORE")]
    pub paths: Vec<String>,
    /// Profile, rules and configuration.
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Text)]
    pub format: LintFormat,
    /// Also read the stored chunk objects (enables ZL401, ZL402, ZL403).
    #[arg(long)]
    pub deep: bool,
    /// Worker threads, 1 to 256: the files read at once, or the requests in flight to an object
    /// store or web server [default: all cores; at least 16 for a URL].
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// When to colour text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Text output: list every finding, instead of one line for a finding repeated on three
    /// or more paths (JSON, SARIF and GitHub output always list every one).
    #[arg(long)]
    pub show_all: bool,
    /// Print the number of findings of each rule instead of the findings (text output).
    #[arg(long, conflicts_with = "show_all")]
    pub statistics: bool,
    /// Exit 0 even when findings reach --fail-on (a store that cannot be read still exits 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Show no progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// What shapes a lint run, for `zlint STORE` and `zlint report`: the profile, the rules and the
/// configuration.
#[derive(Debug, Args)]
pub struct SettingsArgs {
    /// What the data is for [default: analysis, or the config file's].
    #[arg(long, value_enum)]
    pub profile: Option<Profile>,
    /// How the data is read [default: auto, or the config file's].
    #[arg(long, value_enum)]
    pub access: Option<Access>,
    /// Run only these rules (IDs, prefixes such as ZL2, or names; comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Run these rules too, besides those --select or the config file selects (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub extend_select: Vec<String>,
    /// Do not run these rules (IDs, prefixes or names; comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Findings of at least this severity fail: `zlint STORE` exits 1, `zlint report` marks the
    /// profile failed [default: warning].
    #[arg(long, value_enum)]
    pub fail_on: Option<Severity>,
    /// Config file [default: the nearest zlint.toml, or pyproject.toml with [tool.zlint], in the
    /// store's directory or above it, else in the current directory or above it].
    #[arg(long)]
    pub config: Option<std::path::PathBuf>,
    /// Ignore any zlint.toml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Worker cores the data is processed with (ZL105).
    #[arg(long)]
    pub cores: Option<u64>,
}

impl SettingsArgs {
    /// The flags as a settings request (the config file is read by `Settings::resolve`).
    #[must_use]
    pub fn requested(&self) -> crate::lint::settings::Requested {
        crate::lint::settings::Requested {
            config: self.config.clone(),
            no_config: self.no_config,
            profile: self.profile,
            access: self.access,
            select: self.select.clone(),
            extend_select: self.extend_select.clone(),
            ignore: self.ignore.clone(),
            fail_on: self.fail_on,
            cores: self.cores,
        }
    }
}

/// Arguments of `zlint report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The store: a hierarchy root, a group inside one, or a single array.
    pub path: String,
    /// The HTML file to write (`-`: standard output).
    #[arg(long, short, default_value = "zlint-report.html")]
    pub output: String,
    /// Profile (the one the page shows in detail; every profile gets a verdict), rules and
    /// configuration.
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// Also read the stored chunk objects (ZL401, ZL402, ZL403; stored sizes and missing chunks).
    #[arg(long)]
    pub deep: bool,
    /// Worker threads, 1 to 256: the files read at once, or the requests in flight to an object
    /// store or web server [default: all cores; at least 16 for a URL].
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Show, for every array with findings, the layout `rechunk --auto` would write and its cost.
    #[arg(long)]
    pub plan_auto: bool,
    /// Show no progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Arguments of `zlint scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The store: a hierarchy root, a group inside one, or a single array.
    pub path: String,
    /// Output format: a table, or one JSON document (schema: docs/scan-json.md).
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub format: DataFormat,
    /// The former spelling of `--format json`, kept for one release.
    #[arg(long, hide = true)]
    pub json: bool,
    /// Also read the stored chunk objects: counts, bytes, missing chunks, compression ratio.
    #[arg(long)]
    pub deep: bool,
    /// Worker threads, 1 to 256: the files read at once, or the requests in flight to an object
    /// store or web server [default: all cores; at least 16 for a URL].
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Show no progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Arguments of `zlint rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format: a table, or a JSON list of the rules.
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub format: DataFormat,
    /// The former spelling of `--format json`, kept for one release.
    #[arg(long, hide = true)]
    pub json: bool,
}

/// Whether `--format json` or its former spelling `--json` (with a warning) asks for JSON.
pub(crate) fn wants_json(format: DataFormat, json: bool, command: &str) -> bool {
    if json {
        eprintln!(
            "warning: `{command} --json` is now `--format json` (`--json` goes in the next \
             release)"
        );
    }
    json || format == DataFormat::Json
}

/// Arguments of `zlint explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule ID (`ZL101`) or name (`chunk-too-small`).
    pub rule: String,
}

/// Target formats of the rechunker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Zarr v2.
    Zarr2,
    /// Zarr v3 (can shard).
    Zarr3,
    /// N5 (readable by tensorstore, zarr-python 2's N5 store and the N5 Java library).
    N5,
}

/// Arguments of `zlint rechunk`.
#[derive(Debug, Args)]
pub struct RechunkArgs {
    /// The source store (never modified).
    pub source: String,
    /// The target: a directory or an object store URL (must be empty unless --overwrite or
    /// --resume).
    pub target: String,
    /// Target chunks: `64,256,256` for every array, or `PATH=64,256,256` for one (repeatable).
    #[arg(long)]
    pub chunks: Vec<String>,
    /// Target shards (Zarr v3), as for --chunks (repeatable).
    #[arg(long)]
    pub shards: Vec<String>,
    /// Use the linter's recommended layout (consistent across a multiscale pyramid).
    #[arg(long, conflicts_with = "chunks")]
    pub auto: bool,
    /// Profile for --auto.
    #[arg(long, value_enum, default_value_t = Profile::Analysis)]
    pub profile: Profile,
    /// Access pattern for --auto.
    #[arg(long, value_enum, default_value_t = Access::Auto)]
    pub access: Access,
    /// Output format: zarr2, zarr3 or n5 [default: the source's].
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub to: Option<OutputFormat>,
    /// Output format of what is printed: text, or one JSON document: the plan with --dry-run
    /// or --init (docs/plan-json.md), else what the run did (docs/outcome-json.md). A store
    /// format here (`--format zarr3`) is the former spelling of --to, kept for one release with
    /// a warning.
    #[arg(long, value_enum, default_value = "text")]
    pub format: RechunkOutput,
    /// OME-NGFF version of the output's metadata: 0.4 (Zarr v2) or 0.5 (Zarr v3). Sets
    /// --to to match; a --to that contradicts it is refused.
    #[arg(long, value_enum, value_name = "VERSION")]
    pub ome_version: Option<OmeVersion>,
    /// Compressor: none, zstd:LEVEL, gzip:LEVEL, blosc:CNAME:LEVEL:SHUFFLE, or keep (each
    /// array's own) [default: keep].
    #[arg(long)]
    pub codec: Option<String>,
    /// Leave out source files matching GLOB (repeatable). Files that are neither array chunks
    /// nor node metadata (OME-XML, README, licence, …) are otherwise carried byte for byte;
    /// `*` stays within a folder, `**` crosses folders, a folder's name leaves out all below it.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Refuse to run when an array must be carried over unchanged. Without it, an array whose
    /// codec or data type zlint cannot decode is copied as it is (metadata and stored objects,
    /// checked byte for byte), with a warning, unless the output changes its format or
    /// --chunks/--shards name it.
    #[arg(long)]
    pub strict: bool,
    /// Memory for data in flight, e.g. 2GiB (GiB, MiB are binary; GB, MB, G, M decimal, as in
    /// dask) [default: a quarter of RAM].
    #[arg(long)]
    pub max_mem: Option<String>,
    /// Worker threads at most, 1 to 256 (fewer when --max-mem cannot hold the chunks that many
    /// decode at once) [default: all cores].
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Print the plan and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The former spelling of `--format json` (kept for one release, with a warning).
    #[arg(long, requires = "dry_run", hide = true)]
    pub json: bool,
    /// Replace a non-empty target.
    #[arg(long, conflicts_with = "resume")]
    pub overwrite: bool,
    /// Continue an interrupted rechunk of the same plan into the target.
    #[arg(long)]
    pub resume: bool,
    /// Re-read both sides afterwards and compare every value (before the output is marked
    /// complete).
    #[arg(long)]
    pub verify: bool,
    /// Split run, first step: plan the rechunk and write the plan into the target, nothing
    /// else. Then run every part with --part, then --finalize.
    #[arg(long, conflicts_with_all = ["dry_run", "part", "finalize"])]
    pub init: bool,
    /// Split run: carry out part I of N (`0/4` … `3/4`, balanced by bytes; N up to 100000) of
    /// the plan written by --init; `auto` reads a Slurm array job's or Kubernetes Indexed Job's variables. Re-run a
    /// failed part with --resume.
    #[arg(
        long,
        value_name = "I/N|auto",
        conflicts_with_all = ["chunks", "shards", "auto", "to", "ome_version", "codec", "exclude", "max_mem", "dry_run", "overwrite", "finalize", "verify"]
    )]
    pub part: Option<String>,
    /// Split run, last step: check every part finished, (with --verify, within --max-mem)
    /// compare, and only then write the metadata that makes the output a store.
    #[arg(
        long,
        conflicts_with_all = ["chunks", "shards", "auto", "to", "ome_version", "codec", "exclude", "dry_run", "overwrite", "resume"]
    )]
    pub finalize: bool,
    /// With --verify: print at most this many differences.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub max_diffs: usize,
    /// Show no progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Arguments of `zlint verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The source store.
    pub source: String,
    /// The store to compare with it.
    pub target: String,
    /// Memory for data in flight [default: a quarter of RAM].
    #[arg(long)]
    pub max_mem: Option<String>,
    /// Worker threads, 1 to 256 [default: all cores].
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Print at most this many differences (the count of the others follows).
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub max_diffs: usize,
    /// Source files the target was rechunked without (as `rechunk --exclude`): not looked for.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Output format: text, or one JSON document with every difference (schema:
    /// docs/outcome-json.md).
    #[arg(long, value_enum, default_value = "text")]
    pub format: DataFormat,
    /// Show no progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}
