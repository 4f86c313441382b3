//! Decisions applied to one dataset: which records the clustering must keep apart, what
//! happens to the decided numbers of partner cards, and which decisions are stale (about
//! records or numbers no longer in the export: reported, never fatal).

use std::collections::HashMap;

use super::{Decision, Decisions, Kind, APPLICATION};
use crate::migrate::{display_name, Action, PlanLine};
use crate::model::Dataset;
use crate::profile::Kind as Export;

/// The decisions of a run, resolved against its dataset.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    pub decisions: Decisions,
    /// Pairs of contacts (indices into `Dataset::contacts`) that are different persons.
    pub apart_contacts: Vec<(u32, u32)>,
    /// Pairs of Flow applications that are different persons.
    pub apart_applications: Vec<(u32, u32)>,
    /// Partner ID → phone → what was decided about it.
    phones: HashMap<String, HashMap<String, Decided>>,
    /// One message per stale decision: `line N: why`.
    pub stale: Vec<String>,
}

/// A decided number of a partner card.
#[derive(Debug, Clone, Copy)]
struct Decided {
    /// The decision (index into `decisions.list`).
    decision: usize,
    /// The existing contact its `ID …` links (index into the contacts).
    link: Option<usize>,
}

impl Resolved {
    /// Nothing decided.
    pub fn none() -> Resolved {
        Resolved::default()
    }

    pub fn new(decisions: Decisions, ds: &Dataset) -> Resolved {
        let mut r = Resolved {
            decisions,
            ..Resolved::default()
        };
        if r.decisions.is_empty() {
            return r;
        }
        let contacts = index(ds.contacts.iter().map(|c| c.id.as_str()));
        let applications = index(ds.applications.iter().map(|a| a.app_no.as_str()));
        let has_contacts = ds.has_kind(Export::AmocrmContacts);
        let has_applications = ds.has_kind(Export::FlowApplications);
        for (k, d) in r.decisions.list.iter().enumerate() {
            match d.kind {
                Kind::NotDuplicate => {
                    let (ids, apart, read) = if d.subject == APPLICATION {
                        (&applications, &mut r.apart_applications, has_applications)
                    } else {
                        (&contacts, &mut r.apart_contacts, has_contacts)
                    };
                    let found: Vec<&[u32]> = d
                        .ids
                        .iter()
                        .filter_map(|id| ids.get(id.as_str()).map(Vec::as_slice))
                        .collect();
                    let missing: Vec<&str> = d
                        .ids
                        .iter()
                        .filter(|id| !ids.contains_key(id.as_str()))
                        .map(String::as_str)
                        .collect();
                    if read && !missing.is_empty() {
                        r.stale.push(format!(
                            "line {}: {} {} no longer in the export",
                            d.line,
                            d.subject,
                            missing.join(", ")
                        ));
                    }
                    for (i, a) in found.iter().enumerate() {
                        for b in &found[i + 1..] {
                            for &x in *a {
                                for &y in *b {
                                    if x != y {
                                        apart.push((x.min(y), x.max(y)));
                                    }
                                }
                            }
                        }
                    }
                }
                Kind::PartnerOwn | Kind::ClientNumber => {
                    if !has_contacts {
                        continue;
                    }
                    let partner = &d.ids[0];
                    let card = contacts
                        .get(partner.as_str())
                        .into_iter()
                        .flatten()
                        .map(|&i| &ds.contacts[i as usize])
                        .find(|c| c.is_partner);
                    // The card's number the decision is about, as the plan writes it: a
                    // number written locally in the file is the one this run read with its
                    // --default-area.
                    let held = card.and_then(|c| {
                        c.phones
                            .iter()
                            .map(|p| (p.e164().unwrap_or(p.norm.raw.as_str()), p))
                            .find(|(plan, p)| *plan == d.subject || p.norm.raw.trim() == d.subject)
                            .map(|(plan, _)| plan)
                    });
                    // A non-partner card with the ID, else any.
                    let target = d.link_id().map(|id| {
                        let found = contacts.get(id).map(Vec::as_slice).unwrap_or_default();
                        found
                            .iter()
                            .find(|&&c| !ds.contacts[c as usize].is_partner)
                            .or(found.first())
                            .map(|&c| c as usize)
                    });
                    let target_missing = matches!(target, Some(None));
                    match held {
                        _ if card.is_none() => r.stale.push(format!(
                            "line {}: partner card {partner} is no longer in the export (or no longer a partner's)",
                            d.line
                        )),
                        None => r.stale.push(format!(
                            "line {}: {} is no longer on partner card {partner}",
                            d.line, d.subject
                        )),
                        Some(_) if target_missing => r.stale.push(format!(
                            "line {}: contact {} to link is no longer in the export",
                            d.line,
                            d.value.trim()
                        )),
                        Some(phone) => {
                            let decided = Decided {
                                decision: k,
                                link: target.flatten(),
                            };
                            let by_phone = r.phones.entry(partner.clone()).or_default();
                            by_phone.insert(phone.to_string(), decided);
                        }
                    }
                }
                Kind::Accept => {}
            }
        }
        for apart in [&mut r.apart_contacts, &mut r.apart_applications] {
            apart.sort_unstable();
            apart.dedup();
        }
        r
    }

    /// The decision about a number of a partner card.
    pub fn phone(&self, partner_id: &str, phone: &str) -> Option<&Decision> {
        self.decided(partner_id, phone)
            .map(|d| &self.decisions.list[d.decision])
    }

    fn decided(&self, partner_id: &str, phone: &str) -> Option<Decided> {
        self.phones.get(partner_id)?.get(phone).copied()
    }

    /// Turns the plan lines of decided numbers into `keep` / `move`, the reason saying who
    /// decided; returns how many lines were decided. Lines are never added or removed, so
    /// the conservation check holds whatever was decided.
    pub fn apply_to_plan(&self, ds: &Dataset, lines: &mut [PlanLine]) -> usize {
        if self.phones.is_empty() {
            return 0;
        }
        let mut decided = 0;
        for l in lines.iter_mut() {
            let Some(found) = self.decided(&l.partner_id, &l.phone) else {
                continue;
            };
            let d = &self.decisions.list[found.decision];
            decided += 1;
            l.link_contact = None;
            l.link_contact_id = None;
            match d.kind {
                Kind::PartnerOwn => {
                    l.action = Action::Keep;
                    l.new_contact_name = None;
                    l.reason = format!("decided: the partner's own number ({})", d.origin());
                }
                _ => {
                    l.action = Action::Move;
                    let name = match found.link {
                        Some(c) => {
                            l.link_contact = Some(c);
                            l.link_contact_id = Some(ds.contacts[c].id.to_string());
                            display_name(ds, &ds.contacts[c])
                        }
                        None => d.value.trim().to_string(),
                    };
                    l.reason = format!("decided: a client's number → «{name}» ({})", d.origin());
                    l.new_contact_name = Some(name);
                }
            }
        }
        decided
    }
}

/// ID → indices of the records with it (an ID may be repeated in an export).
fn index<'a>(ids: impl Iterator<Item = &'a str>) -> HashMap<&'a str, Vec<u32>> {
    let mut map: HashMap<&str, Vec<u32>> = HashMap::new();
    for (i, id) in ids.enumerate() {
        map.entry(id).or_default().push(i as u32);
    }
    map
}
