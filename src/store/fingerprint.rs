//! A fingerprint of a store's stored objects: every object under some prefixes, with its size
//! and modification time, digested. A rechunk keeps its source's in its journal, so that
//! resuming, running a part or finalizing refuses a source that changed meanwhile (an output
//! mixing two sources' values would otherwise pass as complete).

use super::OpenedStore;
use super::listing::list_objects;
use crate::error::Result;
use std::fmt;

/// What was stored under the fingerprinted prefixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    /// Objects.
    pub objects: u64,
    /// Their bytes.
    pub bytes: u64,
    /// A digest of every object's key, size and modification time (where the store gives one).
    pub digest: u64,
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {:016x}", self.objects, self.bytes, self.digest)
    }
}

impl Fingerprint {
    /// Reads what [`Display`](fmt::Display) wrote.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let mut words = text.split_whitespace();
        let objects = words.next()?.parse().ok()?;
        let bytes = words.next()?.parse().ok()?;
        let digest = u64::from_str_radix(words.next()?, 16).ok()?;
        Some(Self {
            objects,
            bytes,
            digest,
        })
    }
}

/// FNV-1a, 64 bits: stable across builds and machines, unlike the standard library's hasher.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The fingerprint of every object under `prefixes` (`""`: the whole store) of `opened`.
///
/// # Errors
/// [`Error::Io`] or [`Error::Storage`] when the store cannot be listed.
pub fn fingerprint(opened: &OpenedStore, prefixes: &[String]) -> Result<Fingerprint> {
    // (key, size, modification time in nanoseconds or 0)
    let mut objects: Vec<(String, u64, u128)> = Vec::new();
    let mut prefixes: Vec<&String> = prefixes.iter().collect();
    prefixes.sort();
    prefixes.dedup();
    // A prefix inside another is listed with it.
    let nested = |p: &String, all: &[&String]| {
        all.iter()
            .any(|q| *q != p && (q.is_empty() || p.starts_with(&format!("{}/", q.as_str()))))
    };
    let tops: Vec<&String> = prefixes
        .iter()
        .copied()
        .filter(|p| !nested(p, &prefixes))
        .collect();
    for prefix in tops {
        // A plain HTTP server cannot be listed: its objects are not fingerprinted.
        for listed in list_objects(opened, prefix)?.unwrap_or_default() {
            objects.push((listed.key, listed.size, listed.modified));
        }
    }
    objects.sort();
    let mut hash = Fnv::new();
    for (key, size, modified) in &objects {
        hash.write(key.as_bytes());
        hash.write(&[0]);
        hash.write(&size.to_le_bytes());
        hash.write(&modified.to_le_bytes());
    }
    Ok(Fingerprint {
        objects: objects.len() as u64,
        bytes: objects.iter().map(|(_, size, _)| size).sum(),
        digest: hash.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rewritten_object_of_the_same_size_changes_the_fingerprint() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("a/c")).expect("dir");
        std::fs::write(dir.path().join("a/c/0"), b"1234").expect("write");
        std::fs::write(dir.path().join("b"), b"x").expect("write");
        let opened = crate::store::open(dir.path().to_str().expect("utf-8")).expect("open");
        let prefixes = vec!["a".to_string()];
        let before = fingerprint(&opened, &prefixes).expect("fingerprint");
        assert_eq!((before.objects, before.bytes), (1, 4));
        assert_eq!(Fingerprint::parse(&before.to_string()), Some(before));
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(dir.path().join("a/c/0"), b"5678").expect("write");
        assert_ne!(fingerprint(&opened, &prefixes).expect("again"), before);
        let whole = fingerprint(&opened, &[String::new(), "a".into()]).expect("whole");
        assert_eq!(whole.objects, 2);
    }
}
