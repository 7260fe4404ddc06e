//! `zlint report` end to end: the page's sections, charts and findings for the committed
//! fixtures, nothing loaded from elsewhere, and hostile names escaped. `tests/report/run.sh`
//! opens the same pages in headless Chromium.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

mod common;

use assert_cmd::Command;

fn zlint() -> Command {
    let mut cmd = Command::cargo_bin("zlint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// The page for `store` (with `args`), its exit code and what the command printed.
fn report(store: &str, args: &[&str]) -> (String, i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    let out = zlint()
        .args(["report", store, "-o", page.to_str().unwrap()])
        .args(args)
        .output()
        .unwrap();
    let html = std::fs::read_to_string(&page).unwrap_or_default();
    (
        html,
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn count(html: &str, needle: &str) -> usize {
    html.matches(needle).count()
}

/// Findings of `zlint STORE --format json` (the page must show the same).
fn lint_findings(store: &str) -> Vec<serde_json::Value> {
    let out = zlint()
        .args([store, "--format", "json", "--no-config"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["findings"].as_array().unwrap().clone()
}

#[test]
fn a_pyramid_page_has_every_section_chart_and_finding() {
    let store = "fixtures/rules/ZL202-fires.ome.zarr";
    let (html, code, said) = report(store, &["--plan-auto", "--no-config"]);
    assert_eq!(code, 0, "{said}");
    assert!(said.starts_with("wrote "), "{said}");
    assert!(html.starts_with("<!DOCTYPE html>"));
    for section in ["summary", "scale", "pyramids", "plan", "arrays"] {
        assert!(html.contains(&format!("id=\"{section}\"")), "no {section}");
    }
    assert_eq!(count(&html, "class=\"chart scale\""), 1);
    // Three arrays of three spatial axes: three planes each, drawn from shared definitions.
    assert_eq!(count(&html, "class=\"chart grid\""), 9);
    assert_eq!(count(&html, "class=\"chart level\""), 3);
    assert_eq!(count(&html, "class=\"level inconsistent\""), 1);
    let findings = lint_findings(store);
    assert_eq!(count(&html, "<span class=\"severity\">"), findings.len());
    for f in &findings {
        let message = f["message"].as_str().unwrap();
        assert!(html.contains(&escape(message)), "{message}");
    }
    // The fix pastes: the same command the text output prints.
    assert!(
        html.contains(
            "zlint rechunk fixtures/rules/ZL202-fires.ome.zarr OUT --chunks 1=64,256,256"
        )
    );
    // The plan's recommended layout for the level with findings.
    assert!(html.contains("chunks 64×256×256"));
}

#[test]
fn sharded_n5_and_broken_stores_get_pages_too() {
    let (html, code, _) = report("fixtures/zarr3/sharded.zarr", &[]);
    assert_eq!(code, 0);
    assert!(
        count(&html, "class=\"shard\"") > 0,
        "shard boundaries drawn"
    );
    assert!(!html.contains("id=\"pyramids\""));

    let (html, code, _) = report("fixtures/n5/pyramid.n5", &["--deep"]);
    assert_eq!(code, 0);
    assert!(html.contains("id=\"pyramids\""), "the N5 pyramid is drawn");
    assert!(html.contains("missing"), "--deep shows stored objects");

    // A store with an unreadable node: the page says so, and the exit code is 2.
    let (html, code, _) = report("fixtures/broken/invalid-json.zarr", &[]);
    assert_eq!(code, 2);
    assert!(html.contains("id=\"errors\""));
    assert!(html.contains("ZL501"));
}

#[test]
fn deep_pages_map_missing_chunks_and_histogram_stored_sizes() {
    // One chunk of four stored: the map shows three missing, the histogram one object.
    let (html, code, _) = report(
        "fixtures/rules/ZL401-fires.zarr",
        &["--deep", "--no-config"],
    );
    assert_eq!(code, 0);
    assert_eq!(count(&html, "class=\"chart presence\""), 1);
    assert_eq!(
        count(&html, "class=\"absent\""),
        3,
        "a run of absent cells in each of 3 rows"
    );
    assert!(html.contains("3 of 4 objects missing"));
    // One histogram for the store, one for the array, one bar each.
    assert_eq!(count(&html, "class=\"chart histogram\""), 2);
    assert!(html.contains("1 objects of 16 B to 32 B"));
    // Without --deep, neither.
    let (html, _, _) = report("fixtures/rules/ZL401-fires.zarr", &["--no-config"]);
    assert_eq!(count(&html, "class=\"chart presence\""), 0);
    assert_eq!(count(&html, "class=\"chart histogram\""), 0);
}

#[test]
fn the_page_loads_nothing_from_elsewhere() {
    let (html, _, _) = report("fixtures/ome/v05.ome.zarr", &["--plan-auto"]);
    for resource in ["<script", "<link", "<img", "@import", "src="] {
        assert!(!html.contains(resource), "{resource}");
    }
    // `url(…)` only names patterns in the page itself.
    for (at, _) in html.match_indices("url(") {
        assert!(html[at + 4..].starts_with('#'), "{}", &html[at..at + 40]);
    }
    // Links to the guidance are links, not resources.
    assert!(
        html.contains("href=\"https://docs.rs/chunklint/") || !html.contains("class=\"findings\"")
    );
}

#[test]
fn hostile_names_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.zarr");
    let name = "<img src=x onerror=alert(1)>";
    let array = store.join(name);
    std::fs::create_dir_all(&array).unwrap();
    std::fs::write(
        store.join("zarr.json"),
        r#"{"zarr_format":3,"node_type":"group"}"#,
    )
    .unwrap();
    std::fs::write(
        array.join("zarr.json"),
        r#"{"zarr_format":3,"node_type":"array","shape":[100,100],"data_type":"uint8",
        "chunk_grid":{"name":"regular","configuration":{"chunk_shape":[10,10]}},
        "chunk_key_encoding":{"name":"default"},"fill_value":0,
        "codecs":[{"name":"bytes"}],"dimension_names":["<b>y</b>","x"]}"#,
    )
    .unwrap();
    let (html, code, said) = report(store.to_str().unwrap(), &[]);
    assert_eq!(code, 0, "{said}");
    assert!(!html.contains("<img"), "a name became markup");
    assert!(!html.contains("<b>y</b>"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
}

#[test]
fn the_page_is_never_written_inside_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.zarr");
    common::copy_dir(&common::fixture("zarr3/plain.zarr"), &store);
    let before = std::fs::read_dir(&store).unwrap().count();
    // The default file name, run from inside the store.
    let out = Command::cargo_bin("zlint")
        .unwrap()
        .current_dir(&store)
        .args(["report", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("inside the store"));
    assert_eq!(std::fs::read_dir(&store).unwrap().count(), before);
}

#[test]
fn the_page_can_go_to_standard_output() {
    let out = zlint()
        .args(["report", "fixtures/zarr3/plain.zarr", "-o", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("<!DOCTYPE html>"));
}

/// HTML text escaping, as maud does it.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
