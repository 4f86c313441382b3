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

/// Rewrites the parts of a workbook (XLSX) file: `patch(part name, bytes)` gives each part's new
/// bytes; every part is stored deflated again.
pub fn patch_workbook(path: &Path, patch: impl Fn(&str, Vec<u8>) -> Vec<u8>) {
    use std::io::{Read, Write};
    let bytes = std::fs::read(path).expect("read workbook");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("workbook zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).expect("part");
        let name = part.name().expect("part name").into_owned();
        let mut data = Vec::new();
        part.read_to_end(&mut data).expect("read part");
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        out.start_file(name.as_str(), options).expect("start part");
        out.write_all(&patch(&name, data)).expect("write part");
    }
    let bytes = out.finish().expect("finish zip").into_inner();
    std::fs::write(path, bytes).expect("write workbook");
}

/// Makes the archive declare `size` uncompressed bytes for `part` (in its local header and in
/// the central directory) without changing its data: a lying ZIP.
pub fn declare_part_size(path: &Path, part: &str, size: u32) {
    let mut bytes = std::fs::read(path).expect("read workbook");
    let name = part.as_bytes();
    // (signature, offset of the uncompressed size, offset of the name length, header length)
    for (signature, size_at, name_len_at, fixed) in
        [(b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)]
    {
        let mut at = 0;
        while let Some(found) = bytes[at..].windows(4).position(|w| w == signature) {
            let h = at + found;
            let len = u16::from_le_bytes([bytes[h + name_len_at], bytes[h + name_len_at + 1]]);
            if bytes.get(h + fixed..h + fixed + usize::from(len)) == Some(name) {
                bytes[h + size_at..h + size_at + 4].copy_from_slice(&size.to_le_bytes());
            }
            at = h + 4;
        }
    }
    std::fs::write(path, bytes).expect("write workbook");
}

/// Replaces the first `from` in a part's text with `to`.
pub fn replace_in(data: Vec<u8>, from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(data).expect("XML part");
    assert!(text.contains(from), "«{from}» not in the part");
    text.replacen(from, to, 1).into_bytes()
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

/// A CSV output as rows of cells: UTF-8 (with or without BOM) or Windows-1251; `;` or `,`.
pub fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let text = match std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes)) {
        Ok(t) => t.to_string(),
        Err(_) => encoding_rs::WINDOWS_1251.decode(&bytes).0.into_owned(),
    };
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}
