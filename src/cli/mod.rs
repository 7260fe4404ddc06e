//! The command line: argument definitions and one function per subcommand. `main` parses the
//! arguments and hands them to [`run`], which returns the process exit code.

mod args;
mod lint;
mod progress;
mod rechunk;
mod report;
mod rules;
mod scan;

use std::io::Write;

pub use args::Cli;
use args::Command;
pub use progress::Bar;

use crate::error::Param;
use crate::units::printable_lines;

/// Exit code: nothing to report.
pub const EXIT_OK: u8 = 0;
/// Exit code: findings at or above the failure level.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: usage error, unreadable store or unreadable nodes.
pub const EXIT_ERROR: u8 = 2;

/// Every store location named on the command line.
fn locations(cli: &Cli) -> Vec<&str> {
    match &cli.command {
        Some(Command::Scan(args)) => vec![args.path.as_str()],
        Some(Command::Report(args)) => vec![args.path.as_str()],
        Some(Command::Lint(args)) => args.paths.iter().map(String::as_str).collect(),
        Some(Command::Rechunk(args)) => vec![args.source.as_str(), args.target.as_str()],
        Some(Command::Verify(args)) => vec![args.source.as_str(), args.target.as_str()],
        Some(
            Command::Rules(_) | Command::Explain(_) | Command::Completions(_) | Command::Man(_),
        ) => Vec::new(),
        None => cli.lint.paths.iter().map(String::as_str).collect(),
    }
}

/// `-j` of the commands that only read (scan, lint, report): their walk runs in the global pool.
fn read_threads(cli: &Cli) -> Option<usize> {
    match &cli.command {
        Some(Command::Scan(args)) => args.threads,
        Some(Command::Report(args)) => args.threads,
        Some(Command::Lint(args)) => args.threads,
        None => cli.lint.threads,
        Some(_) => None,
    }
}

/// Runs the `zlint` command line `args` (the program name first) and returns the exit code: the
/// binary's `main`, and the Python package's `zlint` console script. A first argument that is
/// neither a command nor an existing path but close to a command's name (`zlint explian ZL101`,
/// `zlint rule`) gets a suggestion and exit code 2, instead of being taken for a store to lint.
#[must_use]
pub fn main_from(args: Vec<std::ffi::OsString>) -> u8 {
    if let Some(first) = args.get(1).and_then(|a| a.to_str())
        && let Some(command) = misspelled_command(first)
    {
        let _ = writeln!(
            std::io::stderr(),
            "error: `{first}` is neither a store nor a command\nhelp: did you mean `zlint {command}`?"
        );
        return EXIT_ERROR;
    }
    match <Cli as clap::Parser>::try_parse_from(args) {
        Ok(cli) => run(cli),
        Err(err) => {
            // Help and version go to standard output with code 0; usage errors to standard
            // error with code 2.
            let _ = err.print();
            u8::try_from(err.exit_code()).unwrap_or(EXIT_ERROR)
        }
    }
}

/// The command `word` looks like a misspelling of, when it is not a path that exists.
fn misspelled_command(word: &str) -> Option<String> {
    if word.starts_with('-') || word.contains('/') || std::path::Path::new(word).exists() {
        return None;
    }
    let command = <Cli as clap::CommandFactory>::command();
    let names: Vec<String> = command
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(|s| s.get_name().to_string())
        .collect();
    if names.iter().any(|n| n == word) {
        return None;
    }
    crate::lint::registry::closest(word, word, names.iter().map(String::as_str)).map(str::to_string)
}

/// Runs the command and returns the exit code.
#[must_use]
pub fn run(cli: Cli) -> u8 {
    let open = crate::store::OpenOptions {
        follow_links: cli.follow_links,
    };
    let locations = locations(&cli);
    let threads = match crate::rechunk::checked_threads(read_threads(&cli)) {
        Ok(threads) => threads,
        Err(err) => {
            print_error(&err);
            return EXIT_ERROR;
        }
    };
    if threads.is_some() || locations.iter().any(|l| crate::store::is_url(l)) {
        // Fails only if the pool already exists (a library caller made one): then it is kept.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.unwrap_or_else(|| crate::rechunk::default_threads(&locations)))
            .build_global();
    }
    let result = match cli.command {
        Some(Command::Scan(args)) => scan::run(&args, open),
        Some(Command::Lint(args)) => lint::run(&args, open),
        Some(Command::Rules(args)) => rules::list(&args),
        Some(Command::Explain(args)) => rules::explain(&args),
        Some(Command::Rechunk(args)) => rechunk::run(&args, open),
        Some(Command::Verify(args)) => rechunk::verify(&args, open),
        Some(Command::Report(args)) => report::run(&args, open),
        Some(Command::Completions(args)) => completions(args.shell),
        Some(Command::Man(args)) => man_pages(args.out_dir.as_deref()),
        None => lint::run(&cli.lint, open),
    };
    match result {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => EXIT_OK,
        Err(err) => {
            print_error(&err);
            EXIT_ERROR
        }
    }
}

/// Prints the completion script of `shell` for every subcommand and option.
fn completions(shell: clap_complete::Shell) -> crate::Result<u8> {
    let mut command = <Cli as clap::CommandFactory>::command();
    clap_complete::generate(shell, &mut command, "zlint", &mut std::io::stdout());
    Ok(EXIT_OK)
}

/// Prints the manual page of `zlint`, or writes it and one page per subcommand into `dir`.
fn man_pages(dir: Option<&std::path::Path>) -> crate::Result<u8> {
    let command = <Cli as clap::CommandFactory>::command();
    let Some(dir) = dir else {
        let mut out = std::io::stdout().lock();
        clap_mangen::Man::new(command)
            .render(&mut out)
            .map_err(stdout_error)?;
        return Ok(EXIT_OK);
    };
    let write = |name: String, page: clap_mangen::Man| -> crate::Result<()> {
        let path = dir.join(format!("{name}.1"));
        let mut bytes = Vec::new();
        page.render(&mut bytes).map_err(stdout_error)?;
        std::fs::write(&path, bytes).map_err(|source| crate::Error::Io { path, source })
    };
    write("zlint".into(), clap_mangen::Man::new(command.clone()))?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("zlint-{}", sub.get_name());
        // NAME shows the display name, SYNOPSIS the binary name: both as typed.
        let page = sub
            .clone()
            .display_name(name.clone())
            .bin_name(format!("zlint {}", sub.get_name()));
        write(name, clap_mangen::Man::new(page))?;
    }
    Ok(EXIT_OK)
}

fn is_broken_pipe(err: &crate::Error) -> bool {
    matches!(err, crate::Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
}

/// How the command line names a parameter of a request in a message: as its flag.
fn word(param: Param, value: Option<&str>) -> String {
    let flag = match param {
        Param::Chunks => "--chunks",
        Param::Shards => "--shards",
        Param::Auto => "--auto",
        Param::To => "--to",
        Param::OmeVersion => "--ome-version",
        Param::Codec => "--codec",
        Param::MaxMem => "--max-mem",
        Param::Threads => "-j",
        Param::Exclude => "--exclude",
        Param::Part => "--part",
        Param::Overwrite => "--overwrite",
        Param::Resume | Param::ResumePart => "--resume",
        Param::Init => "--init",
        Param::Verify => "--verify",
        Param::Strict => "--strict",
        Param::Output => "-o",
    };
    match (param, value) {
        (_, Some(value)) => format!("{flag} {value}"),
        (Param::Output, None) => "-o PATH".into(),
        (_, None) => flag.into(),
    }
}

/// The text of `err` in the command line's words.
fn worded(err: &(dyn std::error::Error + 'static)) -> String {
    match err.downcast_ref::<crate::Error>() {
        Some(err) => err.worded(&word),
        None => crate::error::word_params(&err.to_string(), &word),
    }
}

/// Prints `error: …` with the cause chain to standard error, and the advice the message ends
/// with (`; did you mean …`, `; use …`) on a `help:` line, as clap prints its own usage errors.
/// Most errors state their cause in their own message as well: a cause already said is not
/// said again.
fn print_error(err: &crate::Error) {
    let mut stderr = std::io::stderr().lock();
    let mut said = err.worded(&word);
    let (message, help) = split_help(&said);
    // Messages name paths and keys the store chose: their control characters are escaped.
    let _ = writeln!(stderr, "error: {}", printable_lines(message));
    let help = help.map(str::to_string);
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        let text = worded(cause);
        if !said.contains(&text) {
            let _ = writeln!(stderr, "  caused by: {}", printable_lines(&text));
            said.push('\n');
            said.push_str(&text);
        }
        source = cause.source();
    }
    if let Some(help) = help {
        let _ = writeln!(stderr, "help: {}", printable_lines(&help));
    }
}

/// Advice that a message ends with, after one of these.
const ADVICE: [&str; 4] = ["; did you mean ", "; use ", "; give ", "; pass "];

/// `text` split before the advice it ends with, if any: (`what went wrong`, `what to do`).
fn split_help(text: &str) -> (&str, Option<&str>) {
    ADVICE
        .iter()
        .filter_map(|sep| text.find(sep))
        .min()
        .map_or((text, None), |at| (&text[..at], Some(&text[at + 2..])))
}

/// Prints the unreadable nodes of a scan to standard error.
fn print_node_errors(errors: &[crate::model::NodeError]) {
    let mut stderr = std::io::stderr().lock();
    for error in errors {
        let _ = writeln!(stderr, "error: {}", printable_lines(&error.to_string()));
    }
}

/// Prints `document` as one JSON document on standard output.
fn print_json(document: &impl serde::Serialize) -> crate::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, document).map_err(|e| stdout_error(e.into()))?;
    writeln!(out).map_err(stdout_error)
}

/// Wraps a write error on standard output.
fn stdout_error(source: std::io::Error) -> crate::Error {
    crate::Error::Io {
        path: "<stdout>".into(),
        source,
    }
}
