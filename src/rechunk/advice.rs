//! Advice to the kernel: huge pages for write-group buffers, and reading ahead. Advice only:
//! refused, it changes nothing but speed.
//!
//! Reading ahead, the kernel is asked to start reading the files of the write group a chain runs
//! next while this one is decoded and encoded, so a source on disk (not yet in the page cache)
//! is read while the cores are busy instead of while they wait, and many files at once instead
//! of one a thread. Nothing is held in zlint's memory, and a file that cannot be opened is left
//! for the read proper to report. The store's rules hold here too: no file is read ahead through
//! a link that leads outside the store, and only regular files are (opening a named pipe would
//! wait for a writer).

use zarrs::storage::StoreKey;

use crate::store::CheckedFilesystemStore;

/// Asks the kernel to read the files of `keys` in the local store `files` into its page cache.
pub(crate) fn read_ahead(files: &CheckedFilesystemStore, keys: &[String]) {
    for key in keys {
        let Ok(key) = StoreKey::new(key.as_str()) else {
            continue;
        };
        if files.check_key(&key).is_err() {
            continue;
        }
        if let Ok(file) = crate::store::open_without_waiting(&files.key_path(&key))
            && file.metadata().is_ok_and(|m| m.is_file())
        {
            advise(&file);
        }
    }
}

#[cfg(target_os = "linux")]
fn advise(file: &std::fs::File) {
    use std::os::fd::AsRawFd;
    // SAFETY: the descriptor is open for the length of the call; the advice changes what the
    // page cache holds, never the file. A refusal is harmless.
    unsafe {
        libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_WILLNEED);
    }
}

#[cfg(not(target_os = "linux"))]
fn advise(_file: &std::fs::File) {}

/// Asks Linux to back a buffer of 32 MiB or more (mapped on its own by the allocator) with
/// transparent huge pages where the system leaves that to the program (`madvise` mode): a group
/// buffer is often hundreds of MiB read back in short strided runs, one per target chunk row,
/// and with 4 KiB pages most of those runs miss the TLB.
#[cfg(target_os = "linux")]
pub(crate) fn huge_pages(buffer: &mut [u8]) {
    const PAGE: usize = 4096;
    const LARGE: usize = 32 << 20;
    if buffer.len() < LARGE {
        return;
    }
    let start = buffer.as_mut_ptr() as usize;
    let aligned = start.next_multiple_of(PAGE);
    let end = (start + buffer.len()) / PAGE * PAGE;
    if end > aligned {
        // SAFETY: the range lies inside `buffer`, which this call borrows mutably; MADV_HUGEPAGE
        // changes how its pages are backed, never their contents. A refusal is harmless.
        unsafe {
            libc::madvise(
                aligned as *mut libc::c_void,
                end - aligned,
                libc::MADV_HUGEPAGE,
            );
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn huge_pages(_buffer: &mut [u8]) {}

#[cfg(test)]
mod tests {
    use super::read_ahead;
    use crate::store::CheckedFilesystemStore;

    /// Folders, missing files and named pipes are passed over without waiting (a pipe opened
    /// the usual way would block this test until a writer came).
    #[test]
    fn only_regular_files_are_read_ahead_and_nothing_waits() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), b"bytes").unwrap();
        std::fs::create_dir(dir.path().join("b")).unwrap();
        let pipe = std::ffi::CString::new(dir.path().join("p").to_str().unwrap()).unwrap();
        // SAFETY: a valid, NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(pipe.as_ptr(), 0o600) }, 0);
        let files = CheckedFilesystemStore::new(dir.path(), false).unwrap();
        let keys = ["a", "b", "p", "missing", "../outside"].map(String::from);
        read_ahead(&files, &keys);
        assert_eq!(std::fs::read(dir.path().join("a")).unwrap(), b"bytes");
    }
}
