//! Keeps the mapped inputs' pages from piling up in this process's memory while passes read
//! rows all over a big export: a watcher hands them back to the operating system whenever
//! more than [`FILE_PAGES_BUDGET`] of file pages are resident. A page read again comes back
//! from the page cache, so the cost is a page fault, paid only when the budget is exceeded.

use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use super::Dataset;

/// How often the watcher looks at the resident file pages: a pass reads a few hundred MB of
/// a mapped file per second.
const LOOK_EVERY: Duration = Duration::from_millis(20);

/// The resident memory above which the mapped inputs' pages are handed back ...
const MEMORY_BUDGET: u64 = 3 << 30;

/// ... if at least this much of it are file pages (the mapped inputs, the program itself).
const FILE_PAGES_MIN: u64 = 256 << 20;

/// Releases the mapped inputs' pages while it lives ([`Dataset::releasing_pages`]).
pub struct PageReleaser {
    watcher: Option<(Sender<()>, JoinHandle<()>)>,
}

impl Drop for PageReleaser {
    fn drop(&mut self) {
        if let Some((stop, thread)) = self.watcher.take() {
            drop(stop);
            let _ = thread.join();
        }
    }
}

impl Dataset {
    /// Watches the resident file pages until the returned guard is dropped, and hands the
    /// mapped inputs' pages back whenever they exceed the budget. Only where the resident
    /// file pages can be read cheaply (Linux); elsewhere, and without mapped inputs, nothing.
    pub fn releasing_pages(&'static self) -> PageReleaser {
        let mapped = self.sources.iter().any(|s| s.table.rows.is_mapped());
        if !mapped || resident().is_none() {
            return PageReleaser { watcher: None };
        }
        let (stop, stopped) = channel::<()>();
        let thread = std::thread::spawn(move || {
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(LOOK_EVERY) {
                if resident().is_some_and(|r| r.over_budget()) {
                    self.release_pages();
                }
            }
        });
        PageReleaser {
            watcher: Some((stop, thread)),
        }
    }
}

/// This process's resident memory, from `/proc/self/statm` (counters the kernel keeps:
/// reading them costs microseconds).
struct Resident {
    total: u64,
    file: u64,
}

impl Resident {
    /// Whether mapped pages should go: the process holds more than [`MEMORY_BUDGET`] and
    /// more than [`FILE_PAGES_MIN`] of it are file pages.
    fn over_budget(&self) -> bool {
        self.total > MEMORY_BUDGET && self.file > FILE_PAGES_MIN
    }
}

fn resident() -> Option<Resident> {
    #[cfg(target_os = "linux")]
    {
        let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
        let mut pages = statm.split_whitespace().skip(1).map(|n| n.parse::<u64>());
        let (Some(Ok(total)), Some(Ok(file))) = (pages.next(), pages.next()) else {
            return None;
        };
        Some(Resident {
            total: total * 4096,
            file: file * 4096,
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
        let r = resident().expect("/proc/self/statm");
        assert!(r.total > 0 && r.file <= r.total, "{} / {}", r.file, r.total);
        assert!(!r.over_budget(), "a test process holds less than 3 GiB");
    }
}
