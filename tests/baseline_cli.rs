//! `audit --baseline`: new / persisting / fixed / gone on two generated weeks against the
//! generator's truth, the new-only gate, the CI formats and bad baselines.
//!
//! `tests/fixtures/next_week/` is the output of
//! `cargo run --release --example gen -- --next-week tests/fixtures/partner_split --out tests/fixtures/next_week`
//! (regenerate it when the generator changes): the week after `partner_split` with records
//! deleted, problems fixed and new ones, and `truth/expected.json`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

const AS_OF: &str = "2026-11-23 12:00";

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Runs `audit INPUT --out OUT --as-of AS_OF --force --quiet EXTRA…`.
fn audit(input: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    audit_saying(input, out, &[&["--quiet"], extra].concat())
}

/// [`audit`] without `--quiet`: warnings on stderr.
fn audit_saying(input: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<std::ffi::OsString> = vec![
        "audit".into(),
        input.into(),
        "--out".into(),
        out.into(),
        "--as-of".into(),
        AS_OF.into(),
        "--force".into(),
    ];
    args.extend(extra.iter().map(Into::into));
    common::crmclean(args)
}

fn keys_with(findings: &[Value], status: &str) -> BTreeSet<String> {
    findings
        .iter()
        .filter(|f| f["status"] == status)
        .map(|f| f["key"].as_str().unwrap().to_string())
        .collect()
}

/// Per rule, the keys expected and not found and those found and not expected.
fn differences(name: &str, actual: &BTreeSet<String>, expected: &BTreeSet<String>) -> String {
    let rule = |k: &String| k.split('/').next().unwrap_or("").to_string();
    let mut by_rule: BTreeMap<String, (Vec<&String>, Vec<&String>)> = BTreeMap::new();
    for k in expected.difference(actual) {
        by_rule.entry(rule(k)).or_default().0.push(k);
    }
    for k in actual.difference(expected) {
        by_rule.entry(rule(k)).or_default().1.push(k);
    }
    by_rule
        .iter()
        .map(|(r, (missed, extra))| {
            format!("{name} {r}: missed {missed:?}, unexpected {extra:?}\n")
        })
        .collect()
}

#[test]
fn two_generated_weeks_give_exactly_the_generators_sets() {
    let dir = tempfile::tempdir().unwrap();
    let (week1, week2) = (dir.path().join("w1"), dir.path().join("w2"));
    assert_eq!(
        audit(&fixture("partner_split"), &week1, &[]).status.code(),
        Some(1)
    );
    let run = audit(
        &fixture("next_week"),
        &week2,
        &["--baseline", week1.to_str().unwrap()],
    );
    assert_eq!(
        run.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );

    let truth: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("next_week/truth/expected.json")).unwrap(),
    )
    .unwrap();
    let set = |name: &str| -> BTreeSet<String> {
        truth[name]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let deleted = set("deleted");
    let old = lines(&week1.join("findings.jsonl"));
    let old_keys: BTreeSet<String> = old
        .iter()
        .map(|f| f["key"].as_str().unwrap().into())
        .collect();
    let gone: BTreeSet<String> = old
        .iter()
        .filter(|f| {
            deleted.contains(&format!(
                "{}/{}",
                f["entity"].as_str().unwrap(),
                f["id"].as_str().unwrap()
            ))
        })
        .map(|f| f["key"].as_str().unwrap().to_string())
        .collect();
    let (fixed, new) = (set("fixed"), set("new"));
    let persisting: BTreeSet<String> = old_keys
        .iter()
        .filter(|k| !fixed.contains(*k) && !gone.contains(*k))
        .cloned()
        .collect();
    // Every kind of change is there, for several rules.
    assert!(
        gone.len() >= 10 && fixed.len() >= 50 && new.len() >= 500,
        "{gone:?} {fixed:?}"
    );

    let current = lines(&week2.join("findings.jsonl"));
    let resolved = lines(&week2.join("resolved.jsonl"));
    let report = [
        differences("new", &keys_with(&current, "new"), &new),
        differences(
            "persisting",
            &keys_with(&current, "persisting"),
            &persisting,
        ),
        differences("fixed", &keys_with(&resolved, "fixed"), &fixed),
        differences("gone", &keys_with(&resolved, "gone"), &gone),
    ]
    .concat();
    assert!(report.is_empty(), "{report}");
    assert_eq!(
        current.len(),
        new.len() + persisting.len(),
        "every finding has a status"
    );
    assert_eq!(resolved.len(), fixed.len() + gone.len());

    // summary.json counts them per rule and per manager.
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(week2.join("summary.json")).unwrap())
            .unwrap();
    let b = &summary["baseline"];
    assert_eq!(b["total"]["new"], new.len());
    assert_eq!(b["total"]["persisting"], persisting.len());
    assert_eq!(b["total"]["fixed"], fixed.len());
    assert_eq!(b["total"]["gone"], gone.len());
    let per_rule = |rule: &str, status: &str| b["by_rule"][rule][status].as_u64().unwrap_or(0);
    assert_eq!(
        per_rule("DEAL002", "fixed") as usize,
        fixed.iter().filter(|k| k.starts_with("DEAL002/")).count()
    );
    let by_manager: u64 = b["by_manager"]
        .as_object()
        .unwrap()
        .values()
        .map(|t| t["new"].as_u64().unwrap())
        .sum();
    assert_eq!(by_manager as usize, new.len());
}

/// `partner_split` with the birthday of one clean client card cleared: one new CON001 error.
fn one_new_error(old: &[Value], to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for name in ["deals.csv", "client_base.csv", "managers.csv"] {
        std::fs::copy(fixture("partner_split").join(name), to.join(name)).unwrap();
    }
    let flagged: BTreeSet<&str> = old.iter().map(|f| f["id"].as_str().unwrap()).collect();
    let bytes = std::fs::read(fixture("partner_split/contacts.csv")).unwrap();
    let text = encoding_rs::WINDOWS_1251.decode(&bytes).0.into_owned();
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.as_bytes());
    let header = rdr.headers().unwrap().clone();
    let birthday = header.iter().position(|h| h == "День рождения").unwrap();
    let kind = header.iter().position(|h| h == "Тип").unwrap();
    let mut out = csv::WriterBuilder::new()
        .delimiter(b';')
        .quote_style(csv::QuoteStyle::Always)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    out.write_record(&header).unwrap();
    let mut done = false;
    for row in rdr.records() {
        let mut row: Vec<String> = row.unwrap().iter().map(str::to_string).collect();
        if !done && row[kind] == "контакт" && !flagged.contains(row[0].as_str()) {
            row[birthday].clear();
            done = true;
        }
        out.write_record(&row).unwrap();
    }
    let text = String::from_utf8(out.into_inner().unwrap()).unwrap();
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(&text);
    std::fs::write(to.join("contacts.csv"), bytes).unwrap();
}

#[test]
fn the_gate_counts_only_new_findings() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    assert_eq!(
        audit(&fixture("partner_split"), &base, &[]).status.code(),
        Some(1)
    );
    let old = lines(&base.join("findings.jsonl"));
    let errors = old.iter().filter(|f| f["severity"] == "error").count();
    assert!(errors > 1000, "{errors}");

    // The same export again: thousands of persisting errors, none new → 0.
    let again = dir.path().join("again");
    let gate = ["--baseline", base.to_str().unwrap(), "--fail-on-new"];
    let run = audit(&fixture("partner_split"), &again, &gate);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let current = lines(&again.join("findings.jsonl"));
    assert_eq!(keys_with(&current, "persisting").len(), old.len());
    // Without the gate the old errors still fail the run.
    let run = audit(&fixture("partner_split"), &again, &gate[..2]);
    assert_eq!(run.status.code(), Some(1));

    // One new error → 1, and the CI formats show that one finding only.
    let changed = dir.path().join("changed");
    one_new_error(&old, &changed);
    let out = dir.path().join("out");
    let run = audit(
        &changed,
        &out,
        &[&gate[..], &["--output-format", "github"]].concat(),
    );
    assert_eq!(
        run.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let new = keys_with(&lines(&out.join("findings.jsonl")), "new");
    assert_eq!(new.len(), 1, "{new:?}");
    let key = new.iter().next().unwrap();
    assert!(
        key.starts_with("CON001/contact/") && key.ends_with("/birthday"),
        "{key}"
    );
    let stdout = String::from_utf8(run.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with("::error title=crmclean (CON001),file=contacts.csv,line="),
        "{stdout}"
    );
    let run = audit(
        &changed,
        &out,
        &[&gate[..], &["--output-format", "junit"]].concat(),
    );
    let xml = String::from_utf8(run.stdout).unwrap();
    assert_eq!(xml.matches("<failure ").count(), 1, "{xml}");
    assert_eq!(
        xml.matches("<testcase ").count(),
        crmclean::rules::RULES.len(),
        "{xml}"
    );
    // --fail-on never still never fails.
    let run = audit(
        &changed,
        &out,
        &[&gate[..], &["--fail-on", "never"]].concat(),
    );
    assert_eq!(run.status.code(), Some(0));
}

#[test]
fn bad_baselines_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let not_findings = dir.path().join("notes.jsonl");
    std::fs::write(&not_findings, "{\"hello\": 1}\n").unwrap();
    for bad in [
        not_findings.clone(),
        dir.path().join("missing"),
        samples.join("managers.csv"),
    ] {
        let run = audit(
            &samples,
            &dir.path().join("out"),
            &["--baseline", bad.to_str().unwrap()],
        );
        assert_eq!(run.status.code(), Some(2), "{bad:?}");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(
            stderr.contains(bad.file_name().unwrap().to_str().unwrap()),
            "{stderr}"
        );
    }
    let run = common::crmclean(["audit", "samples", "--out", "x", "--fail-on-new"]);
    assert_eq!(run.status.code(), Some(2), "--fail-on-new needs --baseline");
}

#[test]
fn a_baseline_of_another_export_or_a_later_date_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let later = dir.path().join("later");
    let run = common::crmclean([
        "audit".as_ref(),
        samples.as_os_str(),
        "--out".as_ref(),
        later.as_os_str(),
        "--as-of".as_ref(),
        "2026-12-01".as_ref(),
    ]);
    assert_eq!(run.status.code(), Some(1));
    let run = audit_saying(
        &samples,
        &dir.path().join("now"),
        &["--baseline", later.to_str().unwrap()],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("is dated 2026-12-01 23:59 after"),
        "{stderr}"
    );
    let run = audit_saying(
        &fixture("partner_split"),
        &dir.path().join("other"),
        &["--baseline", later.to_str().unwrap(), "--select", "CON,DUP"],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("shares no record with this export"),
        "{stderr}"
    );
}

#[test]
fn a_finding_accepted_since_the_baseline_is_neither_fixed_nor_new() {
    let dir = tempfile::tempdir().unwrap();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let base = dir.path().join("base");
    audit(&samples, &base, &["--fail-on", "never"]);
    let old = lines(&base.join("findings.jsonl"));
    let key = "CON003/contact/45102557";
    assert!(old.iter().any(|f| f["key"] == key));
    let decisions = dir.path().join("decisions.csv");
    std::fs::write(
        &decisions,
        format!("kind;ids;subject;value;reason;by;date;expires\naccept;45102557;{key};;клиент без почты;;;\n"),
    )
    .unwrap();
    let out = dir.path().join("out");
    let run = audit(
        &samples,
        &out,
        &[
            "--baseline",
            base.to_str().unwrap(),
            "--decisions",
            decisions.to_str().unwrap(),
        ],
    );
    assert_eq!(
        run.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let current = lines(&out.join("findings.jsonl"));
    assert_eq!(current.len(), old.len() - 1);
    assert!(current
        .iter()
        .all(|f| f["status"] == "persisting" && f["key"] != key));
    assert!(lines(&out.join("resolved.jsonl")).is_empty());
}
