//! The canonical model: every input file mapped onto typed records (contacts, deals, Flow
//! applications, the client base, managers) with normalised phones, e-mails and dates.
//! Raw rows stay available, so unknown columns reach the outputs untouched. Records keep what
//! they parse; their free texts (names, addresses, notes) are read from the rows by methods
//! that take the [`Dataset`] (`deal.name(ds)`), never copied.

mod build;
mod links;
mod pages;

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use compact_str::CompactString;

pub use build::{contact_ids, list_items, load, load_selected, LoadOptions, Loaded, Select};
pub use links::{LinkMethod, LinkStats};

use crate::normalize::date::{Birthday, BirthdayRules};
use crate::normalize::name::clean_display;
use crate::normalize::phone::NormalizedPhone;
use crate::params::StageClass;
use crate::profile::{FieldType, Kind, Mapping};
use crate::read::{self, RawTable};

/// One input file: its raw table and how its headers map onto canonical fields.
#[derive(Debug)]
pub struct Source {
    pub table: RawTable,
    pub mapping: Mapping,
}

impl Source {
    /// A field's text in one of this file's rows, trimmed: the first non-empty of the field's
    /// columns ("" when none).
    pub fn field<'a>(&self, row: &read::Row<'a>, field: &str) -> &'a str {
        first_filled(row, self.mapping.columns(field))
    }
}

/// The first non-empty of some cells of a row, trimmed ("" when none).
fn first_filled<'a>(row: &read::Row<'a>, columns: &[usize]) -> &'a str {
    columns
        .iter()
        .map(|&c| row.get(c).unwrap_or("").trim())
        .find(|s| !s.is_empty())
        .unwrap_or("")
}

/// Methods that read a record's free texts, each one canonical field, from the record's row
/// ([`Dataset::text`]) instead of keeping copies.
macro_rules! row_texts {
    ($record:ty { $($(#[doc = $doc:literal])* $method:ident: $field:literal,)+ }) => {
        impl $record {
            $(
                $(#[doc = $doc])*
                pub fn $method<'a>(&self, ds: &'a Dataset) -> &'a str {
                    ds.text(self.at, $field)
                }
            )+
        }
    };
}

/// Where a record came from: the source index and the 0-based data row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct At {
    pub source: u32,
    pub row: u32,
}

impl At {
    /// The 1-based data row used in findings.
    pub fn row_number(self) -> usize {
        self.row as usize + 1
    }
}

/// A phone item from one cell, with the column it was found in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    pub norm: NormalizedPhone,
    /// The source column, by index: its header is [`Dataset::header`].
    pub column: u32,
}

impl Phone {
    pub fn e164(&self) -> Option<&str> {
        self.norm.e164.as_deref()
    }
}

/// An e-mail item from one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub raw: CompactString,
    /// Trimmed and lowercased.
    pub address: CompactString,
    pub valid: bool,
    /// The source column, by index: its header is [`Dataset::header`].
    pub column: u32,
}

#[derive(Debug, Clone)]
pub struct Contact {
    pub at: At,
    pub id: CompactString,
    pub responsible: Arc<str>,
    pub birthday: Birthday,
    pub phones: Vec<Phone>,
    pub emails: Vec<Email>,
    pub is_partner: bool,
    pub created_at: Option<NaiveDateTime>,
}

row_texts!(Contact {
    /// `Имя`.
    first_name: "first_name",
    /// `Фамилия`.
    last_name: "last_name",
    /// `День рождения` as written.
    birthday_raw: "birthday",
});

impl Contact {
    /// The card title (`Полное имя контакта`), spaces collapsed.
    pub fn title<'a>(&self, ds: &'a Dataset) -> Cow<'a, str> {
        clean_display(ds.text(self.at, "title"))
    }

    /// The card body's `ФИО` field; `None` when the export has no such column.
    pub fn fio<'a>(&self, ds: &'a Dataset) -> Option<&'a str> {
        ds.has(self.at, "fio").then(|| ds.text(self.at, "fio"))
    }

    /// Deal IDs or names from the contacts export's `Сделки` column.
    pub fn deal_refs<'a>(&self, ds: &'a Dataset) -> impl Iterator<Item = &'a str> + 'a {
        list_items(ds.text(self.at, "deals"))
    }

    /// The person's name as the card body holds it: `ФИО` when the export has the column,
    /// else `Имя` + `Фамилия`.
    pub fn body_name(&self, ds: &Dataset) -> String {
        match self.fio(ds) {
            Some(f) => f.to_string(),
            None => join_name(self.last_name(ds), self.first_name(ds)),
        }
    }

    /// The best name for comparing people: the body name, else `Фамилия Имя`, else the title.
    pub fn person_name(&self, ds: &Dataset) -> String {
        use crate::normalize::text::is_blank;
        [
            self.body_name(ds),
            join_name(self.last_name(ds), self.first_name(ds)),
        ]
        .into_iter()
        .find(|n| !is_blank(n))
        .unwrap_or_else(|| self.title(ds).into_owned())
    }

    pub fn valid_phones(&self) -> impl Iterator<Item = &str> {
        self.phones.iter().filter_map(Phone::e164)
    }
}

fn join_name(a: &str, b: &str) -> String {
    let a = a.trim();
    let b = b.trim();
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a} {b}"),
    }
}

#[derive(Debug, Clone)]
pub struct Deal {
    pub at: At,
    pub id: CompactString,
    pub budget: Option<f64>,
    pub responsible: Arc<str>,
    pub created_at: Option<NaiveDateTime>,
    pub updated_at: Option<NaiveDateTime>,
    pub last_contact_at: Option<NaiveDateTime>,
    pub stage: Arc<str>,
    pub stage_class: StageClass,
    /// The main contact's phones as the deals export repeats them.
    pub phones: Vec<Phone>,
    /// The deal's own «client phone» field.
    pub client_phones: Vec<Phone>,
    pub product_group: Arc<str>,
    pub product: Arc<str>,
    /// Resolved links to `Dataset::contacts`.
    pub contacts: Vec<usize>,
    pub link: LinkMethod,
}

row_texts!(Deal {
    /// `Название сделки`.
    name: "name",
    /// The main contact's name as the deals export repeats it.
    contact_name: "contact_name",
    /// The object's address.
    address: "address",
    /// `Номер договора`.
    contract_no: "contract_no",
});

impl Deal {
    /// IDs from `ID контакта` (several when the cell holds several).
    pub fn contact_ids<'a>(&self, ds: &'a Dataset) -> impl Iterator<Item = &'a str> + 'a {
        contact_ids(ds.text(self.at, "contact_id"))
    }
}

#[derive(Debug, Clone)]
pub struct Application {
    pub at: At,
    pub app_no: CompactString,
    /// `Активная`: None when the column is absent or the value unknown.
    pub active: Option<bool>,
    pub status: Arc<str>,
    pub snils: CompactString,
    pub emails: Vec<Email>,
    pub birthday: Birthday,
    pub phones: Vec<Phone>,
    pub source: Arc<str>,
    pub submitted_at: Option<NaiveDateTime>,
    pub responsible: Arc<str>,
}

row_texts!(Application {
    /// The applicant's `ФИО`.
    fio: "fio",
    /// `Дата рождения` as written.
    birthday_raw: "birthday",
});

/// A row of the company's client register.
#[derive(Debug, Clone)]
pub struct Client {
    pub at: At,
    pub phones: Vec<Phone>,
}

row_texts!(Client {
    /// `Номер договора`.
    contract_no: "contract_no",
    /// The client's name.
    name: "client_name",
    /// The object's address.
    address: "address",
});

#[derive(Debug, Clone)]
pub struct Manager {
    pub name: String,
    pub email: String,
}

/// Everything read in one run.
#[derive(Debug, Default)]
pub struct Dataset {
    pub sources: Vec<Source>,
    pub contacts: Vec<Contact>,
    pub deals: Vec<Deal>,
    pub applications: Vec<Application>,
    pub clients: Vec<Client>,
    pub managers: Vec<Manager>,
    /// Company rows of contacts exports, skipped as contacts.
    pub companies_skipped: usize,
    pub links: LinkStats,
    /// The day birthdays and activity are judged against.
    pub today: Option<NaiveDate>,
    /// What makes a birthday implausible (from the rule parameters).
    pub birthdays: BirthdayRules,
}

impl Dataset {
    pub fn source(&self, at: At) -> &Source {
        &self.sources[at.source as usize]
    }

    /// The file name of a record's source.
    pub fn file(&self, at: At) -> &str {
        &self.source(at).table.name
    }

    /// The header of a column of a record's file (a phone's or an e-mail's column).
    pub fn header(&self, at: At, column: u32) -> &str {
        &self.source(at).mapping.headers[column as usize]
    }

    /// A canonical field's text in a record's row: the first non-empty of the field's columns,
    /// trimmed ("" when none). Records read their free texts (names, addresses) from here
    /// rather than keeping copies.
    pub fn text(&self, at: At, field: &str) -> &str {
        let source = self.source(at);
        source.field(&source.table.rows.row(at.row as usize), field)
    }

    /// A deal's notes, `Примечание 1…5` (or `Примечание`), the latest first, "" for empty ones.
    /// Read from the raw row: the notes are most of a deals export's bytes and are not copied.
    pub fn notes<'a>(&'a self, deal: &Deal) -> impl Iterator<Item = &'a str> + 'a {
        let source = self.source(deal.at);
        let row = source.table.rows.row(deal.at.row as usize);
        let m = &source.mapping;
        m.fields_of(FieldType::Note)
            .map(move |f| first_filled(&row, m.columns(f)))
    }

    /// A deal's latest note ("" when none).
    pub fn latest_note(&self, deal: &Deal) -> &str {
        self.notes(deal).next().unwrap_or("")
    }

    /// Whether a record's file has a column for a canonical field.
    pub fn has(&self, at: At, field: &str) -> bool {
        self.source(at).mapping.has(field)
    }

    /// The source header of a canonical field in a record's file (or the profile's name for it).
    pub fn label(&self, at: At, field: &str) -> String {
        self.source(at).mapping.label(field)
    }

    /// Sources of a kind.
    pub fn sources_of(&self, kind: Kind) -> impl Iterator<Item = &Source> {
        self.sources.iter().filter(move |s| s.mapping.kind == kind)
    }

    pub fn has_kind(&self, kind: Kind) -> bool {
        self.sources_of(kind).next().is_some()
    }
}
