//! The workbooks people fill in (`review.xlsx`, `duplicates.xlsx`, the managers' to-do
//! workbooks) carry a hidden sheet «crmclean»: its first row names the form, the others list
//! the records the visible rows are about. `crmclean decide` reads a workbook only when the
//! sheet is there (a workbook crmclean did not write is refused) and refuses a row whose IDs
//! are not among the listed ones (edited IDs). A hidden sheet survives a save by Excel or
//! LibreOffice, unlike most document properties; rows sorted or filtered by the person still
//! match, since rows are matched by their IDs, not by their position.
//!
//! The decision columns are drop-downs (Excel data validation, [`crate::output::xlsx::Choice`]),
//! so a person picks a value instead of typing it.

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};
use rust_xlsxwriter::Workbook;

use crate::error::{Error, Result};
use crate::output::xlsx::SheetWriter;

/// The hidden sheet's name.
pub const SHEET: &str = "crmclean";

/// The columns a person fills in, and those `decide` finds a row's record by.
pub const DECISION: &str = "Решение";
pub const COMMENT: &str = "Комментарий";
/// `review.xlsx`: the new contact's name (the proposal pre-filled), the row's partner and phone.
pub const NEW_NAME: &str = "Имя нового контакта";
pub const PARTNER_ID: &str = "ID партнёра";
pub const PHONE: &str = "Телефон";
/// The managers' to-do workbooks: a reason that accepts the row's findings, and the row's
/// record.
pub const EXCEPTION: &str = "Исключение";
pub const RECORD_TYPE: &str = "Тип";
pub const RECORD_ID: &str = "ID";
/// `duplicates.xlsx`: the cluster of a row.
pub const CLUSTER: &str = "Кластер";

/// `review.xlsx` «Решение».
pub const MOVE: &str = "переместить";
pub const KEEP: &str = "оставить у партнёра";
pub const REVIEW_CHOICES: &[&str] = &[MOVE, KEEP];
/// `duplicates.xlsx` «Решение».
pub const MERGE: &str = "объединить";
pub const NOT_DUPLICATE: &str = "не дубль";
pub const DUPLICATE_CHOICES: &[&str] = &[MERGE, NOT_DUPLICATE];

/// Which workbook it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Review,
    Duplicates,
    Todo,
}

impl Form {
    fn as_str(self) -> &'static str {
        match self {
            Form::Review => "review",
            Form::Duplicates => "duplicates",
            Form::Todo => "todo",
        }
    }

    fn parse(s: &str) -> Option<Form> {
        [Form::Review, Form::Duplicates, Form::Todo]
            .into_iter()
            .find(|f| f.as_str() == s)
    }
}

/// Adds the hidden sheet: the form, then one row per record the workbook is about.
pub fn write(
    wb: &mut Workbook,
    form: Form,
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<()> {
    let mut sheet = SheetWriter::new(wb, SHEET, &[])?;
    sheet.row(&["crmclean".into(), form.as_str().into(), "1".into()])?;
    for row in rows {
        let cells: Vec<_> = row.into_iter().map(Into::into).collect();
        sheet.row(&cells)?;
    }
    sheet.hide();
    sheet.finish()
}

/// A workbook read back: its form, the hidden sheet's record rows and every other sheet.
pub struct Filled {
    pub form: Form,
    pub records: Vec<Vec<String>>,
    /// (sheet name, rows of text cells) of the visible sheets.
    pub sheets: Vec<(String, Vec<Vec<String>>)>,
}

/// Reads a workbook crmclean wrote for people to fill in.
pub fn read(path: &Path) -> Result<Filled> {
    let unreadable = |message: String| Error::Unreadable {
        path: path.to_path_buf(),
        message,
    };
    let mut wb = open_workbook_auto(path).map_err(|e| unreadable(e.to_string()))?;
    let names = wb.sheet_names().to_vec();
    let mut sheets = Vec::new();
    let mut marker = None;
    for name in names {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| unreadable(format!("sheet «{name}»: {e}")))?;
        let rows = texts(&range);
        if name == SHEET {
            marker = Some(rows);
        } else {
            sheets.push((name, rows));
        }
    }
    let not_ours = || {
        unreadable(format!(
            "not a workbook crmclean wrote for decisions (no hidden sheet «{SHEET}»): give \
             review.xlsx (migrate), duplicates.xlsx (dedupe) or a manager's to-do workbook \
             (audit)"
        ))
    };
    let mut marker = marker.ok_or_else(not_ours)?.into_iter();
    let first = marker.next().unwrap_or_default();
    let form = match first.as_slice() {
        [tag, form, ..] if tag == "crmclean" => Form::parse(form).ok_or_else(not_ours)?,
        _ => return Err(not_ours()),
    };
    Ok(Filled {
        form,
        records: marker.collect(),
        sheets,
    })
}

/// Every cell of a range as text, from A1 (a range starting further in is padded).
fn texts(range: &calamine::Range<Data>) -> Vec<Vec<String>> {
    let (top, left) = range.start().unwrap_or((0, 0));
    let pad = vec![String::new(); left as usize];
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); top as usize];
    for row in range.rows() {
        let mut cells = pad.clone();
        cells.extend(row.iter().map(text));
        rows.push(cells);
    }
    rows
}

/// A cell as text: whole numbers without a fraction (an ID LibreOffice turned into a number).
fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e17 => format!("{}", *f as i64),
        Data::Int(i) => i.to_string(),
        other => other.to_string().trim().to_string(),
    }
}

/// `D7`: the cell of a 0-based row and column.
pub fn cell_name(row: usize, column: usize) -> String {
    let mut letters = String::new();
    let mut c = column + 1;
    while c > 0 {
        let rem = (c - 1) % 26;
        letters.insert(0, (b'A' + rem as u8) as char);
        c = (c - 1) / 26;
    }
    format!("{letters}{}", row + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_names() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(6, 3), "D7");
        assert_eq!(cell_name(9, 26), "AA10");
        assert_eq!(cell_name(0, 701), "ZZ1");
        assert_eq!(cell_name(0, 702), "AAA1");
    }
}
