//! `contacts_normalised.csv`: every contact with its phones in E.164, column by column, several
//! in one cell joined by «, ». Extensions are listed, with their column, in `Добавочные`; items
//! that are not valid numbers in `Нераспознанные телефоны`, so nothing read is lost.
//! Windows-1251, `;`.

use std::path::Path;

use crate::error::Result;
use crate::model::{Contact, Dataset};
use crate::output::{CsvEncoding, CsvOut, OutputPolicy};
use crate::profile::{FieldType, Kind};

const EXTENSIONS: &str = "Добавочные";
const UNPARSED: &str = "Нераспознанные телефоны";

/// Writes the file; returns the number of contacts written.
pub fn write(path: &Path, policy: &OutputPolicy, ds: &Dataset) -> Result<usize> {
    let columns = phone_headers(ds);
    let mut header: Vec<&str> = vec!["ID", "Полное имя контакта"];
    header.extend(columns.iter().map(String::as_str));
    header.push(EXTENSIONS);
    header.push(UNPARSED);
    let rows = ds.contacts.iter().map(|c| row(ds, c, &columns));
    let report =
        CsvOut::new(b';', CsvEncoding::Windows1251).write_report(path, policy, &header, rows)?;
    Ok(report.rows)
}

/// The phone column headers of every contacts export, in file and column order, distinct.
fn phone_headers(ds: &Dataset) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in ds.sources_of(Kind::AmocrmContacts) {
        let m = &s.mapping;
        let mut cols: Vec<usize> = m
            .fields_of(FieldType::Phone)
            .flat_map(|f| m.columns(f).iter().copied())
            .collect();
        cols.sort_unstable();
        for c in cols {
            if !out.contains(&m.headers[c]) {
                out.push(m.headers[c].clone());
            }
        }
    }
    out
}

fn row(ds: &Dataset, c: &Contact, columns: &[String]) -> Vec<String> {
    let mut row = vec![c.id.to_string(), c.title(ds).into_owned()];
    for h in columns {
        let cell: Vec<String> = c
            .phones
            .iter()
            .filter(|p| ds.header(c.at, p.column) == h)
            .filter_map(|p| p.e164().map(str::to_string))
            .collect();
        row.push(cell.join(", "));
    }
    let extensions: Vec<String> = c
        .phones
        .iter()
        .filter_map(|p| {
            let ext = p.norm.extension.as_deref()?;
            Some(format!(
                "{}: {} доб. {ext}",
                ds.header(c.at, p.column),
                p.e164()?
            ))
        })
        .collect();
    row.push(extensions.join("; "));
    let unparsed: Vec<String> = c
        .phones
        .iter()
        .filter(|p| p.e164().is_none())
        .map(|p| format!("{}: {}", ds.header(c.at, p.column), p.norm.raw))
        .collect();
    row.push(unparsed.join("; "));
    row
}
