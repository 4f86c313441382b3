//! The decision for each phone on a partner card (RULES-SEMANTICS «Partner cards»): keep, move
//! (named by the client base or the object address, or linked to an existing contact) or review.

use std::collections::HashMap;
use std::sync::OnceLock;

use rayon::prelude::*;

use super::evidence::{contract_key, Evidence, Hit, Kinds};
use super::{cmp_ids, Action, PlanLine};
use crate::model::{Contact, Dataset, Deal};
use crate::normalize::name::{fold, tokens};
use crate::normalize::phone::PhoneProblem;
use crate::normalize::text::is_blank;

/// Address words left out when two object addresses are compared.
const ADDRESS_NOISE: [&str; 24] = [
    "ул",
    "улица",
    "д",
    "дом",
    "кв",
    "квартира",
    "г",
    "город",
    "спб",
    "санкт",
    "петербург",
    "корп",
    "корпус",
    "к",
    "стр",
    "строение",
    "лит",
    "литера",
    "пр",
    "просп",
    "проспект",
    "пер",
    "переулок",
    "наб",
];

/// What was decided about one number of a card.
#[derive(Debug, Clone)]
struct Decision {
    action: Action,
    name: Option<String>,
    deals: Vec<usize>,
    reason: String,
    link: Option<usize>,
    /// A review only for want of a name: the evidence phrase ([`PlanLine::unnamed`]).
    unnamed: Option<String>,
}

impl Decision {
    fn new(action: Action, deals: Vec<usize>, reason: String) -> Self {
        Decision {
            action,
            name: None,
            deals,
            reason,
            link: None,
            unnamed: None,
        }
    }
}

pub(super) struct Planner<'a> {
    pub ds: &'a Dataset,
    pub ev: &'a Evidence,
    /// What each partner card's numbers are compared with many times, worked out once.
    cards: HashMap<usize, PartnerCard>,
}

impl<'a> Planner<'a> {
    /// The planner of some partner cards (indices into `Dataset::contacts`).
    pub fn new(ds: &'a Dataset, ev: &'a Evidence, partners: &[usize]) -> Self {
        let cards = partners
            .par_iter()
            .map(|&p| (p, PartnerCard::of(ds, &ds.contacts[p])))
            .collect();
        Planner { ds, ev, cards }
    }

    fn card_of(&self, p: usize) -> &PartnerCard {
        &self.cards[&p]
    }

    /// The address keys of partner `p`'s deals that have an address, each with the deal.
    fn deal_addresses(&self, p: usize) -> &[(usize, String)] {
        self.card_of(p).deal_addresses.get_or_init(|| {
            self.ev
                .partner_deals(p)
                .iter()
                .map(|&d| (d, address_key(self.ds.deals[d].address(self.ds))))
                .filter(|(_, key)| !key.is_empty())
                .collect()
        })
    }

    /// One line per phone item of the partner card `p`, in item order.
    pub fn card(&self, p: usize) -> Vec<PlanLine> {
        let c = &self.ds.contacts[p];
        let mut decided: Vec<(&str, Option<Decision>)> = Vec::new();
        for phone in c.valid_phones() {
            if !decided.iter().any(|(x, _)| *x == phone) {
                decided.push((phone, self.decide(p, phone)));
            }
        }
        let pending = decided.iter().filter(|(_, d)| d.is_none()).count();
        let fallback = self.without_evidence(p, pending);
        let decisions: HashMap<&str, Decision> = decided
            .into_iter()
            .map(|(phone, d)| (phone, d.unwrap_or_else(|| fallback.clone())))
            .collect();
        let mut first_seen: HashMap<&str, (&str, &str)> = HashMap::new();
        let mut lines = Vec::with_capacity(c.phones.len());
        for item in &c.phones {
            let raw = item.norm.raw.as_str();
            let column = self.ds.header(c.at, item.column);
            let decision = match item.e164().and_then(|e| decisions.get(e).map(|d| (e, d))) {
                None => Decision::new(
                    Action::Review,
                    Vec::new(),
                    not_a_number(raw, item.norm.problem),
                ),
                Some((e, d)) => match first_seen.get(e) {
                    Some((column, first_raw)) => Decision {
                        reason: format!("duplicate of «{first_raw}» in «{column}»: {}", d.reason),
                        ..d.clone()
                    },
                    None => {
                        first_seen.insert(e, (column, raw));
                        d.clone()
                    }
                },
            };
            lines.push(self.line(c, p, item.e164().unwrap_or(raw), column, raw, decision));
        }
        lines
    }

    fn line(
        &self,
        c: &Contact,
        p: usize,
        phone: &str,
        column: &str,
        raw: &str,
        d: Decision,
    ) -> PlanLine {
        let mut deals = d.deals;
        deals.sort_by(|&a, &b| cmp_ids(&self.ds.deals[a].id, &self.ds.deals[b].id).then(a.cmp(&b)));
        deals.dedup();
        PlanLine {
            partner_id: c.id.to_string(),
            phone: phone.to_string(),
            source_column: column.to_string(),
            action: d.action,
            new_contact_name: d.name.filter(|_| d.action == Action::Move),
            deal_ids: deals
                .iter()
                .map(|&i| self.ds.deals[i].id.to_string())
                .collect(),
            reason: d.reason,
            partner: p,
            raw: raw.to_string(),
            deals,
            link_contact_id: d.link.map(|k| self.ds.contacts[k].id.to_string()),
            link_contact: d.link,
            unnamed: d.unnamed,
        }
    }

    /// The decision for numbers without any evidence: the partner's own (keep), unless the
    /// partner has no deals and several such numbers (review).
    fn without_evidence(&self, p: usize, pending: usize) -> Decision {
        let deals = self.ev.partner_deals(p).len();
        let reason = if deals > 0 {
            format!("no client evidence in any deal; the partner's own number (the partner has {deals} deal(s))")
        } else if pending >= 2 {
            return Decision::new(
                Action::Review,
                Vec::new(),
                format!("the partner has no deals and {pending} numbers without evidence: cannot tell whose they are"),
            );
        } else {
            "no client evidence and the only such number on the card: the partner's own".to_string()
        };
        Decision::new(Action::Keep, Vec::new(), reason)
    }

    /// The decision for one number with evidence; `None` when there is no evidence at all.
    fn decide(&self, p: usize, phone: &str) -> Option<Decision> {
        let hits = self.hits(p, phone);
        let client: Vec<Hit> = hits
            .iter()
            .copied()
            .filter(|h| h.kinds.has(Kinds::CLIENT))
            .collect();
        let partner_notes: Vec<usize> = hits
            .iter()
            .filter(|h| h.kinds.has(Kinds::PARTNER_NOTE))
            .map(|h| h.deal)
            .collect();
        let own = (!partner_notes.is_empty()).then(|| {
            format!(
                "notes of deal(s) {} call it the partner's number",
                self.ids(&partner_notes)
            )
        });
        if client.is_empty() {
            return self.without_client_evidence(p, phone, partner_notes, own);
        }
        let deals: Vec<usize> = client.iter().map(|h| h.deal).collect();
        if let Some(own) = own {
            let reason = format!(
                "conflicting evidence: {own}, but {}",
                self.evidence_phrase(&client)
            );
            return Some(Decision::new(Action::Review, deals, reason));
        }
        Some(self.client_number(p, phone, &client))
    }

    /// The deals where `phone` counts for partner `p`: the evidence as it counts for him, and
    /// his deals at the address of a client-base row that lists the number under a client.
    fn hits(&self, p: usize, phone: &str) -> Vec<Hit> {
        let mut hits: Vec<Hit> = self
            .ev
            .hits(phone)
            .iter()
            .filter_map(|h| self.relevant(p, phone, *h))
            .collect();
        for (_, deal) in self.base_by_address(p, phone) {
            match hits.iter_mut().find(|h| h.deal == deal) {
                Some(h) => h.kinds = h.kinds.with(Kinds::BASE_ADDRESS),
                None => hits.push(Hit {
                    deal,
                    kinds: Kinds::BASE_ADDRESS,
                }),
            }
        }
        hits
    }

    /// (client-base row, deal): the rows that list `phone` under someone other than partner
    /// `p`, each with his deals at the row's address under another contract (a deal of the
    /// row's contract is evidence by its contract already).
    fn base_by_address(&self, p: usize, phone: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for &r in self.ev.base_rows(phone) {
            let row = &self.ds.clients[r];
            let key = address_key(row.address(self.ds));
            if key.is_empty() || self.card_of(p).matches(row.name(self.ds)) {
                continue;
            }
            let contract = contract_key(row.contract_no(self.ds));
            out.extend(
                self.deal_addresses(p)
                    .iter()
                    .filter(|(d, address)| {
                        *address == key
                            && contract_key(self.ds.deals[*d].contract_no(self.ds)) != contract
                    })
                    .map(|&(d, _)| (r, d)),
            );
        }
        out
    }

    /// A number with evidence that it is a client's: move (named or linked) or review.
    fn client_number(&self, p: usize, phone: &str, client: &[Hit]) -> Decision {
        let deals: Vec<usize> = client.iter().map(|h| h.deal).collect();
        let evidence = self.evidence_phrase(client);
        let review = |why: String| Decision::new(Action::Review, deals.clone(), why);
        let listed = self.base_names(p, phone);
        if listed.len() > 1 {
            return review(format!(
                "{evidence}; the client base lists it under different clients: {}",
                listed.join(", ")
            ));
        }
        let names = self.resolved_names(p, phone, &deals);
        if names.len() > 1 {
            let list: Vec<String> = names.iter().map(|(n, c)| format!("«{n}» ({c})")).collect();
            return review(format!(
                "{evidence}; the client base names different clients: {}",
                list.join(", ")
            ));
        }
        if !self.one_object(&deals) {
            return review(format!(
                "{evidence}; the deals are at different addresses: {}",
                self.addresses(&deals).join("; ")
            ));
        }
        let holders: Vec<usize> = self
            .ev
            .holders(phone)
            .iter()
            .copied()
            .filter(|&h| !self.card_of(p).same_person(self.ds, &self.ds.contacts[h]))
            .collect();
        if !holders.is_empty() {
            return match self.holder_to_link(&holders, &deals) {
                Some(h) => {
                    let contact = &self.ds.contacts[h];
                    let name = display_name(self.ds, contact);
                    Decision {
                        name: Some(name.clone()),
                        link: Some(h),
                        ..Decision::new(
                            Action::Move,
                            deals,
                            format!(
                                "{evidence}; link to existing contact ID {} «{name}»",
                                contact.id
                            ),
                        )
                    }
                }
                None => review(format!(
                    "{evidence}; the number is on several contacts ({}): choose the one to link",
                    holders
                        .iter()
                        .map(|&h| self.ds.contacts[h].id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
        }
        match self.new_name(client, names.first()) {
            Some((name, naming)) => Decision {
                name: Some(name),
                ..Decision::new(Action::Move, deals, format!("{evidence}; {naming}"))
            },
            None => Decision {
                unnamed: Some(evidence.clone()),
                ..review(format!(
                    "{evidence}; no object address and no client-base name to name a new contact"
                ))
            },
        }
    }

    /// No client evidence: the partner's own by notes (keep), or traces elsewhere that make the
    /// decision unsafe (review), or nothing (`None`).
    fn without_client_evidence(
        &self,
        p: usize,
        phone: &str,
        own_deals: Vec<usize>,
        own: Option<String>,
    ) -> Option<Decision> {
        if let Some(own) = own {
            return Some(Decision::new(Action::Keep, own_deals, own));
        }
        let holders: Vec<&str> = self
            .ev
            .holders(phone)
            .iter()
            .map(|&h| &self.ds.contacts[h])
            .filter(|h| !self.card_of(p).same_person(self.ds, h))
            .map(|h| h.id.as_str())
            .collect();
        if !holders.is_empty() {
            let reason = format!(
                "also on contact(s) {} but no deal uses it as a client's number",
                holders.join(", ")
            );
            return Some(Decision::new(Action::Review, Vec::new(), reason));
        }
        let others = self
            .ev
            .base_rows(phone)
            .iter()
            .map(|&r| &self.ds.clients[r])
            .find(|c| !self.card_of(p).matches(c.name(self.ds)));
        if let Some(client) = others {
            let reason = format!(
                "in the client base (contract {}, «{}») but no deal uses it",
                client.contract_no(self.ds),
                client.name(self.ds)
            );
            return Some(Decision::new(Action::Review, Vec::new(), reason));
        }
        None
    }

    /// A hit as it counts for this partner. On his own deals «Телефон клиента» is whoever
    /// called and a note that names no owner («звонить на 8 921 …») whoever answers — the
    /// partner as often as his client — and the «(контакт)» columns are a snapshot of his card:
    /// none of them says whose a number is. The partner ordered for himself when a client-base
    /// row in his name holds the number; a main contact that is the partner's own twin card
    /// (same name) is no client.
    fn relevant(&self, p: usize, phone: &str, hit: Hit) -> Option<Hit> {
        let partner = &self.ds.contacts[p];
        let d = &self.ds.deals[hit.deal];
        let mut kinds = hit.kinds;
        if self.ev.deal_partner(hit.deal) == Some(p) {
            kinds = kinds.without(Kinds::CLIENT_PHONE.with(Kinds::NOTE));
        }
        if kinds.has(Kinds::CLIENT_BASE)
            && self
                .ev
                .contract_rows(d.contract_no(self.ds))
                .iter()
                .map(|&r| &self.ds.clients[r])
                .filter(|c| c.phones.iter().any(|p| p.e164() == Some(phone)))
                .all(|c| self.card_of(p).matches(c.name(self.ds)))
        {
            kinds = kinds.without(Kinds::CLIENT_BASE);
        }
        if kinds.has(Kinds::MAIN_CONTACT)
            && d.contacts
                .first()
                .is_some_and(|&m| self.card_of(p).same_person(self.ds, &self.ds.contacts[m]))
        {
            kinds = kinds.without(Kinds::MAIN_CONTACT);
        }
        if kinds.has(Kinds::MAIN_PHONE)
            && (d.contact_ids(self.ds).any(|id| id == partner.id)
                || self.card_of(p).matches(d.contact_name(self.ds)))
        {
            kinds = kinds.without(Kinds::MAIN_PHONE);
        }
        (!kinds.is_empty()).then_some(Hit {
            deal: hit.deal,
            kinds,
        })
    }

    /// The distinct names («…») the client base lists `phone` under, the partner's aside.
    fn base_names(&self, p: usize, phone: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for &r in self.ev.base_rows(phone) {
            let name = self.ds.clients[r].name(self.ds);
            if !is_blank(name) && !self.card_of(p).matches(name) {
                let quoted = format!("«{name}»");
                if !out.iter().any(|n| tokens(n) == tokens(&quoted)) {
                    out.push(quoted);
                }
            }
        }
        out
    }

    /// The distinct client names the client base gives the deals, each with where it comes
    /// from: the rows of a deal's contract, and the rows that list `phone` at a deal's address.
    /// The partner's own name does not count.
    fn resolved_names(&self, p: usize, phone: &str, deals: &[usize]) -> Vec<(String, String)> {
        let by_contract = deals.iter().flat_map(|&d| {
            let contract = self.ds.deals[d].contract_no(self.ds);
            self.ev
                .contract_rows(contract)
                .iter()
                .map(move |&r| (r, format!("contract {contract}")))
        });
        let by_address = self
            .base_by_address(p, phone)
            .into_iter()
            .filter(|(_, d)| deals.contains(d))
            .map(|(r, _)| {
                let row = &self.ds.clients[r];
                (
                    r,
                    format!(
                        "contract {} at «{}»",
                        row.contract_no(self.ds),
                        row.address(self.ds)
                    ),
                )
            });
        let mut out: Vec<(String, String)> = Vec::new();
        for (r, source) in by_contract.chain(by_address) {
            let name = self.ds.clients[r].name(self.ds);
            if is_blank(name) || self.card_of(p).matches(name) {
                continue;
            }
            let key = tokens(name).join(" ");
            if !out.iter().any(|(n, _)| tokens(n).join(" ") == key) {
                out.push((name.to_string(), source));
            }
        }
        out
    }

    /// All deals are about one object: one address (blank ones aside), or one contract.
    fn one_object(&self, deals: &[usize]) -> bool {
        if self.address_keys(deals).len() <= 1 {
            return true;
        }
        let contracts: Vec<_> = deals
            .iter()
            .map(|&d| contract_key(self.ds.deals[d].contract_no(self.ds)))
            .collect();
        contracts
            .iter()
            .all(|c| !c.is_empty() && *c == contracts[0])
    }

    fn address_keys(&self, deals: &[usize]) -> Vec<String> {
        let mut keys: Vec<String> = deals
            .iter()
            .map(|&d| address_key(self.ds.deals[d].address(self.ds)))
            .filter(|k| !k.is_empty())
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    /// The deals' addresses as written, distinct.
    fn addresses(&self, deals: &[usize]) -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        let mut out = Vec::new();
        for &d in deals {
            let deal = &self.ds.deals[d];
            let key = address_key(deal.address(self.ds));
            if !key.is_empty() && !seen.contains(&key) {
                seen.push(key);
                out.push(format!("«{}» (deal {})", deal.address(self.ds), deal.id));
            }
        }
        out
    }

    /// The existing contact to link: the only holder that is the main contact of one of the
    /// deals, else the only holder; `None` when that is ambiguous.
    fn holder_to_link(&self, holders: &[usize], deals: &[usize]) -> Option<usize> {
        let mains: Vec<usize> = holders
            .iter()
            .copied()
            .filter(|h| {
                deals
                    .iter()
                    .any(|&d| self.ds.deals[d].contacts.first() == Some(h))
            })
            .collect();
        match (mains.as_slice(), holders) {
            ([one], _) | ([], [one]) => Some(*one),
            _ => None,
        }
    }

    /// The new contact's name and how it was found: the client base's ФИО when it names the
    /// client, else the object address exactly as written (strong evidence first).
    fn new_name(
        &self,
        client: &[Hit],
        resolved: Option<&(String, String)>,
    ) -> Option<(String, String)> {
        if let Some((name, source)) = resolved {
            return Some((name.clone(), format!("client base, {source} → «{name}»")));
        }
        let by_strength = client
            .iter()
            .filter(|h| h.kinds.has(Kinds::STRONG))
            .chain(client.iter().filter(|h| !h.kinds.has(Kinds::STRONG)));
        let deal = by_strength
            .map(|h| &self.ds.deals[h.deal])
            .find(|d| !is_blank(d.address(self.ds)))?;
        let contract = deal.contract_no(self.ds);
        let why = if is_blank(contract) {
            "no contract number; named by the object address".to_string()
        } else {
            format!("contract {contract} not in client base; named by the object address")
        };
        Some((deal.address(self.ds).to_string(), why))
    }

    /// «used as the client number of deal 555 only («Телефон клиента», a note)».
    fn evidence_phrase(&self, client: &[Hit]) -> String {
        match client {
            [one] => {
                let d = &self.ds.deals[one.deal];
                format!(
                    "used as the client number of deal {} only ({})",
                    d.id,
                    self.sources(d, one.kinds)
                )
            }
            _ => {
                let deals: Vec<usize> = client.iter().map(|h| h.deal).collect();
                format!("used as the client number of deals {}", self.ids(&deals))
            }
        }
    }

    fn sources(&self, d: &Deal, kinds: Kinds) -> String {
        let mut out = Vec::new();
        if kinds.has(Kinds::CLIENT_PHONE) {
            out.push(format!("«{}»", self.ds.label(d.at, "phone_client")));
        }
        if kinds.has(Kinds::CLIENT_NOTE) {
            out.push("a note naming a client".to_string());
        } else if kinds.has(Kinds::NOTE) {
            out.push("a note".to_string());
        }
        if kinds.has(Kinds::CLIENT_BASE) {
            out.push(format!("client base, contract {}", d.contract_no(self.ds)));
        }
        if kinds.has(Kinds::BASE_ADDRESS) {
            out.push("client base, same address".to_string());
        }
        if kinds.has(Kinds::MAIN_CONTACT) {
            let id = d
                .contacts
                .first()
                .map_or("", |&m| self.ds.contacts[m].id.as_str());
            out.push(format!("its main contact ID {id}"));
        }
        if kinds.has(Kinds::MAIN_PHONE) {
            out.push(format!("its main contact «{}»", d.contact_name(self.ds)));
        }
        out.join(", ")
    }

    /// Deal IDs in ID order, comma-separated.
    fn ids(&self, deals: &[usize]) -> String {
        let mut ids: Vec<&str> = deals
            .iter()
            .map(|&d| self.ds.deals[d].id.as_str())
            .collect();
        ids.sort_by(|a, b| cmp_ids(a, b));
        ids.dedup();
        ids.join(", ")
    }
}

/// An object address for comparison: folded (Latin look-alikes too), without street-type and
/// unit words.
pub fn address_key(address: &str) -> String {
    if is_blank(address) {
        return String::new();
    }
    fold(address)
        .split(' ')
        .filter(|w| !w.is_empty() && !ADDRESS_NOISE.contains(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The name to show for an existing contact.
pub fn display_name(ds: &Dataset, c: &Contact) -> String {
    let title = c.title(ds);
    if is_blank(&title) {
        c.person_name(ds)
    } else {
        title.into_owned()
    }
}

/// Name words without digits and without partner markers («прораб»).
fn name_words(s: &str) -> Vec<String> {
    const MARKERS: [&str; 4] = ["прораб", "партнер", "партнёр", "бригадир"];
    let mut words: Vec<String> = tokens(s)
        .into_iter()
        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
        .filter(|w| !MARKERS.iter().any(|m| w.starts_with(m)))
        .collect();
    words.sort();
    words.dedup();
    words
}

/// Two names of one person: equal word sets, or (with two words or more) one inside the other.
fn names_match(a: &[String], b: &[String]) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if small.len() < 2 {
        return a == b;
    }
    small.iter().all(|w| large.contains(w))
}

/// A partner card's names (its title and the person's name) as [`name_words`], and its deals'
/// address keys once a number asks for them ([`Planner::deal_addresses`]).
struct PartnerCard {
    title: Vec<String>,
    person: Vec<String>,
    deal_addresses: OnceLock<Vec<(usize, String)>>,
}

impl PartnerCard {
    fn of(ds: &Dataset, partner: &Contact) -> Self {
        PartnerCard {
            title: name_words(&partner.title(ds)),
            person: name_words(&partner.person_name(ds)),
            deal_addresses: OnceLock::new(),
        }
    }

    /// Whether a name (a deal's contact name) is the partner's.
    fn matches(&self, name: &str) -> bool {
        let words = name_words(name);
        names_match(&self.title, &words) || names_match(&self.person, &words)
    }

    /// Whether another card is the partner's own twin (a second card of the same person).
    fn same_person(&self, ds: &Dataset, other: &Contact) -> bool {
        self.matches(&other.title(ds)) || self.matches(&other.person_name(ds))
    }
}

/// The reason line of an item that is not a valid number.
fn not_a_number(raw: &str, problem: Option<PhoneProblem>) -> String {
    let why = match problem {
        Some(PhoneProblem::Placeholder) => "a placeholder, not a number",
        Some(PhoneProblem::NoAreaCode) => "7 digits without an area code",
        Some(PhoneProblem::TooShort) => "too short",
        Some(PhoneProblem::TooLong) => "too long",
        Some(PhoneProblem::Letters) => "has letters",
        Some(PhoneProblem::Invalid) | None => "not a valid number",
    };
    format!("«{raw}» is not a valid phone number ({why})")
}
