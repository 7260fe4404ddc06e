//! The children a group's metadata names, for stores that cannot be listed (a plain web
//! server): an OME-NGFF plate's rows and wells, a well's images, a multiscale image's levels and
//! its `labels` group, a labels group's label images, a bioformats2raw collection's `OME` group
//! and series. Pure: the walk visits what this names (see `discover`), and only what exists is
//! found.

use serde_json::Value;

use crate::model::{Format, GroupInfo, NodePath, ome_value};

/// What to visit below a group of an unlistable store.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Named {
    /// Children named outright, each once, in the order named, with the metadata that names
    /// them (`plate.wells`; `probed: …` for a name tried on the chance it is there).
    pub(crate) children: Vec<(NodePath, &'static str)>,
    /// Children numbered from 0, tried in turn until one is missing: a bioformats2raw
    /// collection's series without a `series` list (`0`, `1`, …), an N5 `multiScale` pyramid's
    /// levels without `scales` (`s0`, `s1`, …).
    pub(crate) numbered: Option<Numbered>,
}

/// Children numbered from 0 (see [`Named::numbered`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Numbered {
    /// What comes before the number in each name: `` or `s`.
    pub(crate) prefix: &'static str,
    /// What names them, for the scan's account.
    pub(crate) by: &'static str,
}

/// The most levels of an N5 pyramid named by its `scales` (each is a request over HTTP).
const MAX_N5_LEVELS: usize = 64;

/// The plain relative paths of `list`'s items (strings, or objects with a `path` string); names
/// that climb (`..`) or are absolute are left out.
fn paths<'a>(list: Option<&'a Value>, field: Option<&str>) -> impl Iterator<Item = &'a str> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(move |item| match field {
            Some(field) => item.get(field).and_then(Value::as_str),
            None => item.as_str(),
        })
        .filter(|path| {
            !path.starts_with('/')
                && path
                    .split('/')
                    .all(|p| !p.is_empty() && p != "." && p != "..")
        })
}

/// The children `group`'s metadata names (see the module documentation).
pub(crate) fn named_children(group: &GroupInfo) -> Named {
    let attributes = &group.attributes;
    let mut named = Named::default();
    let mut add = |path: NodePath, by: &'static str| {
        if path != group.path && !named.children.iter().any(|(p, _)| *p == path) {
            named.children.push((path, by));
        }
    };
    // A plate: each row group, then each well (`A/1`).
    if let Some(plate) = ome_value(attributes, "plate") {
        for well in paths(plate.get("wells"), Some("path")) {
            if let Some((row, _)) = well.split_once('/') {
                add(group.path.join(row), "plate.wells");
            }
            add(group.path.join(well), "plate.wells");
        }
    }
    // A well: its fields of view.
    if let Some(well) = ome_value(attributes, "well") {
        for image in paths(well.get("images"), Some("path")) {
            add(group.path.join(image), "well.images");
        }
    }
    // A multiscale image: its levels, and the `labels` group beside them, if there is one.
    for multiscale in &group.multiscales {
        for level in &multiscale.levels {
            if level.path.as_str().starts_with(group.path.as_str()) {
                add(level.path.clone(), "multiscales.datasets");
            }
        }
    }
    if !group.multiscales.is_empty() {
        add(group.path.join("labels"), "probed: labels beside an image");
    }
    // A labels group: its label images.
    for label in paths(ome_value(attributes, "labels"), None) {
        add(group.path.join(label), "labels");
    }
    // A bioformats2raw collection: `OME`, and the series `OME` lists (or `0`, `1`, …).
    if ome_value(attributes, "bioformats2raw.layout").is_some() {
        add(group.path.join("OME"), "bioformats2raw.layout");
        named.numbered = Some(Numbered {
            prefix: "",
            by: "probed: bioformats2raw series",
        });
    }
    if group.path.name() == "OME"
        && let Some(series) = ome_value(attributes, "series")
    {
        let root = group.path.parent().unwrap_or_else(NodePath::root);
        for path in paths(Some(series), None) {
            add(root.join(path), "series");
        }
    }
    // An n5-viewer or BigDataViewer pyramid: its levels `s0`, `s1`, … (one per `scales` entry;
    // a `multiScale` group without `scales` is probed level by level).
    if group.format == Format::N5 {
        if let Some(scales) = attributes.get("scales").and_then(Value::as_array) {
            for k in 0..scales.len().min(MAX_N5_LEVELS) {
                add(group.path.join(&format!("s{k}")), "scales");
            }
        } else if attributes.get("multiScale") == Some(&Value::Bool(true)) {
            named.numbered = Some(Numbered {
                prefix: "s",
                by: "probed: N5 multiScale levels",
            });
        }
    }
    named
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn group(path: &str, attributes: Value) -> GroupInfo {
        let mut group = crate::scan::n5::group(
            NodePath::new(path),
            attributes.as_object().cloned().unwrap_or_default(),
            false,
        );
        group.multiscales = Vec::new();
        group
    }

    fn names(named: &Named) -> Vec<&str> {
        named
            .children
            .iter()
            .map(|(path, _)| path.as_str())
            .collect()
    }

    #[test]
    fn plates_wells_labels_and_collections_name_their_children() {
        let plate = group(
            "",
            json!({"plate": {"wells": [{"path": "A/1"}, {"path": "A/2"},
                                                          {"path": "../x"}]}}),
        );
        assert_eq!(names(&named_children(&plate)), ["A", "A/1", "A/2"]);
        let well = group("A/1", json!({"ome": {"well": {"images": [{"path": "0"}]}}}));
        assert_eq!(names(&named_children(&well)), ["A/1/0"]);
        let labels = group("img/labels", json!({"labels": ["cells", "/abs"]}));
        assert_eq!(names(&named_children(&labels)), ["img/labels/cells"]);
        let collection = group("", json!({"bioformats2raw.layout": 3}));
        let named = named_children(&collection);
        assert_eq!(names(&named), ["OME"]);
        assert_eq!(named.numbered.map(|n| n.prefix), Some(""));
        let ome = group("OME", json!({"series": ["0", "1"]}));
        assert_eq!(names(&named_children(&ome)), ["0", "1"]);
        assert_eq!(named_children(&plate).children[1].1, "plate.wells");
        assert_eq!(named_children(&group("g", json!({}))), Named::default());
        let mut pyramid = group("p", json!({"multiScale": true, "scales": [[1, 1], [2, 2]]}));
        pyramid.format = Format::N5;
        assert_eq!(names(&named_children(&pyramid)), ["p/s0", "p/s1"]);
        pyramid.attributes.remove("scales");
        let numbered = named_children(&pyramid).numbered;
        assert_eq!(numbered.map(|n| n.prefix), Some("s"));
    }
}
