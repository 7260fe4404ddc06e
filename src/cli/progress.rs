//! The progress bar: the only user of indicatif. Drawn on standard error, and only when it is a
//! terminal and `--quiet` was not given.

use std::io::IsTerminal;
use std::sync::OnceLock;

use indicatif::{ProgressBar, ProgressStyle};

use crate::progress::Progress;

/// A [`Progress`] drawn with indicatif.
pub(crate) struct Bar {
    bar: OnceLock<ProgressBar>,
    visible: bool,
}

impl Bar {
    /// A bar that is drawn only when standard error is a terminal and `quiet` is false.
    pub(crate) fn new(quiet: bool) -> Self {
        Self {
            bar: OnceLock::new(),
            visible: !quiet && std::io::stderr().is_terminal(),
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
                "{}{{spinner}} {{bar:30}} {{bytes}}/{{total_bytes}} ({{binary_bytes_per_sec}}, {{eta}} left)",
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
}
