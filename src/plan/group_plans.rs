//! The plan of each group of a rewrite: its metadata documents in the target format (OME-NGFF
//! migrated), and the notes a reader of the plan should see.

use serde_json::Map;

use super::carried_arrays::CarriedArray;
use super::rechunk_plan::{ArrayPlan, GroupPlan, array_location};
use super::request::Targets;
use crate::error::{Error, Result};
use crate::formats::{group_documents, ome};
use crate::model::{Format, NodePath, Store};

/// The group plans of `store`, naming the dimensions of the `arrays` that are levels of an
/// OME-NGFF multiscale as the migrated metadata names its axes. A hierarchy with no group
/// document gets a root group: Zarr v2 readers find arrays only below explicit groups.
pub(super) fn group_plans(
    store: &Store,
    targets: &Targets,
    arrays: &mut [ArrayPlan],
    carried: &[CarriedArray],
) -> Result<Vec<GroupPlan>> {
    let mut groups: Vec<GroupPlan> = store
        .groups
        .iter()
        .map(|g| {
            let format = targets.format.unwrap_or(g.format);
            let migrated = ome::migrate_group(g, format)
                .map_err(|e| Error::rechunk(array_location(&store.location, &g.path), e))?;
            if let (Some(names), Some(multiscale)) = (&migrated.level_axes, g.multiscales.first()) {
                for level in &multiscale.levels {
                    if let Some(plan) = arrays.iter_mut().find(|a| a.path == level.path) {
                        plan.name_dimensions(names);
                    }
                }
            }
            let mut notes = migrated.notes;
            notes.extend(store.label_pyramid_problems(g).into_iter().map(|problem| {
                format!(
                    "warning: {problem} (ZL207); the output carries this as it is{}",
                    if format == Format::Zarr3 {
                        ", and OME-NGFF 0.5 validators refuse it"
                    } else {
                        ""
                    }
                )
            }));
            Ok(GroupPlan {
                path: g.path.clone(),
                metadata: group_documents(format, &migrated.attributes, g.path.is_root()),
                notes,
            })
        })
        .collect::<Result<_>>()?;
    if store.groups.is_empty() && store.arrays.iter().any(|a| !a.path.is_root()) {
        let format = arrays
            .first()
            .map(|a| a.target_format)
            .or_else(|| carried.first().map(|a| a.format))
            .unwrap_or(Format::Zarr3);
        groups.push(GroupPlan {
            path: NodePath::root(),
            metadata: group_documents(format, &Map::new(), true),
            notes: Vec::new(),
        });
    }
    Ok(groups)
}
