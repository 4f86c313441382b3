//! The way back (`apply --rollback DIR`): from the journal's snapshots, the changes that undo
//! what a run applied. Every changed card gets the values it had before in the fields the run
//! changed (other fields, and changes made since by people, are left alone); links the run made
//! are removed and links it removed are made again, with the deal's main contact as it was; the
//! contacts it created are unlinked and tagged for deletion (`[apply] rollback_tag`).

use std::collections::BTreeSet;

use super::amo::value_to_send;
use super::journal::Record;
use super::step::{Created, Item, Live, Patch, Who};

/// Contacts and deals whose live state the rollback needs.
pub fn touched(record: &Record, created: &Created) -> (Vec<u64>, Vec<u64>) {
    let mut contacts: Vec<u64> = record.contacts.keys().copied().collect();
    contacts.extend(created.values());
    (contacts, record.leads.keys().copied().collect())
}

/// The items that bring the cards back, already-restored ones left out, in sending order.
pub fn items(record: &Record, created: &Created, live: &Live, rollback_tag: &str) -> Vec<Item> {
    let applied = record
        .steps
        .iter()
        .filter(|s| record.sent.contains(&s.n))
        .flat_map(|s| &s.items);
    let mut relinks: Vec<Item> = Vec::new();
    let mut unlinks: Vec<Item> = Vec::new();
    let mut updates: Vec<Item> = Vec::new();
    let mut deals: BTreeSet<u64> = BTreeSet::new();
    let mut new_contacts: Vec<u64> = Vec::new();
    for item in applied {
        match item {
            Item::Create { key, .. } => new_contacts.extend(created.get(key)),
            Item::Link { deal, contact, .. } => {
                let Some(id) = contact.id(created) else {
                    continue;
                };
                deals.insert(*deal);
                let had = record.leads.get(deal).is_some_and(|l| l.link(id).is_some());
                if !had {
                    unlinks.push(Item::Unlink {
                        deal: *deal,
                        contact: id,
                    });
                }
            }
            Item::Unlink { deal, contact } => {
                deals.insert(*deal);
                if let Some(l) = record.leads.get(deal).and_then(|l| l.link(*contact)) {
                    relinks.push(Item::Link {
                        deal: *deal,
                        contact: Who::Id(*contact),
                        main: l.is_main,
                    });
                }
            }
            Item::Update { contact, patch } => {
                if let Some(before) = record.contacts.get(contact) {
                    updates.push(Item::Update {
                        contact: *contact,
                        patch: reverse(patch, before),
                    });
                }
            }
        }
    }
    for deal in deals {
        let Some(main) = record.leads.get(&deal).and_then(|l| l.main_contact()) else {
            continue;
        };
        let item = Item::Link {
            deal,
            contact: Who::Id(main),
            main: true,
        };
        if !relinks.contains(&item) {
            relinks.push(item);
        }
    }
    for id in new_contacts {
        updates.push(Item::Update {
            contact: id,
            patch: Patch {
                tags_to_add: vec![rollback_tag.to_string()],
                ..Patch::default()
            },
        });
    }
    let mut out: Vec<Item> = Vec::new();
    for item in relinks.into_iter().chain(unlinks).chain(updates) {
        if !item.is_applied(live, created) && !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// The patch that gives back `before`'s values of what `patch` changed.
fn reverse(patch: &Patch, before: &super::amo::Contact) -> Patch {
    let mut back = Patch::default();
    for &a in patch.text.keys() {
        back.text.insert(a, before.text(a).to_string());
    }
    for &id in patch.fields.keys() {
        let values = before
            .field(id)
            .map(|f| f.values.iter().map(value_to_send).collect::<Vec<_>>())
            .filter(|v| !v.is_empty());
        back.fields.insert(id, values);
    }
    back.tags_to_delete = patch
        .tags_to_add
        .iter()
        .filter(|t| !before.has_tag(t))
        .cloned()
        .collect();
    back.tags_to_add = patch
        .tags_to_delete
        .iter()
        .filter(|t| before.has_tag(t))
        .cloned()
        .collect();
    back
}
