//! XLSX (and XLS) through calamine: the sheet that holds a known header row, date cells as
//! `dd.mm.yyyy HH:MM:SS` text, phones that Excel turned into numbers back into digits, and a
//! leading apostrophe dropped.

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};
use csv::StringRecord;

use super::{Parts, ReadProblem, SourceFormat};
use crate::error::{Error, Result};
use crate::profile::Profiles;

/// Rows scanned for the header row (exports sometimes carry a title above it).
const HEADER_SCAN: usize = 10;

pub(super) fn read(path: &Path, sheet: Option<&str>, profiles: &Profiles) -> Result<Parts> {
    let unreadable = |message: String| Error::Unreadable {
        path: path.to_path_buf(),
        message,
    };
    let mut workbook = open_workbook_auto(path)
        .map_err(|e| unreadable(format!("not a readable workbook: {e}")))?;
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
    let mut fallback: Option<(String, Vec<Vec<String>>, usize)> = None;
    for name in &wanted {
        let range = workbook
            .worksheet_range(name)
            .map_err(|e| unreadable(format!("sheet «{name}»: {e}")))?;
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(cell_text).collect())
            .collect();
        if let Some(h) = header_row(&rows, profiles) {
            return Ok(parts(name, rows, h));
        }
        if fallback.is_none() {
            if let Some(h) = rows.iter().position(|r| r.iter().any(|c| !c.is_empty())) {
                fallback = Some((name.clone(), rows, h));
            }
        }
    }
    match fallback {
        Some((name, rows, h)) => Ok(parts(&name, rows, h)),
        None => Err(unreadable("every sheet is empty".into())),
    }
}

fn header_row(rows: &[Vec<String>], profiles: &Profiles) -> Option<usize> {
    rows.iter()
        .take(HEADER_SCAN)
        .position(|r| profiles.detect(r).is_ok())
}

fn parts(sheet: &str, rows: Vec<Vec<String>>, header: usize) -> Parts {
    let mut iter = rows.into_iter().skip(header);
    let mut headers: Vec<String> = iter.next().unwrap_or_default();
    while headers.last().is_some_and(|h| h.is_empty()) {
        headers.pop();
    }
    let mut problems = Vec::new();
    let mut data = Vec::new();
    for (i, mut row) in iter.enumerate() {
        if row.iter().all(|c| c.is_empty()) {
            continue;
        }
        let used = row.iter().rposition(|c| !c.is_empty()).map_or(0, |p| p + 1);
        if used > headers.len() {
            problems.push(ReadProblem {
                row: Some(i + 1),
                column: None,
                message: format!(
                    "row has {used} cells, the header has {} (extra cells kept)",
                    headers.len()
                ),
            });
        }
        row.truncate(used.max(headers.len()));
        data.push(StringRecord::from(row));
    }
    (
        SourceFormat::Xlsx {
            sheet: sheet.to_string(),
        },
        headers.iter().map(|h| h.trim().to_string()).collect(),
        data,
        problems,
    )
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
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// A date cell in amoCRM's text form: `dd.mm.yyyy` for a date, `dd.mm.yyyy HH:MM:SS` otherwise.
fn datetime_text(dt: chrono::NaiveDateTime) -> String {
    if dt.time() == chrono::NaiveTime::MIN {
        dt.format("%d.%m.%Y").to_string()
    } else {
        dt.format("%d.%m.%Y %H:%M:%S").to_string()
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
