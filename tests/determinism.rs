//! Determinism (spec §7): `audit`, `dedupe` and `migrate` run twice on `samples/` — once on one
//! thread, once on four, a second apart — give byte-identical JSON Lines, CSV and XLSX outputs
//! and the same `summary.json` but for its `timings_ms`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// `(command, extra arguments)`; `migrate` judges nothing by date.
const COMMANDS: [(&str, &[&str]); 3] = [
    (
        "audit",
        &["--as-of", "2026-11-23 12:00", "--fail-on", "never"],
    ),
    ("dedupe", &["--as-of", "2026-11-23 12:00"]),
    ("migrate", &[]),
];

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

/// Runs `command` on the samples into `out` with `threads` worker threads.
fn run(command: &str, extra: &[&str], out: &Path, threads: &str) {
    let output = Command::new(env!("CARGO_BIN_EXE_crmclean"))
        .env_remove("CRMCLEAN_RULES")
        .env("RAYON_NUM_THREADS", threads)
        .arg("--rules")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"))
        .arg(command)
        .arg(samples())
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("run crmclean");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{command}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Path inside `dir` → bytes of every file in `dir` and its folders (`corrections/`).
fn contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for path in std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            for (inner, bytes) in contents(&path) {
                files.insert(format!("{name}/{inner}"), bytes);
            }
        } else {
            files.insert(name, std::fs::read(&path).unwrap());
        }
    }
    files
}

fn without_timings(bytes: &[u8]) -> Value {
    let mut v: Value = serde_json::from_slice(bytes).expect("summary.json");
    let removed = v.as_object_mut().and_then(|o| o.remove("timings_ms"));
    assert!(removed.is_some(), "summary.json has timings_ms");
    v
}

#[test]
fn the_same_samples_give_byte_identical_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let mut compared = 0;
    for (command, extra) in COMMANDS {
        let (a, b) = (
            tmp.path().join(format!("{command}-1")),
            tmp.path().join(format!("{command}-2")),
        );
        run(command, extra, &a, "1");
        // a second apart, so that nothing may depend on the clock
        std::thread::sleep(std::time::Duration::from_millis(1100));
        run(command, extra, &b, "4");
        let (first, second) = (contents(&a), contents(&b));
        assert_eq!(
            first.keys().collect::<Vec<_>>(),
            second.keys().collect::<Vec<_>>(),
            "{command}: different files"
        );
        for (name, bytes) in &first {
            let other = &second[name];
            if name == "summary.json" {
                assert_eq!(
                    without_timings(bytes),
                    without_timings(other),
                    "{command}: {name}"
                );
                compared += 1;
            } else if name.ends_with(".xlsx") {
                assert!(bytes == other, "{command}: {name} differs between runs");
                compared += 1;
            } else if name.ends_with(".jsonl") || name.ends_with(".csv") {
                assert!(
                    !bytes.is_empty() || name.ends_with(".jsonl"),
                    "{command}: {name} is empty"
                );
                if bytes != other {
                    let line = first_difference(bytes, other);
                    panic!("{command}: {name} differs between runs, first at line {line}");
                }
                compared += 1;
            }
        }
    }
    // findings.jsonl, summary.json, deal_status.csv, corrections/ (index.xlsx, a workbook and
    // a CSV per manager), clusters.csv,
    // duplicates.xlsx, split_plan.jsonl, import_new_contacts.csv/.xlsx,
    // import_partner_cards.csv/.xlsx, review.xlsx, contacts_normalised.csv
    assert!(compared >= 13, "only {compared} outputs compared");
}

/// The 1-based line where two outputs first differ.
fn first_difference(a: &[u8], b: &[u8]) -> usize {
    let at = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    a[..at].iter().filter(|&&c| c == b'\n').count() + 1
}
