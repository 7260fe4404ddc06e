//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use zlint::model::Store;
use zlint::profile::{Access, Profile};
use zlint::progress::NoProgress;
use zlint::scan::{ScanOptions, scan};

/// The absolute path of a fixture store.
pub(crate) fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// Scans a fixture store through the library.
pub(crate) fn scan_fixture(rel: &str, deep: bool) -> Store {
    let opened = zlint::store::open(fixture(rel).to_str().expect("utf-8 path")).expect("open");
    scan(&opened, ScanOptions { deep }, &NoProgress).expect("scan")
}

/// Every fixture store (the directories and zip files named `*.zarr`, `*.n5` or `*.zip` at most
/// two levels below fixtures/), sorted; `broken` keeps those under fixtures/broken/ too.
pub(crate) fn fixture_stores(broken: bool) -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut stores: Vec<PathBuf> = walkdir::WalkDir::new(&root)
        .max_depth(2)
        .into_iter()
        .map(|e| e.expect("walk").into_path())
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            name.is_some_and(|n| [".zarr", ".n5", ".zip"].iter().any(|ext| n.ends_with(ext)))
                && (broken || !p.starts_with(root.join("broken")))
        })
        .collect();
    stores.sort();
    stores
}

/// The documentation pages: README.md, then docs/*.md sorted.
pub(crate) fn doc_pages() -> Vec<PathBuf> {
    let mut docs: Vec<PathBuf> = std::fs::read_dir("docs")
        .expect("docs")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    std::iter::once(PathBuf::from("README.md"))
        .chain(docs)
        .collect()
}

/// Copies the directory tree `from` to `to` (created).
pub(crate) fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).expect("prefix"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Every profile, for tests that range over them.
pub(crate) const PROFILES: [Profile; 3] =
    [Profile::Analysis, Profile::Cloud, Profile::Visualization];

/// Every access pattern, for tests that range over them.
pub(crate) const ACCESSES: [Access; 4] = [
    Access::Auto,
    Access::Volume,
    Access::Plane,
    Access::Timeseries,
];

/// What `zlint ARGS` prints (standard output and error together) when both are a terminal: it
/// runs under util-linux `script`, which gives it a pseudo-terminal. `env` is set and `unset`
/// removed for the run; arguments must be plain words (no shell quoting is done).
pub(crate) fn on_terminal(args: &[&str], env: &[(&str, &str)], unset: &[&str]) -> String {
    let zlint = assert_cmd::cargo::cargo_bin("zlint");
    let line = std::iter::once(zlint.to_str().expect("a UTF-8 path"))
        .chain(args.iter().copied())
        .collect::<Vec<_>>()
        .join(" ");
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::null());
    for name in unset {
        cmd.env_remove(name);
    }
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out = cmd.output().expect("util-linux `script` runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}
