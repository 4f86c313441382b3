//! Shared by the reader targets: the bytes written to a file on tmpfs and loaded like the CLI
//! does, with the invariants every load keeps.

use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::NaiveDate;
use crmclean::model::{load, LoadOptions};
use crmclean::normalize::phone::PhoneOptions;
use crmclean::params::RuleSet;
use crmclean::read::ReadOptions;

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| RuleSet::embedded().expect("built-in rules"))
}

fn path(extension: &str) -> PathBuf {
    let dir = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    dir.join(format!("crmclean-fuzz-{}.{extension}", std::process::id()))
}

/// Loads `data` as a file named `*.extension`: exactly one source or one error, and every
/// problem's row within its table.
pub fn load_checked(data: &[u8], extension: &str) {
    let path = path(extension);
    std::fs::write(&path, data).expect("tmpfs write");
    let options = LoadOptions {
        read: ReadOptions::default(),
        phone: PhoneOptions::default(),
        today: NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"),
    };
    let loaded = load(std::slice::from_ref(&path), rules(), &options).expect("one file");
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
}
