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
    let mut sheets = Vec::new();
    let mut marker = None;
    for (name, mut rows) in crate::read::read_sheets(path)? {
        // People's edits may carry spaces around a choice or an ID.
        for cell in rows.iter_mut().flatten() {
            let trimmed = cell.trim();
            if trimmed.len() != cell.len() {
                *cell = trimmed.to_string();
            }
        }
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

    /// A filled-in workbook with one stray value in Excel's last cell is read cell by cell,
    /// not as the rectangle up to it (17 billion cells), and keeps its cells at their A1 places.
    #[test]
    fn reads_a_workbook_with_a_far_stray_cell() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("todo.xlsx");
        let mut wb = Workbook::new();
        let sheet = wb.add_worksheet();
        sheet.write_string(2, 1, " 45102431 ").unwrap();
        sheet.write_string(1_048_575, 16_383, "x").unwrap();
        write(&mut wb, Form::Todo, [vec!["record".to_string()]]).unwrap();
        wb.save(&path).unwrap();
        let filled = read(&path).unwrap();
        assert_eq!(filled.form, Form::Todo);
        assert_eq!(filled.records, [vec!["record".to_string()]]);
        let (_, rows) = &filled.sheets[0];
        assert_eq!(rows[2], ["", "45102431"]);
        assert_eq!(rows.len(), 1_048_576);
    }
}
