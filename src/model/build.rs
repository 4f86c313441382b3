//! Building the dataset: read every file in parallel, detect its format, turn rows into records.

use std::path::PathBuf;

use chrono::{NaiveDate, NaiveDateTime};
use compact_str::CompactString;
use std::sync::Arc;

use foldhash::{HashMap, HashMapExt, HashSet};
use rayon::prelude::*;

use super::{
    links, Application, At, Client, Contact, Dataset, Deal, Email, LinkMethod, Manager, Phone,
    Source,
};
use crate::error::{Error, Result};
use crate::normalize::date::{
    check_birthday, excel_serial_to_datetime, parse_datetime, Birthday, BirthdayRules,
};
use crate::normalize::email::{is_valid_email, normalize_email, split_email_cell};
use crate::normalize::phone::{normalize_phone, split_phone_cell, PhoneOptions};
use crate::normalize::text::{fold_phrase, is_blank, parse_number};
use crate::params::{Params, RuleSet};
use crate::profile::{FieldType, Kind, Mapping};
use crate::read::{self, collect_inputs, read_table, ReadOptions, ReadProblem};

/// Options for reading and normalising a run's inputs.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub read: ReadOptions,
    pub phone: PhoneOptions,
    /// The day birthdays are judged against (future ones are invalid).
    pub today: NaiveDate,
}

/// The dataset and the files that could not be used.
#[derive(Debug)]
pub struct Loaded {
    pub dataset: Dataset,
    /// One error per input file that could not be read or recognised.
    pub errors: Vec<Error>,
}

/// Reads, detects and normalises every input: files as given, folders into the export files
/// they hold. A path that does not exist or a folder without any export file is an error;
/// files that fail are reported in `errors`, and the run goes on with the rest. Each file's records are built as soon as it is read, so a small
/// file's records are ready while a big one is still being parsed.
pub fn load(paths: &[PathBuf], rules: &RuleSet, opts: &LoadOptions) -> Result<Loaded> {
    load_selected(paths, rules, opts, None)
}

/// Picks the rows of deals and client-base files that become records, for a command that needs
/// few of them (`lookup`). Every other file's records are built first and passed in.
pub trait Select: Sync {
    /// For each of `deferred` (deals and client-base files, in source order), the 0-based rows
    /// to build, ascending.
    fn rows(&self, ds: &Dataset, deferred: &[&Source]) -> Vec<Vec<u32>>;
}

/// [`load`], building the records of deals and client-base files only for the rows `select`
/// picks (all rows without it). Rows left out are still in the sources, unread.
pub fn load_selected(
    paths: &[PathBuf],
    rules: &RuleSet,
    opts: &LoadOptions,
    select: Option<&dyn Select>,
) -> Result<Loaded> {
    let files = collect_inputs(paths)?;
    let birthdays = rules.params.contact.birthday_rules();
    let deferred_kind =
        |k: Kind| select.is_some() && matches!(k, Kind::AmocrmDeals | Kind::ClientBase);
    let results: Vec<Result<(Source, Option<Records>)>> = files
        .par_iter()
        .map(|path| {
            let table = read_table(path, &opts.read, &rules.profiles)?;
            let mapping = rules
                .profiles
                .detect(&table.headers)
                .map_err(|m| Error::Undetected {
                    path: path.clone(),
                    message: m.to_string(),
                })?;
            let mut source = Source { table, mapping };
            let records = (!deferred_kind(source.mapping.kind))
                .then(|| build_source(&mut source, &rules.params, opts, birthdays, None));
            Ok((source, records))
        })
        .collect();
    let mut dataset = Dataset {
        today: Some(opts.today),
        birthdays,
        ..Dataset::default()
    };
    let mut errors = Vec::new();
    let mut deferred = Vec::new();
    for r in results {
        match r {
            Ok((source, records)) => {
                let index = dataset.sources.len() as u32;
                dataset.sources.push(source);
                match records {
                    Some(records) => records.add_to(&mut dataset, index),
                    None => deferred.push(index),
                }
            }
            Err(e) => errors.push(e),
        }
    }
    if let Some(select) = select.filter(|_| !deferred.is_empty()) {
        let sources: Vec<&Source> = deferred
            .iter()
            .map(|&i| &dataset.sources[i as usize])
            .collect();
        let picked = select.rows(&dataset, &sources);
        for (index, rows) in deferred.into_iter().zip(picked) {
            let source = &mut dataset.sources[index as usize];
            let records = build_source(source, &rules.params, opts, birthdays, Some(&rows));
            records.add_to(&mut dataset, index);
        }
    }
    links::resolve(&mut dataset);
    Ok(Loaded { dataset, errors })
}

/// One file's records, their `at.source` still to be set.
enum Records {
    /// The contacts and the number of company rows skipped.
    Contacts(Vec<Contact>, usize),
    Deals(Vec<Deal>),
    Applications(Vec<Application>),
    Clients(Vec<Client>),
    Managers(Vec<Manager>),
}

impl Records {
    /// Moves the records into the dataset as the records of source `index`.
    fn add_to(self, ds: &mut Dataset, index: u32) {
        fn place<T>(
            into: &mut Vec<T>,
            mut records: Vec<T>,
            at: impl Fn(&mut T) -> &mut At,
            index: u32,
        ) {
            records.iter_mut().for_each(|r| at(r).source = index);
            move_all(into, records);
        }
        match self {
            Records::Contacts(contacts, companies) => {
                ds.companies_skipped += companies;
                place(&mut ds.contacts, contacts, |c| &mut c.at, index);
            }
            Records::Deals(deals) => place(&mut ds.deals, deals, |d| &mut d.at, index),
            Records::Applications(apps) => place(&mut ds.applications, apps, |a| &mut a.at, index),
            Records::Clients(clients) => place(&mut ds.clients, clients, |c| &mut c.at, index),
            Records::Managers(managers) => move_all(&mut ds.managers, managers),
        }
    }
}

/// Builds a file's records, of all rows or `only` some; their unreadable dates and repeated IDs
/// join the file's problems.
fn build_source(
    source: &mut Source,
    params: &Params,
    opts: &LoadOptions,
    birthdays: BirthdayRules,
    only: Option<&[u32]>,
) -> Records {
    let picked = Picked {
        only,
        total: source.table.rows.len(),
    };
    let mut problems = unreadable_dates(source, picked);
    let rows = Rows {
        source,
        picked,
        columns: Columns::of(&source.mapping),
        opts,
        birthdays,
    };
    let records = match source.mapping.kind {
        Kind::AmocrmContacts => {
            // `filter_map` collects in place (`flatten` would copy the records).
            #[allow(clippy::filter_map_identity)]
            let contacts: Vec<Contact> = rows
                .par_map(|r, shared| r.contact(params, shared))
                .into_iter()
                .filter_map(|c| c)
                .collect();
            let companies = picked.len() - contacts.len();
            problems.extend(duplicate_ids(
                contacts.iter().map(|c| (c.at, c.id.as_str())),
                source,
            ));
            Records::Contacts(contacts, companies)
        }
        Kind::AmocrmDeals => {
            let deals: Vec<Deal> = rows.par_map(|r, shared| r.deal(params, shared));
            problems.extend(duplicate_ids(
                deals.iter().map(|d| (d.at, d.id.as_str())),
                source,
            ));
            Records::Deals(deals)
        }
        Kind::FlowApplications => {
            Records::Applications(rows.par_map(|r, shared| r.application(params, shared)))
        }
        Kind::ClientBase => Records::Clients(rows.par_map(|r, _| r.client())),
        Kind::Managers => Records::Managers(rows.par_map(|r, _| r.manager())),
    };
    source.table.problems.extend(problems);
    records
}

/// Appends records without copying them when there are none yet (the usual single file).
fn move_all<T>(into: &mut Vec<T>, mut records: Vec<T>) {
    if into.is_empty() {
        *into = records;
    } else {
        into.append(&mut records);
    }
}

/// Warnings per column before the rest are summed up in one line.
const DATE_WARNINGS_PER_COLUMN: usize = 20;

/// Date and date-time cells that read as no date: without a warning the rules that need them
/// would skip the row silently. Birthdays of contacts (also as repeated in deals exports) are
/// judged by CON001/CON008 on the contact instead; Flow applicants' are warned here.
fn unreadable_dates(source: &Source, picked: Picked) -> Vec<ReadProblem> {
    let m = &source.mapping;
    let table = &source.table;
    let mut problems = Vec::new();
    let fields = m
        .fields_of(FieldType::Date)
        .chain(m.fields_of(FieldType::Datetime))
        .filter(|f| m.kind == Kind::FlowApplications || !f.ends_with("birthday"));
    let mut columns: Vec<usize> = fields.flat_map(|f| m.columns(f).iter().copied()).collect();
    columns.sort_unstable();
    columns.dedup();
    // One pass over the rows (each row's cells sit together in memory), then by column.
    let mut bad: Vec<(usize, usize, &str)> = picked
        .par_rows()
        .flat_map_iter(|i| {
            let row = table.rows.row(i);
            columns.iter().enumerate().filter_map(move |(k, &c)| {
                let v = row.get(c).unwrap_or("").trim();
                (!is_blank(v) && parse_cell_datetime(v).is_none()).then_some((k, i + 1, v))
            })
        })
        .collect();
    bad.sort_by_key(|&(k, row, _)| (k, row));
    for (k, &c) in columns.iter().enumerate() {
        let from = bad.partition_point(|b| b.0 < k);
        let to = bad.partition_point(|b| b.0 <= k);
        let bad = &bad[from..to];
        let column = m.headers[c].clone();
        for &(_, row, value) in bad.iter().take(DATE_WARNINGS_PER_COLUMN) {
            problems.push(ReadProblem {
                row: Some(row),
                column: Some(column.clone()),
                message: format!("«{value}» is not a date; rules that need it skip this row"),
            });
        }
        if bad.len() > DATE_WARNINGS_PER_COLUMN {
            problems.push(ReadProblem {
                row: None,
                column: Some(column),
                message: format!(
                    "{} more cells that are not dates",
                    bad.len() - DATE_WARNINGS_PER_COLUMN
                ),
            });
        }
    }
    problems
}

/// Rows that repeat an ID already seen in the same file.
fn duplicate_ids<'a>(
    ids: impl Iterator<Item = (At, &'a str)>,
    source: &Source,
) -> Vec<ReadProblem> {
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(source.table.rows.len());
    let mut problems = Vec::new();
    let column = source.mapping.label("id");
    for (at, id) in ids {
        if id.is_empty() {
            problems.push(ReadProblem {
                row: Some(at.row_number()),
                column: Some(column.clone()),
                message: "empty ID".into(),
            });
        } else if let Some(first) = seen.insert(id, at.row_number()) {
            problems.push(ReadProblem {
                row: Some(at.row_number()),
                column: Some(column.clone()),
                message: format!("ID {id} repeats row {first}"),
            });
        }
    }
    problems
}

/// The columns of a file that hold phones and e-mails, in column order.
struct Columns {
    phones: Vec<usize>,
    /// Phones of a deal's contact: every phone column but the deal's own client phone.
    contact_phones: Vec<usize>,
    client_phones: Vec<usize>,
    emails: Vec<usize>,
}

impl Columns {
    fn of(m: &Mapping) -> Self {
        let columns = |fields: &mut dyn Iterator<Item = &str>| {
            let mut c: Vec<usize> = fields.flat_map(|f| m.columns(f).iter().copied()).collect();
            c.sort_unstable();
            c
        };
        let client = "phone_client";
        Columns {
            phones: columns(&mut m.fields_of(FieldType::Phone)),
            contact_phones: columns(&mut m.fields_of(FieldType::Phone).filter(|f| *f != client)),
            client_phones: columns(&mut std::iter::once(client)),
            emails: columns(&mut m.fields_of(FieldType::Email)),
        }
    }
}

/// The rows of a source that become records: all, or `only` some.
#[derive(Clone, Copy)]
struct Picked<'a> {
    only: Option<&'a [u32]>,
    /// The source's row count.
    total: usize,
}

impl<'a> Picked<'a> {
    fn len(&self) -> usize {
        self.only.map_or(self.total, <[u32]>::len)
    }

    /// The picked rows (0-based), ascending.
    fn par_rows(self) -> impl IndexedParallelIterator<Item = usize> + 'a {
        (0..self.len())
            .into_par_iter()
            .map(move |i| self.only.map_or(i, |rows| rows[i] as usize))
    }
}

/// A source's picked rows with what every row's record needs.
struct Rows<'a> {
    source: &'a Source,
    picked: Picked<'a>,
    columns: Columns,
    opts: &'a LoadOptions,
    birthdays: BirthdayRules,
}

impl<'a> Rows<'a> {
    fn row(&'a self, i: usize) -> Row<'a> {
        Row {
            at: At {
                source: 0, // set when the records join the dataset
                row: i as u32,
            },
            record: self.source.table.rows.row(i),
            rows: self,
        }
    }

    /// One record per picked row, in row order; each worker shares texts through its own
    /// [`Shared`].
    fn par_map<T: Send>(&'a self, f: impl Fn(&Row<'a>, &mut Shared) -> T + Sync) -> Vec<T> {
        self.picked
            .par_rows()
            .with_min_len(SHARED_MIN_ROWS)
            .map_init(Shared::default, |shared, i| f(&self.row(i), shared))
            .collect()
    }
}

/// Rows per worker batch: bounds how many [`Shared`] tables a big file starts.
const SHARED_MIN_ROWS: usize = 4096;

/// One copy of each text of columns with few distinct values (stages, managers, products),
/// shared by the records of a worker batch instead of a string per record.
#[derive(Default)]
struct Shared(HashSet<Arc<str>>);

impl Shared {
    fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(t) = self.0.get(s) {
            return t.clone();
        }
        let t: Arc<str> = Arc::from(s);
        self.0.insert(t.clone());
        t
    }
}

/// One data row seen through its file's mapping.
struct Row<'a> {
    at: At,
    record: read::Row<'a>,
    rows: &'a Rows<'a>,
}

impl<'a> Row<'a> {
    /// A field's text, trimmed; the first non-empty of its columns.
    fn str(&self, field: &str) -> &'a str {
        self.rows.source.field(&self.record, field)
    }

    /// [`Row::str`], owned.
    fn text(&self, field: &str) -> CompactString {
        self.str(field).into()
    }

    /// [`Row::str`] of a field with few distinct values, shared.
    fn shared(&self, field: &str, shared: &mut Shared) -> Arc<str> {
        shared.get(self.str(field))
    }

    fn birthday(&self) -> Birthday {
        check_birthday(
            self.str("birthday"),
            self.rows.opts.today,
            &self.rows.birthdays,
        )
    }

    fn datetime(&self, field: &str) -> Option<NaiveDateTime> {
        parse_cell_datetime(self.str(field))
    }

    /// Every phone item of some columns, in column order.
    fn phones_in(&self, columns: &[usize]) -> Vec<Phone> {
        let mut out = Vec::new();
        for &c in columns {
            let cell = self.record.get(c).unwrap_or("");
            if cell.trim().is_empty() {
                continue;
            }
            let pieces = split_phone_cell(cell);
            // (exact room: no copy when the vector is compacted)
            out.reserve_exact(pieces.len());
            for piece in pieces {
                out.push(Phone {
                    norm: normalize_phone(piece, &self.rows.opts.phone),
                    column: c as u32,
                });
            }
        }
        compact(out)
    }

    /// Every phone item of every phone field.
    fn phones(&self) -> Vec<Phone> {
        self.phones_in(&self.rows.columns.phones)
    }

    fn emails(&self) -> Vec<Email> {
        let mut out = Vec::new();
        for &c in &self.rows.columns.emails {
            let cell = self.record.get(c).unwrap_or("");
            if is_blank(cell) {
                continue;
            }
            for piece in split_email_cell(cell) {
                let address = normalize_email(piece);
                out.push(Email {
                    raw: piece.into(),
                    valid: is_valid_email(&address),
                    address: address.into(),
                    column: c as u32,
                });
            }
        }
        compact(out)
    }

    fn contact(&self, params: &Params, shared: &mut Shared) -> Option<Contact> {
        let kind = fold_phrase(self.str("kind"));
        if !kind.is_empty() && params.contact.company_types.contains(&kind) {
            return None;
        }
        let contact_type = fold_phrase(self.str("contact_type"));
        let is_partner_word = |w: &str| {
            let w = fold_phrase(w);
            !w.is_empty()
                && params
                    .contact
                    .partner_tags
                    .iter()
                    .chain(&params.contact.partner_types)
                    .any(|t| w.starts_with(t.as_str()))
        };
        let is_partner =
            list_items(self.str("tags")).any(is_partner_word) || is_partner_word(&contact_type);
        Some(Contact {
            at: self.at,
            id: self.text("id"),
            responsible: self.shared("responsible", shared),
            birthday: self.birthday(),
            phones: self.phones(),
            emails: self.emails(),
            is_partner,
            created_at: self.datetime("created_at"),
        })
    }

    fn deal(&self, params: &Params, shared: &mut Shared) -> Deal {
        let stage = self.shared("stage", shared);
        Deal {
            at: self.at,
            id: self.text("id"),
            budget: parse_number(self.str("budget")),
            responsible: self.shared("responsible", shared),
            created_at: self.datetime("created_at"),
            updated_at: self.datetime("updated_at"),
            last_contact_at: self.datetime("last_contact_at"),
            stage_class: params.stage_class(&stage),
            stage,
            phones: self.phones_in(&self.rows.columns.contact_phones),
            client_phones: self.phones_in(&self.rows.columns.client_phones),
            product_group: self.shared("product_group", shared),
            product: self.shared("product", shared),
            contacts: Vec::new(),
            link: LinkMethod::None,
        }
    }

    fn application(&self, params: &Params, shared: &mut Shared) -> Application {
        let active = fold_phrase(self.str("active"));
        Application {
            at: self.at,
            app_no: self.text("app_no"),
            active: (!active.is_empty()).then(|| params.flow.active_values.contains(&active)),
            status: self.shared("status", shared),
            snils: self.text("snils"),
            emails: self.emails(),
            birthday: self.birthday(),
            phones: self.phones(),
            source: self.shared("source", shared),
            submitted_at: self.datetime("submitted_at"),
            responsible: self.shared("responsible", shared),
        }
    }

    fn client(&self) -> Client {
        Client {
            at: self.at,
            phones: self.phones(),
        }
    }

    fn manager(&self) -> Manager {
        Manager {
            name: self.str("name").to_string(),
            email: normalize_email(self.str("email")),
        }
    }
}

/// The items of a list cell (`Теги`, `Сделки`): split on `,` `;` and newlines, trimmed.
pub fn list_items(cell: &str) -> impl Iterator<Item = &str> {
    split_items(cell, &[',', ';', '\n'])
}

/// The contact IDs of an `ID контакта` cell (several when it holds several): split like a list
/// and on spaces.
pub fn contact_ids(cell: &str) -> impl Iterator<Item = &str> {
    split_items(cell, &[',', ';', ' ', '\n'])
}

/// The non-empty pieces of a cell between separators, trimmed.
fn split_items<'a>(cell: &'a str, separators: &'a [char]) -> impl Iterator<Item = &'a str> {
    cell.split(separators)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The vector without spare room. A vector grows to room for four items at its first push, and
/// most records have one phone or e-mail: this saves hundreds of bytes per record.
fn compact<T>(mut items: Vec<T>) -> Vec<T> {
    items.shrink_to_fit();
    items
}

/// A date cell: text in any accepted format, or an Excel serial number.
pub fn parse_cell_datetime(s: &str) -> Option<NaiveDateTime> {
    if s.is_empty() {
        return None;
    }
    parse_datetime(s).or_else(|| {
        s.parse::<f64>()
            .ok()
            .filter(|v| (1.0..2_958_466.0).contains(v))
            .and_then(excel_serial_to_datetime)
    })
}

#[cfg(test)]
mod tests {
    use crate::testutil::dataset;

    #[test]
    fn cells_that_are_not_dates_are_warned_with_row_and_column() {
        let ds = dataset(&[(
            "deals.csv",
            "ID;Этап сделки;Дата создания;Дата последнего контакта\n\
             601;Переговоры;31.02.2026 10:00;20.11.2026 15:00\n\
             602;Переговоры;01.10.2026 10:00;-\n\
             603;Неразобранное;99.99.9999 99:99;45980.5\n",
        )]);
        let seen: Vec<(Option<usize>, Option<&str>, &str)> = ds.sources[0]
            .table
            .problems
            .iter()
            .map(|p| (p.row, p.column.as_deref(), p.message.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (
                    Some(1),
                    Some("Дата создания"),
                    "«31.02.2026 10:00» is not a date; rules that need it skip this row"
                ),
                (
                    Some(3),
                    Some("Дата создания"),
                    "«99.99.9999 99:99» is not a date; rules that need it skip this row"
                ),
            ]
        );
    }

    #[test]
    fn contact_birthdays_are_left_to_the_rules() {
        let ds = dataset(&[
            (
                "contacts.csv",
                "ID;Полное имя контакта;День рождения;Дата создания\n\
                 201;Соколова Мария;31.02.1984;31.05.2023 09:33:26\n",
            ),
            (
                "deals.csv",
                "ID;Этап сделки;ID контакта;День рождения (контакт)\n\
                 601;Переговоры;201;31.02.1984\n",
            ),
            (
                "flow.csv",
                "Номер заявки;ФИО;Дата рождения\n1001;Соколова Мария Игоревна;31.02.1984\n",
            ),
        ]);
        let problems: Vec<(&str, Option<&str>)> = ds
            .sources
            .iter()
            .flat_map(|s| {
                s.table
                    .problems
                    .iter()
                    .map(|p| (s.table.name.as_str(), p.column.as_deref()))
            })
            .collect();
        assert_eq!(problems, [("flow.csv", Some("Дата рождения"))]);
    }

    #[test]
    fn many_bad_dates_are_summed_up() {
        let mut text = String::from("ID;Этап сделки;Дата создания\n");
        for i in 0..25 {
            text.push_str(&format!("{i};Переговоры;вчера\n"));
        }
        let ds = dataset(&[("deals.csv", &text)]);
        let problems = &ds.sources[0].table.problems;
        assert_eq!(problems.len(), 21);
        assert_eq!(problems[20].message, "5 more cells that are not dates");
    }
}
