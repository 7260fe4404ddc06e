//! The children a group's metadata names, for stores that cannot be listed (a plain web
//! server): an OME-NGFF plate's rows and wells, a well's images, a multiscale image's levels and
//! its `labels` group, a labels group's label images, a bioformats2raw collection's `OME` group
//! and series. Pure: the walk visits what this names (see `discover`), and only what exists is
//! found.

use serde_json::{Map, Value};

use crate::model::{GroupInfo, NodePath};

/// What to visit below a group of an unlistable store.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Named {
    /// Children named outright, each once, in the order named.
    pub(crate) children: Vec<NodePath>,
    /// bioformats2raw series without a `series` list: `0`, `1`, … tried in turn until one is
    /// missing.
    pub(crate) numbered_series: bool,
}

/// The OME-NGFF value `key` of `attributes`: under `ome` (0.5 and later), or at the top (0.4).
fn ome_value<'a>(attributes: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    attributes
        .get("ome")
        .and_then(|ome| ome.get(key))
        .or_else(|| attributes.get(key))
}

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
    let mut add = |path: NodePath| {
        if path != group.path && !named.children.contains(&path) {
            named.children.push(path);
        }
    };
    // A plate: each row group, then each well (`A/1`).
    if let Some(plate) = ome_value(attributes, "plate") {
        for well in paths(plate.get("wells"), Some("path")) {
            if let Some((row, _)) = well.split_once('/') {
                add(group.path.join(row));
            }
            add(group.path.join(well));
        }
    }
    // A well: its fields of view.
    if let Some(well) = ome_value(attributes, "well") {
        for image in paths(well.get("images"), Some("path")) {
            add(group.path.join(image));
        }
    }
    // A multiscale image: its levels, and the `labels` group beside them, if there is one.
    for multiscale in &group.multiscales {
        for level in &multiscale.levels {
            if level.path.as_str().starts_with(group.path.as_str()) {
                add(level.path.clone());
            }
        }
    }
    if !group.multiscales.is_empty() {
        add(group.path.join("labels"));
    }
    // A labels group: its label images.
    for label in paths(ome_value(attributes, "labels"), None) {
        add(group.path.join(label));
    }
    // A bioformats2raw collection: `OME`, and the series `OME` lists (or `0`, `1`, …).
    if ome_value(attributes, "bioformats2raw.layout").is_some() {
        add(group.path.join("OME"));
        named.numbered_series = true;
    }
    if group.path.name() == "OME"
        && let Some(series) = ome_value(attributes, "series")
    {
        let root = group.path.parent().unwrap_or_else(NodePath::root);
        for path in paths(Some(series), None) {
            add(root.join(path));
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
        named.children.iter().map(NodePath::as_str).collect()
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
        assert!(named.numbered_series);
        let ome = group("OME", json!({"series": ["0", "1"]}));
        assert_eq!(names(&named_children(&ome)), ["0", "1"]);
        assert_eq!(named_children(&group("g", json!({}))), Named::default());
    }
}
