//! The examples of the README and of docs/ are what the current binary prints: every
//! `$ zlint …` line of a code block is run, and the lines printed under it (but `...`, which
//! stands for lines left out) must appear in its output, in order.

use assert_cmd::Command;

mod common;

#[test]
fn readme_and_docs_examples_are_the_binarys_output() {
    let mut checked = 0;
    for page in &common::doc_pages() {
        let text = std::fs::read_to_string(page).expect("page");
        checked += check_examples(&page.display().to_string(), &text);
    }
    assert!(checked >= 4, "only {checked} examples found");
}

/// Runs the examples of one page; returns how many it has.
fn check_examples(page: &str, text: &str) -> usize {
    let mut checked = 0;
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(command) = line.strip_prefix("$ zlint ") else {
            continue;
        };
        let mut expected = Vec::new();
        while let Some(next) = lines.next_if(|l| !l.starts_with("```")) {
            expected.push(next);
        }
        let out = Command::cargo_bin("zlint")
            .expect("binary")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(command.split_whitespace())
            .env("NO_COLOR", "1")
            .output()
            .expect("runs");
        let actual = String::from_utf8_lossy(&out.stdout).to_string();
        let mut rest = actual.lines();
        for want in expected.iter().filter(|l| l.trim() != "...") {
            assert!(
                rest.any(|got| got == *want),
                "`zlint {command}`: {page} line\n{want}\nnot in the output (in order):\n{actual}"
            );
        }
        checked += 1;
    }
    checked
}
