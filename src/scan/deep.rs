//! Deep scan: reads the stored chunk objects of each array (count, bytes, missing, stray).
//!
//! The walk is parallel (a rayon task per directory and per batch of entries) and aggregates per
//! batch, not per object: a store of millions of chunk files costs one `stat` each and a few
//! allocations per thousand. Entry types come from `readdir` (no `stat` for directories).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs::DirEntry;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::presence::PresenceGrid;
use crate::model::{ArrayInfo, Format, NodeError, StoredStats};
use crate::progress::Progress;
use crate::store::METADATA_KEYS;

/// Entries handed to one rayon task.
const BATCH: usize = 1024;

/// Running totals for one array, merged once per batch.
#[derive(Default)]
struct Totals {
    stored_objects: u64,
    stored_bytes: u64,
    stray_objects: u64,
    /// The smallest stray keys, at most [`STRAY_KEYS`].
    stray_keys: BTreeSet<String>,
    uncompressed_bytes: u64,
    sizes: Vec<u64>,
    /// Stored objects per cell of the presence map (empty until the first one).
    present: Vec<u64>,
    largest_dir: Option<(u64, PathBuf)>,
    errors: Vec<String>,
}

/// How many stray keys a deep scan keeps as examples.
const STRAY_KEYS: usize = 5;

impl Totals {
    /// Counts a stray object at `key` (relative to the array), keeping the smallest keys.
    fn stray(&mut self, key: String) {
        self.stray_objects += 1;
        self.keep_stray_key(key);
    }

    /// Keeps `key` if it is among the [`STRAY_KEYS`] smallest.
    fn keep_stray_key(&mut self, key: String) {
        if self.stray_keys.len() < STRAY_KEYS
            || self.stray_keys.last().is_some_and(|last| key < *last)
        {
            self.stray_keys.insert(key);
            while self.stray_keys.len() > STRAY_KEYS {
                self.stray_keys.pop_last();
            }
        }
    }
}

/// What the walk needs to know about one array to recognise its chunk keys.
struct Grid<'a> {
    array: &'a ArrayInfo,
    /// The store's root as the filesystem resolves it, and whether links out of it are
    /// followed: a chunk that is a link out of the store is reported, not counted.
    root: Option<(PathBuf, bool)>,
    /// Stored objects per axis (C order).
    counts: Vec<u64>,
    /// Uncompressed bytes of one stored object. Zarr stores edge chunks at full size; N5 allows
    /// clipped edge blocks, but tensorstore and zarr-python 2 write them whole, so the full size
    /// is used there too (reading every block header to be exact would double the I/O).
    object_bytes: u64,
    /// The cells of the presence map.
    presence: PresenceGrid,
}

impl Grid<'_> {
    /// Why the link at `path` is not counted: it leads outside the store (and links are not
    /// followed), as a read of it would be refused.
    fn link_out(&self, path: &Path) -> Option<String> {
        let (root, follow) = self.root.as_ref()?;
        let target = path.canonicalize().ok()?;
        (!follow && !target.starts_with(root)).then(|| {
            format!(
                "{}: a symbolic link leads outside the store, to {}: not read (--follow-links \
                 reads through it)",
                path.display(),
                target.display()
            )
        })
    }

    /// The presence-map cell of the object at `dirs` + `file` when it is one of this array's
    /// chunk keys inside its grid.
    fn chunk_cell(&self, dirs: &[String], file: &str) -> Option<usize> {
        let mut position =
            self.array
                .chunk_key_encoding
                .position_at(dirs, file, self.counts.len())?;
        if self.array.format == Format::N5 {
            position.reverse();
        }
        let inside = position
            .iter()
            .zip(&self.counts)
            .all(|(i, count)| i < count);
        inside.then(|| self.presence.cell_of(&position))
    }
}

/// Stored objects along each axis of `array`'s grid (C order).
pub(super) fn object_counts(array: &ArrayInfo) -> Vec<u64> {
    array
        .shape
        .iter()
        .zip(array.object_shape())
        .map(|(s, c)| s.div_ceil((*c).max(1)))
        .collect()
}

/// What the walk needs to know about `array`.
fn grid_of(array: &ArrayInfo, root: Option<(PathBuf, bool)>) -> Grid<'_> {
    let counts = object_counts(array);
    Grid {
        presence: PresenceGrid::new(array, &counts),
        counts,
        object_bytes: array.object_bytes().unwrap_or(0),
        array,
        root,
    }
}

impl Totals {
    /// Counts a stored object of `size` bytes in presence cell `cell`.
    fn stored(&mut self, grid: &Grid<'_>, cell: usize, size: u64) {
        self.stored_objects += 1;
        self.stored_bytes += size;
        self.sizes.push(size);
        self.uncompressed_bytes += grid.object_bytes;
        if self.present.is_empty() {
            self.present = vec![0; grid.presence.cells()];
        }
        if let Some(count) = self.present.get_mut(cell) {
            *count += 1;
        }
    }
}

/// Fills `array.stored` by walking the array's directory under `root`. Problems reading it are
/// returned as node errors; what could be read is still counted.
pub(crate) fn scan_array(
    (root, follow_links): (&Path, bool),
    array: &mut ArrayInfo,
    location: &str,
    progress: &dyn Progress,
) -> Vec<NodeError> {
    let dir = root.join(array.path.as_str());
    let totals = Mutex::new(Totals::default());
    {
        let resolved = root.canonicalize().ok().map(|r| (r, follow_links));
        let grid = grid_of(array, resolved);
        rayon::scope(|scope| walk_dir(scope, &grid, &totals, dir.clone(), Vec::new(), progress));
    }
    let mut totals = totals
        .into_inner()
        .unwrap_or_else(|poison| poison.into_inner());
    let largest_dir = totals.largest_dir.take().map(|(entries, path)| {
        let relative = path.strip_prefix(root).unwrap_or(&path);
        (entries, relative.to_string_lossy().into_owned())
    });
    finish(array, totals, largest_dir, location)
}

/// Lists the objects under a key prefix with their sizes.
pub(crate) type ListSizes<'a> = dyn Fn(&str) -> crate::error::Result<Vec<(String, u64)>> + 'a;

/// Fills `array.stored` from a listing of the array's objects with their sizes, which `list`
/// gives for a key prefix (object stores, where one listing request returns a thousand objects
/// with their sizes; zip files, whose central directory has them all).
pub(crate) fn scan_array_listed(
    list: &ListSizes<'_>,
    array: &mut ArrayInfo,
    location: &str,
    progress: &dyn Progress,
) -> Vec<NodeError> {
    let prefix = array.path.key_prefix();
    let listed = match list(&prefix) {
        Ok(listed) => listed,
        Err(err) => {
            return vec![NodeError {
                node: array.path.clone(),
                location: location.trim_end_matches('/').to_string(),
                message: format!("cannot list the stored objects: {err}"),
            }];
        }
    };
    let mut totals = Totals::default();
    let mut entries: HashMap<&str, (u64, HashSet<&str>)> = HashMap::new();
    {
        let grid = grid_of(array, None);
        for (key, size) in &listed {
            let relative = key.strip_prefix(&prefix).unwrap_or(key);
            let (dir, file) = relative.rsplit_once('/').unwrap_or(("", relative));
            entries.entry(dir).or_default().0 += 1;
            // Each directory is an entry of its parent, up to the array's own.
            let mut below = dir;
            while !below.is_empty() {
                let (parent, child) = below.rsplit_once('/').unwrap_or(("", below));
                if !entries.entry(parent).or_default().1.insert(child) {
                    break;
                }
                below = parent;
            }
            if dir.is_empty() && METADATA_KEYS.contains(&file) {
                continue;
            }
            let dirs: Vec<String> = if dir.is_empty() {
                Vec::new()
            } else {
                dir.split('/').map(str::to_string).collect()
            };
            if let Some(cell) = grid.chunk_cell(&dirs, file) {
                totals.stored(&grid, cell, *size);
            } else {
                totals.stray(if dir.is_empty() {
                    file.to_string()
                } else {
                    format!("{dir}/{file}")
                });
            }
        }
    }
    progress.advance(listed.len() as u64);
    let largest_dir = entries
        .iter()
        .map(|(dir, (files, children))| (files + children.len() as u64, *dir))
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(a.1)))
        .map(|(n, dir)| {
            (
                n,
                format!("{prefix}{dir}").trim_end_matches('/').to_string(),
            )
        });
    finish(array, totals, largest_dir, location)
}

/// Turns the totals into `array.stored`, and their errors into node errors.
fn finish(
    array: &mut ArrayInfo,
    mut totals: Totals,
    largest_dir: Option<(u64, String)>,
    location: &str,
) -> Vec<NodeError> {
    let count = totals.stored_objects;
    let mut size_histogram = Vec::new();
    for size in &totals.sizes {
        let bucket = usize::try_from(size.max(&1).ilog2()).unwrap_or(0);
        if size_histogram.len() <= bucket {
            size_histogram.resize(bucket + 1, 0);
        }
        size_histogram[bucket] += 1;
    }
    let grid = grid_of(array, None);
    let mut present = std::mem::take(&mut totals.present);
    present.resize(grid.presence.cells(), 0);
    let presence = grid.presence.finish(present, &grid.counts);
    let median = if totals.sizes.is_empty() {
        0
    } else {
        let mid = totals.sizes.len() / 2;
        *totals.sizes.select_nth_unstable(mid).1
    };
    array.stored = Some(StoredStats {
        stored_objects: count,
        stored_bytes: totals.stored_bytes,
        missing_objects: array.object_count().saturating_sub(count),
        stray_objects: totals.stray_objects,
        stray_keys: std::mem::take(&mut totals.stray_keys).into_iter().collect(),
        mean_object_bytes: if count == 0 {
            0.0
        } else {
            totals.stored_bytes as f64 / count as f64
        },
        median_object_bytes: median,
        compression_ratio: (totals.stored_bytes > 0 && array.item_size().is_some())
            .then(|| totals.uncompressed_bytes as f64 / totals.stored_bytes as f64),
        largest_dir_entries: largest_dir.as_ref().map_or(0, |(n, _)| *n),
        largest_dir: largest_dir.map(|(_, path)| path),
        size_histogram,
        presence: Some(presence),
    });
    let base = location.trim_end_matches('/');
    totals
        .errors
        .into_iter()
        .map(|message| NodeError {
            node: array.path.clone(),
            location: base.to_string(),
            message,
        })
        .collect()
}

fn walk_dir<'scope>(
    scope: &rayon::Scope<'scope>,
    grid: &'scope Grid<'scope>,
    totals: &'scope Mutex<Totals>,
    dir: PathBuf,
    components: Vec<String>,
    progress: &'scope dyn Progress,
) {
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(err) => {
            lock(totals)
                .errors
                .push(format!("{}: cannot list: {err}", dir.display()));
            return;
        }
    };
    let top = components.is_empty();
    let mut entry_count = 0u64;
    let mut batch: Vec<DirEntry> = Vec::with_capacity(BATCH);
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                lock(totals)
                    .errors
                    .push(format!("{}: {err}", dir.display()));
                continue;
            }
        };
        entry_count += 1;
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir {
            let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                let mut key = components.join("/");
                key.push_str(&format!("/{}", entry.file_name().to_string_lossy()));
                lock(totals).stray(key.trim_start_matches('/').to_string());
                continue;
            };
            let mut child = components.clone();
            child.push(name);
            let path = entry.path();
            scope.spawn(move |s| walk_dir(s, grid, totals, path, child, progress));
            continue;
        }
        if top
            && entry
                .file_name()
                .to_str()
                .is_some_and(|n| METADATA_KEYS.contains(&n))
        {
            continue;
        }
        batch.push(entry);
        if batch.len() == BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            let comps = components.clone();
            scope.spawn(move |_| process_batch(grid, totals, &comps, full, progress));
        }
    }
    if !batch.is_empty() {
        process_batch(grid, totals, &components, batch, progress);
    }
    let mut totals = lock(totals);
    if totals
        .largest_dir
        .as_ref()
        .is_none_or(|(n, path)| entry_count > *n || (entry_count == *n && dir < *path))
    {
        totals.largest_dir = Some((entry_count, dir));
    }
}

fn process_batch(
    grid: &Grid<'_>,
    totals: &Mutex<Totals>,
    components: &[String],
    batch: Vec<DirEntry>,
    progress: &dyn Progress,
) {
    let mut local = Totals {
        sizes: Vec::with_capacity(batch.len()),
        ..Totals::default()
    };
    for entry in &batch {
        let name = entry.file_name();
        let Some(cell) = name
            .to_str()
            .and_then(|name| grid.chunk_cell(components, name))
        else {
            let mut key: Vec<String> = components.to_vec();
            key.push(name.to_string_lossy().into_owned());
            local.stray(key.join("/"));
            continue;
        };
        let size = match entry.metadata() {
            Ok(meta) if meta.file_type().is_symlink() => {
                if let Some(why) = grid.link_out(&entry.path()) {
                    local.errors.push(why);
                    continue;
                }
                std::fs::metadata(entry.path())
            }
            other => other,
        };
        match size {
            Ok(meta) => local.stored(grid, cell, meta.len()),
            Err(err) => local
                .errors
                .push(format!("{}: {err}", entry.path().display())),
        }
    }
    progress.advance(batch.len() as u64);
    let mut totals = lock(totals);
    totals.stored_objects += local.stored_objects;
    totals.stored_bytes += local.stored_bytes;
    for key in std::mem::take(&mut local.stray_keys) {
        totals.keep_stray_key(key);
    }
    totals.stray_objects += local.stray_objects;
    totals.uncompressed_bytes += local.uncompressed_bytes;
    totals.sizes.extend_from_slice(&local.sizes);
    if totals.present.is_empty() {
        totals.present = std::mem::take(&mut local.present);
    } else {
        for (sum, n) in totals.present.iter_mut().zip(&local.present) {
            *sum += n;
        }
    }
    totals.errors.append(&mut local.errors);
}

fn lock(totals: &Mutex<Totals>) -> std::sync::MutexGuard<'_, Totals> {
    // A panic in another walker cannot leave the totals half-updated in a way that matters here.
    totals.lock().unwrap_or_else(|poison| poison.into_inner())
}
