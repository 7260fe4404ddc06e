//! Consolidated metadata for the output, when the source had it: made anew from the output's
//! own documents (the source's describes the source's chunks and codecs), in the target's form:
//! `.zmetadata` for Zarr v2, `consolidated_metadata` in the root `zarr.json` for Zarr v3. N5 has
//! no such document.

use serde_json::{Map, Value, json};

use super::rechunk_plan::RechunkPlan;
use crate::model::Format;

impl RechunkPlan {
    /// Adds the consolidated metadata of the output to its root group's documents (see the
    /// module), when the root is a Zarr group; returns a note when its form changes from the
    /// source's `kind` (`zmetadata` or `inline`), or it cannot be written.
    pub(crate) fn consolidate(&mut self, kind: &str) -> Option<String> {
        let mut documents: Vec<(String, &Value)> = self.documents().collect();
        documents.sort_by(|a, b| a.0.cmp(&b.0));
        let root = self.groups.iter().position(|g| g.path.is_root())?;
        let format = match self.groups[root].metadata.first()?.0.as_str() {
            "zarr.json" => Format::Zarr3,
            ".zgroup" => Format::Zarr2,
            _ => {
                return Some(
                    "the source's consolidated metadata is not written: N5 has none".into(),
                );
            }
        };
        let consolidated = match format {
            Format::Zarr2 => {
                let metadata: Map<String, Value> = documents
                    .into_iter()
                    .map(|(key, doc)| (key, doc.clone()))
                    .collect();
                json!({"metadata": metadata, "zarr_consolidated_format": 1})
            }
            _ => {
                let metadata: Map<String, Value> = documents
                    .into_iter()
                    .filter_map(|(key, doc)| {
                        let node = key.strip_suffix("/zarr.json")?;
                        Some((node.to_string(), doc.clone()))
                    })
                    .collect();
                json!({"kind": "inline", "must_understand": false, "metadata": metadata})
            }
        };
        let same = (format == Format::Zarr2) == (kind == "zmetadata");
        let root = &mut self.groups[root].metadata;
        match format {
            Format::Zarr2 => root.push((".zmetadata".into(), consolidated)),
            _ => {
                if let Some(doc) = root[0].1.as_object_mut() {
                    doc.insert("consolidated_metadata".into(), consolidated);
                }
            }
        }
        (!same).then(|| {
            format!(
                "consolidated metadata made anew for the output ({})",
                if format == Format::Zarr2 {
                    "`.zmetadata`"
                } else {
                    "`consolidated_metadata` in the root `zarr.json`"
                }
            )
        })
    }
}
