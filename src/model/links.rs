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
            let mut by_id = IdIndex::with_capacity(ds.contacts.len());
            for (i, c) in ds.contacts.iter().enumerate() {
                if !c.id.is_empty() {
                    by_id.insert(&c.id, i);
                }
            }
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
        // (the contact name is read only for the deals without contact IDs)
        let (found, method, names_contact) = if ids.peek().is_some() {
            let found = ids.filter_map(|id| by_id.get(id)).collect();
            (found, LinkMethod::ContactId, true)
        } else {
            let contact_name = d.contact_name(ds);
            let (found, method) = if let Some(cs) = by_deal_ref.get(d.id.as_str()).or_else(|| {
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
            (found, method, !contact_name.is_empty())
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

/// Contacts by ID. An ID of plain digits (as amoCRM's are) is kept as a number: looking it up
/// neither hashes a string nor reads the contact's own copy of it to compare. Other IDs, and
/// digits with a leading zero (`0123` is not `123`), are kept as text.
struct IdIndex<'a> {
    numbers: HashMap<u64, usize>,
    texts: HashMap<&'a str, usize>,
}

impl<'a> IdIndex<'a> {
    fn with_capacity(n: usize) -> Self {
        IdIndex {
            numbers: HashMap::with_capacity(n),
            texts: HashMap::new(),
        }
    }

    /// Adds a contact (a later one with the same ID replaces it).
    fn insert(&mut self, id: &'a str, contact: usize) {
        match number(id) {
            Some(n) => self.numbers.insert(n, contact),
            None => self.texts.insert(id, contact),
        };
    }

    fn get(&self, id: &str) -> Option<usize> {
        match number(id) {
            Some(n) => self.numbers.get(&n),
            None => self.texts.get(id),
        }
        .copied()
    }
}

/// An ID of 1 to 19 digits without a leading zero, as a number: two such IDs are equal exactly
/// when their numbers are.
fn number(id: &str) -> Option<u64> {
    let plain = (1..=19).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_digit())
        && (id == "0" || !id.starts_with('0'));
    plain.then(|| id.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_found_as_written() {
        let mut index = IdIndex::with_capacity(4);
        for (i, id) in ["123", "0123", "ab-7", "12345678901234567890", "0"]
            .into_iter()
            .enumerate()
        {
            index.insert(id, i);
        }
        assert_eq!(index.get("123"), Some(0));
        assert_eq!(index.get("0123"), Some(1));
        assert_eq!(index.get("ab-7"), Some(2));
        assert_eq!(index.get("12345678901234567890"), Some(3));
        assert_eq!(index.get("0"), Some(4));
        assert_eq!(index.get("00"), None);
        assert_eq!(index.get("124"), None);
        assert_eq!(index.get(""), None);
        assert_eq!(number("18446744073709551615"), None, "20 digits stay text");
    }
}
