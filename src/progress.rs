//! How long-running library operations report progress. The binary draws it; the library only
//! calls these methods (from many threads at once).

/// Receives progress from long-running operations.
pub trait Progress: Sync {
    /// A phase begins: `what` names its unit (`objects`), or for bytes its phase and unit
    /// (`rechunk bytes`, `verify bytes`); `total` is the expected amount of work (`None` if
    /// unknown).
    fn begin(&self, what: &str, total: Option<u64>);
    /// `amount` more units of work are done.
    fn advance(&self, amount: u64);
    /// The phase is over.
    fn end(&self);
    /// The phase also counts `total` whole objects, named by `noun` (`chunks`, `shards`,
    /// `regions`), besides its main unit. Not shown unless implemented.
    fn count(&self, _noun: &'static str, _total: u64) {}
    /// `amount` more of the counted objects are done.
    fn counted(&self, _amount: u64) {}
    /// Whether the caller asks the work to stop (Ctrl-C in Python, say). Rechunks ask before
    /// each write group and verifications before each region; they then fail with
    /// [`crate::Error::Interrupted`]. What was finished stays finished: a rechunk run again
    /// resumes from its journal.
    fn cancelled(&self) -> bool {
        false
    }
}

/// Progress that is not shown.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn begin(&self, _what: &str, _total: Option<u64>) {}
    fn advance(&self, _amount: u64) {}
    fn end(&self) {}
}
