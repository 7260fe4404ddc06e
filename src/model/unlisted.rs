//! How a store that cannot be listed (a plain web server) was read.

use serde::Serialize;

use super::NodePath;

/// How the hierarchy of a store that cannot be listed was found, and what a deep scan of it
/// could not see: a web server answers for the keys it is asked for and cannot say what else it
/// holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Unlisted {
    /// Each node found below the root, with the metadata that named it, sorted by path. A node
    /// that no metadata names is not seen.
    pub named: Vec<NamedNode>,
    /// Whether a deep scan asked for each chunk key by a HEAD request (files that are no chunk
    /// key of an array's grid are then not seen).
    pub deep_by_head: bool,
    /// Arrays a deep scan did not check: their objects would take more HEAD requests than
    /// `ZLINT_MAX_HEAD_REQUESTS` allows.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unchecked_arrays: Vec<NodePath>,
}

/// A node of a store that cannot be listed, and what named it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NamedNode {
    /// The node's path.
    pub path: NodePath,
    /// What named it: `consolidated metadata`, or the OME-NGFF key that lists it
    /// (`plate.wells`, `well.images`, `multiscales.datasets`, `labels`, `series`,
    /// `bioformats2raw.layout`), or `probed: …` for a name tried on the chance it is there
    /// (an image's `labels` group, a bioformats2raw collection's numbered series).
    pub named_by: &'static str,
}

impl Unlisted {
    /// How many nodes each kind of metadata named, most first (ties by name).
    #[must_use]
    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        let mut counts: Vec<(&'static str, usize)> = Vec::new();
        for node in &self.named {
            match counts.iter_mut().find(|(by, _)| *by == node.named_by) {
                Some((_, n)) => *n += 1,
                None => counts.push((node.named_by, 1)),
            }
        }
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        counts
    }
}
