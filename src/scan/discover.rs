//! Discovery: a parallel walk over a store's keys that turns metadata into model nodes.
//!
//! At each directory the walk looks for `zarr.json`, `.zarray`, `.zgroup` and `attributes.json`
//! by name, so an array's chunk keys are never listed: a metadata scan costs a few reads per node
//! however many chunks the arrays hold. Groups (and directories without metadata, which may be
//! implicit groups) are listed to find their children, which are visited in parallel.

use std::sync::Mutex;

use rayon::prelude::*;
use serde_json::{Map, Value};
use zarrs::storage::{Bytes, ReadableListableStorageTraits, StoreKey, StorePrefix};

use super::{n5, named, ome, zarr2, zarr3};
use crate::formats::ome as ome_form;
use crate::model::{
    ArrayInfo, Format, GroupInfo, MixedMetadata, NamedNode, Node, NodeError, NodePath,
};
use crate::store::bounded::get_bounded;

/// Reads the node at a path in one format: `None` when it has no metadata of that format.
type Reader<'w> = fn(&Walker<'w>, &NodePath, Option<Format>) -> Option<Vec<Found>>;
/// A node found by the walk, with what is needed to check consolidated metadata later.
pub(crate) enum Found {
    Array(Box<ArrayInfo>),
    Group {
        group: GroupInfo,
        /// Nodes listed by consolidated metadata at this group, relative to it.
        consolidated: Option<(String, Vec<NodePath>)>,
    },
    Error(NodeError),
    /// Zarr v2 metadata beside the node's `zarr.json`.
    Mixed(MixedMetadata),
}

impl Found {
    /// The path of the array or group found.
    fn node(&self) -> Option<&NodePath> {
        match self {
            Self::Array(array) => Some(&array.path),
            Self::Group { group, .. } => Some(&group.path),
            Self::Error(_) | Self::Mixed(_) => None,
        }
    }
}

/// How deep a hierarchy is read: real stores are a few levels deep (an HCS plate is five), and
/// each level costs the walk stack space; below this, nodes are reported, not read.
pub(crate) const MAX_DEPTH: usize = 64;

/// The most numbered children (bioformats2raw series, N5 pyramid levels) tried one by one in a
/// store that cannot be listed.
const MAX_NUMBERED: usize = 10_000;

pub(crate) struct Walker<'a> {
    pub(crate) storage: &'a dyn ReadableListableStorageTraits,
    pub(crate) location: &'a str,
    /// Whether the store can be listed; when not (a plain HTTP server), the nodes below the
    /// root are those its consolidated metadata names.
    pub(crate) listable: bool,
    /// Whether the store is an object store, read by ranges (see [`get_bounded`]).
    pub(crate) ranged: bool,
    /// The most bytes a metadata document may hold.
    pub(crate) max_metadata: u64,
    /// In a store that cannot be listed, each node found below the root and what named it.
    pub(crate) named: Mutex<Vec<NamedNode>>,
}

fn key_of(path: &NodePath, name: &str) -> String {
    if path.is_root() {
        name.to_string()
    } else {
        format!("{}/{name}", path.as_str())
    }
}

impl Walker<'_> {
    fn locate(&self, key: &str) -> String {
        crate::store::located(self.location, key)
    }

    fn error(&self, node: &NodePath, key: &str, message: impl Into<String>) -> NodeError {
        NodeError {
            node: node.clone(),
            location: self.locate(key),
            message: message.into(),
        }
    }

    /// Reads and parses the JSON document `name` of the node at `path`, if it exists.
    fn read_json(&self, path: &NodePath, name: &str) -> Result<Option<Value>, NodeError> {
        Ok(self.read_document(path, name)?.map(|(doc, _)| doc))
    }

    /// Reads the JSON document `name` of the node at `path`, if it exists: parsed, and as stored.
    fn read_document(
        &self,
        path: &NodePath,
        name: &str,
    ) -> Result<Option<(Value, Bytes)>, NodeError> {
        let key = key_of(path, name);
        let store_key =
            StoreKey::new(key.clone()).map_err(|e| self.error(path, &key, e.to_string()))?;
        let bytes = match get_bounded(self.storage, &store_key, self.max_metadata, self.ranged) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Ok(None),
            Err(err) => return Err(self.error(path, &key, format!("cannot read: {err}"))),
        };
        serde_json::from_slice(&bytes)
            .map(|doc| Some((doc, bytes)))
            .map_err(|err| self.error(path, &key, format!("invalid JSON: {err}")))
    }

    /// Reads the document `name` of `format` at `path`, as [`Self::read_document`] does, unless
    /// the store cannot be listed and the parent is of another format: a hierarchy is of one
    /// format, and over HTTP each document asked for is a request.
    fn read_if(
        &self,
        parent_format: Option<Format>,
        format: Format,
        path: &NodePath,
        name: &str,
    ) -> Result<Option<(Value, Bytes)>, NodeError> {
        if self.listable || parent_format.is_none_or(|parent| parent == format) {
            self.read_document(path, name)
        } else {
            Ok(None)
        }
    }

    /// Reads `.zattrs` (an empty map when absent).
    fn zattrs(&self, path: &NodePath, out: &mut Vec<Found>) -> Map<String, Value> {
        match self.read_json(path, ".zattrs") {
            Ok(Some(Value::Object(attrs))) => attrs,
            Ok(Some(_)) => {
                out.push(Found::Error(self.error(
                    path,
                    &key_of(path, ".zattrs"),
                    "attributes are not a JSON object",
                )));
                Map::new()
            }
            Ok(None) => Map::new(),
            Err(err) => {
                out.push(Found::Error(err));
                Map::new()
            }
        }
    }

    /// The Zarr v2 documents stored beside the `zarr.json` `doc` of the node at `path`, if any,
    /// and the attributes of its `.zattrs` that `doc` does not hold.
    fn zarr2_beside(&self, path: &NodePath, doc: &Value) -> Option<MixedMetadata> {
        let found: Vec<String> = [".zarray", ".zgroup", ".zattrs"]
            .into_iter()
            .filter(|name| {
                StoreKey::new(key_of(path, name))
                    .ok()
                    .and_then(|key| self.storage.size_key(&key).ok().flatten())
                    .is_some()
            })
            .map(str::to_string)
            .collect();
        if found.is_empty() {
            return None;
        }
        let v3 = doc
            .get("attributes")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let v2 = match self.read_json(path, ".zattrs") {
            Ok(Some(Value::Object(attributes))) => attributes,
            _ => Map::new(),
        };
        // OME-NGFF metadata compared in its Zarr v3 form (0.4 keys as 0.5 under `ome`).
        let v2 = ome_form::migrate(&v2, Format::Zarr3).map_or(v2, |m| m.attributes);
        let mut missing = Vec::new();
        for (key, value) in &v2 {
            match (key.as_str(), value, v3.get(key)) {
                ("ome", Value::Object(inner), held) => {
                    let held = held.and_then(Value::as_object);
                    missing.extend(
                        inner
                            .iter()
                            .filter(|(k, v)| {
                                k.as_str() != "version" && held.and_then(|h| h.get(*k)) != Some(*v)
                            })
                            .map(|(k, _)| format!("ome.{k}")),
                    );
                }
                (_, value, held) if held != Some(value) => missing.push(key.clone()),
                _ => {}
            }
        }
        Some(MixedMetadata {
            node: path.clone(),
            zarr2_documents: found,
            attributes_only_in_zarr2: missing,
        })
    }

    /// Visits the node at `path` and everything below it (down to [`MAX_DEPTH`]).
    pub(crate) fn visit(&self, path: &NodePath, parent_format: Option<Format>) -> Vec<Found> {
        if path.depth() > MAX_DEPTH {
            return vec![Found::Error(self.error(
                path,
                path.as_str(),
                format!(
                    "the hierarchy is deeper than {MAX_DEPTH} levels: nothing below this level \
                     is read"
                ),
            ))];
        }
        let readers: [Reader<'_>; 4] = [
            Self::zarr3_node,
            Self::zarr2_array,
            Self::zarr2_group,
            Self::n5_node,
        ];
        for read in readers {
            if let Some(found) = read(self, path, parent_format) {
                return found;
            }
        }
        self.implicit_group(path, parent_format)
    }

    /// The metadata document `key` of the node at `path` that does not describe a node.
    fn metadata_error(&self, path: &NodePath, key: &str, message: String) -> Found {
        Found::Error(self.error(path, &key_of(path, key), message))
    }

    /// The node at `path` if it has a Zarr v3 `zarr.json` (and what lies below a group).
    fn zarr3_node(&self, path: &NodePath, parent_format: Option<Format>) -> Option<Vec<Found>> {
        let (doc, stored) = match self.read_if(parent_format, Format::Zarr3, path, "zarr.json") {
            Err(err) => return Some(vec![Found::Error(err)]),
            Ok(found) => found?,
        };
        let mut out = Vec::new();
        if let Some(mixed) = self.zarr2_beside(path, &doc) {
            out.push(Found::Mixed(mixed));
        }
        Some(match zarr3::node(path.clone(), &doc, stored) {
            Ok(Node::Array(array)) => {
                out.push(Found::Array(array));
                out
            }
            Ok(Node::Group(group)) => {
                let consolidated =
                    zarr3::consolidated_nodes(&doc).map(|nodes| ("inline".to_string(), nodes));
                self.group_and_children(group, consolidated, "zarr.json", out)
            }
            Err(message) => {
                out.push(self.metadata_error(path, "zarr.json", message));
                out
            }
        })
    }

    /// The array at `path` if it has a Zarr v2 `.zarray`.
    fn zarr2_array(&self, path: &NodePath, parent_format: Option<Format>) -> Option<Vec<Found>> {
        let (doc, stored) = match self.read_if(parent_format, Format::Zarr2, path, ".zarray") {
            Err(err) => return Some(vec![Found::Error(err)]),
            Ok(found) => found?,
        };
        let mut out = Vec::new();
        let attributes = self.zattrs(path, &mut out);
        match zarr2::array(path.clone(), &doc, attributes, stored) {
            Ok(array) => out.push(Found::Array(Box::new(array))),
            Err(message) => return Some(vec![self.metadata_error(path, ".zarray", message)]),
        }
        Some(out)
    }

    /// The group at `path` if it has a Zarr v2 `.zgroup`, with its `.zmetadata` and what lies
    /// below it.
    fn zarr2_group(&self, path: &NodePath, parent_format: Option<Format>) -> Option<Vec<Found>> {
        let (doc, _) = match self.read_if(parent_format, Format::Zarr2, path, ".zgroup") {
            Err(err) => return Some(vec![Found::Error(err)]),
            Ok(found) => found?,
        };
        let mut out = Vec::new();
        let attributes = self.zattrs(path, &mut out);
        let group = match zarr2::group(path.clone(), &doc, attributes) {
            Ok(group) => group,
            Err(message) => return Some(vec![self.metadata_error(path, ".zgroup", message)]),
        };
        let consolidated = match self.read_json(path, ".zmetadata") {
            Ok(Some(doc)) => match zarr2::consolidated_nodes(&doc) {
                Ok(nodes) => Some(("zmetadata".to_string(), nodes)),
                Err(message) => {
                    out.push(self.metadata_error(path, ".zmetadata", message));
                    None
                }
            },
            Ok(None) => None,
            Err(err) => {
                out.push(Found::Error(err));
                None
            }
        };
        Some(self.group_and_children(group, consolidated, ".zattrs", out))
    }

    /// The node at `path` if it has an N5 `attributes.json` (and what lies below a group).
    fn n5_node(&self, path: &NodePath, parent_format: Option<Format>) -> Option<Vec<Found>> {
        let (doc, stored) = match self.read_if(parent_format, Format::N5, path, "attributes.json") {
            Err(err) => return Some(vec![Found::Error(err)]),
            Ok(found) => found?,
        };
        Some(match n5::node(path.clone(), &doc, stored) {
            Ok(Node::Array(array)) => vec![Found::Array(array)],
            Ok(Node::Group(group)) => {
                self.group_and_children(group, None, "attributes.json", Vec::new())
            }
            Err(message) => vec![self.metadata_error(path, "attributes.json", message)],
        })
    }

    /// No metadata at `path`: an implicit group if anything lies below (which only a listing
    /// tells; an unlistable store's node without metadata is not there).
    fn implicit_group(&self, path: &NodePath, parent_format: Option<Format>) -> Vec<Found> {
        if !self.listable {
            return Vec::new();
        }
        let children = self.children(path, parent_format);
        if children.is_empty() {
            return children;
        }
        let format = parent_format.or_else(|| {
            children.iter().find_map(|found| match found {
                Found::Array(a) => Some(a.format),
                Found::Group { group, .. } => Some(group.format),
                Found::Error(_) | Found::Mixed(_) => None,
            })
        });
        let mut out = Vec::new();
        if let Some(format) = format {
            let mut group = n5::group(path.clone(), Map::new(), true);
            group.format = format;
            out.push(Found::Group {
                group,
                consolidated: None,
            });
        }
        out.extend(children);
        out
    }

    fn group_and_children(
        &self,
        mut group: GroupInfo,
        consolidated: Option<(String, Vec<NodePath>)>,
        attributes_key: &str,
        mut out: Vec<Found>,
    ) -> Vec<Found> {
        match ome::multiscales(&group.path, &group.attributes) {
            Ok(multiscales) => group.multiscales = multiscales,
            Err(message) => out.push(Found::Error(self.error(
                &group.path,
                &key_of(&group.path, attributes_key),
                message,
            ))),
        }
        let children = if self.listable {
            self.children(&group.path, Some(group.format))
        } else if group.path.is_root()
            && let Some((_, nodes)) = &consolidated
        {
            // Every node consolidated metadata names, each visited alone (groups below the root
            // find no children of their own, so none is visited twice). The root itself is
            // named too (zarr-python lists its `.zgroup`), and names that climb (`..`) lead out
            // of the store: neither is visited.
            nodes
                .par_iter()
                .filter(|node| !node.is_root() && node.is_plain())
                .flat_map_iter(|node| {
                    self.visit_named(node, "consolidated metadata", Some(group.format))
                })
                .collect()
        } else {
            self.named(&group)
        };
        out.push(Found::Group {
            group,
            consolidated,
        });
        out.extend(children);
        out
    }

    /// Visits, in parallel, the children `group`'s metadata names (see [`named`]), for a store
    /// that cannot be listed; numbered children (a bioformats2raw collection's series `0`, `1`,
    /// … unless its `OME` group listed them; an N5 pyramid's `s0`, `s1`, …) are tried in turn
    /// until one is missing.
    fn named(&self, group: &GroupInfo) -> Vec<Found> {
        let named = named::named_children(group);
        let mut found: Vec<Found> = named
            .children
            .par_iter()
            .flat_map_iter(|(child, by)| self.visit_named(child, by, Some(group.format)))
            .collect();
        if let Some(numbered) = named.numbered {
            for n in 0..MAX_NUMBERED {
                let path = group.path.join(&format!("{}{n}", numbered.prefix));
                if found.iter().any(|f| f.node() == Some(&path)) {
                    continue;
                }
                let more = self.visit_named(&path, numbered.by, Some(group.format));
                if more.is_empty() {
                    break;
                }
                found.extend(more);
            }
        }
        found
    }

    /// Visits `child`, which `by` names (see [`named`]), and keeps what named it when it is
    /// there.
    fn visit_named(
        &self,
        child: &NodePath,
        by: &'static str,
        format: Option<Format>,
    ) -> Vec<Found> {
        let found = self.visit(child, format);
        if found.iter().any(|f| f.node() == Some(child)) {
            self.named
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(NamedNode {
                    path: child.clone(),
                    named_by: by,
                });
        }
        found
    }

    /// Visits every child directory of `path` in parallel.
    fn children(&self, path: &NodePath, format: Option<Format>) -> Vec<Found> {
        let prefix = if path.is_root() {
            StorePrefix::root()
        } else {
            match StorePrefix::new(format!("{}/", path.as_str())) {
                Ok(prefix) => prefix,
                Err(err) => {
                    return vec![Found::Error(self.error(
                        path,
                        path.as_str(),
                        err.to_string(),
                    ))];
                }
            }
        };
        let listing = match self.storage.list_dir(&prefix) {
            Ok(listing) => listing,
            Err(err) => {
                return vec![Found::Error(self.error(
                    path,
                    path.as_str(),
                    format!("cannot list: {err}"),
                ))];
            }
        };
        listing
            .prefixes()
            .par_iter()
            .filter_map(|child| {
                let name = child.as_str().trim_end_matches('/').rsplit('/').next()?;
                // Hidden directories (`.git`, temporary output) are not nodes.
                (!name.starts_with('.')).then(|| path.join(name))
            })
            .flat_map_iter(|child| self.visit(&child, format))
            .collect()
    }
}
