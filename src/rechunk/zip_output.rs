//! Zip outputs: `zlint rechunk SRC OUT.zip` (or `.ozx`, zipped OME-Zarr) rechunks into a staging
//! directory beside the zip (`OUT.zip.zlint-staging`), with everything a directory output has
//! (parallel writes, resume, verification), and once the output is complete packs it into the
//! zip: every entry stored uncompressed, so that readers reach chunks and shard ranges without
//! inflating anything; the metadata first, breadth-first from the root's, then the chunks, so
//! that a reader streaming the zip meets the hierarchy before the data. An `.ozx` is written as
//! RFC-9's recommended variant: that order, and the archive comment that declares it
//! (`{"ome": {"version": "0.5", "zipFile": {"centralDirectory": {"jsonFirst": true}}}}`). The zip is written
//! under a temporary name, checked against the staging directory, and only then renamed into
//! place; the staging directory is removed last.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

use crate::error::{Error, Result};
use crate::store::METADATA_KEYS;
use crate::store::zip::ZipStore;

/// The zip file a target names, when it names one: a local path ending in `.zip` or `.ozx`.
#[must_use]
pub fn zip_target(target: &str) -> Option<PathBuf> {
    if crate::store::is_url(target) {
        return None;
    }
    let path = crate::store::local_path(target);
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    (name.ends_with(".zip") || name.ends_with(".ozx")).then(|| path.to_path_buf())
}

/// The directory a zip output is written into before it is packed.
#[must_use]
pub fn staging_dir(zip: &Path) -> PathBuf {
    let mut name = zip.as_os_str().to_owned();
    name.push(".zlint-staging");
    PathBuf::from(name)
}

/// Packs the complete output in `staging` into the zip file `zip` (replacing one that is
/// there), checks the zip lists every file with its size, and removes `staging`. Returns the
/// number of entries.
///
/// # Errors
/// [`Error::Io`] naming the file that could not be read or written.
pub fn pack(staging: &Path, zip: &Path) -> Result<usize> {
    let files = ordered_files(staging)?;
    let mut partial = zip.as_os_str().to_owned();
    partial.push(".zlint-partial");
    let partial = PathBuf::from(partial);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source: std::io::Error| Error::Io { path, source }
    };
    let zip_err = |path: &Path| {
        let path = path.to_path_buf();
        move |e: zip::result::ZipError| Error::Io {
            path,
            source: std::io::Error::other(e),
        }
    };
    {
        let file = crate::store::atomic::create_fresh(&partial).map_err(io(&partial))?;
        let mut writer = ZipWriter::new(BufWriter::new(file));
        for (key, size) in &files {
            let options = SimpleFileOptions::default()
                .compression_method(CompressionMethod::Stored)
                .large_file(*size >= u64::from(u32::MAX));
            writer
                .start_file(key.as_str(), options)
                .map_err(zip_err(&partial))?;
            let path = staging.join(key);
            let mut source = File::open(&path).map_err(io(&path))?;
            let copied = std::io::copy(&mut source, &mut writer).map_err(io(&partial))?;
            if copied != *size {
                return Err(Error::Io {
                    path,
                    source: std::io::Error::other(format!(
                        "changed while it was packed: {copied} bytes where {size} were listed"
                    )),
                });
            }
        }
        if let Some(comment) = ozx_comment(zip, staging) {
            writer.set_comment(comment).map_err(zip_err(&partial))?;
        }
        let mut inner = writer.finish().map_err(zip_err(&partial))?;
        inner.flush().map_err(io(&partial))?;
        inner
            .into_inner()
            .map_err(|e| Error::Io {
                path: partial.clone(),
                source: e.into_error(),
            })?
            .sync_all()
            .map_err(io(&partial))?;
    }
    // What was packed is what the staging directory holds, as a reader of the zip sees it.
    let packed = ZipStore::open(&partial)?;
    let listed = packed.list_sizes("");
    let expected: Vec<(String, u64)> = {
        let mut sorted = files.clone();
        sorted.sort();
        sorted
    };
    if listed != expected || !packed.skipped().is_empty() {
        return Err(Error::Io {
            path: partial,
            source: std::io::Error::other("the packed zip does not list the files it was given"),
        });
    }
    std::fs::rename(&partial, zip).map_err(io(zip))?;
    std::fs::remove_dir_all(staging).map_err(io(staging))?;
    Ok(files.len())
}

/// The files below `root` as zip entry names with their sizes: root metadata first, then the
/// other metadata documents by path, then everything else by path.
fn ordered_files(root: &Path) -> Result<Vec<(String, u64)>> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(root).follow_links(false) {
        let entry = entry.map_err(|e| Error::Io {
            path: e.path().unwrap_or(root).to_path_buf(),
            source: e.into(),
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let relative = entry.path().strip_prefix(root).unwrap_or(entry.path());
        let key = relative
            .to_str()
            .ok_or_else(|| Error::Io {
                path: entry.path().to_path_buf(),
                source: std::io::Error::other("file name is not UTF-8"),
            })?
            .replace('\\', "/");
        let size = entry
            .metadata()
            .map_err(|e| Error::Io {
                path: entry.path().to_path_buf(),
                source: e.into(),
            })?
            .len();
        files.push((key, size));
    }
    // Metadata documents first, breadth-first (the root's first, a node's own document before
    // its attributes, in the order of METADATA_KEYS), then the rest by path: RFC-9's order.
    fn rank(key: &str) -> (u8, usize, &str, usize) {
        let (dir, name) = key.rsplit_once('/').unwrap_or(("", key));
        let depth = if dir.is_empty() {
            0
        } else {
            dir.matches('/').count() + 1
        };
        // `zarr.json` documents by their whole key (as ngff-zarr orders them), Zarr v2 ones by
        // folder, then in METADATA_KEYS order (`.zgroup` before `.zattrs`).
        match METADATA_KEYS.iter().position(|k| *k == name) {
            Some(i) if name == "zarr.json" => (0, depth, key, i),
            Some(i) => (0, depth, dir, i),
            None => (1, 0, "", 0),
        }
    }
    files.sort_by(|(a, _), (b, _)| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
    Ok(files)
}

/// The archive comment of a zipped OME-Zarr (RFC-9): the OME-Zarr version of the root
/// `zarr.json` and the promise that the `zarr.json` entries come first, breadth-first, as
/// ngff-zarr writes it. `None` for a `.zip` target, or an `.ozx` whose root `zarr.json` has no
/// `ome.version`.
fn ozx_comment(zip: &Path, staging: &Path) -> Option<String> {
    if !is_ozx(zip) {
        return None;
    }
    let root: serde_json::Value =
        serde_json::from_slice(&std::fs::read(staging.join("zarr.json")).ok()?).ok()?;
    // A root that is no OME-Zarr makes no zipped OME-Zarr: RFC-9's comment would misstate it.
    let version = root["attributes"]["ome"]["version"].as_str()?;
    // Spelled as ngff-zarr spells it (Python's `json.dumps`), byte for byte.
    Some(format!(
        r#"{{"ome": {{"version": {}, "zipFile": {{"centralDirectory": {{"jsonFirst": true}}}}}}}}"#,
        serde_json::Value::from(version)
    ))
}

/// Whether `path` names a zipped OME-Zarr (`.ozx`).
#[must_use]
pub fn is_ozx(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("ozx"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_targets_are_local_paths_ending_in_zip_or_ozx() {
        assert_eq!(zip_target("out.zip"), Some(PathBuf::from("out.zip")));
        assert_eq!(
            zip_target("a/Image.OZX"),
            Some(PathBuf::from("a/Image.OZX"))
        );
        assert_eq!(zip_target("out.zarr"), None);
        assert_eq!(zip_target("s3://bucket/out.zip"), None);
    }

    #[test]
    fn packing_puts_root_metadata_first_and_stores_every_entry() {
        let dir = tempfile::tempdir().unwrap();
        let staging = dir.path().join("out.zip.zlint-staging");
        for (key, body) in [
            ("a/c/0", "chunk"),
            ("a/zarr.json", "{}"),
            ("zarr.json", "{\"zarr_format\": 3}"),
            ("b/zarr.json", "{}"),
        ] {
            let path = staging.join(key);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, body).unwrap();
        }
        let zip = dir.path().join("out.zip");
        assert_eq!(pack(&staging, &zip).unwrap(), 4);
        assert!(!staging.exists());
        let mut archive = zip::ZipArchive::new(File::open(&zip).unwrap()).unwrap();
        let names: Vec<String> = (0..archive.len())
            .map(|i| {
                archive
                    .by_index_raw(i)
                    .unwrap()
                    .name()
                    .unwrap()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["zarr.json", "a/zarr.json", "b/zarr.json", "a/c/0"]);
        for i in 0..archive.len() {
            let entry = archive.by_index_raw(i).unwrap();
            assert_eq!(entry.compression(), CompressionMethod::Stored);
        }
    }
}
