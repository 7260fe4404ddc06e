//! Command-line arguments.

use clap::{Args, Parser, Subcommand};

/// Audit and repair the chunk layout of Zarr v2, Zarr v3 and N5 stores.
#[derive(Debug, Parser)]
#[command(name = "zlint", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every array and group of a store with its layout.
    Scan(ScanArgs),
}

/// Arguments of `zlint scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The store: a hierarchy root, a group inside one, or a single array.
    pub path: String,
    /// Print one JSON document instead of a table (schema: docs/scan-json.md).
    #[arg(long)]
    pub json: bool,
    /// Also read the stored chunk objects: counts, bytes, missing chunks, compression ratio.
    #[arg(long)]
    pub deep: bool,
    /// Show no progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}
