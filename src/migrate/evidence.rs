//! Where a set of phone numbers shows up: in which deals and how (the four kinds of client
//! evidence of RULES-SEMANTICS «Partner cards»), on which non-partner contacts, in which rows of
//! the client base; and which deals belong to which partner. One parallel pass over the deals.

use std::borrow::Cow;

use foldhash::{HashMap, HashSet};
use rayon::prelude::*;

use super::note_owner::{Owner, OwnerWords};
use super::notes;
use crate::model::{Dataset, Deal};
use crate::normalize::name::name_key;
use crate::normalize::text::is_blank;
use crate::params::Params;

/// A deal's partner (if any) and the targets it holds evidence for.
type DealScan = (Option<usize>, Vec<(usize, Kinds)>);

/// How a number appears in one deal (a bit set).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Kinds(u8);

impl Kinds {
    /// The deal's `Телефон клиента` holds it.
    pub const CLIENT_PHONE: Kinds = Kinds(1);
    /// A note mentions it and no owner word governs it («звонить на 8 921 …»).
    pub const NOTE: Kinds = Kinds(2);
    /// A note calls it the partner's («тел. прораба 8 921 …»): the partner's own.
    pub const PARTNER_NOTE: Kinds = Kinds(4);
    /// The deal's contract resolves in the client base and that client's phone is it.
    pub const CLIENT_BASE: Kinds = Kinds(8);
    /// The deal's main contact is a non-partner contact whose card holds it.
    pub const MAIN_CONTACT: Kinds = Kinds(16);
    /// The deal's main contact is not among the contacts read, and the deals export shows it
    /// among that contact's phones.
    pub const MAIN_PHONE: Kinds = Kinds(32);
    /// A note calls it a client's («номер хозяйки: 8 905 …»).
    pub const CLIENT_NOTE: Kinds = Kinds(64);
    /// A client-base row lists it under a client at the deal's object address (set by the
    /// planner for the partner's own deals).
    pub const BASE_ADDRESS: Kinds = Kinds(128);
    /// Everything that says «a client's number» on its own.
    pub const STRONG: Kinds = Kinds(1 | 8 | 16 | 32 | 64 | 128);
    /// Every kind of client evidence.
    pub const CLIENT: Kinds = Kinds(1 | 2 | 8 | 16 | 32 | 64 | 128);

    pub fn has(self, other: Kinds) -> bool {
        self.0 & other.0 != 0
    }

    pub fn with(self, other: Kinds) -> Kinds {
        Kinds(self.0 | other.0)
    }

    pub fn without(self, other: Kinds) -> Kinds {
        Kinds(self.0 & !other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// One deal where a number appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Index into `Dataset::deals`.
    pub deal: usize,
    pub kinds: Kinds,
}

/// The evidence about a set of target numbers.
#[derive(Debug, Default)]
pub struct Evidence {
    targets: HashMap<String, usize>,
    hits: Vec<Vec<Hit>>,
    holders: Vec<Vec<usize>>,
    base_rows: Vec<Vec<usize>>,
    /// Client-base rows by contract key.
    contracts: HashMap<String, Vec<usize>>,
    /// For each deal, the partner (contact index) it belongs to.
    deal_partner: Vec<Option<usize>>,
    /// For each partner (contact index), its deals.
    partner_deals: HashMap<usize, Vec<usize>>,
}

impl Evidence {
    /// Collects the evidence about `targets` (E.164 numbers) in the whole dataset.
    pub fn collect(ds: &Dataset, params: &Params, targets: Vec<String>) -> Evidence {
        let targets: HashMap<String, usize> = targets
            .into_iter()
            .enumerate()
            .map(|(i, t)| (t, i))
            .collect();
        let base_rows = index_by_target(
            &targets,
            ds.clients.iter().enumerate().flat_map(|(i, c)| {
                c.phones
                    .iter()
                    .filter_map(move |p| p.e164().map(|e| (i, e)))
            }),
        );
        let listing = contract_index(ds, base_rows.iter().flatten().copied());
        let scan = Scan {
            ds,
            targets: &targets,
            contracts: &listing,
            owners: OwnerWords::new(params),
            partner_titles: partner_titles(ds),
        };
        let per_deal: Vec<DealScan> = ds
            .deals
            .par_iter()
            .map(|d| (scan.deal_partner(d), scan.deal_hits(d)))
            .collect();
        let mut ev = Evidence {
            hits: vec![Vec::new(); targets.len()],
            holders: index_by_target(
                &targets,
                ds.contacts
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| !c.is_partner)
                    .flat_map(|(i, c)| c.valid_phones().map(move |p| (i, p))),
            ),
            base_rows,
            targets,
            contracts: HashMap::default(),
            deal_partner: Vec::with_capacity(per_deal.len()),
            partner_deals: HashMap::default(),
        };
        let mut wanted: HashSet<Cow<str>> = HashSet::default();
        for (deal, (partner, hits)) in per_deal.into_iter().enumerate() {
            if let Some(p) = partner {
                ev.partner_deals.entry(p).or_default().push(deal);
            }
            ev.deal_partner.push(partner);
            if !hits.is_empty() {
                wanted.insert(contract_key(ds.deals[deal].contract_no(ds)));
            }
            for (t, kinds) in hits {
                ev.hits[t].push(Hit { deal, kinds });
            }
        }
        ev.contracts = contract_index(
            ds,
            (0..ds.clients.len())
                .filter(|&i| wanted.contains(&contract_key(ds.clients[i].contract_no(ds)))),
        );
        ev
    }

    fn target(&self, phone: &str) -> Option<usize> {
        self.targets.get(phone).copied()
    }

    /// The deals where `phone` appears, in deal order.
    pub fn hits(&self, phone: &str) -> &[Hit] {
        self.target(phone).map_or(&[], |t| &self.hits[t])
    }

    /// Non-partner contacts (indices) whose card holds `phone`.
    pub fn holders(&self, phone: &str) -> &[usize] {
        self.target(phone).map_or(&[], |t| &self.holders[t])
    }

    /// Client-base rows (indices) that list `phone`.
    pub fn base_rows(&self, phone: &str) -> &[usize] {
        self.target(phone).map_or(&[], |t| &self.base_rows[t])
    }

    /// The client-base rows of a deal's contract (`Номер договора`), for a deal where a
    /// target appears.
    pub fn contract_rows(&self, contract_no: &str) -> &[usize] {
        self.contracts
            .get(contract_key(contract_no).as_ref())
            .map_or(&[], Vec::as_slice)
    }

    /// The deals whose main contact is this partner.
    pub fn partner_deals(&self, partner: usize) -> &[usize] {
        self.partner_deals.get(&partner).map_or(&[], Vec::as_slice)
    }

    /// The partner a deal belongs to, if any.
    pub fn deal_partner(&self, deal: usize) -> Option<usize> {
        self.deal_partner.get(deal).copied().flatten()
    }
}

/// For each target, the records (by index) that hold it, from `(record, number)` pairs in
/// record order, deduplicated.
fn index_by_target<'a>(
    targets: &HashMap<String, usize>,
    numbers: impl Iterator<Item = (usize, &'a str)>,
) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); targets.len()];
    for (i, p) in numbers {
        if let Some(&t) = targets.get(p) {
            let list: &mut Vec<usize> = &mut out[t];
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }
    out
}

/// Client-base rows by contract key, for some rows.
fn contract_index(ds: &Dataset, rows: impl Iterator<Item = usize>) -> HashMap<String, Vec<usize>> {
    let mut map: HashMap<String, Vec<usize>> = HashMap::default();
    for i in rows {
        let key = contract_key(ds.clients[i].contract_no(ds));
        if !key.is_empty() {
            let rows = map.entry(key.into_owned()).or_default();
            if !rows.contains(&i) {
                rows.push(i);
            }
        }
    }
    map
}

/// A contract number for matching: no spaces, no `№`, lowercase; empty when blank. Borrowed
/// when the number is already in that form, as most are (`17/23`).
pub fn contract_key(s: &str) -> Cow<'_, str> {
    let s = s.trim();
    if s.is_empty() || (!s.starts_with(|c: char| c.is_ascii_digit()) && is_blank(s)) {
        return Cow::Borrowed("");
    }
    let plain = |c: char| !c.is_whitespace() && c != '№' && !c.is_uppercase();
    if s.chars().all(plain) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .filter(|c| !c.is_whitespace() && *c != '№')
            .flat_map(char::to_lowercase)
            .collect(),
    )
}

/// Partners by the name key of their card title, for deals not linked by ID.
fn partner_titles(ds: &Dataset) -> HashMap<String, Vec<usize>> {
    let mut map: HashMap<String, Vec<usize>> = HashMap::default();
    for (i, c) in ds.contacts.iter().enumerate() {
        let title = c.title(ds);
        if c.is_partner && !title.is_empty() {
            map.entry(name_key(&title)).or_default().push(i);
        }
    }
    map
}

struct Scan<'a> {
    ds: &'a Dataset,
    targets: &'a HashMap<String, usize>,
    contracts: &'a HashMap<String, Vec<usize>>,
    owners: OwnerWords,
    partner_titles: HashMap<String, Vec<usize>>,
}

impl Scan<'_> {
    /// The partner whose deal this is: the main contact when it is a partner; for a deal not
    /// linked to any contact read, the one partner whose card title equals the contact name.
    fn deal_partner(&self, d: &Deal) -> Option<usize> {
        if let Some(&main) = d.contacts.first() {
            return self.ds.contacts[main].is_partner.then_some(main);
        }
        let name = d.contact_name(self.ds);
        if name.is_empty() {
            return None;
        }
        match self.partner_titles.get(&name_key(name)) {
            Some(ps) if ps.len() == 1 => Some(ps[0]),
            _ => None,
        }
    }

    /// The targets this deal holds, each with how.
    fn deal_hits(&self, d: &Deal) -> Vec<(usize, Kinds)> {
        let mut hits: Vec<(usize, Kinds)> = Vec::new();
        let mut add = |phone: &str, kinds: Kinds| {
            if let Some(&t) = self.targets.get(phone) {
                match hits.iter_mut().find(|(x, _)| *x == t) {
                    Some(h) => h.1 = h.1.with(kinds),
                    None => hits.push((t, kinds)),
                }
            }
        };
        for p in d.client_phones.iter().filter_map(|p| p.e164()) {
            add(p, Kinds::CLIENT_PHONE);
        }
        for note in self.ds.notes(d) {
            self.note_hits(note, &mut add);
        }
        if let Some(rows) = self
            .contracts
            .get(contract_key(d.contract_no(self.ds)).as_ref())
        {
            for &r in rows {
                for p in self.ds.clients[r].phones.iter().filter_map(|p| p.e164()) {
                    add(p, Kinds::CLIENT_BASE);
                }
            }
        }
        match d.contacts.first() {
            Some(&main) if !self.ds.contacts[main].is_partner => {
                for p in self.ds.contacts[main].valid_phones() {
                    add(p, Kinds::MAIN_CONTACT);
                }
            }
            Some(_) => {}
            None => {
                for p in d.phones.iter().filter_map(|p| p.e164()) {
                    add(p, Kinds::MAIN_PHONE);
                }
            }
        }
        hits
    }

    fn note_hits(&self, note: &str, add: &mut impl FnMut(&str, Kinds)) {
        let found = notes::mentions(note);
        if !found.iter().any(|m| self.targets.contains_key(&m.e164)) {
            return;
        }
        for (m, owner) in found.iter().zip(self.owners.owners(note, &found)) {
            add(&m.e164, note_kind(owner));
        }
    }
}

/// The kind of evidence a note mention is.
fn note_kind(owner: Owner) -> Kinds {
    match owner {
        Owner::Partner => Kinds::PARTNER_NOTE,
        Owner::Client => Kinds::CLIENT_NOTE,
        Owner::Unknown => Kinds::NOTE,
    }
}
