//! The to-do lists behind `corrections/`: findings grouped into one row per record (a contact,
//! a deal, an application) of one responsible manager, most urgent first: errors before
//! warnings, open deals before closed ones, recently active records first.

use std::cmp::Reverse;

use chrono::NaiveDateTime;
use foldhash::{HashMap, HashSet};
use rayon::prelude::*;

use super::origin::Origins;
use crate::model::{Application, At, Contact, Dataset, Deal};
use crate::params::StageClass;
use crate::profile::Kind;
use crate::rules::{Entity, Finding, Severity};

/// One manager's records with findings.
#[derive(Debug)]
pub struct Todo<'a> {
    /// The responsible user as the findings name them, trimmed ("" for none).
    pub manager: &'a str,
    /// Most urgent first ([`Record::priority`]).
    pub records: Vec<Record<'a>>,
}

/// A record of the inputs with everything found wrong with it.
#[derive(Debug)]
pub struct Record<'a> {
    pub entity: Entity,
    pub id: &'a str,
    pub file: &'a str,
    /// 1-based data row in `file`.
    pub row: usize,
    /// Its findings in output order (by rule).
    pub findings: Vec<&'a Finding>,
    /// The record itself, when its row is one of the inputs' records.
    pub model: Option<Model<'a>>,
}

/// The record a to-do row is about.
#[derive(Debug, Clone, Copy)]
pub enum Model<'a> {
    Contact(&'a Contact),
    Deal(&'a Deal),
    Application(&'a Application),
}

impl Model<'_> {
    /// Where the record is in the inputs.
    pub fn at(self) -> At {
        match self {
            Model::Contact(c) => c.at,
            Model::Deal(d) => d.at,
            Model::Application(a) => a.at,
        }
    }
}

impl<'a> Record<'a> {
    /// The highest severity of its findings.
    pub fn severity(&self) -> Severity {
        self.findings
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Warning)
    }

    /// A won or lost deal.
    pub fn closed(&self) -> bool {
        matches!(self.model, Some(Model::Deal(d)) if matches!(d.stage_class, StageClass::Won | StageClass::Lost))
    }

    /// When the record was last worked on: a deal's last contact, else its last edit, else its
    /// creation; a contact's creation; an application's submission.
    pub fn active_at(&self) -> Option<NaiveDateTime> {
        match self.model? {
            Model::Contact(c) => c.created_at,
            Model::Deal(d) => d.last_contact_at.or(d.updated_at).or(d.created_at),
            Model::Application(a) => a.submitted_at,
        }
    }

    /// The order of a to-do list: errors first, then open before closed deals, then the most
    /// recently active (undated last); ties in input order.
    #[allow(clippy::type_complexity)]
    pub fn priority(
        &self,
    ) -> (
        Reverse<Severity>,
        bool,
        bool,
        Reverse<Option<NaiveDateTime>>,
        Entity,
        &'a str,
        usize,
        &'a str,
    ) {
        let active = self.active_at();
        (
            Reverse(self.severity()),
            self.closed(),
            active.is_none(),
            Reverse(active),
            self.entity,
            self.file,
            self.row,
            self.id,
        )
    }
}

/// The to-do list of every manager with findings (by name, the findings without a manager
/// last), one record per (entity, file, row, ID) of the manager's findings.
pub fn todos<'a>(ds: &'a Dataset, findings: &'a [Finding]) -> Vec<Todo<'a>> {
    let models = Models::new(ds);
    let origins = Origins::new(ds);
    // Managers by name, none last; files by name: compared as ranks, not as texts.
    let managers = ranks(findings.iter().map(|f| f.manager.trim()), |m| {
        (m.is_empty(), m)
    });
    let files = ranks(findings.iter().map(|f| f.file.as_str()), |f| f);
    let key = |f: &'a Finding| {
        (
            managers[f.manager.trim()],
            f.entity,
            files[f.file.as_str()],
            f.row,
            f.id.as_str(),
        )
    };
    let mut keyed: Vec<_> = findings
        .par_iter()
        .enumerate()
        .map(|(i, f)| (key(f), i))
        .collect();
    // A record's findings keep the output order (the index breaks ties).
    keyed.par_sort_unstable();
    let mut todos: Vec<Todo> = Vec::new();
    for group in keyed.chunk_by(|a, b| a.0 == b.0) {
        let f = &findings[group[0].1];
        let record = Record {
            entity: f.entity,
            id: &f.id,
            file: &f.file,
            row: f.row,
            findings: group.iter().map(|&(_, i)| &findings[i]).collect(),
            model: origins
                .source(f)
                .zip(f.row.checked_sub(1))
                .and_then(|(source, row)| {
                    models.find(At {
                        source: source as u32,
                        row: row as u32,
                    })
                }),
        };
        match todos.last_mut() {
            Some(t) if t.manager == f.manager.trim() => t.records.push(record),
            _ => todos.push(Todo {
                manager: f.manager.trim(),
                records: vec![record],
            }),
        }
    }
    todos
        .par_iter_mut()
        .for_each(|t| t.records.sort_by_cached_key(|r| r.priority()));
    todos
}

/// Each distinct name's rank in the order of `by`.
fn ranks<'a, K: Ord>(
    names: impl Iterator<Item = &'a str>,
    by: impl Fn(&'a str) -> K,
) -> HashMap<&'a str, u32> {
    let mut distinct: Vec<&str> = names.collect::<HashSet<_>>().into_iter().collect();
    distinct.sort_by_key(|&n| by(n));
    distinct.into_iter().zip(0..).collect()
}

/// Finds records by their place in the inputs.
struct Models<'a> {
    ds: &'a Dataset,
    /// Per source, per data row: the index of the record built from that row among the
    /// records of the source's kind ([`NO_RECORD`] for none).
    by_row: Vec<Vec<u32>>,
}

/// A row no record was built from (a company row, a blank line).
const NO_RECORD: u32 = u32::MAX;

impl<'a> Models<'a> {
    fn new(ds: &'a Dataset) -> Self {
        let mut by_row: Vec<Vec<u32>> = ds
            .sources
            .iter()
            .map(|s| match s.mapping.kind {
                Kind::AmocrmContacts | Kind::AmocrmDeals | Kind::FlowApplications => {
                    vec![NO_RECORD; s.table.rows.len()]
                }
                Kind::ClientBase | Kind::Managers => Vec::new(),
            })
            .collect();
        let ats = (ds.contacts.iter().map(|c| c.at).enumerate())
            .chain(ds.deals.iter().map(|d| d.at).enumerate())
            .chain(ds.applications.iter().map(|a| a.at).enumerate());
        for (i, at) in ats {
            by_row[at.source as usize][at.row as usize] = i as u32;
        }
        Models { ds, by_row }
    }

    /// The record at `at`, among the records its file holds.
    fn find(&self, at: At) -> Option<Model<'a>> {
        let ds = self.ds;
        let i = *self.by_row.get(at.source as usize)?.get(at.row as usize)?;
        if i == NO_RECORD {
            return None;
        }
        let i = i as usize;
        match ds.source(at).mapping.kind {
            Kind::AmocrmDeals => Some(Model::Deal(&ds.deals[i])),
            Kind::AmocrmContacts => Some(Model::Contact(&ds.contacts[i])),
            Kind::FlowApplications => Some(Model::Application(&ds.applications[i])),
            Kind::ClientBase | Kind::Managers => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{self, Context};
    use crate::testutil::{as_of, dataset, rule_set};

    const DEALS: &str = "ID,Название сделки,Бюджет,Ответственный,Дата создания,Этап сделки,Основной контакт,ID контакта,Группа продуктов,Товар,Примечание 1,Дата последнего контакта\n\
        501,Окна Купчино,0,Петрова Анна,01.10.2026 10:00,Успешно реализовано,Иванов Иван,101,Окна ПВХ,Окно,перезвонить,20.11.2026 15:00\n\
        502,Ремонт окон,0,Петрова Анна,01.06.2026 10:00,Переговоры,Смирнова Ольга,102,Ремонт окон,,перезвонить,01.07.2026 10:00\n\
        503,Балкон,0,Петрова Анна,01.06.2026 10:00,Переговоры,Смирнова Ольга,102,Балконы,Остекление,перезвонить,10.11.2026 10:00\n\
        504,Москитные сетки,0,,01.06.2026 10:00,Переговоры,Смирнова Ольга,102,Сетки,Сетка,\"Клиент выбрал сетку антикошка, замер в пятницу, оплата по счёту\",10.11.2026 10:00\n\
        505,Откосы,0,Сидоров Пётр,01.06.2026 10:00,Переговоры,Смирнова Ольга,102,Откосы,Откос,перезвонить,12.11.2026 10:00\n";

    fn ids<'a>(t: &'a Todo<'a>) -> Vec<&'a str> {
        t.records.iter().map(|r| r.id).collect()
    }

    #[test]
    fn one_row_per_record_most_urgent_first() {
        let ds = dataset(&[("deals.csv", DEALS)]);
        let set = rule_set();
        let ctx = Context::new(&ds, &set.params, as_of());
        let selected: Vec<_> = ["DEAL001", "DEAL002", "DEAL003"]
            .iter()
            .filter_map(|c| rules::find(c))
            .collect();
        let findings = rules::run(&ctx, &selected);
        let todos = todos(&ds, &findings);
        let managers: Vec<&str> = todos.iter().map(|t| t.manager).collect();
        assert_eq!(managers, ["Петрова Анна", "Сидоров Пётр", ""]);

        let anna = &todos[0];
        // Every record once, with all its findings in rule order.
        let r502 = anna.records.iter().find(|r| r.id == "502").unwrap();
        let codes: Vec<&str> = r502.findings.iter().map(|f| f.rule).collect();
        assert_eq!(codes, ["DEAL001", "DEAL002", "DEAL003"]);
        // Open deals before the won 501; among open ones the more recently active 503 first.
        assert_eq!(ids(anna), ["503", "502", "501"]);
        assert!(anna.records[2].closed());
        assert_eq!(
            anna.records[0].active_at(),
            crate::normalize::date::parse_datetime("10.11.2026 10:00")
        );
        // A record of no manager goes last, under "".
        assert_eq!(ids(&todos[2]), ["504"]);
        let all: usize = todos
            .iter()
            .flat_map(|t| &t.records)
            .map(|r| r.findings.len())
            .sum();
        assert_eq!(all, findings.len());
    }

    #[test]
    fn errors_come_before_warnings() {
        let ds = dataset(&[("deals.csv", DEALS)]);
        let set = rule_set();
        let ctx = Context::new(&ds, &set.params, as_of());
        // DEAL002 (a warning) on every deal, DEAL003 (an error) on the inactive 502 only.
        let selected: Vec<_> = ["DEAL002", "DEAL003"]
            .iter()
            .filter_map(|c| rules::find(c))
            .collect();
        let findings = rules::run(&ctx, &selected);
        let todos = todos(&ds, &findings);
        let anna = &todos[0];
        assert_eq!(ids(anna), ["502", "503", "501"]);
        assert_eq!(anna.records[0].severity(), Severity::Error);
        assert_eq!(anna.records[1].severity(), Severity::Warning);
    }
}
