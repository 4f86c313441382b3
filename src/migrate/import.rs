//! The amoCRM import files of a plan, in the import template's vocabulary, each as CSV
//! (Windows-1251, `;`) and XLSX:
//! - `import_new_contacts`: one row per (new or linked contact, deal): `Название сделки;ID
//!   сделки;Полное имя (контакт);Мобильный телефон (контакт)`, plus `ID (контакт)` when a row
//!   links an existing contact; imported into deals, amoCRM attaches the contact to the deal;
//! - `import_partner_cards`: each partner card that loses a number: `ID`, `Полное имя
//!   контакта` and every phone column, the moved numbers removed and the others as written.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Action, PlanLine};
use crate::error::Result;
use crate::model::{Contact, Dataset};
use crate::output::xlsx::workbook;
use crate::output::{save_workbook_atomic, Cell, CsvEncoding, CsvOut, OutputPolicy, SheetWriter};
use crate::profile::FieldType;

/// A table to write as CSV and XLSX.
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Writes `DIR/STEM.csv` (Windows-1251, `;`) and `DIR/STEM.xlsx` (sheet `sheet`).
    pub fn write(&self, dir: &Path, stem: &str, sheet: &str, policy: &OutputPolicy) -> Result<()> {
        let header: Vec<&str> = self.header.iter().map(String::as_str).collect();
        CsvOut::new(b';', CsvEncoding::Windows1251).write(
            &dir.join(format!("{stem}.csv")),
            policy,
            &header,
            &self.rows,
        )?;
        let mut wb = workbook();
        let mut ws = SheetWriter::new(&mut wb, sheet, &header)?;
        for row in &self.rows {
            let cells: Vec<Cell> = row.iter().map(|c| Cell::from(c.as_str())).collect();
            ws.row(&cells)?;
        }
        ws.finish()?;
        save_workbook_atomic(&dir.join(format!("{stem}.xlsx")), policy, &mut wb)
    }
}

/// A contact to create (or link) and the deals to attach it to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContact {
    pub name: String,
    pub phone: String,
    /// The existing contact's ID when linking instead of creating.
    pub link_id: Option<String>,
    /// Indices into `Dataset::deals`, in plan order.
    pub deals: Vec<usize>,
}

/// The distinct contacts of the plan's moves (one per number, name and link), in plan order.
pub fn new_contacts(ds: &Dataset, lines: &[PlanLine]) -> Vec<NewContact> {
    let mut out: Vec<NewContact> = Vec::new();
    let mut index: BTreeMap<(String, String, Option<String>), usize> = BTreeMap::new();
    for l in lines.iter().filter(|l| l.action == Action::Move) {
        let name = l.new_contact_name.clone().unwrap_or_default();
        let link_id = l.link_contact.map(|c| ds.contacts[c].id.to_string());
        let key = (l.phone.clone(), name.clone(), link_id.clone());
        let at = *index.entry(key).or_insert_with(|| {
            out.push(NewContact {
                name,
                phone: l.phone.clone(),
                link_id,
                deals: Vec::new(),
            });
            out.len() - 1
        });
        for &d in &l.deals {
            if !out[at].deals.contains(&d) {
                out[at].deals.push(d);
            }
        }
    }
    out
}

/// `import_new_contacts`: one row per (contact, deal).
pub fn new_contacts_table(ds: &Dataset, contacts: &[NewContact]) -> Table {
    let linking = contacts.iter().any(|c| c.link_id.is_some());
    let mut header: Vec<String> = [
        "Название сделки",
        "ID сделки",
        "Полное имя (контакт)",
        "Мобильный телефон (контакт)",
    ]
    .map(String::from)
    .to_vec();
    if linking {
        header.push("ID (контакт)".into());
    }
    let mut rows = Vec::new();
    for c in contacts {
        for &d in &c.deals {
            let deal = &ds.deals[d];
            let mut row = vec![
                deal.name(ds).to_string(),
                deal.id.to_string(),
                c.name.clone(),
                c.phone.clone(),
            ];
            if linking {
                row.push(c.link_id.clone().unwrap_or_default());
            }
            rows.push(row);
        }
    }
    Table { header, rows }
}

/// `import_partner_cards`: the cards that lose a number, every phone column rewritten.
pub fn partner_cards_table(ds: &Dataset, lines: &[PlanLine]) -> Table {
    let cards = cards_with_moves(lines);
    let columns = phone_headers(ds, cards.iter().map(|(p, _)| *p));
    let mut header: Vec<String> = vec!["ID".into(), "Полное имя контакта".into()];
    header.extend(columns.iter().cloned());
    let rows = cards
        .iter()
        .map(|&(p, card_lines)| {
            let c = &ds.contacts[p];
            let mut row = vec![c.id.to_string(), c.title(ds).into_owned()];
            row.extend(
                columns
                    .iter()
                    .map(|h| cell_after_moves(ds, c, card_lines, h)),
            );
            row
        })
        .collect();
    Table { header, rows }
}

/// The plan's lines grouped by card, for the cards with at least one move, in plan order.
fn cards_with_moves(lines: &[PlanLine]) -> Vec<(usize, &[PlanLine])> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < lines.len() {
        let p = lines[start].partner;
        let len = lines[start..].iter().take_while(|l| l.partner == p).count();
        let card = &lines[start..start + len];
        if card.iter().any(|l| l.action == Action::Move) {
            out.push((p, card));
        }
        start += len;
    }
    out
}

/// The phone column headers of the cards' files, in file and column order, distinct.
fn phone_headers(ds: &Dataset, cards: impl Iterator<Item = usize>) -> Vec<String> {
    let mut sources: Vec<u32> = cards.map(|p| ds.contacts[p].at.source).collect();
    sources.sort_unstable();
    sources.dedup();
    let mut out: Vec<String> = Vec::new();
    for s in sources {
        let mapping = &ds.sources[s as usize].mapping;
        let mut cols: Vec<usize> = mapping
            .fields_of(FieldType::Phone)
            .flat_map(|f| mapping.columns(f).iter().copied())
            .collect();
        cols.sort_unstable();
        for c in cols {
            let h = &mapping.headers[c];
            if !out.contains(h) {
                out.push(h.clone());
            }
        }
    }
    out
}

/// A phone column of a card after the moves: as written when nothing moves out of it, else
/// the remaining items as written, joined by «, ».
fn cell_after_moves(ds: &Dataset, c: &Contact, card: &[PlanLine], header: &str) -> String {
    let moved_here = card
        .iter()
        .any(|l| l.action == Action::Move && l.source_column == header);
    if !moved_here {
        let source = ds.source(c.at);
        let cells: Vec<&str> = (0..source.mapping.headers.len())
            .filter(|&i| source.mapping.headers[i] == header)
            .map(|i| source.table.cell(c.at.row as usize, i).trim())
            .filter(|s| !s.is_empty())
            .collect();
        return cells.join(", ");
    }
    card.iter()
        .filter(|l| l.source_column == header && l.action != Action::Move)
        .map(|l| l.raw.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
