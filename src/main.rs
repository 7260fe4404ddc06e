//! The `zlint` binary: parses arguments and hands them to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    ExitCode::from(zlint::cli::run(zlint::cli::Cli::parse()))
}
