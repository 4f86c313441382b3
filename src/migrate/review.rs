//! `review.xlsx`: every `review` line of the plan with its evidence side by side — the deals,
//! their addresses and contracts, what the client base says, the notes that mention the number
//! and the other contacts that hold it — so a human can decide.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::{contract_key, display_name, mentions, Action, PlanLine};
use crate::decisions::marker::{self, Form, COMMENT, DECISION, NEW_NAME, PARTNER_ID, PHONE};
use crate::error::Result;
use crate::model::Dataset;
use crate::output::xlsx::{workbook, Choice};
use crate::output::{save_workbook_atomic, Cell, OutputPolicy, SheetWriter};

const HEADER: [&str; 16] = [
    PARTNER_ID,
    "Партнёр",
    PHONE,
    DECISION,
    NEW_NAME,
    COMMENT,
    "Как записан",
    "Колонка",
    "Причина",
    "ID сделок",
    "Сделки",
    "Адреса объектов",
    "Договоры",
    "Клиентская база",
    "Примечания с этим номером",
    "Другие контакты с этим номером",
];

/// Writes `review.xlsx`; returns the number of rows.
pub fn write(
    path: &Path,
    policy: &OutputPolicy,
    ds: &Dataset,
    lines: &[PlanLine],
) -> Result<usize> {
    let review: Vec<&PlanLine> = lines
        .iter()
        .filter(|l| l.action == Action::Review)
        .collect();
    let index = Index::new(ds, &review);
    let mut wb = workbook();
    let choice = Choice::on(&HEADER, DECISION, marker::REVIEW_CHOICES);
    let mut ws = SheetWriter::new(&mut wb, "На проверку", &HEADER)?.with_choices(&[choice]);
    for l in &review {
        ws.row(&index.row(l))?;
    }
    let rows = ws.data_rows();
    ws.finish()?;
    let records = review
        .iter()
        .map(|l| vec![l.partner_id.clone(), l.phone.clone()]);
    marker::write(&mut wb, Form::Review, records)?;
    save_workbook_atomic(path, policy, &mut wb)?;
    Ok(rows)
}

/// Who else holds the review numbers, and the client-base rows they concern.
struct Index<'a> {
    ds: &'a Dataset,
    holders: HashMap<&'a str, Vec<usize>>,
    clients_by_phone: HashMap<&'a str, Vec<usize>>,
    clients_by_contract: HashMap<String, Vec<usize>>,
}

impl<'a> Index<'a> {
    fn new(ds: &'a Dataset, review: &[&PlanLine]) -> Self {
        let phones: HashSet<&str> = review.iter().map(|l| l.phone.as_str()).collect();
        let contracts: HashSet<String> = review
            .iter()
            .flat_map(|l| {
                l.deals
                    .iter()
                    .map(|&d| contract_key(ds.deals[d].contract_no(ds)).into_owned())
            })
            .filter(|k| !k.is_empty())
            .collect();
        let mut index = Index {
            ds,
            holders: HashMap::new(),
            clients_by_phone: HashMap::new(),
            clients_by_contract: HashMap::new(),
        };
        for (i, c) in ds.contacts.iter().enumerate() {
            for p in c.valid_phones().filter(|p| phones.contains(p)) {
                push_once(index.holders.entry(p).or_default(), i);
            }
        }
        for (i, c) in ds.clients.iter().enumerate() {
            for p in c
                .phones
                .iter()
                .filter_map(|p| p.e164())
                .filter(|p| phones.contains(p))
            {
                push_once(index.clients_by_phone.entry(p).or_default(), i);
            }
            let key = contract_key(c.contract_no(ds));
            if contracts.contains(key.as_ref()) {
                index
                    .clients_by_contract
                    .entry(key.into_owned())
                    .or_default()
                    .push(i);
            }
        }
        index
    }

    /// One review line with its evidence; multi-deal cells hold one line per deal.
    fn row<'r>(&'r self, l: &'r PlanLine) -> Vec<Cell<'r>> {
        let ds = self.ds;
        let per_deal = |f: &dyn Fn(usize) -> String| -> Cell<'r> {
            l.deals
                .iter()
                .map(|&d| format!("{}: {}", ds.deals[d].id, f(d)))
                .collect::<Vec<_>>()
                .join("\n")
                .into()
        };
        vec![
            Cell::from(l.partner_id.as_str()),
            Cell::Text(ds.contacts[l.partner].title(ds)),
            Cell::Highlight(l.phone.as_str().into()),
            Cell::Empty,
            proposed_name(ds, l).into(),
            Cell::Empty,
            Cell::from(l.raw.as_str()),
            Cell::from(l.source_column.as_str()),
            Cell::from(l.reason.as_str()),
            l.deal_ids.join(", ").into(),
            per_deal(&|d| ds.deals[d].name(ds).to_string()),
            per_deal(&|d| ds.deals[d].address(ds).to_string()),
            per_deal(&|d| ds.deals[d].contract_no(ds).to_string()),
            self.client_base(l).into(),
            per_deal(&|d| notes_with(ds, d, &l.phone)),
            self.other_holders(l).into(),
        ]
    }

    /// The client-base rows of the deals' contracts and those that list the number.
    fn client_base(&self, l: &PlanLine) -> String {
        let mut rows: Vec<usize> = l
            .deals
            .iter()
            .filter_map(|&d| {
                self.clients_by_contract
                    .get(contract_key(self.ds.deals[d].contract_no(self.ds)).as_ref())
            })
            .flatten()
            .chain(
                self.clients_by_phone
                    .get(l.phone.as_str())
                    .into_iter()
                    .flatten(),
            )
            .copied()
            .collect();
        rows.sort_unstable();
        rows.dedup();
        rows.iter()
            .map(|&i| {
                let c = &self.ds.clients[i];
                let phones: Vec<&str> = c.phones.iter().map(|p| p.norm.raw.as_str()).collect();
                format!(
                    "{} «{}» {} [{}] (строка {})",
                    c.contract_no(self.ds),
                    c.name(self.ds),
                    c.address(self.ds),
                    phones.join(", "),
                    c.at.row_number()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Other contacts whose cards hold the number.
    fn other_holders(&self, l: &PlanLine) -> String {
        self.holders
            .get(l.phone.as_str())
            .into_iter()
            .flatten()
            .filter(|&&i| i != l.partner)
            .map(|&i| {
                let c = &self.ds.contacts[i];
                let role = if c.is_partner { ", партнёр" } else { "" };
                format!("{} «{}»{role}", c.id, display_name(self.ds, c))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The name proposed for the client's new contact: the first deal's object address, as
/// `migrate` names a contact when the client base does not name the client.
fn proposed_name(ds: &Dataset, l: &PlanLine) -> String {
    l.deals
        .iter()
        .map(|&d| ds.deals[d].address(ds).trim())
        .find(|a| !a.is_empty())
        .unwrap_or_default()
        .to_string()
}

fn push_once(list: &mut Vec<usize>, i: usize) {
    if list.last() != Some(&i) {
        list.push(i);
    }
}

/// The notes of a deal that mention the number, else its latest note.
fn notes_with(ds: &Dataset, d: usize, phone: &str) -> String {
    let deal = &ds.deals[d];
    let with: Vec<&str> = ds
        .notes(deal)
        .filter(|n| mentions(n).iter().any(|m| m.e164 == phone))
        .collect();
    if with.is_empty() {
        ds.latest_note(deal).to_string()
    } else {
        with.join(" | ")
    }
}
