//! Helpers shared by the integration tests: running the built binary, reading workbooks back.
#![allow(dead_code)] // each test file uses its own part

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use calamine::{open_workbook, Data, Reader, Xlsx};

/// Runs the built `crmclean` with the repository's rules folder.
pub fn crmclean<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    crmclean_with_rules(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"), args)
}

/// Runs the built `crmclean` with another rules folder.
pub fn crmclean_with_rules<I, S>(rules: &Path, args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_crmclean"))
        .env_remove("CRMCLEAN_RULES")
        .arg("--rules")
        .arg(rules)
        .args(args)
        .output()
        .expect("run crmclean")
}

/// Every sheet of a workbook as `(name, rows of cell texts)`.
pub fn workbook(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let mut book: Xlsx<_> = open_workbook(path).expect("open workbook");
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).expect("sheet");
            let rows = range
                .rows()
                .map(|r| {
                    r.iter()
                        .map(|c| match c {
                            Data::Empty => String::new(),
                            other => other.to_string(),
                        })
                        .collect()
                })
                .collect();
            (name, rows)
        })
        .collect()
}

/// One sheet's rows of cell texts.
pub fn sheet(path: &Path, name: &str) -> Vec<Vec<String>> {
    workbook(path)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, rows)| rows)
        .unwrap_or_else(|| panic!("no sheet «{name}» in {}", path.display()))
}

/// Whether LibreOffice (`soffice`) is here. Without it a test that needs it is skipped with a
/// notice naming `what`, unless CRMCLEAN_REQUIRE_SOFFICE=1 (CI), which makes it fail.
pub fn soffice(what: &str) -> bool {
    let required = std::env::var("CRMCLEAN_REQUIRE_SOFFICE").is_ok_and(|v| v == "1");
    let found = Command::new("soffice")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found || !required,
        "soffice not found and CRMCLEAN_REQUIRE_SOFFICE=1"
    );
    if !found {
        eprintln!("NOTICE: soffice not found: {what} is skipped");
    }
    found
}
