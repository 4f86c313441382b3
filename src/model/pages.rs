//! Keeps the mapped inputs' pages from piling up in this process's memory while passes read
//! rows all over a big export: a watcher hands them back to the operating system whenever the
//! process holds more than [`MEMORY_BUDGET`], more than [`FILE_PAGES_MIN`] of it file pages.
//! A page read again comes back from the page cache, so the cost is a page fault, paid only
//! under memory pressure (handing pages back on a timer, or after every rule pass, made the
//! passes fault the whole file back in over and over: seconds of kernel time on a big export).

use std::time::Duration;

use super::Dataset;

/// How often the watcher looks at the resident memory: a pass reads a few hundred MB of a
/// mapped file per second.
const LOOK_EVERY: Duration = Duration::from_millis(20);

/// The resident memory above which the mapped inputs' pages are handed back ...
const MEMORY_BUDGET: u64 = 3 << 30;

/// ... if at least this much of it are file pages (the mapped inputs, the program itself).
const FILE_PAGES_MIN: u64 = 256 << 20;

impl Dataset {
    /// Starts the watcher for the rest of the run (a loaded dataset lives as long as the
    /// process). Only where the resident memory can be read cheaply (Linux); elsewhere, and
    /// without mapped inputs, nothing.
    pub fn watch_pages(&'static self) {
        let mapped = self.sources.iter().any(|s| s.table.rows.is_mapped());
        if !mapped || resident().is_none() {
            return;
        }
        std::thread::spawn(move || loop {
            std::thread::sleep(LOOK_EVERY);
            if resident().is_some_and(|r| r.over_budget()) {
                self.release_pages();
            }
        });
    }
}

/// This process's resident memory, from `/proc/self/status` (counters the kernel keeps:
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
        assert!(!r.over_budget(), "a test process holds less than 3 GiB");
    }
}
