//! Keeps the mapped inputs' pages from piling up in this process's memory while passes read
//! rows all over a big export: a watcher hands some of them back to the operating system
//! whenever the process holds more than [`MEMORY_BUDGET`], more than [`FILE_PAGES_MIN`] of it
//! file pages. A page read again comes back from the page cache, so the cost is a page fault,
//! paid only under memory pressure (handing pages back on a timer, or after every rule pass,
//! made the passes fault the whole file back in over and over: seconds of kernel time on a big
//! export).
//!
//! It hands back only what brings the process under the budget (and [`RELEASE_MARGIN`] more),
//! the inputs' bytes in turn from where the last release stopped: the pages held longest go
//! first, and the rest stay mapped. Handing back all of them each time made the corrections,
//! which read rows all over the deals file, fault most of it back in after every release.

use std::ops::Range;
use std::time::Duration;

use super::Dataset;

/// How often the watcher looks at the resident memory: a pass reads a few hundred MB of a
/// mapped file per second.
const LOOK_EVERY: Duration = Duration::from_millis(20);

/// The resident memory above which the mapped inputs' pages are handed back ...
const MEMORY_BUDGET: u64 = 3 << 30;

/// ... if at least this much of it are file pages (the mapped inputs, the program itself).
const FILE_PAGES_MIN: u64 = 256 << 20;

/// How far under the budget a release aims.
const RELEASE_MARGIN: u64 = 128 << 20;

impl Dataset {
    /// Starts the watcher for the rest of the run (a loaded dataset lives as long as the
    /// process). Only where the resident memory can be read cheaply (Linux); elsewhere, and
    /// without mapped inputs, nothing.
    pub fn watch_pages(&'static self) {
        let mapped: Vec<usize> = self
            .sources
            .iter()
            .map(|s| s.table.rows.mapped_len())
            .collect();
        if mapped.iter().all(|&n| n == 0) || resident().is_none() {
            return;
        }
        std::thread::spawn(move || {
            let mut turn = Turn::new(mapped);
            loop {
                std::thread::sleep(LOOK_EVERY);
                if let Some(over) = resident().and_then(|r| r.over_budget()) {
                    for (source, bytes) in turn.next(over + RELEASE_MARGIN) {
                        self.sources[source].table.rows.release_pages(bytes);
                    }
                }
            }
        });
    }
}

/// The mapped inputs' bytes, handed back in turn: where each release starts and ends.
struct Turn {
    /// Each source's mapped bytes (0 when not mapped).
    lengths: Vec<usize>,
    /// Where the next release starts: a source and a byte of it.
    at: (usize, usize),
}

impl Turn {
    fn new(lengths: Vec<usize>) -> Self {
        Turn {
            lengths,
            at: (0, 0),
        }
    }

    /// The next `bytes` of the mapped inputs (all of them at most), as byte ranges of sources,
    /// from where the last call stopped and round to the first source again.
    fn next(&mut self, bytes: u64) -> Vec<(usize, Range<usize>)> {
        let total: usize = self.lengths.iter().sum();
        let mut left = usize::try_from(bytes).unwrap_or(usize::MAX).min(total);
        let mut out = Vec::new();
        while left > 0 {
            let (source, from) = self.at;
            let n = (self.lengths[source] - from).min(left);
            if n > 0 {
                out.push((source, from..from + n));
                left -= n;
            }
            self.at = if from + n < self.lengths[source] {
                (source, from + n)
            } else {
                ((source + 1) % self.lengths.len(), 0)
            };
        }
        out
    }
}

/// This process's resident memory, from `/proc/self/status` (counters the kernel keeps:
/// reading them costs microseconds).
struct Resident {
    total: u64,
    file: u64,
}

impl Resident {
    /// How much over [`MEMORY_BUDGET`] the process is, when mapped pages should go: it holds
    /// more than the budget and more than [`FILE_PAGES_MIN`] of it are file pages.
    fn over_budget(&self) -> Option<u64> {
        (self.total > MEMORY_BUDGET && self.file > FILE_PAGES_MIN)
            .then(|| self.total - MEMORY_BUDGET)
    }
}

fn resident() -> Option<Resident> {
    #[cfg(target_os = "linux")]
    {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let bytes = |key: &str| -> Option<u64> {
            let line = status.lines().find_map(|l| l.strip_prefix(key))?;
            let kib: u64 = line.trim().strip_suffix("kB")?.trim().parse().ok()?;
            Some(kib << 10)
        };
        Some(Resident {
            total: bytes("VmRSS:")?,
            file: bytes("RssFile:")?,
        })
    }
    #[cfg(not(target_os = "linux"))]
    None
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn resident_memory_is_read() {
        let r = resident().expect("/proc/self/status");
        assert!(r.total > 0 && r.file <= r.total, "{} / {}", r.file, r.total);
        assert!(
            r.over_budget().is_none(),
            "a test process holds less than 3 GiB"
        );
    }

    #[test]
    fn releases_take_the_mapped_bytes_in_turn() {
        let mut turn = Turn::new(vec![100, 0, 50]);
        assert_eq!(turn.next(30), [(0, 0..30)]);
        assert_eq!(turn.next(100), [(0, 30..100), (2, 0..30)]);
        assert_eq!(turn.next(1000), [(2, 30..50), (0, 0..100), (2, 0..30)]);
        assert_eq!(turn.next(20), [(2, 30..50)]);
        assert_eq!(turn.next(10), [(0, 0..10)]);
    }
}
