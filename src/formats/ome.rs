//! OME-NGFF metadata across Zarr versions. OME-NGFF 0.4 lives in Zarr v2 attributes, one key per
//! kind (`multiscales`, `omero`, `labels`, `image-label`, `plate`, `well`), the versioned ones
//! each carrying a `version`; 0.5 lives in Zarr v3 attributes under one `ome` key, with a single
//! `version` for all of them. A rechunk that changes the Zarr version moves the metadata from one
//! form to the other, so that the output is OME-NGFF its readers accept; other attributes stay
//! as they are.

use serde_json::{Map, Value, json};

use super::n5_pyramid::{n5_pyramid, ome_multiscales};
use crate::model::{Format, GroupInfo};

/// The attribute keys of OME-NGFF metadata, in the order they are written: [`OME_GROUP_KEYS`]
/// but `series`.
pub const OME_KEYS: &[&str] = match OME_GROUP_KEYS.split_last() {
    Some((_, keys)) => keys,
    None => &[],
};

/// The keys a bioformats2raw collection's `OME` group may hold: the others and `series`, the
/// image groups of the collection (last).
const OME_GROUP_KEYS: &[&str] = &[
    "multiscales",
    "omero",
    "labels",
    "image-label",
    "plate",
    "well",
    "bioformats2raw.layout",
    "series",
];

/// The keys whose 0.4 form carries its own `version` (in each entry, for `multiscales`).
const VERSIONED: &[&str] = &["multiscales", "image-label", "plate", "well"];

/// Group attributes for the target `format`, and a note saying what was migrated, if anything.
#[derive(Clone, Debug, PartialEq)]
pub struct Migrated {
    /// The attributes to write.
    pub attributes: Map<String, Value>,
    /// What the migration did (for the plan), or why OME metadata was left as it was.
    pub note: Option<String>,
}

/// The OME-NGFF metadata of `attributes` in the form `to` holds: 0.5 under `ome` for Zarr v3,
/// 0.4 at the top level for Zarr v2. N5 keeps the attributes as they are. Metadata already in
/// the target's form, and attributes without OME-NGFF metadata, are returned unchanged.
///
/// # Errors
/// A key that would be written twice (at the top level and from under `ome`).
pub fn migrate(attributes: &Map<String, Value>, to: Format) -> Result<Migrated, String> {
    migrate_keys(attributes, to, OME_KEYS)
}

/// `attributes` whose `ome` holds OME-NGFF metadata but no `version` (ome-zarr-py writes a
/// labels group so), with the `version` 0.5 that ome-zarr-models requires there; `None` when
/// there is nothing to add.
fn versioned_ome(attributes: &Map<String, Value>) -> Option<Migrated> {
    let Some(Value::Object(ome)) = attributes.get("ome") else {
        return None;
    };
    if ome.contains_key("version") || !OME_GROUP_KEYS.iter().any(|k| ome.contains_key(*k)) {
        return None;
    }
    let mut with = Map::new();
    with.insert("version".into(), json!("0.5"));
    with.extend(ome.clone());
    let mut out = attributes.clone();
    out.insert("ome".into(), Value::Object(with));
    Some(Migrated {
        attributes: out,
        note: Some("OME-NGFF 0.5: `ome.version` added (the source's `ome` had none)".into()),
    })
}

/// [`migrate`] with `keys` as the OME-NGFF keys to move.
fn migrate_keys(
    attributes: &Map<String, Value>,
    to: Format,
    keys: &[&str],
) -> Result<Migrated, String> {
    match to {
        Format::Zarr3 => keys_to_05(attributes, keys),
        Format::Zarr2 => ome_to_04(attributes),
        Format::N5 => Ok(unchanged(attributes, None)),
    }
}

/// `attributes` as they are, with `note`.
fn unchanged(attributes: &Map<String, Value>, note: Option<String>) -> Migrated {
    Migrated {
        attributes: attributes.clone(),
        note,
    }
}

/// OME-NGFF 0.4 `keys` of `attributes` moved under `ome` (0.5), for Zarr v3.
fn keys_to_05(attributes: &Map<String, Value>, keys: &[&str]) -> Result<Migrated, String> {
    let unchanged = |note: Option<String>| unchanged(attributes, note);
    let present: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| attributes.contains_key(*k))
        .collect();
    if present.is_empty() {
        return Ok(versioned_ome(attributes).unwrap_or_else(|| unchanged(None)));
    }
    let versions = top_level_versions(attributes);
    if let Some(other) = versions.iter().find(|v| v.as_str() != "0.4") {
        return Ok(unchanged(Some(format!(
            "OME-NGFF {other} metadata copied as it is: zlint migrates 0.4 to 0.5 only"
        ))));
    }
    if attributes.contains_key("ome") {
        return Err(format!(
            "OME-NGFF 0.4 metadata ({}) beside an `ome` attribute: cannot move it under `ome`",
            present.join(", ")
        ));
    }
    let mut ome = Map::new();
    ome.insert("version".into(), json!("0.5"));
    let mut out = Map::new();
    for (key, value) in attributes {
        if present.contains(&key.as_str()) {
            ome.insert(key.clone(), to_05(key, value));
        } else {
            out.insert(key.clone(), value.clone());
        }
    }
    out.insert("ome".into(), Value::Object(ome));
    Ok(Migrated {
        attributes: out,
        note: Some(format!(
            "OME-NGFF 0.4 → 0.5: {} moved under `ome` (version 0.5)",
            present.join(", ")
        )),
    })
}

/// OME-NGFF 0.5 (or 0.6) metadata under `ome` moved to the top level (0.4), for Zarr v2.
fn ome_to_04(attributes: &Map<String, Value>) -> Result<Migrated, String> {
    let unchanged = |note: Option<String>| unchanged(attributes, note);
    let Some(Value::Object(ome)) = attributes.get("ome") else {
        return Ok(unchanged(None));
    };
    let mut unversioned = false;
    let converted;
    let mut from = "0.5";
    let ome = match ome.get("version").and_then(Value::as_str) {
        Some(v) if v.starts_with("0.6") => {
            converted = super::ome06::ome06_as_05(ome)?;
            from = "0.6";
            &converted
        }
        _ => ome,
    };
    match ome.get("version").and_then(Value::as_str) {
        Some("0.5") => {}
        None if from == "0.6" => {}
        Some(other) => {
            return Ok(unchanged(Some(format!(
                "OME-NGFF {other} metadata copied as it is: zlint migrates 0.5 to 0.4 only"
            ))));
        }
        // ome-zarr-py writes a labels group's `ome` without a version: what it holds
        // is 0.5 metadata all the same.
        None if OME_GROUP_KEYS.iter().any(|k| ome.contains_key(*k)) => unversioned = true,
        None => return Ok(unchanged(None)),
    }
    let mut out = Map::new();
    for (key, value) in attributes {
        if key != "ome" {
            out.insert(key.clone(), value.clone());
        }
    }
    let mut moved = Vec::new();
    for (key, value) in ome {
        if key == "version" {
            continue;
        }
        if out.contains_key(key) {
            return Err(format!(
                "`ome.{key}` and a top-level `{key}` attribute: cannot move `ome.{key}` to the top level"
            ));
        }
        out.insert(key.clone(), with_version(key, value, "0.4"));
        moved.push(key.as_str());
    }
    Ok(Migrated {
        attributes: out,
        note: Some(format!(
            "OME-NGFF {from} → 0.4: {} moved from `ome` to the top level (version 0.4){}{}",
            moved.join(", "),
            if unversioned {
                "; `ome` had no `version`, read as 0.5"
            } else {
                ""
            },
            if from == "0.6" {
                "; its one coordinate system became `axes`, its transformations plain \
                 `scale` and `translation`"
            } else {
                ""
            }
        )),
    })
}

/// A group's attributes as a rechunk into `to` writes them: [`migrate`]d, and for a multiscale
/// that changes between N5 and Zarr, the pyramid metadata of the target's readers added beside
/// the source's (n5-viewer `scales` and `pixelResolution` for N5, OME-NGFF `multiscales` for an
/// N5 pyramid bound for Zarr, see [`super::n5_pyramid`]).
///
/// # Errors
/// As [`migrate`].
pub fn migrate_group(group: &GroupInfo, to: Format) -> Result<GroupMigration, String> {
    // A bioformats2raw collection's `OME` group lists its images in `series`.
    let keys = if group.path.as_str().rsplit('/').next() == Some("OME") {
        OME_GROUP_KEYS
    } else {
        OME_KEYS
    };
    let migrated = migrate_keys(&group.attributes, to, keys)?;
    let mut out = GroupMigration {
        attributes: migrated.attributes,
        notes: migrated.note.into_iter().collect(),
        level_axes: None,
    };
    if group.format == Format::N5 && to != Format::N5 {
        // N5's container version is format metadata, not an attribute to carry over.
        out.attributes.remove("n5");
    }
    let Some(multiscale) = group.multiscales.first() else {
        return Ok(out);
    };
    let has_ome =
        group.attributes.contains_key("ome") || group.attributes.contains_key("multiscales");
    match to {
        Format::N5 if group.format != Format::N5 => {
            if let Some(pyramid) = n5_pyramid(multiscale, &out.attributes) {
                out.attributes.extend(pyramid.attributes);
                out.notes.push(pyramid.note);
            }
        }
        Format::Zarr2 | Format::Zarr3 if group.format == Format::N5 && !has_ome => {
            match ome_multiscales(&group.path, multiscale, &group.attributes) {
                Ok(multiscales) => {
                    let names = multiscales[0]["axes"].as_array().map(|axes| {
                        axes.iter()
                            .filter_map(|a| a["name"].as_str().map(str::to_string))
                            .collect()
                    });
                    let mut attributes = out.attributes.clone();
                    attributes.insert("multiscales".into(), multiscales);
                    out.attributes = migrate(&attributes, to)?.attributes;
                    let version = if to == Format::Zarr3 { "0.5" } else { "0.4" };
                    out.notes.push(format!(
                        "N5 pyramid → OME-NGFF {version} multiscales (axes {}), from `scales` \
                         and `pixelResolution`",
                        names
                            .as_ref()
                            .map_or(String::new(), |n: &Vec<String>| n.join(", "))
                    ));
                    out.level_axes = names;
                }
                Err(why) => out.notes.push(why),
            }
        }
        _ => {}
    }
    Ok(out)
}

/// What [`migrate_group`] writes for a group.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupMigration {
    /// The attributes to write.
    pub attributes: Map<String, Value>,
    /// What the migration did, for the plan.
    pub notes: Vec<String>,
    /// The axis names the multiscale's level arrays take as dimension names, when the
    /// migration named them (an N5 pyramid made an OME-NGFF multiscale).
    pub level_axes: Option<Vec<String>>,
}

/// The versions the 0.4-form keys of `attributes` declare.
fn top_level_versions(attributes: &Map<String, Value>) -> Vec<String> {
    let mut versions = Vec::new();
    for key in VERSIONED {
        let holders: Vec<&Value> = match attributes.get(*key) {
            Some(Value::Array(entries)) if *key == "multiscales" => entries.iter().collect(),
            Some(value) => vec![value],
            None => Vec::new(),
        };
        for holder in holders {
            if let Some(version) = holder.get("version").and_then(Value::as_str)
                && !versions.iter().any(|v| v == version)
            {
                versions.push(version.to_string());
            }
        }
    }
    versions
}

/// `value` of `key` as 0.5 holds it under `ome`: `plate` and `image-label` keep a `version`
/// (now 0.5), as ome-zarr-py's 0.5 writer writes them and ome-zarr-models' plate model expects;
/// the others lose theirs (the `ome` key's own `version` speaks for them).
fn to_05(key: &str, value: &Value) -> Value {
    if matches!(key, "plate" | "image-label") {
        with_version(key, value, "0.5")
    } else {
        without_version(key, value)
    }
}

/// `value` of `key` without the `version` its 0.4 form carries.
fn without_version(key: &str, value: &Value) -> Value {
    each_versioned(key, value, |obj| {
        let mut obj = obj.clone();
        obj.remove("version");
        obj
    })
}

/// `value` of `key` with the `version` its 0.4 form carries, first among its keys.
fn with_version(key: &str, value: &Value, version: &str) -> Value {
    each_versioned(key, value, |obj| {
        let mut out = Map::new();
        out.insert("version".into(), json!(version));
        for (k, v) in obj {
            if k != "version" {
                out.insert(k.clone(), v.clone());
            }
        }
        out
    })
}

/// `value` of `key` with `edit` applied to each object that carries a 0.4 `version`: every
/// entry of `multiscales`, the value itself for the other versioned keys.
fn each_versioned(
    key: &str,
    value: &Value,
    edit: impl Fn(&Map<String, Value>) -> Map<String, Value>,
) -> Value {
    let apply = |v: &Value| match v {
        Value::Object(obj) => Value::Object(edit(obj)),
        other => other.clone(),
    };
    match value {
        Value::Array(entries) if key == "multiscales" => {
            Value::Array(entries.iter().map(apply).collect())
        }
        value if VERSIONED.contains(&key) => apply(value),
        value => value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("an object"),
        }
    }

    #[test]
    fn zarr2_image_and_plate_metadata_move_under_ome_and_back() {
        let v04 = map(json!({
            "multiscales": [{"version": "0.4", "name": "img", "axes": [], "datasets": [{"path": "0"}]}],
            "omero": {"channels": []},
            "plate": {"version": "0.4", "name": "p", "wells": []},
            "custom": 1
        }));
        let up = migrate(&v04, Format::Zarr3).expect("migrates");
        assert_eq!(
            Value::Object(up.attributes.clone()),
            json!({
                "custom": 1,
                "ome": {
                    "version": "0.5",
                    "multiscales": [{"name": "img", "axes": [], "datasets": [{"path": "0"}]}],
                    "omero": {"channels": []},
                    "plate": {"version": "0.5", "name": "p", "wells": []}
                }
            })
        );
        assert!(up.note.expect("a note").contains("0.4 → 0.5"));
        let down = migrate(&up.attributes, Format::Zarr2).expect("migrates back");
        assert_eq!(down.attributes, v04);
    }

    #[test]
    fn metadata_already_in_the_targets_form_and_other_versions_stay() {
        let v05 = map(json!({"ome": {"version": "0.5", "multiscales": []}}));
        assert_eq!(migrate(&v05, Format::Zarr3).expect("ok").attributes, v05);
        let plain = map(json!({"units": "nm"}));
        let same = migrate(&plain, Format::Zarr3).expect("ok");
        assert_eq!((same.attributes, same.note), (plain, None));
        let v03 = map(json!({"multiscales": [{"version": "0.3", "datasets": []}]}));
        let kept = migrate(&v03, Format::Zarr3).expect("ok");
        assert_eq!(kept.attributes, v03);
        assert!(kept.note.expect("a note").contains("0.3"));
    }

    #[test]
    fn keys_that_would_be_written_twice_are_refused() {
        let both = map(json!({"ome": {"version": "0.5", "omero": {}}, "omero": {}}));
        assert!(migrate(&both, Format::Zarr2).unwrap_err().contains("omero"));
        let clash = map(json!({"ome": 1, "omero": {}}));
        assert!(migrate(&clash, Format::Zarr3).is_err());
    }
}
