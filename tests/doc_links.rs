//! Every relative link of the README and of docs/ leads somewhere: the file exists, and a
//! `#section` names a heading of the page it points to (GitHub's anchors: lower case, spaces to
//! hyphens, other punctuation dropped). Links into code blocks are not links.

use std::collections::BTreeSet;
use std::path::Path;

mod common;

/// The text of `page` outside code blocks.
fn prose(page: &Path) -> String {
    let text = std::fs::read_to_string(page).expect("page");
    let mut out = String::new();
    let mut code = false;
    for line in text.lines() {
        if line.starts_with("```") {
            code = !code;
        } else if !code {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// GitHub's anchor of a heading's text.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(page: &Path) -> BTreeSet<String> {
    prose(page)
        .lines()
        .filter(|l| l.starts_with('#'))
        .map(|l| anchor(l.trim_start_matches('#')))
        .collect()
}

/// The targets of the `[text](target)` links of `text`.
fn links(text: &str) -> Vec<&str> {
    text.match_indices("](")
        .filter_map(|(at, _)| {
            let rest = &text[at + 2..];
            let end = rest.find(')')?;
            let target = &rest[..end];
            (!target.contains(char::is_whitespace)).then_some(target)
        })
        .collect()
}

#[test]
fn every_relative_link_of_the_docs_leads_somewhere() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for page in common::doc_pages() {
        for target in links(&prose(&page)) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let (path, section) = target.split_once('#').unwrap_or((target, ""));
            let file = if path.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap_or(Path::new("")).join(path)
            };
            if !file.exists() {
                broken.push(format!("{}: {target}: no such file", page.display()));
            } else if !section.is_empty()
                && file.extension().is_some_and(|e| e == "md")
                && !anchors(&file).contains(section)
            {
                broken.push(format!("{}: {target}: no such section", page.display()));
            }
        }
    }
    assert!(checked > 50, "only {checked} links found");
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn anchors_are_githubs() {
    assert_eq!(
        anchor(" Split runs: many processes, many machines"),
        "split-runs-many-processes-many-machines"
    );
    assert_eq!(
        anchor("`zlint rechunk SRC DST`: rewrite a store"),
        "zlint-rechunk-src-dst-rewrite-a-store"
    );
}
