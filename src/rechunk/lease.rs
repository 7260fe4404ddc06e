//! A part's lease on an object store, which has no file locks: the object
//! `.zlint-rechunk/done/part-I-of-N.lock` names its holder and when the lease expires. It is
//! taken with a conditional write (create if absent, or replace an expired lease only if nobody
//! changed it meanwhile), renewed by a background thread every quarter of its term while the part
//! runs, and released (marked expired) when the part ends. A second process starting the same
//! part meanwhile is refused; a killed part's lease lapses after one term
//! (`ZLINT_LEASE_SECS`, default 120 s), after which `--resume` takes it over.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::{Error, Result};
use crate::plan::parts::Part;
use crate::store::Remote;
use crate::store::remote::Version;

/// A held lease; renewed until dropped.
pub(crate) struct Lease {
    shared: Arc<Shared>,
    stop: Option<mpsc::Sender<()>>,
    renewer: Option<JoinHandle<()>>,
}

struct Shared {
    remote: Arc<Remote>,
    key: String,
    holder: String,
    term: Duration,
    version: Mutex<Version>,
    lost: AtomicBool,
}

impl std::fmt::Debug for Lease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lease")
            .field("key", &self.shared.key)
            .field("holder", &self.shared.holder)
            .finish_non_exhaustive()
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn term() -> Duration {
    let secs = std::env::var("ZLINT_LEASE_SECS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|&s| s > 0)
        .unwrap_or(120);
    Duration::from_secs(secs)
}

/// `HOLDER EXPIRES` (seconds since the epoch).
fn body(holder: &str, expires: u64) -> Vec<u8> {
    format!("{holder} {expires}\n").into_bytes()
}

fn parse(bytes: &[u8]) -> (String, u64) {
    let text = String::from_utf8_lossy(bytes);
    let mut fields = text.split_whitespace();
    let holder = fields.next().unwrap_or("?").to_string();
    let expires = fields.next().and_then(|e| e.parse().ok()).unwrap_or(0);
    (holder, expires)
}

impl Lease {
    /// Takes the lease at `key` for `part`.
    ///
    /// # Errors
    /// [`Error::Usage`] when another process holds it (naming the holder and how long it has
    /// left), or when the store has no conditional writes; [`Error::Storage`] otherwise.
    pub(crate) fn acquire(remote: Arc<Remote>, key: String, part: Part) -> Result<Self> {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "host".into());
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let holder = format!("{host}:{}:{nanos}", std::process::id());
        let term = term();
        let mut version = None;
        for _ in 0..5 {
            let expires = now() + term.as_secs();
            if let Some(v) = remote.create_exclusive(&key, body(&holder, expires))? {
                version = Some(v);
                break;
            }
            let Some((bytes, current)) = remote.get_versioned(&key)? else {
                continue; // released and removed meanwhile: try again
            };
            let (other, until) = parse(&bytes);
            if until > now() {
                return Err(Error::Usage(format!(
                    "part {part} is already running: {other} holds {}/{key} for {} s more (renewed while it runs); if that process is gone, re-run once the lease has lapsed",
                    remote.url().trim_end_matches('/'),
                    until - now()
                )));
            }
            if let Some(v) = remote.replace_if(&key, body(&holder, expires), &current)? {
                version = Some(v);
                break;
            }
        }
        let version = version.ok_or_else(|| {
            Error::Usage(format!(
                "part {part}: another process keeps taking {}/{key}; is the part running twice?",
                remote.url().trim_end_matches('/')
            ))
        })?;
        let shared = Arc::new(Shared {
            remote,
            key,
            holder,
            term,
            version: Mutex::new(version),
            lost: AtomicBool::new(false),
        });
        let (stop, stopped) = mpsc::channel::<()>();
        let renewing = shared.clone();
        let renewer = std::thread::Builder::new()
            .name("zlint-lease".into())
            .spawn(move || renew(&renewing, &stopped))
            .map_err(|e| {
                let at = format!(
                    "{}/{}",
                    shared.remote.url().trim_end_matches('/'),
                    shared.key
                );
                Error::rechunk(at, format!("cannot start the lease renewal: {e}"))
            })?;
        Ok(Self {
            shared,
            stop: Some(stop),
            renewer: Some(renewer),
        })
    }

    /// Fails once another process has taken the lease (this one could not renew it in time).
    ///
    /// # Errors
    /// [`Error::Usage`] naming the lease.
    pub(crate) fn check(&self) -> Result<()> {
        if self.shared.lost.load(Ordering::Relaxed) {
            return Err(Error::Usage(format!(
                "{}/{}: the lease was taken over by another process; this part stops",
                self.shared.remote.url().trim_end_matches('/'),
                self.shared.key
            )));
        }
        Ok(())
    }
}

/// Renews the lease every quarter term until told to stop, or until it is lost.
fn renew(shared: &Shared, stopped: &mpsc::Receiver<()>) {
    loop {
        match stopped.recv_timeout(shared.term / 4) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
        }
        let expires = now() + shared.term.as_secs();
        let mut version = shared.version.lock().unwrap_or_else(|p| p.into_inner());
        match shared
            .remote
            .replace_if(&shared.key, body(&shared.holder, expires), &version)
        {
            Ok(Some(next)) => *version = next,
            Ok(None) => {
                shared.lost.store(true, Ordering::Relaxed);
                return;
            }
            // A failed request (after retries): try again next time, while the term lasts.
            Err(_) => {}
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(renewer) = self.renewer.take() {
            let _ = renewer.join();
        }
        if !self.shared.lost.load(Ordering::Relaxed) {
            // Released: marked as expired, only if still ours.
            let version = self
                .shared
                .version
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            let _ = self.shared.remote.replace_if(
                &self.shared.key,
                body(&self.shared.holder, 0),
                &version,
            );
        }
    }
}
