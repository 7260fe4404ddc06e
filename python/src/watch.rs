//! Long work watched from Python: the work runs on a thread of its own, without the GIL, while
//! the calling thread wakes every tenth of a second to let Python handle signals (Ctrl-C becomes
//! a `KeyboardInterrupt` once the work stopped at its next write group) and to report progress
//! to a Python callable (the notebook bars of `chunklint._progress`).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use pyo3::prelude::*;

use super::to_py;
use zlint::Error;
use zlint::cli::Bar;
use zlint::progress::Progress;

/// How often the calling thread looks at signals and progress.
const TICK: Duration = Duration::from_millis(100);

/// What the work reported, read by the calling thread, and the request to stop.
#[derive(Default)]
pub(crate) struct Watch {
    stop: AtomicBool,
    /// The phase under way.
    phase: Mutex<Option<Phase>>,
    done: AtomicU64,
    objects: AtomicU64,
    counted: AtomicU64,
    /// Phases that ended since the last report, as they ended (each is reported once at its
    /// end, however short it was).
    ended: Mutex<Vec<Snapshot>>,
}

/// A phase: what it is (`rechunk bytes`, `verify bytes`, …), its total and its counted noun.
struct Phase {
    what: String,
    total: Option<u64>,
    noun: Option<&'static str>,
}

/// A phase as reported: what, done, total, counted noun, counted, objects.
type Snapshot = (String, u64, Option<u64>, Option<&'static str>, u64, u64);

impl Watch {
    /// A [`Progress`] that records into this watch and draws zlint's bar when `drawn` (and
    /// standard error is a terminal).
    pub(crate) fn bar(&self, drawn: bool) -> Watched<'_> {
        Watched {
            watch: self,
            bar: Bar::new(!drawn),
        }
    }

    /// The phase under way as it stands.
    fn now(&self) -> Option<Snapshot> {
        let phase = self.phase.lock().unwrap_or_else(|p| p.into_inner());
        phase.as_ref().map(|phase| {
            (
                phase.what.clone(),
                self.done.load(Ordering::Relaxed),
                phase.total,
                phase.noun,
                self.counted.load(Ordering::Relaxed),
                self.objects.load(Ordering::Relaxed),
            )
        })
    }

    /// Calls `callback(what, done, total, noun, counted, objects)` for each phase that ended
    /// since the last call, then for the phase under way.
    fn report(&self, callback: &Bound<'_, PyAny>) -> PyResult<()> {
        let ended = std::mem::take(&mut *self.ended.lock().unwrap_or_else(|p| p.into_inner()));
        for snapshot in ended.into_iter().chain(self.now()) {
            callback.call1(snapshot)?;
        }
        Ok(())
    }
}

/// The [`Progress`] view of a [`Watch`], with its terminal bar.
pub(crate) struct Watched<'a> {
    watch: &'a Watch,
    bar: Bar,
}

impl Progress for Watched<'_> {
    fn begin(&self, what: &str, total: Option<u64>) {
        let mut phase = self.watch.phase.lock().unwrap_or_else(|p| p.into_inner());
        self.watch.done.store(0, Ordering::Relaxed);
        self.watch.counted.store(0, Ordering::Relaxed);
        self.watch.objects.store(0, Ordering::Relaxed);
        *phase = Some(Phase {
            what: what.to_string(),
            total,
            noun: None,
        });
        self.bar.begin(what, total);
    }

    fn advance(&self, amount: u64) {
        self.watch.done.fetch_add(amount, Ordering::Relaxed);
        self.bar.advance(amount);
    }

    fn end(&self) {
        if let Some(snapshot) = self.watch.now() {
            self.watch
                .ended
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(snapshot);
        }
        *self.watch.phase.lock().unwrap_or_else(|p| p.into_inner()) = None;
        self.bar.end();
    }

    fn count(&self, noun: &'static str, total: u64) {
        if let Some(phase) = self
            .watch
            .phase
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
        {
            phase.noun = Some(noun);
        }
        self.watch.objects.store(total, Ordering::Relaxed);
        self.bar.count(noun, total);
    }

    fn counted(&self, amount: u64) {
        self.watch.counted.fetch_add(amount, Ordering::Relaxed);
        self.bar.counted(amount);
    }

    fn cancelled(&self) -> bool {
        self.watch.stop.load(Ordering::Relaxed) || self.bar.cancelled()
    }
}

/// Runs `work` on a thread of its own while this thread, between naps without the GIL, lets
/// Python handle signals and calls `callback` with the progress. A Python exception (Ctrl-C's
/// `KeyboardInterrupt`, or one the callback raised) asks the work to stop; once it has, that
/// exception is raised. Otherwise the work's own error is, as its Python exception.
pub(crate) fn watched<T: Send>(
    py: Python<'_>,
    callback: Option<&Bound<'_, PyAny>>,
    work: impl FnOnce(&Watch) -> Result<T, Error> + Send,
) -> PyResult<T> {
    let watch = Watch::default();
    let (result, raised) = std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel();
        let watch = &watch;
        scope.spawn(move || {
            // The receiver outlives the thread: it is only dropped after the scope.
            let _ = sender.send(work(watch));
        });
        let mut raised: Option<PyErr> = None;
        let mut receiver = receiver;
        loop {
            // A `Receiver` is not `Sync`: it goes into the nap and comes back out.
            let received;
            (receiver, received) = py.detach(move || {
                let received = receiver.recv_timeout(TICK);
                (receiver, received)
            });
            match received {
                Ok(result) => {
                    if raised.is_none()
                        && let Some(callback) = callback
                        && let Err(e) = watch.report(callback)
                    {
                        raised = Some(e);
                    }
                    return (Some(result), raised);
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return (None, raised),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
            if raised.is_some() {
                continue;
            }
            let checked = py.check_signals().and_then(|()| match callback {
                Some(callback) => watch.report(callback),
                None => Ok(()),
            });
            if let Err(e) = checked {
                watch.stop.store(true, Ordering::Relaxed);
                raised = Some(e);
            }
        }
    });
    if let Some(e) = raised {
        return Err(e);
    }
    match result {
        Some(result) => result.map_err(|e| to_py(py, e)),
        // The work's thread panicked before it sent a result (the scope re-raised the panic,
        // so this is not reached).
        None => Err(pyo3::exceptions::PyRuntimeError::new_err(
            "zlint: the work stopped",
        )),
    }
}
