//! Test helpers: build a dataset from inline CSV texts, run one rule on it.

use std::path::PathBuf;

use chrono::NaiveDateTime;

use crate::commands::parse_as_of;
use crate::model::{self, Dataset, LoadOptions, Select};
use crate::params::RuleSet;
use crate::rules::{self, Context, Finding};

/// The bundled rules folder.
pub fn rule_set() -> RuleSet {
    RuleSet::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules")).expect("bundled rules")
}

/// The reference moment of the tests: 2026-11-23 12:00.
pub fn as_of() -> NaiveDateTime {
    parse_as_of("2026-11-23 12:00").expect("as-of")
}

/// Writes each `(file name, CSV text)` into a temporary folder and loads it like the CLI does.
pub fn dataset(files: &[(&str, &str)]) -> Dataset {
    selected_dataset(files, None)
}

/// [`dataset`], building only the rows `select` picks.
pub fn selected_dataset(files: &[(&str, &str)], select: Option<&dyn Select>) -> Dataset {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write fixture");
    }
    load_dir(dir.path(), select)
}

/// Loads a folder like the CLI does, building only the rows `select` picks.
pub fn load_dir(dir: &std::path::Path, select: Option<&dyn Select>) -> Dataset {
    let options = LoadOptions {
        read: Default::default(),
        phone: Default::default(),
        today: as_of().date(),
    };
    let loaded =
        model::load_selected(&[dir.to_path_buf()], &rule_set(), &options, select).expect("load");
    assert!(
        loaded.errors.is_empty(),
        "fixture errors: {:?}",
        loaded.errors
    );
    loaded.dataset
}

/// Runs one rule (by code) over a dataset, as of [`as_of`].
pub fn run_rule(code: &str, ds: &Dataset) -> Vec<Finding> {
    let set = rule_set();
    let ctx = Context::new(ds, &set.params, as_of());
    let rule = rules::find(code).expect("rule code");
    rules::run(&ctx, &[rule])
}

/// The IDs a rule flags, sorted and deduplicated.
pub fn flagged(code: &str, ds: &Dataset) -> Vec<String> {
    let mut ids: Vec<String> = run_rule(code, ds).into_iter().map(|f| f.id).collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Every sheet of a workbook: (name, rows of cell texts).
pub fn read_workbook(path: &std::path::Path) -> Vec<(String, Vec<Vec<String>>)> {
    use calamine::{open_workbook, Reader, Xlsx};
    let mut book: Xlsx<_> = open_workbook(path).expect("open workbook");
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).expect("sheet");
            let rows = range
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect();
            (name, rows)
        })
        .collect()
}
