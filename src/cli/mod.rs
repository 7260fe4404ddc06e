//! The command line: argument definitions and one function per subcommand. `main` parses the
//! arguments and hands them to [`run`], which returns the process exit code.

mod args;
mod lint;
mod progress;
mod rechunk;
mod rules;
mod scan;

use std::io::Write;

pub use args::Cli;
use args::Command;

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
        Some(Command::Lint(args)) => args.path.iter().map(String::as_str).collect(),
        Some(Command::Rechunk(args)) => vec![args.source.as_str(), args.target.as_str()],
        Some(Command::Verify(args)) => vec![args.source.as_str(), args.target.as_str()],
        Some(Command::Rules(_) | Command::Explain(_)) => Vec::new(),
        None => cli.lint.path.iter().map(String::as_str).collect(),
    }
}

/// Runs the command and returns the exit code.
#[must_use]
pub fn run(cli: Cli) -> u8 {
    crate::store::set_follow_links(cli.follow_links);
    let locations = locations(&cli);
    if locations.iter().any(|l| crate::store::is_url(l)) {
        // Fails only if the pool already exists (a library caller made one): then it is kept.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(crate::rechunk::default_threads(&locations))
            .build_global();
    }
    let result = match cli.command {
        Some(Command::Scan(args)) => scan::run(&args),
        Some(Command::Lint(args)) => lint::run(&args),
        Some(Command::Rules(args)) => rules::list(&args),
        Some(Command::Explain(args)) => rules::explain(&args),
        Some(Command::Rechunk(args)) => rechunk::run(&args),
        Some(Command::Verify(args)) => rechunk::verify(&args),
        None => lint::run(&cli.lint),
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

fn is_broken_pipe(err: &crate::Error) -> bool {
    matches!(err, crate::Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Prints `zlint: error: …` with the cause chain to standard error. Most errors state their
/// cause in their own message as well: a cause already said is not said again.
fn print_error(err: &dyn std::error::Error) {
    let mut stderr = std::io::stderr().lock();
    let mut said = err.to_string();
    let _ = writeln!(stderr, "zlint: error: {said}");
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !said.contains(&text) {
            let _ = writeln!(stderr, "  caused by: {text}");
            said.push('\n');
            said.push_str(&text);
        }
        source = cause.source();
    }
}

/// Prints the unreadable nodes of a scan to standard error.
fn print_node_errors(errors: &[crate::model::NodeError]) {
    let mut stderr = std::io::stderr().lock();
    for error in errors {
        let _ = writeln!(stderr, "zlint: error: {error}");
    }
}

/// Wraps a write error on standard output.
fn stdout_error(source: std::io::Error) -> crate::Error {
    crate::Error::Io {
        path: "<stdout>".into(),
        source,
    }
}
