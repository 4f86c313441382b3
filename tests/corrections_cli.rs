//! `audit`'s `corrections/` end to end on a generated mid-size export (the repository's scale
//! generator, `examples/gen.rs`) and on the samples: every finding of `findings.jsonl` is on
//! its manager's to-do row, in the workbook and in the CSV; `--max-rows` caps the workbook and
//! not the CSV; `index.xlsx` adds up; the largest workbook opens in LibreOffice.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use common::{crmclean, sheet, workbook};
use serde_json::Value;

/// The fixed columns of a to-do row (README «corrections/»).
const TODO_COLUMNS: [&str; 13] = [
    "Тип",
    "ID",
    "Карточка",
    "Серьёзность",
    "Правила",
    "Что не так",
    "Что сделать",
    "Название",
    "Этап",
    "Последняя активность",
    "Файл",
    "Строка",
    "Исключение",
];

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

/// The generator's export of 3000 contacts (4500 deals), made once (the generator is
/// deterministic) under cargo's temporary folder for tests.
fn generated() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gen-3000");
        if dir.join("managers.csv").is_file() {
            return dir;
        }
        // The example is built beside the test binaries (target/<profile>/examples/gen).
        let exe = std::env::current_exe().unwrap();
        let examples = exe.parent().unwrap().parent().unwrap().join("examples");
        let gen = examples.join(format!("gen{}", std::env::consts::EXE_SUFFIX));
        if !gen.is_file() {
            let built = Command::new(env!("CARGO"))
                .args(["build", "--release", "--example", "gen"])
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .status()
                .unwrap();
            assert!(built.success(), "cargo build --example gen");
        }
        let partial = dir.with_extension("partial");
        let _ = std::fs::remove_dir_all(&partial);
        let out = Command::new(gen)
            .args(["--contacts", "3000", "--out"])
            .arg(&partial)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::rename(&partial, &dir).unwrap();
        dir
    })
}

/// `crmclean audit INPUT --out OUT --as-of … --fail-on never EXTRA…`, which must succeed.
fn audit(input: &Path, out: &Path, extra: &[&str]) {
    let mut args: Vec<OsString> = vec!["audit".into(), input.into(), "--out".into(), out.into()];
    args.extend(["--as-of", "2026-11-23 12:00", "--fail-on", "never"].map(OsString::from));
    args.extend(extra.iter().map(OsString::from));
    let o = crmclean(args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn findings(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out.join("findings.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn entity_label(entity: &str) -> &'static str {
    match entity {
        "contact" => "контакт",
        "deal" => "сделка",
        "application" => "заявка",
        other => panic!("entity {other}"),
    }
}

/// A manager's file stem: names in the generator and the samples hold no unsafe characters.
fn stem(manager: &str) -> String {
    match manager.trim() {
        "" => "Без ответственного".to_string(),
        m => m.to_string(),
    }
}

/// A UTF-8-with-BOM, `;` CSV as rows of cells.
fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let body = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .expect("a byte-order mark");
    csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .from_reader(body)
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

/// `(Тип, ID, Файл, Строка)` → the row, for the rows of a to-do table (header first).
fn by_record(rows: &[Vec<String>]) -> BTreeMap<(String, String, String, String), Vec<String>> {
    assert_eq!(rows[0][..TODO_COLUMNS.len()], TODO_COLUMNS);
    let mut map = BTreeMap::new();
    for r in &rows[1..] {
        let key = (r[0].clone(), r[1].clone(), r[10].clone(), r[11].clone());
        assert!(
            map.insert(key, r.clone()).is_none(),
            "one row per record: {:?}",
            &r[..2]
        );
    }
    map
}

/// Checks that each finding is on its record's row of its manager's table: the rule among
/// `Правила`, its message and fix in `Что не так` / `Что сделать`. Returns the records seen.
fn check_rows(findings: &[Value], table: impl Fn(&str) -> Vec<Vec<String>>) -> usize {
    let mut tables = BTreeMap::new();
    let mut records = BTreeSet::new();
    for f in findings {
        let manager = stem(&text(&f["manager"]));
        let rows = tables
            .entry(manager.clone())
            .or_insert_with(|| by_record(&table(&manager)));
        let key = (
            entity_label(f["entity"].as_str().unwrap()).to_string(),
            text(&f["id"]),
            text(&f["file"]),
            text(&f["row"]),
        );
        let row = rows
            .get(&key)
            .unwrap_or_else(|| panic!("{key:?} not in the table of {manager}"));
        let rule = text(&f["rule"]);
        assert!(
            row[4].split(", ").any(|c| c == rule),
            "{rule} not in {:?}",
            row[4]
        );
        let message = format!("{rule}: {}", text(&f["message"]));
        assert!(
            row[5].lines().any(|l| l == message),
            "«{message}» not in {:?}",
            row[5]
        );
        let fix = format!("{rule}: {}", text(&f["fix"]));
        assert!(
            row[6].lines().any(|l| l == fix),
            "«{fix}» not in {:?}",
            row[6]
        );
        records.insert((manager, key));
    }
    // No row without a finding either.
    let rows: usize = tables.values().map(|t| t.len()).sum();
    assert_eq!(rows, records.len());
    rows
}

#[test]
fn every_finding_is_on_its_managers_row_in_the_workbook_and_the_csv() {
    let input = generated();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    audit(input, &out, &["--amocrm-subdomain", "okna-spb"]);
    let findings = findings(&out);
    assert!(findings.len() > 1000, "{} findings", findings.len());
    let dir = out.join("corrections");
    let in_books = check_rows(&findings, |m| {
        sheet(&dir.join(format!("{m}.xlsx")), "К исправлению")
    });
    let in_csvs = check_rows(&findings, |m| read_csv(&dir.join(format!("{m}.csv"))));
    assert_eq!(in_books, in_csvs);

    // index.xlsx: a row per manager linking their files, the counts add up to the findings.
    let index = sheet(&dir.join("index.xlsx"), "Ответственные");
    let header = &index[0];
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let managers: BTreeSet<String> = findings
        .iter()
        .map(|f| stem(&text(&f["manager"])))
        .collect();
    assert_eq!(index.len(), managers.len() + 2, "managers, then the totals");
    let total = index.last().unwrap();
    assert_eq!(total[0], "Всего");
    assert_eq!(total[col("Нарушений")], findings.len().to_string());
    assert_eq!(total[col("Записей")], in_books.to_string());
    for row in &index[1..index.len() - 1] {
        assert!(managers.contains(&row[0]), "{}", row[0]);
        assert_eq!(row[col("Книга")], format!("{}.xlsx", row[0]));
        let theirs = findings
            .iter()
            .filter(|f| stem(&text(&f["manager"])) == row[0])
            .count();
        assert_eq!(row[col("Нарушений")], theirs.to_string(), "{}", row[0]);
    }
    let errors = findings.iter().filter(|f| f["severity"] == "error").count();
    assert_eq!(total[col("Ошибок")], errors.to_string());

    // Each workbook's first sheet says whose list it is and how long.
    let first = &workbook(&dir.join("Иванова Анна.xlsx"))[0];
    assert_eq!(first.0, "Сводка");
    assert_eq!(first.1[0][..2], ["Ответственный", "Иванова Анна"]);
    assert_eq!(first.1[3][..2], ["В этой книге", "все записи"]);
}

#[test]
fn to_do_rows_are_most_urgent_first_and_link_to_the_cards() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    audit(&samples(), &out, &["--amocrm-subdomain", "okna-spb"]);
    let dir = out.join("corrections");
    let rows = read_csv(&dir.join("Иванова Анна.csv"));
    let severities: Vec<&str> = rows[1..].iter().map(|r| r[3].as_str()).collect();
    let first_warning = severities
        .iter()
        .position(|&s| s == "предупреждение")
        .unwrap();
    assert!(
        severities[first_warning..]
            .iter()
            .all(|&s| s == "предупреждение"),
        "errors first: {severities:?}"
    );
    for r in &rows[1..] {
        let path = if r[0] == "сделка" {
            "leads"
        } else {
            "contacts"
        };
        assert_eq!(
            r[2],
            format!("https://okna-spb.amocrm.ru/{path}/detail/{}", r[1])
        );
    }
    // Among the errors, open deals come before won and lost ones.
    let closed = |stage: &str| stage.contains("реализовано");
    let errors = &rows[1..=first_warning];
    if let Some(first_closed) = errors
        .iter()
        .position(|r| r[0] == "сделка" && closed(&r[8]))
    {
        assert!(
            errors[first_closed..]
                .iter()
                .all(|r| r[0] != "сделка" || closed(&r[8])),
            "open deals first"
        );
    }
}

#[test]
fn max_rows_caps_the_workbook_and_not_the_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    audit(&samples(), &out, &["--max-rows", "3"]);
    let dir = out.join("corrections");
    let book = workbook(&dir.join("Иванова Анна.xlsx"));
    let csv = read_csv(&dir.join("Иванова Анна.csv"));
    assert!(csv.len() > 4, "the CSV has every record");
    let todo = &book[1];
    assert_eq!(todo.0, "К исправлению");
    assert_eq!(todo.1.len(), 4, "a header and 3 records");
    let records = |rows: &[Vec<String>]| -> Vec<Vec<String>> {
        rows.iter().map(|r| r[..2].to_vec()).collect()
    };
    assert_eq!(
        records(&todo.1[1..]),
        records(&csv[1..4]),
        "the workbook holds the first rows of the CSV"
    );
    let held = &book[0].1[3];
    assert_eq!(held[0], "В этой книге");
    assert!(held[1].contains("первые 3 записей"), "{}", held[1]);
    assert!(held[1].contains("Иванова Анна.csv"), "{}", held[1]);
    // `--max-rows 0` is a usage error.
    let zero = tmp.path().join("zero");
    let o = crmclean([
        OsString::from("audit"),
        samples().into(),
        "--out".into(),
        zero.into(),
        "--max-rows".into(),
        "0".into(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn an_existing_folder_needs_force_and_stale_lists_go() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    audit(&samples(), &out, &[]);
    let dir = out.join("corrections");
    std::fs::write(dir.join("Уволенный Сотрудник.xlsx"), b"old").unwrap();
    std::fs::write(dir.join("заметки.txt"), b"mine").unwrap();
    let o = crmclean([
        OsString::from("audit"),
        samples().into(),
        "--out".into(),
        out.clone().into(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    audit(&samples(), &out, &["--force", "--select", "DEAL"]);
    assert!(
        !dir.join("Уволенный Сотрудник.xlsx").exists(),
        "a stale list is removed"
    );
    assert!(
        dir.join("заметки.txt").exists(),
        "other files are left alone"
    );
    assert!(dir.join("index.xlsx").is_file());
    // An input kept in the folder is never removed.
    let input = dir.join("managers.csv");
    std::fs::copy(samples().join("managers.csv"), &input).unwrap();
    audit(&samples(), &out, &["--force", input.to_str().unwrap()]);
    assert!(input.is_file(), "an input is never removed");
}

/// Converts the largest workbook of a generated export with LibreOffice headless. Without
/// `soffice` the test is skipped with a notice, unless CRMCLEAN_REQUIRE_SOFFICE=1 (CI).
#[test]
fn the_largest_workbook_opens_in_libreoffice() {
    if !common::soffice("the LibreOffice check") {
        return;
    }
    let input = generated();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    audit(input, &out, &["--amocrm-subdomain", "okna-spb"]);
    let largest = std::fs::read_dir(out.join("corrections"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap();
    let converted = tmp.path().join("converted");
    let profile = tmp.path().join("lo-profile");
    let o = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "xlsx", "--outdir"])
        .arg(&converted)
        .arg(&largest)
        .output()
        .unwrap();
    let copy = converted.join(largest.file_name().unwrap());
    assert!(
        o.status.success() && copy.is_file(),
        "LibreOffice could not open {}: {}",
        largest.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    // LibreOffice read every row.
    assert_eq!(
        sheet(&copy, "К исправлению").len(),
        sheet(&largest, "К исправлению").len()
    );
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    for args in [
        &["rules"][..],
        &["inspect", "--format", "json"],
        &["explain", "DEAL002"],
    ] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_crmclean"));
        command.args(args);
        if args[0] == "inspect" {
            command.arg(samples());
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before anything is written, as `| head` does after its lines.
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
        assert!(
            !err.contains("Broken pipe") && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }
}
