//! Deal → contact links: by `ID контакта` when the deals export has it, else through the contacts
//! export's `Сделки` column, else by the main contact's name and phone.

use foldhash::{HashMap, HashMapExt, HashSet};
use rayon::prelude::*;
use serde::Serialize;

use super::{Dataset, Deal};
use crate::normalize::name::name_key;

/// How a deal's contact was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkMethod {
    /// Not linked (no contacts export, or nothing matched).
    None,
    ContactId,
    DealsColumn,
    NamePhone,
}

/// Counts of how deals were linked, reported by `inspect` and `audit`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LinkStats {
    pub by_contact_id: usize,
    pub by_deals_column: usize,
    pub by_name_and_phone: usize,
    /// Deals that name a contact that could not be found among the contacts read.
    pub unresolved: usize,
    /// Deals with no contact at all.
    pub without_contact: usize,
}

pub(super) fn resolve(ds: &mut Dataset) {
    if ds.deals.is_empty() {
        return;
    }
    let (by_id, without_ids) = rayon::join(
        || {
            let mut by_id: HashMap<&str, usize> = HashMap::with_capacity(ds.contacts.len());
            by_id.extend(
                ds.contacts
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| !c.id.is_empty())
                    .map(|(i, c)| (c.id.as_str(), i)),
            );
            by_id
        },
        || -> Vec<&Deal> {
            ds.deals
                .par_iter()
                .filter(|d| d.contact_ids(ds).next().is_none())
                .collect()
        },
    );
    // The other two indexes hold only what some deal without contact IDs will ask them: on a
    // big export most deals name their contact by ID, and full indexes would cost hundreds of
    // megabytes.
    let refs_asked: HashSet<&str> = without_ids
        .iter()
        .flat_map(|d| [d.id.as_str(), d.name(ds)])
        .filter(|r| !r.is_empty())
        .collect();
    let mut by_deal_ref: HashMap<&str, Vec<usize>> = HashMap::new();
    if !refs_asked.is_empty() {
        let refs: Vec<(&str, usize)> = ds
            .contacts
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, c)| {
                c.deal_refs(ds)
                    .filter(|r| refs_asked.contains(r))
                    .map(move |r| (r, i))
            })
            .collect();
        for (r, i) in refs {
            by_deal_ref.entry(r).or_default().push(i);
        }
    }
    let names_asked: HashSet<String> = without_ids
        .iter()
        .filter(|d| !by_deal_ref.contains_key(d.id.as_str()))
        .map(|d| d.contact_name(ds))
        .filter(|name| !name.is_empty())
        .map(name_key)
        .collect();
    let mut by_name_phone: HashMap<(String, &str), Vec<usize>> = HashMap::new();
    // (no deal asks: spare the name keys of every contact)
    if !names_asked.is_empty() {
        let named: Vec<(String, usize)> = ds
            .contacts
            .par_iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let key = name_key(&c.title(ds));
                names_asked.contains(&key).then_some((key, i))
            })
            .collect();
        for (key, i) in named {
            for p in ds.contacts[i].valid_phones() {
                by_name_phone.entry((key.clone(), p)).or_default().push(i);
            }
        }
    }
    let have_contacts = !ds.contacts.is_empty();
    let link = |d: &Deal| -> (Vec<usize>, LinkMethod, bool) {
        let mut ids = d.contact_ids(ds).peekable();
        let contact_name = d.contact_name(ds);
        let names_contact = ids.peek().is_some() || !contact_name.is_empty();
        let (found, method) = if ids.peek().is_some() {
            let found = ids.filter_map(|id| by_id.get(id).copied()).collect();
            (found, LinkMethod::ContactId)
        } else if let Some(cs) = by_deal_ref.get(d.id.as_str()).or_else(|| {
            let name = d.name(ds);
            by_deal_ref.get(name).filter(|_| !name.is_empty())
        }) {
            (cs.clone(), LinkMethod::DealsColumn)
        } else if !contact_name.is_empty() {
            let key = name_key(contact_name);
            let mut found: Vec<usize> = Vec::new();
            for p in d.phones.iter().filter_map(|p| p.e164()) {
                if let Some(cs) = by_name_phone.get(&(key.clone(), p)) {
                    found.extend(cs);
                }
            }
            found.sort_unstable();
            found.dedup();
            (found, LinkMethod::NamePhone)
        } else {
            (Vec::new(), LinkMethod::None)
        };
        let method = if found.is_empty() {
            LinkMethod::None
        } else {
            method
        };
        (found, method, names_contact)
    };
    let links: Vec<(Vec<usize>, LinkMethod, bool)> = ds.deals.par_iter().map(link).collect();
    let mut stats = LinkStats::default();
    for (_, method, names_contact) in &links {
        match method {
            LinkMethod::ContactId => stats.by_contact_id += 1,
            LinkMethod::DealsColumn => stats.by_deals_column += 1,
            LinkMethod::NamePhone => stats.by_name_and_phone += 1,
            LinkMethod::None if !names_contact => stats.without_contact += 1,
            LinkMethod::None if have_contacts => stats.unresolved += 1,
            LinkMethod::None => {}
        }
    }
    for (d, (found, method, _)) in ds.deals.iter_mut().zip(links) {
        d.contacts = found;
        d.link = method;
    }
    ds.links = stats;
}
