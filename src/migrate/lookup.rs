//! «Whose number is this?» (partner-cards seed, step 5): every contact and deal that holds a
//! number, where, and a verdict — the partner's own, a client's, or unknown.
//!
//! The verdict: when partner cards hold the number, their plan decides (keep → the partner's,
//! move → a client's, review → unknown). Otherwise a number of a non-partner contact is a
//! client's, unless that contact is the main contact of `lookup.partner_min_deals` or more deals
//! at different addresses (then it looks like an untagged partner's); a number only in deals is
//! read as the plan reads it: a client's when the client phone, the client base or a note that
//! names no partner holds it, a partner's when notes only call it a partner's («тел. прораба
//! …»), unknown when both or nothing at all.

use std::collections::HashSet;

use rayon::prelude::*;
use serde::Serialize;

use super::{
    address_key, contract_key, display_name, mentions, plan_for, Action, Evidence, Kinds, Owner,
    OwnerWords,
};
use crate::decisions::Resolved;
use crate::model::{Dataset, Deal, Phone};
use crate::params::Params;

/// Whose number it looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Partner,
    Client,
    Unknown,
}

impl Verdict {
    /// The verdict in words, for the table.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Partner => "partner's own",
            Verdict::Client => "client's",
            Verdict::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactHit {
    pub id: String,
    pub name: String,
    pub column: String,
    pub partner: bool,
    pub file: String,
    pub row: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DealHit {
    pub id: String,
    pub name: String,
    pub stage: String,
    pub address: String,
    /// Where the number is: `contact phone «Мобильный телефон»`, `client phone «Телефон
    /// клиента»`, `note 2`, `client base, contract 17/23`.
    pub places: Vec<String>,
}

/// The answer of `crmclean lookup`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lookup {
    pub query: String,
    pub phone: String,
    pub verdict: Verdict,
    /// How many records support the verdict.
    pub evidence: usize,
    pub reason: String,
    pub contacts: Vec<ContactHit>,
    pub deals: Vec<DealHit>,
}

/// Looks `phone` (E.164) up in the whole dataset; `query` is the number as the user typed it.
/// The decided numbers of partner cards get their decided verdict.
pub fn lookup(
    ds: &Dataset,
    params: &Params,
    decisions: &Resolved,
    query: &str,
    phone: &str,
) -> Lookup {
    let contact_hits: Vec<(usize, &Phone)> = ds
        .contacts
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, c)| {
            c.phones
                .iter()
                .filter(|p| p.e164() == Some(phone))
                .map(move |p| (i, p))
        })
        .collect();
    let mut holders: Vec<usize> = contact_hits.iter().map(|(i, _)| *i).collect();
    holders.dedup();
    let listing = ds
        .clients
        .iter()
        .filter(|c| c.phones.iter().any(|p| p.e164() == Some(phone)));
    let base = Base {
        contracts: listing
            .clone()
            .map(|c| contract_key(c.contract_no(ds)).into_owned())
            .filter(|k| !k.is_empty())
            .collect(),
        addresses: listing
            .map(|c| address_key(c.address(ds)))
            .filter(|k| !k.is_empty())
            .collect(),
    };
    let owners = OwnerWords::new(params);
    let deals: Vec<(usize, Vec<String>)> = ds
        .deals
        .par_iter()
        .enumerate()
        .filter_map(|(i, d)| {
            let places = places(ds, d, phone, &holders, &base, &owners);
            (!places.is_empty()).then_some((i, places))
        })
        .collect();
    let (verdict, evidence, reason) = verdict(ds, params, decisions, phone, &holders, deals.len());
    Lookup {
        query: query.to_string(),
        phone: phone.to_string(),
        verdict,
        evidence,
        reason,
        contacts: contact_hits
            .into_iter()
            .map(|(i, p)| {
                let c = &ds.contacts[i];
                ContactHit {
                    id: c.id.to_string(),
                    name: display_name(ds, c),
                    column: ds.header(c.at, p.column).to_string(),
                    partner: c.is_partner,
                    file: ds.file(c.at).to_string(),
                    row: c.at.row_number(),
                }
            })
            .collect(),
        deals: deals
            .into_iter()
            .map(|(i, places)| {
                let d = &ds.deals[i];
                DealHit {
                    id: d.id.to_string(),
                    name: d.name(ds).to_string(),
                    stage: d.stage.to_string(),
                    address: d.address(ds).to_string(),
                    places,
                }
            })
            .collect(),
    }
}

/// The contracts and object addresses (keys) of the client-base rows that list the number.
struct Base {
    contracts: HashSet<String>,
    addresses: HashSet<String>,
}

/// Where a deal holds the number; `holders` are the contacts whose cards hold it.
fn places(
    ds: &Dataset,
    d: &Deal,
    phone: &str,
    holders: &[usize],
    base: &Base,
    owners: &OwnerWords,
) -> Vec<String> {
    let mut out = Vec::new();
    for c in d.contacts.iter().filter(|c| holders.contains(c)) {
        out.push(format!("card of its contact {}", ds.contacts[*c].id));
    }
    for p in d.phones.iter().filter(|p| p.e164() == Some(phone)) {
        out.push(format!("contact phone «{}»", ds.header(d.at, p.column)));
    }
    for p in d.client_phones.iter().filter(|p| p.e164() == Some(phone)) {
        out.push(format!("client phone «{}»", ds.header(d.at, p.column)));
    }
    for (n, note) in ds.notes(d).enumerate() {
        let found = mentions(note);
        if let Some(i) = found.iter().position(|m| m.e164 == phone) {
            let whose = match owners.owners(note, &found)[i] {
                Owner::Partner => " (a partner's number)",
                Owner::Client => " (a client's number)",
                Owner::Unknown => "",
            };
            out.push(format!("note {}{whose}", n + 1));
        }
    }
    if !base.contracts.is_empty()
        && base
            .contracts
            .contains(contract_key(d.contract_no(ds)).as_ref())
    {
        out.push(format!("client base, contract {}", d.contract_no(ds)));
    }
    let partner_holds = d
        .contacts
        .first()
        .is_some_and(|m| holders.contains(m) && ds.contacts[*m].is_partner);
    if partner_holds && base.addresses.contains(&address_key(d.address(ds))) {
        out.push("client base, same address".to_string());
    }
    out
}

fn verdict(
    ds: &Dataset,
    params: &Params,
    decisions: &Resolved,
    phone: &str,
    holders: &[usize],
    deals: usize,
) -> (Verdict, usize, String) {
    let partners: Vec<usize> = holders
        .iter()
        .copied()
        .filter(|&h| ds.contacts[h].is_partner)
        .collect();
    if !partners.is_empty() {
        return by_plan(ds, params, decisions, phone, &partners);
    }
    let min = params.lookup.partner_min_deals.max(2);
    for &h in holders {
        let own: Vec<&Deal> = ds
            .deals
            .iter()
            .filter(|d| d.contacts.first() == Some(&h))
            .collect();
        let mut addresses: Vec<String> = own
            .iter()
            .map(|d| address_key(d.address(ds)))
            .filter(|a| !a.is_empty())
            .collect();
        addresses.sort();
        addresses.dedup();
        if own.len() >= min && addresses.len() >= 2 {
            let c = &ds.contacts[h];
            let reason = format!(
                "contact {} «{}» is the main contact of {} deals at {} addresses: looks like an untagged partner",
                c.id,
                display_name(ds, c),
                own.len(),
                addresses.len()
            );
            return (Verdict::Partner, own.len(), reason);
        }
    }
    if !holders.is_empty() {
        let reason = format!("on {} non-partner contact(s)", holders.len());
        return (Verdict::Client, holders.len() + deals, reason);
    }
    let ev = Evidence::collect(ds, params, vec![phone.to_string()]);
    let count = |kinds: Kinds| ev.hits(phone).iter().filter(|h| h.kinds.has(kinds)).count();
    match (count(Kinds::CLIENT), count(Kinds::PARTNER_NOTE)) {
        (0, 0) => (
            Verdict::Unknown,
            0,
            "no contact holds it and no deal uses it as a client's number".to_string(),
        ),
        (client, 0) => (
            Verdict::Client,
            client,
            format!("used as a client's number in {client} deal(s)"),
        ),
        (0, partner) => (
            Verdict::Partner,
            partner,
            format!("notes of {partner} deal(s) call it a partner's number"),
        ),
        (client, partner) => (
            Verdict::Unknown,
            0,
            format!("conflicting evidence: a client's number in {client} deal(s), but notes of {partner} deal(s) call it a partner's"),
        ),
    }
}

/// The verdict of the plan for the partner cards that hold the number.
fn by_plan(
    ds: &Dataset,
    params: &Params,
    decisions: &Resolved,
    phone: &str,
    partners: &[usize],
) -> (Verdict, usize, String) {
    let mut lines = plan_for(ds, params, partners);
    decisions.apply_to_plan(ds, &mut lines);
    let lines: Vec<_> = lines.into_iter().filter(|l| l.phone == phone).collect();
    let pick = |a: Action| lines.iter().find(|l| l.action == a);
    let (verdict, line) = match (pick(Action::Move), pick(Action::Review), pick(Action::Keep)) {
        (Some(l), _, _) => (Verdict::Client, l),
        (None, Some(l), _) => (Verdict::Unknown, l),
        (None, None, Some(l)) => (Verdict::Partner, l),
        (None, None, None) => return (Verdict::Unknown, 0, "no plan line".to_string()),
    };
    let evidence = line.deal_ids.len().max(1);
    let reason = format!(
        "partner card {} «{}»: {}: {}",
        line.partner_id,
        ds.contacts[line.partner].title(ds),
        line.action.as_str(),
        line.reason
    );
    (verdict, evidence, reason)
}
