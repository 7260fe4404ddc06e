//! The layering of `docs/architecture.md` holds: no module's code names a module later in the
//! flow, so imports point one way and the top-level folders form no cycle.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The layer list of `docs/architecture.md` (the ```` ```layers ```` block).
fn layers() -> Vec<String> {
    let doc = std::fs::read_to_string("docs/architecture.md").expect("docs/architecture.md");
    let block = doc
        .split("```layers\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a ```layers block");
    block.split_whitespace().map(str::to_string).collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a source file belongs to (`None` for the crate root and the binary).
fn module_of(path: &Path) -> Option<String> {
    let relative = path.strip_prefix("src").expect("under src");
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.trim_end_matches(".rs");
    (name != "lib" && name != "main").then(|| name.to_string())
}

/// The top-level modules named by `crate::…` paths in the code (not the comments) of `text`.
fn named_modules(text: &str) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !name.is_empty() {
                named.insert(name);
            }
        }
    }
    named
}

#[test]
fn imports_point_down_the_flow() {
    let layers = layers();
    let rank = |name: &str| layers.iter().position(|l| l == name);
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    let mut seen = BTreeSet::new();
    let mut violations = Vec::new();
    for file in &files {
        let Some(module) = module_of(file) else {
            continue;
        };
        seen.insert(module.clone());
        let own = rank(&module).unwrap_or_else(|| {
            panic!(
                "{}: module `{module}` is not in the layer list",
                file.display()
            )
        });
        let text = std::fs::read_to_string(file).expect("readable");
        for named in named_modules(&text) {
            match rank(&named) {
                Some(other) if other > own => violations.push(format!(
                    "{}: `{module}` uses `crate::{named}`, which comes later",
                    file.display()
                )),
                _ => {}
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
    let listed: BTreeSet<String> = layers.iter().cloned().collect();
    assert_eq!(
        seen, listed,
        "the layer list and src/ name the same modules"
    );
}

#[test]
fn the_checker_sees_upward_edges() {
    let text = "use crate::report::plural; // crate::cli in a comment\n/// [`crate::lint`]\n";
    let named = named_modules(text);
    assert!(named.contains("report"));
    assert!(!named.contains("cli"));
    assert!(
        !named.contains("lint"),
        "doc comments are not code: {named:?}"
    );
}

/// Files stay small enough to read whole: a file that grows past this is split by job (see
/// `docs/architecture.md`).
const MAX_LINES: usize = 520;

#[test]
fn no_source_file_grows_past_the_limit() {
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|file| {
            let lines = std::fs::read_to_string(file)
                .expect("readable")
                .lines()
                .count();
            (lines > MAX_LINES).then(|| format!("{}: {lines} lines", file.display()))
        })
        .collect();
    assert!(long.is_empty(), "{}", long.join("\n"));
}
