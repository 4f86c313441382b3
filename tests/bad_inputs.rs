//! Malformed inputs end to end: every file of `tests/bad_inputs/` (and a few large ones made here)
//! goes through the real binary's `inspect` and `audit`. For each: the exit code, a clear message
//! that names the file (and the row/column where there is one), no panic, and the input file
//! byte-for-byte unchanged afterwards. What each file is: `tests/bad_inputs/README.md`.

mod common;

use common::{crmclean, declare_part_size, patch_workbook, replace_in};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::SystemTime;

use serde_json::Value;

/// What `inspect` and `audit` must do with one input.
struct Case {
    file: &'static str,
    /// Exit code of `inspect --format json`.
    inspect: i32,
    /// Exit code of `audit`.
    audit: i32,
    /// Texts the messages must contain (inspect: its report or stderr; audit: stderr).
    says: &'static [&'static str],
    /// Locations `audit` must name on stderr, as `file:row` or `file:row [column]`.
    at: &'static [&'static str],
    /// Data rows `inspect` must report (readable files).
    rows: Option<usize>,
    /// Findings `audit` must write: (rule, row, field).
    findings: &'static [(&'static str, u64, &'static str)],
}

const SKIP: Case = Case {
    file: "",
    inspect: 3,
    audit: 3,
    says: &[],
    at: &[],
    rows: None,
    findings: &[],
};

const READ: Case = Case {
    inspect: 0,
    audit: 0,
    ..SKIP
};

/// Exit codes: 0 clean, 1 findings, 3 nothing readable.
#[rustfmt::skip]
const CASES: &[Case] = &[
    // Files that cannot be read at all: skipped with a reason; nothing else given, so exit 3.
    Case { file: "empty.csv", says: &["empty file"], ..SKIP },
    Case { file: "bom_only.csv", says: &["only a byte-order mark"], ..SKIP },
    Case { file: "whitespace_only.csv", says: &["empty file (only a byte-order mark or whitespace)"], ..SKIP },
    Case { file: "binary_junk.csv", says: &["binary data, not a CSV or XLSX export"], ..SKIP },
    Case { file: "png_renamed.csv", says: &["binary data, not a CSV or XLSX export"], ..SKIP },
    Case { file: "utf16le.csv", says: &["UTF-16 text: save the file as UTF-8 or Windows-1251 CSV"], ..SKIP },
    Case { file: "koi8r.csv", says: &["neither UTF-8 nor Windows-1251 (KOI8-R or another encoding?)"], ..SKIP },
    Case { file: "only_delimiters.csv", says: &["no header row"], ..SKIP },
    Case { file: "html_saved_as.xls", says: &["a web page (HTML) saved under a spreadsheet name"], ..SKIP },
    Case {
        file: "unknown_headers.csv",
        says: &["not a known export: closest format is amocrm-contacts, which needs the header(s) «ID», «Полное имя контакта»"],
        ..SKIP
    },
    Case { file: "single_column.txt", says: &["not a known export"], ..SKIP },
    Case {
        file: "deals_without_stage.csv",
        says: &["closest format is amocrm-deals, which needs the header(s) «Этап сделки»"],
        ..SKIP
    },
    Case { file: "truncated.xlsx", says: &["not a readable workbook"], ..SKIP },
    Case { file: "zip_without_workbook.xlsx", says: &["not a readable workbook"], ..SKIP },
    Case { file: "no_sheets.xlsx", says: &["the workbook has no sheets"], ..SKIP },
    Case { file: "empty_sheet.xlsx", says: &["every sheet is empty"], ..SKIP },
    Case { file: "missing_sheet_part.xlsx", says: &["sheet «Контакты»", "not found"], ..SKIP },
    Case { file: "ole_junk.xls", says: &["not a readable workbook"], ..SKIP },
    // A header and no data: a valid, empty export (a warning; empty outputs with headers).
    Case { file: "header_only.csv", says: &["header only, no data rows"], rows: Some(0), ..READ },
    Case { file: "header_only_bom_crlf.csv", says: &["header only, no data rows"], rows: Some(0), ..READ },
    // Damaged text that is read whole, with one warning naming the rows.
    Case {
        file: "nul_in_cell.csv",
        says: &["NUL byte(s) (a broken save) dropped from row(s) 2"],
        at: &["nul_in_cell.csv:2"],
        rows: Some(3),
        ..READ
    },
    Case {
        file: "invalid_utf8_after_bom.csv",
        audit: 1,
        says: &["not UTF-8 like the rest of the file (two exports pasted together?): read as Windows-1251: row(s) 2"],
        at: &["invalid_utf8_after_bom.csv:2"],
        rows: Some(2),
        ..READ
    },
    Case {
        file: "mixed_encoding.csv",
        says: &["read as Windows-1251: row(s) 2–3"],
        at: &["mixed_encoding.csv:2"],
        rows: Some(3),
        ..READ
    },
    Case {
        file: "preamble.csv",
        says: &["the header is on line 3: the line(s) above it were skipped («Экспорт контактов от 20.11.2026»)"],
        rows: Some(3),
        ..READ
    },
    Case { file: "control_chars.csv", rows: Some(3), ..READ },
    // Damaged rows: a warning naming file:row [column], and the run goes on.
    Case {
        file: "ragged_rows.csv",
        audit: 1,
        says: &["row has 4 cells, the header has 10 (missing cells read as empty)", "row has 12 cells, the header has 10 (extra cells kept)"],
        at: &["ragged_rows.csv:2", "ragged_rows.csv:3"],
        rows: Some(3),
        findings: &[("CON001", 2, "ФИО")],
        ..READ
    },
    Case {
        file: "mixed_delimiters.csv",
        audit: 1,
        says: &["row has 1 cells, the header has 10", "the row seems to be separated by ',', the header by ';'"],
        at: &["mixed_delimiters.csv:2"],
        rows: Some(3),
        ..READ
    },
    Case {
        file: "unbalanced_quotes.csv",
        audit: 1,
        says: &["a quote (\") opens this cell and is never closed"],
        at: &["unbalanced_quotes.csv:2 [Полное имя контакта]"],
        rows: Some(2),
        ..READ
    },
    Case {
        file: "duplicate_ids.csv",
        says: &["ID 201 repeats row 1"],
        at: &["duplicate_ids.csv:3 [ID]"],
        rows: Some(3),
        ..READ
    },
    Case { file: "empty_ids.csv", says: &["empty ID"], at: &["empty_ids.csv:2 [ID]"], rows: Some(3), ..READ },
    Case {
        file: "excel_errors.xlsx",
        audit: 1,
        says: &["Excel error value #REF! instead of data", "Excel error value #N/A instead of data"],
        at: &["excel_errors.xlsx:2 [Полное имя контакта]", "excel_errors.xlsx:2 [Мобильный телефон]"],
        rows: Some(2),
        findings: &[("CON006", 2, "Мобильный телефон"), ("CON008", 2, "День рождения")],
        ..READ
    },
    Case {
        file: "deal_dates_impossible.csv",
        says: &["«31.02.2026 10:00» is not a date", "«99.99.9999 99:99» is not a date"],
        at: &[
            "deal_dates_impossible.csv:1 [Дата создания]",
            "deal_dates_impossible.csv:1 [Дата последнего контакта]",
            "deal_dates_impossible.csv:2 [Дата создания]",
        ],
        rows: Some(2),
        ..READ
    },
    // Readable oddities: read in full, silently.
    Case { file: "cr_only_line_endings.csv", rows: Some(3), ..READ },
    Case { file: "repeated_headers.csv", rows: Some(3), ..READ },
    Case { file: "windows1251_undefined_byte.csv", rows: Some(3), ..READ },
    Case { file: "emoji_names.csv", rows: Some(3), ..READ },
    // Values the rules judge: findings name the row and the column.
    Case {
        file: "impossible_dates.csv",
        audit: 1,
        rows: Some(3),
        findings: &[("CON008", 1, "День рождения"), ("CON008", 2, "День рождения"), ("CON008", 3, "День рождения")],
        ..READ
    },
    Case {
        file: "phones_with_letters.csv",
        audit: 1,
        rows: Some(3),
        findings: &[("CON006", 1, "Мобильный телефон"), ("CON006", 2, "Мобильный телефон"), ("CON006", 3, "Мобильный телефон")],
        ..READ
    },
    Case {
        file: "flow_junk_phones.csv",
        audit: 1,
        rows: Some(4),
        findings: &[("FLOW001", 1, "Телефон"), ("FLOW001", 2, "Телефон"), ("FLOW001", 3, "Телефон")],
        ..READ
    },
    Case {
        file: "negative_amounts.csv",
        audit: 1,
        rows: Some(3),
        findings: &[("DEAL001", 1, "Бюджет"), ("DEAL001", 2, "Бюджет")],
        ..READ
    },
];

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs")
}

/// The file's bytes and modification time, to prove it was not touched.
fn snapshot(path: &Path) -> Option<(Vec<u8>, SystemTime)> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_dir() {
        return None;
    }
    Some((std::fs::read(path).ok()?, meta.modified().ok()?))
}

/// Runs `inspect --format json` and `audit` on `path`; returns every broken expectation.
fn check(case: &Case, path: &Path) -> Vec<String> {
    let mut failures = Vec::new();
    let mut fail = |m: String| failures.push(format!("{}: {m}", case.file));
    let before = snapshot(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();

    let inspect = crmclean([
        "inspect".as_ref(),
        path.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let stdout = String::from_utf8_lossy(&inspect.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&inspect.stderr).into_owned();
    no_panic("inspect", &inspect, &mut fail);
    if inspect.status.code() != Some(case.inspect) {
        fail(format!(
            "inspect exit {:?}, want {}; stderr: {stderr}",
            inspect.status.code(),
            case.inspect
        ));
    }
    let reports: Value = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    let report = reports
        .as_array()
        .and_then(|r| r.first())
        .cloned()
        .unwrap_or(Value::Null);
    if report["file"].as_str() != Some(name.as_str()) && !stderr.contains(&name) && !path.is_dir() {
        fail(format!("inspect does not name the file: {stdout}{stderr}"));
    }
    if let Some(rows) = case.rows {
        if report["rows"].as_u64() != Some(rows as u64) {
            fail(format!("inspect rows {}, want {rows}", report["rows"]));
        }
    }
    let inspect_text = format!("{}\n{stderr}", report["error"].as_str().unwrap_or(""));
    for text in case.says.iter().filter(|_| case.inspect == 3) {
        if !inspect_text.contains(text) {
            fail(format!("inspect does not say «{text}»: {inspect_text}"));
        }
    }
    for at in case.at {
        let row_only = at.split(" [").next().unwrap_or(at);
        if !stderr.contains(row_only) {
            fail(format!(
                "inspect does not name «{row_only}» on stderr: {stderr}"
            ));
        }
    }

    let out = tempfile::tempdir().expect("temp dir");
    let audit = crmclean([
        "audit".as_ref(),
        path.as_os_str(),
        "--out".as_ref(),
        out.path().as_os_str(),
        "--as-of".as_ref(),
        "2026-11-23 12:00".as_ref(),
    ]);
    let stderr = String::from_utf8_lossy(&audit.stderr).into_owned();
    no_panic("audit", &audit, &mut fail);
    if audit.status.code() != Some(case.audit) {
        fail(format!(
            "audit exit {:?}, want {}; stderr: {stderr}",
            audit.status.code(),
            case.audit
        ));
    }
    let something_to_say = case.audit == 3 || !case.says.is_empty() || !case.at.is_empty();
    if something_to_say && !stderr.contains(&name) {
        fail(format!("audit stderr does not name the file: {stderr}"));
    }
    if case.audit == 3 && !path.is_dir() {
        let skipped = format!("crmclean: skipped: {}: ", path.display());
        let whole = format!("crmclean: error: {}: ", path.display());
        if !stderr.contains(&skipped) && !stderr.contains(&whole) {
            fail(format!("audit does not say «{skipped}…»: {stderr}"));
        }
    }
    for text in case.says {
        if !stderr.contains(text) {
            fail(format!("audit does not say «{text}»: {stderr}"));
        }
    }
    for at in case.at {
        if !stderr.contains(&format!("crmclean: warning: {at}: ")) {
            fail(format!("audit does not warn at «{at}»: {stderr}"));
        }
    }
    check_findings(case, &out.path().join("findings.jsonl"), &mut fail);
    if snapshot(path) != before {
        fail("the input file was modified".into());
    }
    failures
}

fn no_panic(command: &str, output: &Output, fail: &mut impl FnMut(String)) {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if all.contains("panicked")
        || output.status.code().is_none()
        || output.status.code() == Some(101)
    {
        fail(format!("{command} crashed ({:?}): {all}", output.status));
    }
}

fn check_findings(case: &Case, path: &Path, fail: &mut impl FnMut(String)) {
    if case.audit == 3 {
        if path.exists() {
            fail("audit wrote findings.jsonl although nothing was readable".into());
        }
        return;
    }
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let findings: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    for (rule, row, field) in case.findings {
        let found = findings.iter().any(|f| {
            f["rule"] == *rule
                && f["row"].as_u64() == Some(*row)
                && f["field"] == *field
                && f["file"] == case.file
        });
        if !found {
            fail(format!(
                "no {rule} finding at row {row} [{field}] in {text}"
            ));
        }
    }
}

#[test]
fn corpus_files_are_reported_clearly_and_never_crash() {
    let failures: Vec<String> = CASES
        .iter()
        .flat_map(|c| check(c, &corpus().join(c.file)))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_corpus_file_has_a_case() {
    let mut files: Vec<String> = std::fs::read_dir(corpus())
        .expect("tests/bad_inputs")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| !n.ends_with(".py") && !n.ends_with(".md"))
        .collect();
    files.sort();
    let mut cased: Vec<String> = CASES.iter().map(|c| c.file.to_string()).collect();
    cased.sort();
    assert_eq!(files, cased);
    assert!(CASES.len() + GENERATED >= 30);
}

/// The large and damaged inputs made at test time (not committed).
const GENERATED: usize = 11;

const HEADER: &str = "ID;Тип;Полное имя контакта;Имя;Фамилия;Ответственный;Мобильный телефон;Личный email;ФИО;День рождения;Примечание";

fn contact_row(id: u32, phone: &str, note: &str) -> String {
    format!("{id};контакт;Соколова Мария;Мария;Соколова;Иванова Анна;{phone};m.sokolova84@mail.ru;Соколова Мария Игоревна;14.03.1984;{note}")
}

#[test]
fn a_one_megabyte_note_is_read_and_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge_cell.csv");
    let note = "Клиент просил перезвонить после монтажа откосов. ".repeat(11_000);
    assert!(note.len() > 1_000_000);
    std::fs::write(
        &path,
        format!(
            "{HEADER}\r\n{}\r\n",
            contact_row(201, "+7 921 345-18-72", &note)
        ),
    )
    .unwrap();
    let case = Case {
        file: "huge_cell.csv",
        rows: Some(1),
        ..READ
    };
    let failures = check(&case, &path);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_one_megabyte_phone_cell_is_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge_phone.csv");
    let phone = "8 921 345-18-72 ".repeat(70_000);
    std::fs::write(
        &path,
        format!("{HEADER}\r\n{}\r\n", contact_row(201, &phone, "")),
    )
    .unwrap();
    let case = Case {
        file: "huge_phone.csv",
        audit: 1,
        rows: Some(1),
        findings: &[("CON006", 1, "Мобильный телефон")],
        ..READ
    };
    let failures = check(&case, &path);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn ten_thousand_columns_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.csv");
    let extra: Vec<String> = (1..=10_000).map(|i| format!("Поле {i}")).collect();
    let values: Vec<String> = (1..=10_000).map(|i| i.to_string()).collect();
    let text = format!(
        "{HEADER};{}\r\n{};{}\r\n",
        extra.join(";"),
        contact_row(201, "+7 921 345-18-72", ""),
        values.join(";")
    );
    std::fs::write(&path, text).unwrap();
    let case = Case {
        file: "wide.csv",
        rows: Some(1),
        ..READ
    };
    let failures = check(&case, &path);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let inspect = crmclean([
        "inspect".as_ref(),
        path.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let reports: Value = serde_json::from_slice(&inspect.stdout).unwrap();
    assert_eq!(
        reports[0]["unmapped"].as_array().map(Vec::len),
        Some(10_000)
    );
}

#[test]
fn a_stray_cell_at_the_end_of_the_sheet_does_not_exhaust_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stray_cell.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let header: Vec<&str> = HEADER.split(';').collect();
    let row = contact_row(201, "+7 921 345-18-72", "");
    for (c, (h, v)) in header.iter().zip(row.split(';')).enumerate() {
        ws.write(0, c as u16, *h).unwrap();
        ws.write(1, c as u16, v).unwrap();
    }
    ws.write(1_048_575, 16_383, "забытая заметка").unwrap();
    wb.save(&path).unwrap();
    let case = Case {
        file: "stray_cell.xlsx",
        audit: 1,
        says: &["row has 16384 cells, the header has 11 (extra cells kept)"],
        at: &["stray_cell.xlsx:2"],
        rows: Some(2),
        ..READ
    };
    let failures = check(&case, &path);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A contacts workbook as Excel writes it (its texts in `xl/sharedStrings.xml`), two rows.
fn contacts_workbook(path: &Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let header: Vec<&str> = HEADER.split(';').collect();
    let rows = [
        contact_row(201, "+7 921 345-18-72", ""),
        contact_row(202, "+7 921 345-18-73", "перезвонить"),
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.split(';').enumerate() {
            ws.write(r as u32 + 1, c as u16, v).unwrap();
        }
    }
    wb.save(path).unwrap();
}

/// Each size a workbook declares, made absurd, against `inspect` and `audit`: no crash, the
/// file and the declaration named, the run going on.
#[test]
fn absurd_declared_sizes_of_a_workbook_are_caught() {
    let dir = tempfile::tempdir().unwrap();
    let sst = "xl/sharedStrings.xml";
    let sheet = "xl/worksheets/sheet1.xml";
    let mut failures = Vec::new();
    let mut run = |file: &'static str, patch: &dyn Fn(&str, Vec<u8>) -> Vec<u8>, case: Case| {
        let path = dir.path().join(file);
        contacts_workbook(&path);
        patch_workbook(&path, patch);
        failures.extend(check(&Case { file, ..case }, &path));
    };
    // 4 000 000 000 shared strings declared for a few: calamine would reserve ~96 GB and abort.
    run(
        "sst_counts.xlsx",
        &|name, data| {
            if name != sst {
                return data;
            }
            let text = String::from_utf8(data).unwrap();
            let start = text.find("<sst").unwrap();
            let end = start + text[start..].find('>').unwrap();
            let tag = r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4000000000" uniqueCount="4000000000">"#;
            format!("{}{tag}{}", &text[..start], &text[end + 1..]).into_bytes()
        },
        Case {
            says: &[
                "xl/sharedStrings.xml",
                r#"declares uniqueCount="4000000000" and count="4000000000": impossible, ignored"#,
            ],
            rows: Some(2),
            audit: 1,
            ..READ
        },
    );
    // A sheet claiming to be 9 999 999 rows high: nothing is allocated from it, a warning.
    run(
        "dimension.xlsx",
        &|name, data| {
            if name != sheet {
                return data;
            }
            replace_in(data, r#"<dimension ref="A1:K3"/>"#, r#"<dimension ref="A1:XFD9999999"/>"#)
        },
        Case {
            says: &["declares its size as «A1:XFD9999999», beyond Excel's 1048576 rows × 16384 columns: ignored"],
            rows: Some(2),
            audit: 1,
            ..READ
        },
    );
    // A row index past Excel's last row: the rows up to it would be allocated.
    run(
        "row_index.xlsx",
        &|name, data| {
            if name != sheet {
                return data;
            }
            let text = String::from_utf8(data).unwrap();
            let text = text.replacen(r#"<row r="3""#, r#"<row r="4000000000""#, 1);
            text.replace(r#"3" t="s""#, r#"4000000000" t="s""#).into_bytes()
        },
        Case {
            says: &["a cell at row 4000000000, column 1 lies beyond Excel's 1048576 rows × 16384 columns"],
            ..SKIP
        },
    );
    // A cell reference past Excel's last column (XFE is column 16 385).
    run(
        "cell_ref.xlsx",
        &|name, data| {
            if name != sheet {
                return data;
            }
            replace_in(data, r#"<c r="B2" t="s">"#, r#"<c r="XFE2" t="s">"#)
        },
        Case {
            says: &["a cell at row 2, column 16385 lies beyond Excel's"],
            ..SKIP
        },
    );
    // A part that declares more uncompressed bytes than deflate can make of its data.
    let path = dir.path().join("part_size.xlsx");
    contacts_workbook(&path);
    declare_part_size(&path, sheet, 4_000_000_000);
    let case = Case {
        file: "part_size.xlsx",
        says: &[
            "part «xl/worksheets/sheet1.xml» declares 4000000000 bytes uncompressed, stored in",
        ],
        ..SKIP
    };
    failures.extend(check(&case, &path));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `lookup` shows the rows of damaged files as they were meant: the Windows-1251 rows of a
/// UTF-8 export decoded, the NUL dropped, escape sequences shown escaped (never sent raw to the
/// terminal).
#[test]
fn damaged_text_is_read_whole_and_shown_escaped() {
    let lookup = |phone: &str, file: &str| {
        let out = crmclean(["lookup", phone, corpus().join(file).to_str().unwrap()]);
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains('\x1b'), "raw escape in {all}");
        all
    };
    let mixed = lookup("8 931 555-12-34", "mixed_encoding.csv");
    assert!(mixed.contains("Кузнецова Ирина"), "{mixed}");
    let nul = lookup("8 911 234-56-78", "nul_in_cell.csv");
    assert!(nul.contains("ПетровОлег"), "{nul}");
    let escaped = lookup("+7 921 345-18-72", "control_chars.csv");
    assert!(
        escaped.contains("\\x1B[31mСоколова Мария\\x1B[0m"),
        "{escaped}"
    );
    let escaped = lookup("8 911 234-56-78", "control_chars.csv");
    assert!(escaped.contains("Петров Олег\\x1B[2J\\x1B[H"), "{escaped}");
}

/// Exports with valid columns and zero rows are a valid, empty export for every command: exit 0,
/// a warning per file, and the outputs written with their headers.
#[test]
fn header_only_exports_give_empty_outputs_in_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let exports = dir.path().join("exports");
    std::fs::create_dir(&exports).unwrap();
    let deals = "ID;Название сделки;Бюджет ₽;Ответственный;Дата создания;Этап сделки;Воронка;Группа продуктов;Товар;Адрес объекта;Номер договора;Основной контакт;Мобильный телефон (контакт);Примечание 1";
    let flow = "Номер заявки;ФИО;Активная;Статус заявки;СНИЛС;Email;Дата рождения;Телефон;Источник;Дата подачи";
    for (name, header) in [
        ("contacts.csv", HEADER),
        ("deals.csv", deals),
        ("flow.csv", flow),
    ] {
        std::fs::write(exports.join(name), format!("{header}\r\n")).unwrap();
    }
    let out = dir.path().join("out");
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.push(exports.to_str().unwrap());
        let output = crmclean(&all);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        for file in ["contacts.csv", "deals.csv", "flow.csv"] {
            let warning = format!("{file}: header only, no data rows");
            assert!(stderr.contains(&warning), "{args:?}: {stderr}");
        }
    };
    let dir_of = |name: &str| out.join(name).to_str().unwrap().to_string();
    let (audit, dedupe, migrate, report) = (
        dir_of("audit"),
        dir_of("dedupe"),
        dir_of("migrate"),
        dir_of("report.xlsx"),
    );
    run(&["audit", "--as-of", "2026-11-23 12:00", "--out", &audit]);
    run(&["dedupe", "--out", &dedupe]);
    run(&["migrate", "--out", &migrate]);
    run(&["report", "--as-of", "2026-11-23 12:00", "--out", &report]);
    run(&["lookup", "+7 921 345-18-72"]);
    let first_line = |path: PathBuf| {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        let text = String::from_utf8_lossy(&bytes); // the amoCRM import files are Windows-1251
        assert_eq!(text.lines().count(), 1, "{path:?}: {text}");
        text.lines().next().unwrap_or_default().to_string()
    };
    assert!(first_line(out.join("audit/deal_status.csv")).contains("id,file,row"));
    assert!(first_line(out.join("dedupe/clusters.csv")).starts_with("cluster_id,"));
    assert!(first_line(out.join("migrate/contacts_normalised.csv")).starts_with("ID;"));
    for empty in ["audit/findings.jsonl", "migrate/split_plan.jsonl"] {
        assert_eq!(
            std::fs::read_to_string(out.join(empty)).unwrap(),
            "",
            "{empty}"
        );
    }
    for workbook in [
        "audit/corrections/index.xlsx",
        "dedupe/duplicates.xlsx",
        "migrate/review.xlsx",
        "report.xlsx",
    ] {
        assert!(out.join(workbook).is_file(), "{workbook} not written");
    }
}

#[test]
fn a_folder_without_exports_and_a_missing_path_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("пустая папка");
    std::fs::create_dir(&empty).unwrap();
    std::fs::write(empty.join("readme.pdf"), "not an export").unwrap();
    let case = Case {
        file: "пустая папка",
        says: &["no .csv/.xlsx exports in "],
        ..SKIP
    };
    let failures = check(&case, &empty);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let missing = dir.path().join("выгрузка.csv");
    let case = Case {
        file: "выгрузка.csv",
        says: &["cannot read"],
        ..SKIP
    };
    let failures = check(&case, &missing);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn bad_files_beside_a_good_one_are_skipped_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let exports = dir.path().join("exports");
    std::fs::create_dir(&exports).unwrap();
    std::fs::write(
        exports.join("contacts.csv"),
        format!(
            "{HEADER}\r\n{}\r\n",
            contact_row(201, "+7 921 345-18-72", "")
        ),
    )
    .unwrap();
    for bad in [
        "empty.csv",
        "binary_junk.csv",
        "truncated.xlsx",
        "koi8r.csv",
    ] {
        std::fs::copy(corpus().join(bad), exports.join(bad)).unwrap();
    }
    // A workbook whose shared strings declare 400 million entries is read in full beside them.
    let hostile = exports.join("hostile.xlsx");
    contacts_workbook(&hostile);
    patch_workbook(&hostile, |name, data| match name {
        "xl/sharedStrings.xml" => replace_in(data, "uniqueCount=\"", "uniqueCount=\"400000000"),
        _ => data,
    });
    let out = dir.path().join("out");
    let audit = crmclean([
        "audit".as_ref(),
        exports.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--as-of".as_ref(),
        "2026-11-23 12:00".as_ref(),
    ]);
    let stderr = String::from_utf8_lossy(&audit.stderr);
    assert_eq!(audit.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("hostile.xlsx: xl/sharedStrings.xml"),
        "{stderr}"
    );
    let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(summary.contains("hostile.xlsx"), "{summary}");
    for bad in [
        "empty.csv",
        "binary_junk.csv",
        "truncated.xlsx",
        "koi8r.csv",
    ] {
        let skipped = format!("crmclean: skipped: {}: ", exports.join(bad).display());
        assert!(stderr.contains(&skipped), "{skipped} missing in {stderr}");
    }
    assert!(!stderr.contains("panicked"));
    for output in [
        "findings.jsonl",
        "summary.json",
        "deal_status.csv",
        "corrections/index.xlsx",
    ] {
        assert!(out.join(output).is_file(), "{output} not written");
    }
}
