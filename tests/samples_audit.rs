//! `crmclean audit` on the bundled `samples/` finds exactly the planted problems of
//! `tests/fixtures/samples_planted.csv`: the same (rule, record ID) pairs, rule by rule.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

type Pairs = BTreeMap<String, BTreeSet<String>>;

fn planted(root: &Path) -> Pairs {
    let mut rdr = csv::Reader::from_path(root.join("tests/fixtures/samples_planted.csv")).unwrap();
    let mut pairs = Pairs::new();
    for row in rdr.records() {
        let row = row.unwrap();
        pairs
            .entry(row[0].to_string())
            .or_default()
            .insert(row[1].to_string());
    }
    pairs
}

fn found(out: &Path) -> Pairs {
    let mut pairs = Pairs::new();
    for line in std::fs::read_to_string(out.join("findings.jsonl"))
        .unwrap()
        .lines()
    {
        let f: serde_json::Value = serde_json::from_str(line).unwrap();
        pairs
            .entry(f["rule"].as_str().unwrap().to_string())
            .or_default()
            .insert(f["id"].as_str().unwrap().to_string());
    }
    pairs
}

/// Per rule: precision, recall and the IDs missed or flagged in excess; empty when equal.
fn differences(expected: &Pairs, actual: &Pairs) -> String {
    let empty = BTreeSet::new();
    let rules: BTreeSet<&String> = expected.keys().chain(actual.keys()).collect();
    let mut report = String::new();
    for rule in rules {
        let e = expected.get(rule).unwrap_or(&empty);
        let a = actual.get(rule).unwrap_or(&empty);
        if e == a {
            continue;
        }
        let hits = e.intersection(a).count();
        let ratio = |n: usize, d: usize| if d == 0 { 1.0 } else { n as f64 / d as f64 };
        let _ = writeln!(
            report,
            "{rule}: precision {:.2} ({hits}/{}), recall {:.2} ({hits}/{})\n  missed:   {:?}\n  unexpected: {:?}",
            ratio(hits, a.len()),
            a.len(),
            ratio(hits, e.len()),
            e.len(),
            e.difference(a).collect::<Vec<_>>(),
            a.difference(e).collect::<Vec<_>>(),
        );
    }
    report
}

#[test]
fn samples_give_exactly_the_planted_findings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_crmclean"))
        .env_remove("CRMCLEAN_RULES")
        .arg("--rules")
        .arg(root.join("rules"))
        .arg("audit")
        .arg(root.join("samples"))
        .arg("--out")
        .arg(&out)
        .args(["--as-of", "2026-11-23 12:00"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(1),
        "planted errors fail the run: {stderr}"
    );
    let expected = planted(root);
    assert!(expected.len() >= 20, "ground truth covers every rule");
    let diff = differences(&expected, &found(&out));
    assert!(
        diff.is_empty(),
        "audit of samples/ differs from samples_planted.csv:\n{diff}"
    );

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["files"].as_array().unwrap().len(), 5, "{summary}");
    assert!(
        summary["warnings"].as_array().unwrap().is_empty(),
        "{summary}"
    );
}

#[test]
fn differences_name_the_missed_and_unexpected_ids() {
    let pairs = |items: &[(&str, &str)]| {
        let mut p = Pairs::new();
        for (r, id) in items {
            p.entry(r.to_string()).or_default().insert(id.to_string());
        }
        p
    };
    let expected = pairs(&[("CON001", "1"), ("CON001", "2"), ("DEAL001", "9")]);
    let actual = pairs(&[("CON001", "1"), ("CON001", "3"), ("DEAL001", "9")]);
    let report = differences(&expected, &actual);
    assert!(
        report.contains("CON001: precision 0.50 (1/2), recall 0.50 (1/2)"),
        "{report}"
    );
    assert!(report.contains("missed:   [\"2\"]") && report.contains("unexpected: [\"3\"]"));
    assert!(!report.contains("DEAL001"));
    assert!(differences(&expected, &expected).is_empty());
}
