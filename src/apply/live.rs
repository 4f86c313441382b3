//! Reading the current cards: contacts with their deals and deals with their contacts, by ID in
//! batches (`filter[id][]`, at most `batch` per request), and the contacts a run created, found
//! again by their number and the run's tag.

use std::collections::BTreeMap;

use serde_json::Value;

use super::amo::{Contact, Contacts, Lead, Leads};
use super::client::{Api, ApiError};

/// The contacts with these IDs that exist (a deleted or merged-away card is simply absent).
pub fn contacts(api: &mut Api, ids: &[u64], batch: usize) -> Result<Contacts, ApiError> {
    by_id(api, "contacts", "leads", ids, batch, |c: &Contact| c.id)
}

/// The deals with these IDs that exist.
pub fn leads(api: &mut Api, ids: &[u64], batch: usize) -> Result<Leads, ApiError> {
    by_id(api, "leads", "contacts", ids, batch, |l: &Lead| l.id)
}

fn by_id<T: serde::de::DeserializeOwned>(
    api: &mut Api,
    entity: &str,
    with: &str,
    ids: &[u64],
    batch: usize,
    id: fn(&T) -> u64,
) -> Result<BTreeMap<u64, T>, ApiError> {
    let mut out = BTreeMap::new();
    for chunk in unique(ids).chunks(batch.clamp(1, 250)) {
        for card in list::<T>(api, entity, with, chunk)? {
            out.insert(id(&card), card);
        }
    }
    Ok(out)
}

/// The contact this run created for `e164` under `name`, if there is one: amoCRM's search
/// (`query`) by the number's ten national digits, then the run's tag, the name and the number.
pub fn find_created(
    api: &mut Api,
    e164: &str,
    name: &str,
    tag: &str,
) -> Result<Option<u64>, ApiError> {
    let digits: String = e164.chars().filter(char::is_ascii_digit).collect();
    let national = &digits[digits.len().saturating_sub(10)..];
    let path = format!("/api/v4/contacts?query={national}&limit=250");
    let found = embedded::<Contact>(api.get(&path)?, "contacts", &path)?;
    Ok(found
        .into_iter()
        .find(|c| c.has_tag(tag) && c.name == name && c.holds_phone(e164))
        .map(|c| c.id))
}

fn list<T: serde::de::DeserializeOwned>(
    api: &mut Api,
    entity: &str,
    with: &str,
    ids: &[u64],
) -> Result<Vec<T>, ApiError> {
    let filter: String = ids
        .iter()
        .map(|id| format!("&filter%5Bid%5D%5B%5D={id}"))
        .collect();
    let path = format!("/api/v4/{entity}?with={with}&limit=250{filter}");
    embedded(api.get(&path)?, entity, &path)
}

/// `_embedded.<key>` of a HAL answer; nothing for 204.
fn embedded<T: serde::de::DeserializeOwned>(
    answer: Option<Value>,
    key: &str,
    path: &str,
) -> Result<Vec<T>, ApiError> {
    let Some(mut v) = answer else {
        return Ok(Vec::new());
    };
    let items = v
        .get_mut("_embedded")
        .and_then(|e| e.get_mut(key))
        .map(Value::take)
        .unwrap_or(Value::Array(Vec::new()));
    serde_json::from_value(items)
        .map_err(|e| ApiError::Stopped(format!("GET {path}: unexpected answer: {e}")))
}

fn unique(ids: &[u64]) -> Vec<u64> {
    let mut v = ids.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}
