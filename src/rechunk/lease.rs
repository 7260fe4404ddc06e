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

/// The time in seconds since the epoch (a fake one in tests).
type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

struct Shared {
    remote: Arc<Remote>,
    clock: Clock,
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

fn term() -> Result<Duration> {
    crate::units::env_number("ZLINT_LEASE_SECS", 120, 1)
        .map(Duration::from_secs)
        .map_err(Error::Usage)
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
    /// left), when the store has no conditional writes, or when `ZLINT_LEASE_SECS` is not a
    /// whole number of seconds; [`Error::Storage`] otherwise.
    pub(crate) fn acquire(remote: Arc<Remote>, key: String, part: Part) -> Result<Self> {
        Self::acquire_with(remote, key, part, Arc::new(now), term()?)
    }

    /// [`Lease::acquire`] with a clock and a term of its own.
    fn acquire_with(
        remote: Arc<Remote>,
        key: String,
        part: Part,
        clock: Clock,
        term: Duration,
    ) -> Result<Self> {
        let now = || clock();
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "host".into());
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let holder = format!("{host}:{}:{nanos}", std::process::id());
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
                    "part {part} is already running: {other} holds {} for {} s more (renewed while it runs); if that process is gone, re-run once the lease has lapsed",
                    crate::store::located(remote.url(), &key),
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
                "part {part}: another process keeps taking {}; is the part running twice?",
                crate::store::located(remote.url(), &key)
            ))
        })?;
        let shared = Arc::new(Shared {
            remote,
            clock: clock.clone(),
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
                let at = crate::store::located(shared.remote.url(), &shared.key);
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
                "{}: the lease was taken over by another process; this part stops",
                crate::store::located(self.shared.remote.url(), &self.shared.key)
            )));
        }
        Ok(())
    }
}

/// Renews the lease every quarter term until told to stop, or until it is lost: taken by
/// another process, or not renewed (requests failing) before it lapsed, after which another
/// process may take it.
fn renew(shared: &Shared, stopped: &mpsc::Receiver<()>) {
    // When the lease as last written runs out.
    let mut lapses = (shared.clock)() + shared.term.as_secs();
    loop {
        match stopped.recv_timeout(shared.term / 4) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
        }
        let expires = (shared.clock)() + shared.term.as_secs();
        let mut version = shared.version.lock().unwrap_or_else(|p| p.into_inner());
        match shared
            .remote
            .replace_if(&shared.key, body(&shared.holder, expires), &version)
        {
            Ok(Some(next)) => {
                *version = next;
                lapses = expires;
            }
            Ok(None) => {
                shared.lost.store(true, Ordering::Relaxed);
                return;
            }
            // A failed request (after retries): try again next time, unless the lease lapses
            // before then.
            Err(_) => {
                let next_try = (shared.clock)() + (shared.term / 4).as_secs();
                if next_try >= lapses {
                    shared.lost.store(true, Ordering::Relaxed);
                    return;
                }
            }
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

#[cfg(all(test, feature = "cloud"))]
mod tests {
    use std::sync::atomic::AtomicU64;

    use super::*;

    const KEY: &str = ".zlint-rechunk/done/part-0-of-2.lock";

    /// A clock that moves only when told.
    fn fake_clock(start: u64) -> (Arc<AtomicU64>, Clock) {
        let time = Arc::new(AtomicU64::new(start));
        let read = time.clone();
        (time, Arc::new(move || read.load(Ordering::SeqCst)))
    }

    fn take(remote: &Arc<Remote>, clock: &Clock, term_secs: u64) -> Result<Lease> {
        let part = Part::parse("0/2")?;
        Lease::acquire_with(
            remote.clone(),
            KEY.into(),
            part,
            clock.clone(),
            Duration::from_secs(term_secs),
        )
    }

    #[test]
    fn a_held_lease_refuses_a_second_holder_until_it_lapses() {
        let remote = Arc::new(Remote::in_memory());
        let (time, clock) = fake_clock(1_000);
        let first = take(&remote, &clock, 600).expect("first");
        let refused = take(&remote, &clock, 600).expect_err("held");
        assert!(refused.to_string().contains("already running"), "{refused}");
        assert!(refused.to_string().contains("600 s more"), "{refused}");
        // Past its term (never renewed: renewals come every 150 s of real time).
        time.store(1_601, Ordering::SeqCst);
        let second = take(&remote, &clock, 600).expect("taken over");
        assert!(second.check().is_ok());
        drop(second);
        drop(first);
    }

    #[test]
    fn a_released_lease_is_free_at_once() {
        let remote = Arc::new(Remote::in_memory());
        let (_time, clock) = fake_clock(5_000);
        drop(take(&remote, &clock, 600).expect("first"));
        take(&remote, &clock, 600).expect("free after release");
    }

    #[test]
    fn a_lease_taken_over_is_lost_at_the_next_renewal() {
        let remote = Arc::new(Remote::in_memory());
        let (time, clock) = fake_clock(10_000);
        // A one-second term: renewed every quarter second of real time.
        let first = take(&remote, &clock, 1).expect("first");
        // Another process takes the lease over once it has lapsed on the clock.
        time.store(10_002, Ordering::SeqCst);
        let (bytes, version) = remote.get_versioned(KEY).expect("read").expect("present");
        assert!(String::from_utf8_lossy(&bytes).ends_with('\n'));
        remote
            .replace_if(KEY, body("other:1:1", 20_000), &version)
            .expect("write")
            .expect("taken over");
        let lost = (0..100).any(|_| {
            std::thread::sleep(Duration::from_millis(50));
            first.check().is_err()
        });
        assert!(lost, "the first holder noticed within 5 s");
        let err = first.check().expect_err("lost");
        assert!(err.to_string().contains("taken over"), "{err}");
    }
}
