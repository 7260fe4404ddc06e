//! The progress bar: the only user of indicatif. Drawn on standard error, and only when it is a
//! terminal and `--quiet` was not given.

use std::io::IsTerminal;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressStyle};

use crate::progress::Progress;

/// A [`Progress`] drawn with indicatif.
pub struct Bar {
    bar: OnceLock<ProgressBar>,
    visible: bool,
    /// The second count of the phase (`chunks`, `shards`): its noun, total and progress.
    noun: OnceLock<&'static str>,
    total: AtomicU64,
    done: AtomicU64,
}

impl Bar {
    /// A bar that is drawn only when standard error is a terminal and `quiet` is false.
    #[must_use]
    pub fn new(quiet: bool) -> Self {
        Self {
            bar: OnceLock::new(),
            visible: !quiet && std::io::stderr().is_terminal(),
            noun: OnceLock::new(),
            total: AtomicU64::new(0),
            done: AtomicU64::new(0),
        }
    }
}

impl Progress for Bar {
    fn begin(&self, what: &str, total: Option<u64>) {
        if !self.visible {
            return;
        }
        let bar = match total {
            Some(total) => ProgressBar::new(total),
            None => ProgressBar::no_length(),
        };
        // "bytes", or "PHASE bytes" (rechunk, verify): the phase names the bar.
        let template = if let Some(phase) = what.strip_suffix("bytes") {
            format!(
                "{}{{spinner}} {{bar:30}} {{bytes}}/{{total_bytes}}{{msg}} ({{binary_bytes_per_sec}}, {{eta}} left)",
                if phase.is_empty() {
                    String::new()
                } else {
                    format!("{:<8}", phase.trim())
                }
            )
        } else {
            format!(
                "{{spinner}} {{bar:30}} {{human_pos}}/{{human_len}} {what} ({{per_sec}}, {{eta}} left)"
            )
        };
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        // Keep the spinner, rate and ETA moving between (possibly large) units of work.
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        let _ = self.bar.set(bar);
    }

    fn advance(&self, amount: u64) {
        if let Some(bar) = self.bar.get() {
            bar.inc(amount);
        }
    }

    fn end(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }

    fn count(&self, noun: &'static str, total: u64) {
        let _ = self.noun.set(noun);
        self.total.store(total, Ordering::Relaxed);
        self.counted(0);
    }

    fn counted(&self, amount: u64) {
        let done = self.done.fetch_add(amount, Ordering::Relaxed) + amount;
        if let (Some(bar), Some(noun)) = (self.bar.get(), self.noun.get()) {
            let total = self.total.load(Ordering::Relaxed);
            bar.set_message(format!(", {done}/{total} {noun}"));
        }
    }
}
