//! One version everywhere a release names it: the crate, the Python bindings, the pre-commit
//! hook's package and its pin, the GitHub Action's default, and the newest released section of
//! CHANGELOG.md, which the release pipeline turns into the release notes.

use std::process::Command;

/// A TOML file of the repository, parsed.
fn toml_file(path: &str) -> toml::Table {
    let text = std::fs::read_to_string(path).expect(path);
    toml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The `version` of `table` (`package`, `project`) in a TOML file.
fn version_in(path: &str, table: &str) -> String {
    toml_file(path)
        .get(table)
        .and_then(|t| t.get("version"))
        .and_then(toml::Value::as_str)
        .unwrap_or_else(|| panic!("{path}: no {table}.version"))
        .to_string()
}

/// The newest `## [X.Y.Z] - YYYY-MM-DD` heading of CHANGELOG.md: (version, date).
fn newest_release() -> (String, String) {
    let text = std::fs::read_to_string("CHANGELOG.md").expect("CHANGELOG.md");
    let heading = text
        .lines()
        .filter_map(|line| line.strip_prefix("## ["))
        .find(|rest| !rest.starts_with("Unreleased"))
        .expect("CHANGELOG.md has no released section");
    let (version, date) = heading
        .split_once("] - ")
        .expect("`## [X.Y.Z] - YYYY-MM-DD`");
    (version.to_string(), date.trim().to_string())
}

#[test]
fn every_place_names_the_crates_version() {
    let version = version_in("Cargo.toml", "package");
    assert_eq!(version_in("python/Cargo.toml", "package"), version);
    let hook = "integrations/pre-commit/pyproject.toml";
    assert_eq!(version_in(hook, "project"), version);
    let pin = toml::Value::from(format!("chunklint=={version}"));
    assert_eq!(
        toml_file(hook)["project"]["dependencies"].as_array(),
        Some(&vec![pin]),
        "{hook} does not pin chunklint=={version} alone"
    );
    let docs = std::fs::read_to_string("docs/python.md").expect("docs/python.md");
    assert!(
        docs.contains(&format!("[\"chunklint=={version}\"]")),
        "docs/python.md's pre-commit configuration does not pin chunklint=={version}"
    );
    let start = std::fs::read_to_string("docs/index.md").expect("docs/index.md");
    assert!(
        start.contains(&format!("v={version} ")),
        "docs/index.md's binary download is not of version {version}"
    );
    let action = std::fs::read_to_string("action.yml").expect("action.yml");
    assert!(
        action.contains(&format!("default: \"{version}\"")),
        "action.yml's `version` input does not default to {version}"
    );
}

#[test]
fn the_newest_changelog_section_is_the_crates_version_with_notes() {
    let version = version_in("Cargo.toml", "package");
    let (released, date) = newest_release();
    assert_eq!(
        released, version,
        "CHANGELOG.md's newest release is not the crate's version"
    );
    let digits: Vec<&str> = date.split('-').collect();
    assert!(
        digits.len() == 3
            && [4, 2, 2]
                .iter()
                .zip(&digits)
                .all(|(n, d)| d.len() == *n && d.bytes().all(|b| b.is_ascii_digit())),
        "release date {date:?} is not YYYY-MM-DD"
    );
    // The release notes, as the pipeline makes them.
    let notes = Command::new("bash")
        .args([".ci/changelog-section.sh", &version])
        .output()
        .expect("bash");
    assert!(
        notes.status.success(),
        "{}",
        String::from_utf8_lossy(&notes.stderr)
    );
    let notes = String::from_utf8(notes.stdout).expect("UTF-8");
    assert!(
        notes.contains("\n### Added\n"),
        "the notes have no `### Added` list"
    );
    assert!(
        !notes.contains("## ["),
        "the notes run into the next section"
    );
    let missing = Command::new("bash")
        .args([".ci/changelog-section.sh", "99.0.0"])
        .output()
        .expect("bash");
    assert!(
        !missing.status.success(),
        "a version with no section gave notes"
    );
}
