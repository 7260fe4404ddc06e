//! What a zip's directory must keep to be read: local headers that name what the directory
//! names, entries that share no bytes, and the order an RFC-9 archive comment promises.

use std::fs::File;

/// Every entry name of the central directory starting at `start` of a file of `length` bytes, in
/// its order, duplicates included (a walk of its records: the zip crate keeps one per name).
pub(super) fn central_names(file: &File, start: u64, length: u64) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    let mut at = start;
    let mut record = [0u8; 46];
    while at + 46 <= length {
        super::zip::read_exact_at(file, &mut record, at)
            .map_err(|e| format!("the zip directory cannot be read at byte {at}: {e}"))?;
        if record[..4] != *b"PK\x01\x02" {
            break;
        }
        let field = |i: usize| u64::from(u16::from_le_bytes([record[i], record[i + 1]]));
        let (name_len, extra, comment) = (field(28), field(30), field(32));
        let mut name = vec![0u8; usize::try_from(name_len).unwrap_or(0)];
        super::zip::read_exact_at(file, &mut name, at + 46)
            .map_err(|e| format!("the zip directory cannot be read at byte {at}: {e}"))?;
        names.push(String::from_utf8_lossy(&name).into_owned());
        at += 46 + name_len + extra + comment;
    }
    Ok(names)
}

/// One warning per name `names` lists more than once.
pub(super) fn duplicate_names(names: &[String]) -> Vec<String> {
    let mut seen = std::collections::BTreeMap::<&str, usize>::new();
    for name in names {
        *seen.entry(name).or_default() += 1;
    }
    seen.into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(name, n)| {
            format!(
                "the zip lists `{name}` {n} times: zlint reads the last, as zarr-python does \
                 (other readers may take another)"
            )
        })
        .collect()
}

/// The local header at `offset` must be one, and name the entry the central directory names.
pub(super) fn check_local_header(file: &File, offset: u64, name: &str) -> Result<(), String> {
    let mut header = [0u8; 30];
    super::zip::read_exact_at(file, &mut header, offset)
        .map_err(|e| format!("zip entry `{name}`: its local header cannot be read: {e}"))?;
    if header[..4] != *b"PK\x03\x04" {
        return Err(format!(
            "zip entry `{name}`: no local header where the directory says"
        ));
    }
    let length = usize::from(u16::from_le_bytes([header[26], header[27]]));
    let mut local = vec![0u8; length];
    super::zip::read_exact_at(file, &mut local, offset + 30)
        .map_err(|e| format!("zip entry `{name}`: its local header cannot be read: {e}"))?;
    if local != name.as_bytes() {
        return Err(format!(
            "zip entry `{name}`: its local header names `{}` (the directory and the data disagree)",
            String::from_utf8_lossy(&local)
        ));
    }
    Ok(())
}

/// No two entries' data may share bytes: a directory whose entries point at one region turns a
/// small zip into any amount of output.
pub(super) fn check_no_overlap<'a>(
    entries: impl Iterator<Item = (&'a str, u64, u64)>,
) -> Result<(), String> {
    // (start, end, name) of every entry holding bytes.
    let mut spans: Vec<(u64, u64, &str)> = entries
        .filter(|(_, _, len)| *len > 0)
        .map(|(name, start, len)| (start, start + len, name))
        .collect();
    spans.sort_unstable();
    match spans.windows(2).find(|w| w[1].0 < w[0].1) {
        Some(w) => Err(format!(
            "zip entries `{}` and `{}` share bytes (the directory points two entries at one \
             region)",
            w[0].2, w[1].2
        )),
        None => Ok(()),
    }
}

/// Whether the archive `comment` (null-terminated or not) is an RFC-9 one promising `jsonFirst`,
/// and if so, how the central directory's `order` breaks it: `None` when it keeps it, or makes
/// no such promise.
pub(super) fn rfc9_order(comment: &[u8], order: &[String]) -> Option<String> {
    let text = std::str::from_utf8(comment).ok()?.trim_end_matches('\0');
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let promised = value["ome"]["zipFile"]["centralDirectory"]["jsonFirst"].as_bool() == Some(true);
    if !promised {
        return None;
    }
    let is_json = |name: &str| name == "zarr.json" || name.ends_with("/zarr.json");
    let depth = |name: &str| name.matches('/').count();
    let jsons: Vec<&String> = order.iter().take_while(|n| is_json(n)).collect();
    if let Some(late) = order.iter().skip(jsons.len()).find(|n| is_json(n)) {
        return Some(format!(
            "the archive comment promises every zarr.json first (jsonFirst), but `{late}` comes \
             after `{}`",
            order[jsons.len()]
        ));
    }
    if jsons
        .first()
        .is_some_and(|first| first.as_str() != "zarr.json")
    {
        return Some(format!(
            "the archive comment promises the root zarr.json first (jsonFirst), but `{}` is",
            jsons[0]
        ));
    }
    if let Some(pair) = jsons.windows(2).find(|w| depth(w[0]) > depth(w[1])) {
        return Some(format!(
            "the archive comment promises zarr.json entries breadth-first (jsonFirst), but `{}` \
             comes before `{}`",
            pair[0], pair[1]
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{check_no_overlap, rfc9_order};

    #[test]
    fn names_listed_twice_are_said() {
        let names: Vec<String> = ["zarr.json", "c/0", "zarr.json"].map(String::from).to_vec();
        let warnings = super::duplicate_names(&names);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("`zarr.json` 2 times"), "{warnings:?}");
    }

    #[test]
    fn entries_sharing_bytes_are_refused() {
        let apart = [("a", 30, 100), ("b", 160, 50), ("empty", 130, 0)];
        assert!(check_no_overlap(apart.into_iter()).is_ok());
        let shared = [("a", 30, 100), ("b", 160, 50), ("c", 120, 10)];
        let err = check_no_overlap(shared.into_iter()).unwrap_err();
        assert!(err.contains("`a` and `c` share bytes"), "{err}");
    }

    const PROMISE: &[u8] =
        br#"{"ome": {"version": "0.5", "zipFile": {"centralDirectory": {"jsonFirst": true}}}}"#;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|n| (*n).to_string()).collect()
    }

    #[test]
    fn an_rfc9_promise_is_checked_against_the_central_directory() {
        let kept = names(&["zarr.json", "a/zarr.json", "a/b/zarr.json", "a/b/c/0"]);
        assert_eq!(rfc9_order(PROMISE, &kept), None);
        // Null-terminated, as the RFC words it, the same.
        let mut terminated = PROMISE.to_vec();
        terminated.push(0);
        assert_eq!(rfc9_order(&terminated, &kept), None);
        let late = names(&["zarr.json", "a/b/c/0", "a/zarr.json"]);
        assert!(
            rfc9_order(PROMISE, &late)
                .unwrap()
                .contains("`a/zarr.json` comes after")
        );
        let deep_first = names(&["zarr.json", "a/b/zarr.json", "a/zarr.json"]);
        assert!(
            rfc9_order(PROMISE, &deep_first)
                .unwrap()
                .contains("breadth-first")
        );
        let root_later = names(&["a/zarr.json", "zarr.json"]);
        assert!(
            rfc9_order(PROMISE, &root_later)
                .unwrap()
                .contains("root zarr.json first")
        );
        // No promise, nothing to keep.
        assert_eq!(rfc9_order(b"", &late), None);
        assert_eq!(rfc9_order(br#"{"ome": {"version": "0.5"}}"#, &late), None);
    }
}
