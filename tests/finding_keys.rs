//! Finding keys (`findings.jsonl` field `key`): unique in a run, and the same whatever the row
//! order and the file format of the same data.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};
use proptest::prelude::*;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

const AS_OF: &str = "2026-11-23 12:00";

/// Every key of a run with its number of findings, from `out/findings.jsonl`.
fn keys(out: &Path) -> BTreeMap<String, usize> {
    let mut keys = BTreeMap::new();
    for line in std::fs::read_to_string(out.join("findings.jsonl"))
        .unwrap()
        .lines()
    {
        let f: serde_json::Value = serde_json::from_str(line).unwrap();
        *keys
            .entry(f["key"].as_str().expect("key").to_string())
            .or_default() += 1;
    }
    keys
}

fn audit(inputs: &Path, out: &Path) -> BTreeMap<String, usize> {
    let run = common::crmclean([
        "audit".as_ref(),
        inputs.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--as-of".as_ref(),
        AS_OF.as_ref(),
        "--force".as_ref(),
        "--quiet".as_ref(),
    ]);
    assert!(
        run.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    keys(out)
}

#[test]
fn every_sample_finding_has_a_unique_key_of_its_rule() {
    let dir = tempfile::tempdir().unwrap();
    let keys = audit(&root().join("samples"), dir.path());
    assert!(keys.values().all(|n| *n == 1), "repeated keys: {keys:?}");
    for key in [
        "CON001/contact/45102431/birthday",
        "CON004/contact/45102576/a.ivanova@okna-spb.ru",
        "CON006/contact/45102500/274-18-93",
        "DUP001/contact/45102412",
        "PRT001/contact/45102462/+79213456701",
        "DEAL001/deal/28451461/comment",
        "DEAL006/deal/28451584/замер",
        "FLOW001/application/10414/snils",
    ] {
        assert!(keys.contains_key(key), "{key} missing: {keys:?}");
    }
}

/// A table of an export: header and rows of cell texts.
type Table = Vec<Vec<String>>;

fn read_table(path: &Path) -> Table {
    if path.extension().is_some_and(|e| e == "xlsx") {
        let mut book = open_workbook_auto(path).unwrap();
        let name = book.sheet_names()[0].clone();
        let range = book.worksheet_range(&name).unwrap();
        return range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::Empty => String::new(),
                        Data::DateTime(d) => d
                            .as_datetime()
                            .map(|t| t.format("%d.%m.%Y %H:%M:%S").to_string())
                            .unwrap_or_default(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect();
    }
    common::read_csv(path)
}

fn write_table(table: &Table, path: &Path) {
    if path.extension().is_some_and(|e| e == "xlsx") {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (r, row) in table.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if !cell.is_empty() {
                    sheet.write_string(r as u32, c as u16, cell).unwrap();
                }
            }
        }
        book.save(path).unwrap();
        return;
    }
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .from_path(path)
        .unwrap();
    for row in table {
        w.write_record(row).unwrap();
    }
    w.flush().unwrap();
}

/// The samples again, each table's rows shuffled by `seed` and written as CSV or XLSX by
/// `as_xlsx`, under other file names.
fn rewrite_samples(dir: &Path, seed: u64, as_xlsx: [bool; 5]) {
    let names = [
        "amocrm_contacts.csv",
        "amocrm_deals.xlsx",
        "client_base.csv",
        "flow_applications.xlsx",
        "managers.csv",
    ];
    for (i, (name, xlsx)) in names.iter().zip(as_xlsx).enumerate() {
        let mut table = read_table(&root().join("samples").join(name));
        let header = table.remove(0);
        shuffle(&mut table, seed.wrapping_add(i as u64));
        table.insert(0, header);
        let ext = if xlsx { "xlsx" } else { "csv" };
        write_table(&table, &dir.join(format!("export_{i}.{ext}")));
    }
}

/// A Fisher–Yates shuffle driven by a small xorshift generator.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    for i in (1..items.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        items.swap(i, (state % (i as u64 + 1)) as usize);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn keys_do_not_depend_on_row_order_file_names_or_format(
        seed in any::<u64>(),
        as_xlsx in any::<[bool; 5]>(),
    ) {
        let expected_dir = tempfile::tempdir().unwrap();
        let expected = audit(&root().join("samples"), expected_dir.path());
        let inputs = tempfile::tempdir().unwrap();
        rewrite_samples(inputs.path(), seed, as_xlsx);
        let out = tempfile::tempdir().unwrap();
        let actual = audit(inputs.path(), out.path());
        prop_assert_eq!(actual, expected);
    }
}
