//! The partner-card cleanup (partner-cards seed; `crmclean migrate`, rule PRT001).
//!
//! [`plan`] gives one [`PlanLine`] per phone item on every partner (foreman) card: `keep` (the
//! partner's own number), `move` (a client's number: a new contact named by the client base's
//! `ФИО клиента` or the object address, or a link to the existing contact that holds it) or
//! `review`. The criteria are those of docs/RULES-SEMANTICS.md «Partner cards»; `crmclean
//! explain PRT001` prints them. [`verify_conservation`] proves that every item of every partner
//! card is in the plan exactly once; [`import`], [`review`] and [`normalised`] write the files,
//! [`lookup`] answers «whose number is this?» (seed step 5).

mod classify;
mod evidence;
pub mod import;
pub mod lookup;
pub mod lookup_rows;
pub mod normalised;
mod note_owner;
mod notes;
pub mod review;
#[cfg(test)]
mod tests;

use std::cmp::Ordering;
use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

pub use classify::{address_key, display_name};
pub use evidence::{contract_key, Evidence, Hit, Kinds};
pub use note_owner::{Owner, OwnerWords};
pub use notes::{mentions, Mention};

use crate::model::Dataset;
use crate::params::Params;

/// What happens to a number on a partner card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Keep,
    Move,
    Review,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Keep => "keep",
            Action::Move => "move",
            Action::Review => "review",
        }
    }
}

/// One line of `split_plan.jsonl` (spec §6; keys in contract order), plus what the writers
/// need (not serialised).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanLine {
    pub partner_id: String,
    /// E.164 when the item is a valid number, else the item as written.
    pub phone: String,
    pub source_column: String,
    pub action: Action,
    /// The new (or linked) contact's name for `move`; `null` otherwise.
    pub new_contact_name: Option<String>,
    pub deal_ids: Vec<String>,
    pub reason: String,
    /// For a `move` that links the deals to an existing contact instead of creating one: that
    /// contact's ID; `null` otherwise (an added field).
    pub link_contact_id: Option<String>,
    /// The partner card (index into `Dataset::contacts`).
    #[serde(skip)]
    pub partner: usize,
    /// The item as written in the card.
    #[serde(skip)]
    pub raw: String,
    /// The deals of `deal_ids` (indices into `Dataset::deals`).
    #[serde(skip)]
    pub deals: Vec<usize>,
    /// For a `move` to an existing contact: that contact (index into `Dataset::contacts`).
    #[serde(skip)]
    pub link_contact: Option<usize>,
    /// For a `review` only for want of a name for the new contact: the evidence phrase (the
    /// same number moved off another partner card names it: [`name_from_other_cards`]).
    #[serde(skip)]
    pub unnamed: Option<String>,
}

/// The plan for every partner card of the dataset, ordered by partner ID (numerically when
/// IDs are numbers), then by column, then by position in the cell.
pub fn plan(ds: &Dataset, params: &Params) -> Vec<PlanLine> {
    let partners = partners_in_order(ds);
    plan_for(ds, params, &partners)
}

/// The plan for some partner cards (indices into `Dataset::contacts`), in the given order.
pub fn plan_for(ds: &Dataset, params: &Params, partners: &[usize]) -> Vec<PlanLine> {
    let mut targets: Vec<String> = partners
        .iter()
        .flat_map(|&p| ds.contacts[p].valid_phones().map(str::to_string))
        .collect();
    targets.sort_unstable();
    targets.dedup();
    let ev = Evidence::collect(ds, params, targets);
    let planner = classify::Planner::new(ds, &ev, partners);
    let mut lines: Vec<PlanLine> = partners
        .par_iter()
        .flat_map_iter(|&p| planner.card(p))
        .collect();
    name_from_other_cards(&mut lines);
    lines
}

/// One client, one contact: a number that one partner card moves to a new contact moves to
/// that contact from the other cards that hold it too and found no name for it themselves
/// (a name is borrowed only when every move of the number agrees on it). Without this, the
/// migrated export would name the number's new contact, and the next run would move it then.
fn name_from_other_cards(lines: &mut [PlanLine]) {
    if lines.iter().all(|l| l.unnamed.is_none()) {
        return;
    }
    // phone → (its new contact's name, the card it is moved off), `None` when moves disagree
    let mut named: HashMap<&str, Option<(&str, &str)>> = HashMap::new();
    for l in lines
        .iter()
        .filter(|l| l.action == Action::Move && l.link_contact.is_none())
    {
        let name = l.new_contact_name.as_deref().unwrap_or_default();
        named
            .entry(l.phone.as_str())
            .and_modify(|n| {
                if n.is_some_and(|(other, _)| other != name) {
                    *n = None;
                }
            })
            .or_insert(Some((name, l.partner_id.as_str())));
    }
    let named: HashMap<String, (String, String)> = named
        .into_iter()
        .filter_map(|(phone, n)| n.map(|(name, card)| (phone.into(), (name.into(), card.into()))))
        .collect();
    for l in lines.iter_mut() {
        let (Some(evidence), Some((name, card))) = (&l.unnamed, named.get(&l.phone)) else {
            continue;
        };
        l.action = Action::Move;
        l.reason = format!("{evidence}; named as the same number on partner card {card}");
        l.new_contact_name = Some(name.clone());
        l.unnamed = None;
    }
}

/// Partner cards (indices) in plan order.
pub fn partners_in_order(ds: &Dataset) -> Vec<usize> {
    let mut partners: Vec<usize> = (0..ds.contacts.len())
        .filter(|&i| ds.contacts[i].is_partner)
        .collect();
    partners.sort_by(|&a, &b| cmp_ids(&ds.contacts[a].id, &ds.contacts[b].id).then(a.cmp(&b)));
    partners
}

/// CRM IDs in natural order: numbers by value, anything else after them as text.
pub fn cmp_ids(a: &str, b: &str) -> Ordering {
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    match (numeric(a), numeric(b)) {
        (true, true) => {
            let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
            a.len().cmp(&b.len()).then_with(|| a.cmp(b))
        }
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.cmp(b),
    }
}

/// Checks that every phone item of every partner card appears exactly once in `lines`, with
/// its column and text, and that nothing else does. The error names the first card that fails.
pub fn verify_conservation(ds: &Dataset, lines: &[PlanLine]) -> Result<(), String> {
    let mut by_partner: HashMap<usize, Vec<&PlanLine>> = HashMap::new();
    for l in lines {
        if !ds
            .contacts
            .get(l.partner)
            .is_some_and(|c| c.is_partner && c.id == l.partner_id)
        {
            return Err(format!(
                "plan line for {} is not about a partner card",
                l.partner_id
            ));
        }
        by_partner.entry(l.partner).or_default().push(l);
    }
    for (i, c) in ds.contacts.iter().enumerate().filter(|(_, c)| c.is_partner) {
        let planned = by_partner.remove(&i).unwrap_or_default();
        let items: Vec<(&str, &str)> = c
            .phones
            .iter()
            .map(|p| (ds.header(c.at, p.column), p.norm.raw.as_str()))
            .collect();
        let got: Vec<(&str, &str)> = planned
            .iter()
            .map(|l| (l.source_column.as_str(), l.raw.as_str()))
            .collect();
        if items != got {
            return Err(format!(
                "partner card {} ({}, row {}): {} phone item(s) on the card, {} in the plan",
                c.id,
                ds.file(c.at),
                c.at.row_number(),
                items.len(),
                got.len()
            ));
        }
    }
    Ok(())
}

/// Counts of a plan, for the command's summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub partner_cards: usize,
    pub phones: usize,
    pub keep: usize,
    pub moves: usize,
    pub review: usize,
    /// Distinct new contacts to create.
    pub new_contacts: usize,
    /// Moves that link an existing contact instead.
    pub links: usize,
}

impl Summary {
    pub fn of(ds: &Dataset, lines: &[PlanLine]) -> Summary {
        let mut s = Summary {
            partner_cards: ds.contacts.iter().filter(|c| c.is_partner).count(),
            phones: lines.len(),
            ..Summary::default()
        };
        let mut new = std::collections::HashSet::new();
        for l in lines {
            match l.action {
                Action::Keep => s.keep += 1,
                Action::Review => s.review += 1,
                Action::Move => {
                    s.moves += 1;
                    match l.link_contact {
                        Some(_) => s.links += 1,
                        None => {
                            new.insert((l.phone.as_str(), l.new_contact_name.as_deref()));
                        }
                    }
                }
            }
        }
        s.new_contacts = new.len();
        s
    }
}
