//! `crmclean inspect` (and the input loading every command shares): skipped files are named on
//! stderr as `crmclean: skipped: FILE: reason` while stdout holds only the report; one message
//! when the only input is unreadable; a folder without exports is a clear error, exit 3.

mod common;

use common::crmclean;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

const CONTACTS: &str = "ID;Тип;Полное имя контакта;Имя;Фамилия;Ответственный;Мобильный телефон;Личный email;ФИО;День рождения\r\n\
    201;контакт;Соколова Мария;Мария;Соколова;Иванова Анна;+7 921 345-18-72;m.sokolova84@mail.ru;Соколова Мария Игоревна;14.03.1984\r\n";

/// The keys of one `inspect --format json` entry, in order (the stable contract).
const KEYS: [&str; 9] = [
    "file",
    "kind",
    "layout",
    "encoding",
    "delimiter",
    "rows",
    "mapped",
    "unmapped",
    "problems",
];

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/bad_inputs")
        .join(name)
}

fn inspect(paths: &[&Path], json: bool) -> Output {
    let mut args: Vec<&OsStr> = vec!["inspect".as_ref()];
    args.extend(paths.iter().map(|p| p.as_os_str()));
    if json {
        args.extend([OsStr::new("--format"), OsStr::new("json")]);
    }
    crmclean(&args)
}

fn audit(path: &Path, out: &Path) -> Output {
    crmclean([
        "audit".as_ref(),
        path.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--as-of".as_ref(),
        "2026-11-23 12:00".as_ref(),
    ])
}

/// The messages `crmclean` itself printed on stderr.
fn messages(o: &Output) -> Vec<String> {
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .filter(|l| l.starts_with("crmclean:"))
        .map(String::from)
        .collect()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The keys of a JSON object, sorted (serde_json's map is ordered by key).
fn keys(entry: &Value) -> Vec<&str> {
    entry
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

fn sorted<const N: usize>(keys: [&'static str; N]) -> Vec<&'static str> {
    let mut keys = keys.to_vec();
    keys.sort_unstable();
    keys
}

/// A folder with a readable contacts export, an empty file and a KOI8-R file.
fn exports(dir: &Path) -> PathBuf {
    let exports = dir.join("exports");
    std::fs::create_dir(&exports).unwrap();
    std::fs::write(exports.join("contacts.csv"), CONTACTS).unwrap();
    for bad in ["empty.csv", "koi8r.csv"] {
        std::fs::copy(corpus(bad), exports.join(bad)).unwrap();
    }
    exports
}

#[test]
fn skipped_files_are_named_on_stderr_and_stdout_holds_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let exports = exports(dir.path());
    let skipped = |name: &str, reason: &str| {
        format!(
            "crmclean: skipped: {}: {reason}",
            exports.join(name).display()
        )
    };
    let empty = skipped("empty.csv", "empty file");
    let koi8r = skipped("koi8r.csv", "text is neither UTF-8 nor Windows-1251");

    for json in [false, true] {
        let o = inspect(&[&exports], json);
        assert_eq!(o.status.code(), Some(3), "json {json}: {o:?}");
        let said = messages(&o);
        assert_eq!(said.len(), 2, "json {json}: {said:?}");
        assert!(said.iter().any(|m| m.starts_with(&empty)), "{said:?}");
        assert!(said.iter().any(|m| m.starts_with(&koi8r)), "{said:?}");
        let out = stdout(&o);
        assert!(!out.contains("crmclean:"), "{out}");
        if json {
            // The JSON shape is unchanged: one entry per file, the skipped ones with "error".
            let reports: Value = serde_json::from_str(&out).expect("JSON on stdout");
            let files: Vec<&str> = reports
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["file"].as_str().unwrap())
                .collect();
            assert_eq!(files, ["contacts.csv", "empty.csv", "koi8r.csv"]);
            assert_eq!(keys(&reports[0]), sorted(KEYS));
            assert_eq!(reports[0]["kind"], "amocrm-contacts");
            assert_eq!(reports[0]["rows"], 1);
            let mut with_error = sorted(KEYS);
            with_error.push("error");
            with_error.sort_unstable();
            assert_eq!(keys(&reports[1]), with_error);
            assert!(reports[1]["error"]
                .as_str()
                .unwrap()
                .ends_with("empty.csv: empty file"));
            assert_eq!(reports[1]["problems"], 1);
            assert_eq!(reports[1]["kind"], Value::Null);
        } else {
            assert!(
                out.starts_with("contacts.csv\n  kind:      amocrm-contacts"),
                "{out}"
            );
            for unwanted in ["empty.csv", "koi8r.csv", "error", "empty file"] {
                assert!(!out.contains(unwanted), "«{unwanted}» on stdout: {out}");
            }
        }
    }
}

#[test]
fn a_single_unreadable_input_is_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.csv");
    std::fs::copy(corpus("empty.csv"), &path).unwrap();
    let want = format!("{}: empty file", path.display());
    for json in [false, true] {
        let o = inspect(&[&path], json);
        assert_eq!(o.status.code(), Some(3), "{o:?}");
        assert_eq!(
            messages(&o),
            [format!("crmclean: skipped: {want}")],
            "json {json}"
        );
        if !json {
            assert_eq!(stdout(&o), "");
        }
    }
    let o = audit(&path, &dir.path().join("out"));
    assert_eq!(o.status.code(), Some(3), "{o:?}");
    assert_eq!(messages(&o), [format!("crmclean: error: {want}")]);
    assert!(!dir.path().join("out/findings.jsonl").exists());
}

#[test]
fn several_unreadable_inputs_are_each_named_once() {
    let dir = tempfile::tempdir().unwrap();
    let exports = exports(dir.path());
    std::fs::remove_file(exports.join("contacts.csv")).unwrap();
    let o = audit(&exports, &dir.path().join("out"));
    assert_eq!(o.status.code(), Some(3), "{o:?}");
    let said = messages(&o);
    assert_eq!(said.len(), 3, "{said:?}");
    for name in ["empty.csv", "koi8r.csv"] {
        let skipped = format!("crmclean: skipped: {}: ", exports.join(name).display());
        assert_eq!(
            said.iter().filter(|m| m.contains(name)).count(),
            1,
            "{said:?}"
        );
        assert!(said.iter().any(|m| m.starts_with(&skipped)), "{said:?}");
    }
    assert_eq!(
        said[2],
        format!(
            "crmclean: error: {}: none of the 2 input files could be read",
            exports.display()
        )
    );
}

#[test]
fn a_folder_without_exports_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("пустая папка");
    std::fs::create_dir(&empty).unwrap();
    std::fs::write(empty.join("readme.pdf"), "not an export").unwrap();
    std::fs::write(empty.join("~$contacts.xlsx"), "Excel's lock file").unwrap();
    let want = [format!(
        "crmclean: error: no .csv/.xlsx exports in {}",
        empty.display()
    )];
    for json in [false, true] {
        let o = inspect(&[&empty], json);
        assert_eq!(o.status.code(), Some(3), "{o:?}");
        assert_eq!(messages(&o), want, "json {json}");
        assert_eq!(stdout(&o), "");
    }
    // Beside a readable file too: the folder was meant to hold exports.
    let contacts = dir.path().join("contacts.csv");
    std::fs::write(&contacts, CONTACTS).unwrap();
    let o = inspect(&[&contacts, &empty], true);
    assert_eq!(o.status.code(), Some(3), "{o:?}");
    assert_eq!(messages(&o), want);

    let o = audit(&empty, &dir.path().join("out"));
    assert_eq!(o.status.code(), Some(3), "{o:?}");
    assert_eq!(messages(&o), want);
}

#[test]
fn a_readable_folder_still_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let exports = exports(dir.path());
    for bad in ["empty.csv", "koi8r.csv"] {
        std::fs::remove_file(exports.join(bad)).unwrap();
    }
    let o = inspect(&[&exports], true);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(messages(&o).is_empty(), "{:?}", messages(&o));
    let reports: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(keys(&reports[0]), sorted(KEYS));
    // In the order the contract lists them.
    let text = stdout(&o);
    let at: Vec<usize> = KEYS
        .iter()
        .map(|k| text.find(&format!("\"{k}\":")).expect(k))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");
}
