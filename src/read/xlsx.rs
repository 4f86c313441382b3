//! XLSX (and XLS) through calamine: the sheet that holds a known header row, date cells as
//! `dd.mm.yyyy HH:MM:SS` text, phones that Excel turned into numbers back into digits, and a
//! leading apostrophe dropped.

use std::io::{Cursor, Read, Seek};
use std::path::Path;

use super::xlsx_guard::{self, MAX_COLUMNS, MAX_ROWS};
use super::{Parts, ReadProblem, Rows, SourceFormat, HEADER_SCAN};
use crate::error::{Error, Result};
use crate::profile::Profiles;
use calamine::{open_workbook_auto, Data, Reader, Sheets, Xlsx, XlsxError};

/// Opens the workbook at `path` behind [`xlsx_guard`] (its patched copy when the guard made
/// one) and reads it with `$read`, a reader generic over the workbook's source; gives
/// `$read`'s result and the guard's problems. A macro, as a closure cannot be generic.
macro_rules! guarded {
    ($path:expr, |$workbook:ident| $read:expr) => {{
        let path: &Path = $path;
        let unreadable = |message: String| Error::Unreadable {
            path: path.to_path_buf(),
            message,
        };
        let guarded = xlsx_guard::check(path).map_err(unreadable)?;
        let not_readable = |e: calamine::Error| unreadable(format!("not a readable workbook: {e}"));
        let read = match guarded.patched {
            Some(bytes) => {
                let xlsx = Xlsx::new(Cursor::new(bytes)).map_err(|e| not_readable(e.into()))?;
                let $workbook = Sheets::Xlsx(xlsx);
                $read
            }
            None => {
                let $workbook = open_workbook_auto(path).map_err(not_readable)?;
                $read
            }
        };
        (read, guarded.problems)
    }};
}

pub(super) fn read(path: &Path, sheet: Option<&str>, profiles: &Profiles) -> Result<Parts> {
    let (parts, problems) = guarded!(path, |workbook| read_workbook(
        workbook, path, sheet, profiles
    ));
    let mut parts = parts?;
    parts.3.splice(0..0, problems);
    Ok(parts)
}

/// Every sheet of a workbook (hidden ones too, in workbook order) as rows of text cells from
/// A1, read behind the same guard and in the same streaming way as an export: for workbooks
/// crmclean wrote that come back from people (`decide`).
pub fn read_sheets(path: &Path) -> Result<Vec<(String, Vec<Vec<String>>)>> {
    let (sheets, _) = guarded!(path, |workbook| all_sheets(workbook, path));
    sheets
}

fn all_sheets<RS: Read + Seek>(
    mut workbook: Sheets<RS>,
    path: &Path,
) -> Result<Vec<(String, Vec<Vec<String>>)>> {
    workbook
        .sheet_names()
        .into_iter()
        .map(|name| {
            let sheet = sheet_cells(&mut workbook, &name).map_err(|e| Error::Unreadable {
                path: path.to_path_buf(),
                message: format!("sheet «{name}»: {e}"),
            })?;
            Ok((name, sheet.rows))
        })
        .collect()
}

/// Reads the sheet that holds a known header row (or `sheet`) of an opened workbook.
fn read_workbook<RS: Read + Seek>(
    mut workbook: Sheets<RS>,
    path: &Path,
    sheet: Option<&str>,
    profiles: &Profiles,
) -> Result<Parts> {
    let unreadable = |message: String| Error::Unreadable {
        path: path.to_path_buf(),
        message,
    };
    let names = workbook.sheet_names();
    if names.is_empty() {
        return Err(unreadable("the workbook has no sheets".into()));
    }
    let wanted: Vec<String> = match sheet {
        Some(s) => {
            if !names.iter().any(|n| n == s) {
                return Err(unreadable(format!(
                    "no sheet «{s}»; sheets: {}",
                    names.join(", ")
                )));
            }
            vec![s.to_string()]
        }
        None => names,
    };
    let mut fallback: Option<(String, Sheet, usize)> = None;
    for name in &wanted {
        let sheet = sheet_cells(&mut workbook, name)
            .map_err(|e| unreadable(format!("sheet «{name}»: {e}")))?
            .trimmed();
        if let Some(h) = header_row(&sheet.rows, profiles) {
            return Ok(parts(name, sheet, h));
        }
        if fallback.is_none() {
            if let Some(h) = sheet
                .rows
                .iter()
                .position(|r| r.iter().any(|c| !c.is_empty()))
            {
                fallback = Some((name.clone(), sheet, h));
            }
        }
    }
    match fallback {
        Some((name, sheet, h)) => Ok(parts(&name, sheet, h)),
        None => Err(unreadable("every sheet is empty".into())),
    }
}

/// A sheet as rows of text cells from A1 ([`Sheet::trimmed`]: from its first filled row and
/// column, like calamine's ranges), each row only as wide as its last filled cell, and the Excel error cells (`#REF!`, `#N/A`…)
/// as (row, column, text).
#[derive(Default)]
struct Sheet {
    rows: Vec<Vec<String>>,
    errors: Vec<(usize, usize, String)>,
    /// The first filled row and column.
    origin: Option<(usize, usize)>,
}

impl Sheet {
    /// Places a cell; a position past Excel's largest sheet is an error (the rows up to it
    /// would be allocated).
    fn put(&mut self, (row, col): (u32, u32), cell: &Data) -> std::result::Result<(), String> {
        if xlsx_guard::beyond_limits(u64::from(row) + 1, u64::from(col) + 1) {
            return Err(format!(
                "a cell at row {}, column {} lies beyond Excel's {MAX_ROWS} rows × {MAX_COLUMNS} columns (a damaged or hostile workbook); open it in Excel and save it again",
                u64::from(row) + 1,
                u64::from(col) + 1
            ));
        }
        if matches!(cell, Data::Empty) {
            return Ok(());
        }
        let (row, col) = (row as usize, col as usize);
        let (top, left) = self.origin.unwrap_or((row, col));
        self.origin = Some((top.min(row), left.min(col)));
        if self.rows.len() <= row {
            self.rows.resize_with(row + 1, Vec::new);
        }
        let cells = &mut self.rows[row];
        if cells.len() <= col {
            cells.resize(col + 1, String::new());
        }
        cells[col] = cell_text(cell);
        if matches!(cell, Data::Error(_)) {
            self.errors.push((row, col, cells[col].clone()));
        }
        Ok(())
    }

    /// Drops the empty rows above and columns left of the first filled cell.
    fn trimmed(mut self) -> Self {
        let Some((top, left)) = self.origin else {
            return self;
        };
        self.rows.drain(..top);
        for row in &mut self.rows {
            row.drain(..left.min(row.len()));
        }
        for (r, c, _) in &mut self.errors {
            *r -= top;
            *c -= left;
        }
        self.errors.sort_unstable_by_key(|&(r, c, _)| (r, c));
        self
    }
}

/// Reads a sheet's cells. XLSX is streamed cell by cell: calamine's `worksheet_range` allocates
/// the whole rectangle up to the farthest cell, so one stray value in `XFD1048576` of a 2 KB file
/// would ask for hundreds of gigabytes and abort the process.
fn sheet_cells<RS: Read + Seek>(
    workbook: &mut Sheets<RS>,
    name: &str,
) -> std::result::Result<Sheet, String> {
    let text = |e: calamine::Error| e.to_string();
    let mut sheet = Sheet::default();
    if let Sheets::Xlsx(xlsx) = workbook {
        let mut reader = match xlsx.worksheet_cells_reader(name) {
            Ok(r) => r,
            Err(XlsxError::NotAWorksheet(_)) => return Ok(sheet),
            Err(e) => return Err(text(e.into())),
        };
        while let Some(cell) = reader.next_cell().map_err(|e| text(e.into()))? {
            sheet.put(cell.get_position(), &Data::from(cell.get_value().clone()))?;
        }
        return Ok(sheet);
    }
    let range = workbook.worksheet_range(name).map_err(text)?;
    let (top, left) = range.start().unwrap_or((0, 0));
    for (r, row) in range.rows().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.put((top + r as u32, left + c as u32), cell)?;
        }
    }
    Ok(sheet)
}

fn header_row(rows: &[Vec<String>], profiles: &Profiles) -> Option<usize> {
    rows.iter()
        .take(HEADER_SCAN)
        .position(|r| profiles.detect(r).is_ok())
}

fn parts(name: &str, sheet: Sheet, header: usize) -> Parts {
    let mut iter = sheet.rows.into_iter().enumerate().skip(header);
    let mut headers: Vec<String> = iter.next().map(|(_, h)| h).unwrap_or_default();
    while headers.last().is_some_and(|h| h.is_empty()) {
        headers.pop();
    }
    let mut problems = Vec::new();
    let mut data = Rows::default();
    // Error cells come in row order, as the rows do.
    let mut errors = sheet.errors.iter().peekable();
    for (sheet_row, mut row) in iter {
        if row.iter().all(|c| c.is_empty()) {
            continue;
        }
        let number = data.len() + 1;
        while errors.next_if(|(r, _, _)| *r < sheet_row).is_some() {}
        while let Some((_, c, text)) = errors.next_if(|(r, _, _)| *r == sheet_row) {
            problems.push(ReadProblem {
                row: Some(number),
                column: Some(column_label(&headers, *c)),
                message: format!("Excel error value {text} instead of data (read as that text)"),
            });
        }
        let used = row.iter().rposition(|c| !c.is_empty()).map_or(0, |p| p + 1);
        if used > headers.len() {
            problems.push(ReadProblem {
                row: Some(number),
                column: None,
                message: format!(
                    "row has {used} cells, the header has {} (extra cells kept)",
                    headers.len()
                ),
            });
        }
        row.resize(used.max(headers.len()), String::new());
        data.push(row.iter().map(String::as_str));
    }
    (
        SourceFormat::Xlsx {
            sheet: name.to_string(),
        },
        headers.iter().map(|h| h.trim().to_string()).collect(),
        data,
        problems,
    )
}

/// A column's header, or «column N» past the header or under an empty one.
fn column_label(headers: &[String], column: usize) -> String {
    headers
        .get(column)
        .map(|h| h.trim())
        .filter(|h| !h.is_empty())
        .map_or_else(|| format!("column {}", column + 1), str::to_string)
}

/// A cell as the text a CSV export would have held.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.strip_prefix('\'').unwrap_or(s).to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(true) => "Да".into(),
        Data::Bool(false) => "Нет".into(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(dt) if d.is_datetime() => datetime_text(dt),
            _ => float_text(d.as_f64()),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

/// A date cell in amoCRM's text form: `dd.mm.yyyy` for a date, `dd.mm.yyyy HH:MM:SS` otherwise.
fn datetime_text(dt: chrono::NaiveDateTime) -> String {
    if dt.time() == chrono::NaiveTime::MIN {
        crate::normalize::date::show_date(dt.date())
    } else {
        crate::normalize::date::show_second(dt)
    }
}

/// Whole numbers (phones Excel turned into numbers) without a fraction or exponent.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e17 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::Workbook;

    fn profiles() -> Profiles {
        Profiles::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/profiles")).unwrap()
    }

    /// A contacts sheet whose header is at `top`/`left`, plus one stray value far away.
    fn workbook(path: &Path, top: u32, left: u16, stray: Option<(u32, u16)>) {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet().set_name("Контакты").unwrap();
        let rows = [
            ["ID", "Полное имя контакта", "Мобильный телефон"],
            ["201", "Соколова Мария", "+7 921 345-18-72"],
        ];
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write(top + r as u32, left + c as u16, *v).unwrap();
            }
        }
        if let Some((r, c)) = stray {
            ws.write(r, c, "забытая заметка").unwrap();
        }
        wb.save(path).unwrap();
    }

    #[test]
    fn a_stray_cell_at_the_sheet_end_does_not_allocate_the_rectangle() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("contacts.xlsx");
        workbook(&path, 0, 0, Some((1_048_575, 16_383)));
        let (_, headers, rows, problems) = read(&path, None, &profiles()).unwrap();
        assert_eq!(headers, ["ID", "Полное имя контакта", "Мобильный телефон"]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows.row(0).get(1), Some("Соколова Мария"));
        assert_eq!(rows.row(1).len(), 16_384);
        assert_eq!(rows.row(1).get(16_383), Some("забытая заметка"));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].row, Some(2));
    }

    #[test]
    fn a_table_away_from_a1_reads_from_its_first_cell() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("contacts.xlsx");
        workbook(&path, 12, 3, None);
        let (_, headers, rows, problems) = read(&path, None, &profiles()).unwrap();
        assert_eq!(headers[0], "ID");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows.row(0).get(0), Some("201"));
        assert!(problems.is_empty());
    }

    #[test]
    fn excel_error_cells_are_named_by_row_and_column() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs/excel_errors.xlsx");
        let (_, headers, rows, problems) = read(&path, None, &profiles()).unwrap();
        assert_eq!(headers[2], "Полное имя контакта");
        assert_eq!(rows.row(1).get(2), Some("#REF!"));
        assert_eq!(rows.row(1).get(6), Some("#N/A"));
        let seen: Vec<(Option<usize>, Option<&str>)> = problems
            .iter()
            .map(|p| (p.row, p.column.as_deref()))
            .collect();
        assert_eq!(
            seen,
            [
                (Some(2), Some("Полное имя контакта")),
                (Some(2), Some("Мобильный телефон")),
                (Some(2), Some("Личный email")),
                (Some(2), Some("ФИО")),
                (Some(2), Some("День рождения")),
            ]
        );
        assert!(
            problems[0].message.contains("#REF!"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn numbers_become_plain_text() {
        assert_eq!(float_text(79211234567.0), "79211234567");
        assert_eq!(float_text(1500.5), "1500.5");
        assert_eq!(
            cell_text(&Data::String("'89211234567".into())),
            "89211234567"
        );
        assert_eq!(cell_text(&Data::Bool(true)), "Да");
    }
}
