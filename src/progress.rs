//! Progress bars on stderr for the long steps (indicatif): bytes read per file, rows checked per
//! rule pass, files written, each with an ETA. Shown only when stderr is a terminal and
//! `--quiet` is off; otherwise every bar is hidden and costs nothing.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

/// Where a command's bars go: one stack of bars on stderr, or nowhere.
#[derive(Debug, Clone, Default)]
pub struct Progress(Option<MultiProgress>);

impl Progress {
    /// Bars on stderr when it is a terminal and `quiet` is off; hidden otherwise.
    pub fn on_stderr(quiet: bool) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            Progress::hidden()
        } else {
            Progress(Some(MultiProgress::new()))
        }
    }

    /// No bars at all.
    pub fn hidden() -> Self {
        Progress(None)
    }

    /// A bar of `total` bytes (reading a file).
    pub fn bytes(&self, label: &str, total: u64) -> ProgressBar {
        self.bar(
            label,
            total,
            "{prefix:>24} [{bar:30}] {bytes:>10}/{total_bytes:<10} {bytes_per_sec:>12} ETA {eta}",
        )
    }

    /// A bar of `total` rows (a rule pass over records).
    pub fn rows(&self, label: &str, total: u64) -> ProgressBar {
        self.bar(
            label,
            total,
            "{prefix:>24} [{bar:30}] {human_pos:>10}/{human_len:<10} rows {msg} ETA {eta}",
        )
    }

    /// A bar of `total` files (outputs written).
    pub fn files(&self, label: &str, total: u64) -> ProgressBar {
        self.bar(
            label,
            total,
            "{prefix:>24} [{bar:30}] {pos:>6}/{len:<6} files {msg} ETA {eta}",
        )
    }

    /// A spinner for a step whose length is unknown.
    pub fn spinner(&self, label: &str) -> ProgressBar {
        let Some(multi) = &self.0 else {
            return ProgressBar::hidden();
        };
        let bar = multi.add(ProgressBar::new_spinner().with_prefix(label.to_string()));
        bar.set_style(
            ProgressStyle::with_template("{prefix:>24} {spinner} {elapsed}")
                .expect("valid template"),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }

    fn bar(&self, label: &str, total: u64, template: &str) -> ProgressBar {
        let Some(multi) = &self.0 else {
            return ProgressBar::hidden();
        };
        let style = ProgressStyle::with_template(template)
            .expect("valid template")
            .progress_chars("=> ");
        let bar = multi.add(ProgressBar::new(total).with_style(style));
        bar.set_prefix(label.to_string());
        bar
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_bars_count_but_draw_nothing() {
        let p = Progress::hidden();
        let bar = p.bytes("deals.csv", 100);
        assert!(bar.is_hidden());
        let mut read = bar.wrap_read(&b"0123456789"[..]);
        let mut sink = Vec::new();
        std::io::copy(&mut read, &mut sink).unwrap();
        assert_eq!(sink.len(), 10);
        assert!(p.files("corrections", 3).is_hidden());
        assert!(p.spinner("rules").is_hidden());
    }
}
