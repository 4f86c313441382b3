//! The CSV reader and everything behind it (encoding and delimiter sniffing, format detection,
//! building records): the bytes are written to a file on tmpfs and loaded like the CLI does.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::NaiveDate;
use crmclean::model::{load, LoadOptions};
use crmclean::normalize::phone::PhoneOptions;
use crmclean::params::RuleSet;
use crmclean::read::ReadOptions;
use libfuzzer_sys::fuzz_target;

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| RuleSet::embedded().expect("built-in rules"))
}

fn path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        dir.join(format!("crmclean-fuzz-{}.csv", std::process::id()))
    })
}

fuzz_target!(|data: &[u8]| {
    // The XLSX path is calamine's; keep the fuzzer on the CSV reader.
    if data.starts_with(b"PK\x03\x04") || data.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return;
    }
    std::fs::write(path(), data).expect("tmpfs write");
    let options = LoadOptions {
        read: ReadOptions::default(),
        phone: PhoneOptions::default(),
        today: NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"),
    };
    let loaded = load(std::slice::from_ref(path()), rules(), &options).expect("one file");
    let ds = &loaded.dataset;
    assert_eq!(ds.sources.len() + loaded.errors.len(), 1);
    for s in &ds.sources {
        for p in &s.table.problems {
            assert!(!p.message.is_empty());
            if let Some(r) = p.row {
                assert!(r >= 1 && r <= s.table.rows.len().max(1), "row {r}");
            }
        }
    }
});
