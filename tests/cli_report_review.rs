//! Issue 31: a report a reviewer can trust. Every array a rewrite would change is in the
//! recommendation table (a pyramid level changed to follow the first, too), the memory budget
//! and the plan's cost are shown apart, no section is an empty table, the drawings have a
//! legend, pyramid captions name every axis, and a plate is one map of wells coloured by verdict.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::Path;

use assert_cmd::Command;

fn zlint() -> Command {
    let mut cmd = Command::cargo_bin("zlint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// The page for `store` (with `args`) and its exit code.
fn report(store: &Path, args: &[&str]) -> (String, i32) {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    let out = zlint()
        .arg("report")
        .arg(store)
        .arg("-o")
        .arg(&page)
        .args(["--no-config"])
        .args(args)
        .output()
        .unwrap();
    let html = std::fs::read_to_string(&page).unwrap_or_default();
    (html, out.status.code().unwrap())
}

/// The text of the element `<TAG id="ID">…</TAG>` (its first match), tags removed.
fn section_text(html: &str, id: &str) -> String {
    let start = html.find(&format!("id=\"{id}\"")).expect("section");
    let end = html[start..]
        .find("</section>")
        .map_or(html.len(), |e| start + e);
    let mut text = String::new();
    let mut in_tag = false;
    for c in html[start..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A Zarr v3 uint16 array's metadata (no chunk written: the report reads metadata).
fn array_v3(dir: &Path, shape: &str, chunks: &str, names: &str) {
    write(
        &dir.join("zarr.json"),
        &format!(
            r#"{{"zarr_format":3,"node_type":"array","shape":{shape},"data_type":"uint16",
            "chunk_grid":{{"name":"regular","configuration":{{"chunk_shape":{chunks}}}}},
            "chunk_key_encoding":{{"name":"default"}},"fill_value":0,
            "codecs":[{{"name":"bytes","configuration":{{"endian":"little"}}}}],
            "dimension_names":{names}}}"#
        ),
    );
}

/// An OME-Zarr 0.5 image of two levels, both in 32×64×64 chunks: the first level's are too
/// small (ZL101); the second follows the first, so it has no finding of its own.
fn pyramid(store: &Path) {
    write(
        &store.join("zarr.json"),
        r#"{"zarr_format":3,"node_type":"group","attributes":{"ome":{"version":"0.5",
        "multiscales":[{"axes":[{"name":"z","type":"space"},{"name":"y","type":"space"},
        {"name":"x","type":"space"}],"datasets":[
        {"path":"s0","coordinateTransformations":[{"type":"scale","scale":[1,1,1]}]},
        {"path":"s1","coordinateTransformations":[{"type":"scale","scale":[2,2,2]}]}]}]}}}"#,
    );
    let names = r#"["z","y","x"]"#;
    array_v3(&store.join("s0"), "[64,2048,2048]", "[8,64,64]", names);
    array_v3(&store.join("s1"), "[32,1024,1024]", "[8,64,64]", names);
}

#[test]
fn the_recommendation_table_lists_every_changed_level_with_budget_and_cost_apart() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("image.ome.zarr");
    pyramid(&store);
    let (html, code) = report(&store, &["--plan-auto"]);
    assert_eq!(code, 0, "a page with findings is still written");
    let plan = section_text(&html, "plan");
    assert!(plan.contains("(2 arrays to change)"), "{plan}");
    assert!(plan.contains("s0 chunks 8×64×64"), "{plan}");
    assert!(
        plan.contains("s1 chunks 8×64×64") && plan.contains("follows the others"),
        "the level changed with the first is listed: {plan}"
    );
    // The budget is what the plan may use; the cost is what it does use.
    let budget = plan
        .split("budget ")
        .nth(1)
        .and_then(|b| b.split(" of memory for data in flight").next())
        .expect("a budget row");
    let peak = plan
        .split("cost peak memory ")
        .nth(1)
        .and_then(|c| c.split(", ").next())
        .expect("a cost row");
    assert_ne!(budget, peak, "{plan}");
    // Captions name every axis, not only the two drawn.
    let pyramids = section_text(&html, "pyramids");
    assert!(
        pyramids.contains("z 64 × y 2048 × x 2048")
            && pyramids.contains("chunks z 8 × y 64 × x 64"),
        "{pyramids}"
    );
    // The scale and the grids say what their colours mean.
    assert_eq!(html.matches("<dl class=\"legend\">").count(), 2);
    assert!(html.contains("padding: edge chunks past the array"));
    assert!(html.contains("the profile's window for read units and objects"));
}

#[test]
fn a_store_in_its_recommended_layout_gets_a_sentence_not_an_empty_table() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("good.zarr");
    array_v3(&store, "[1024,1024]", "[1024,1024]", r#"["y","x"]"#);
    let (html, code) = report(&store, &["--plan-auto"]);
    assert_eq!(code, 0);
    let plan = section_text(&html, "plan");
    assert!(plan.contains("would change nothing"), "{plan}");
    assert!(!html.contains("<table class=\"plan\">"));
    assert!(!html.contains("id=\"pyramids\"") && !html.contains("id=\"plates\""));
    assert!(!html.contains("id=\"errors\""));
}

/// An OME-Zarr 0.4 plate of 8 rows and 12 columns, one field per well; the wells of row A are
/// chunked too small (ZL101), the others are one chunk each.
fn plate(store: &Path) {
    let rows: Vec<String> = "ABCDEFGH".chars().map(String::from).collect();
    let row_names: Vec<String> = rows
        .iter()
        .map(|r| format!(r#"{{"name":"{r}"}}"#))
        .collect();
    let column_names: Vec<String> = (1..=12).map(|c| format!(r#"{{"name":"{c}"}}"#)).collect();
    let mut wells = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        for c in 0..12 {
            let well = format!("{row}/{}", c + 1);
            wells.push(format!(
                r#"{{"path":"{well}","rowIndex":{r},"columnIndex":{c}}}"#
            ));
            let field = store.join(&well).join("0");
            write(&store.join(row).join(".zgroup"), r#"{"zarr_format":2}"#);
            write(&store.join(&well).join(".zgroup"), r#"{"zarr_format":2}"#);
            write(
                &store.join(&well).join(".zattrs"),
                r#"{"well":{"images":[{"path":"0"}],"version":"0.4"}}"#,
            );
            write(&field.join(".zgroup"), r#"{"zarr_format":2}"#);
            write(
                &field.join(".zattrs"),
                r#"{"multiscales":[{"version":"0.4","axes":[{"name":"y","type":"space"},
                {"name":"x","type":"space"}],"datasets":[{"path":"0",
                "coordinateTransformations":[{"type":"scale","scale":[1,1]}]}]}]}"#,
            );
            let chunks = if r == 0 { "[32,32]" } else { "[1024,1024]" };
            write(
                &field.join("0/.zarray"),
                &format!(
                    r#"{{"zarr_format":2,"shape":[1024,1024],"chunks":{chunks},"dtype":"<u2",
                    "compressor":null,"fill_value":0,"order":"C","filters":null}}"#
                ),
            );
        }
    }
    write(&store.join(".zgroup"), r#"{"zarr_format":2}"#);
    write(
        &store.join(".zattrs"),
        &format!(
            r#"{{"plate":{{"version":"0.4","name":"screen 1","rows":[{}],"columns":[{}],
            "wells":[{}]}}}}"#,
            row_names.join(","),
            column_names.join(","),
            wells.join(",")
        ),
    );
}

#[test]
fn a_plate_is_one_map_of_wells_coloured_by_their_worst_finding() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("plate.ome.zarr");
    plate(&store);
    let (html, code) = report(&store, &[]);
    assert_eq!(code, 0);
    assert_eq!(html.matches("class=\"chart plate\"").count(), 1);
    assert_eq!(html.matches("class=\"well warning\"").count(), 12);
    assert_eq!(html.matches("class=\"well clean\"").count(), 84);
    // Row and column names label the map; a well links to its array's section.
    assert!(html.contains(">H</text>") && html.contains(">12</text>"));
    assert!(html.contains("href=\"#array-A--1--0--0\""));
    assert!(html.contains("id=\"array-A--1--0--0\""));
    let plates = section_text(&html, "plates");
    assert!(plates.contains("96 wells:"), "{plates}");
    assert!(
        plates.contains("12 warning") && plates.contains("84 clean"),
        "{plates}"
    );
}
