//! What to change, computed from the plan folder and the live cards.
//!
//! **Moves.** Each `move` line removes exactly its number from the partner card: the first value
//! of the PHONE field with that number (in E.164) and the enum of the line's column; every other
//! value is sent back as it was, because an update of a multi-value field replaces its whole
//! list. The client's contact is created once per (number, name) with the number as
//! «Мобильный телефон», or an existing contact (`link_contact_id`) is used, and becomes the
//! **main contact** of each deal: the deal is the client's, and the deals export then shows the
//! client's card. The partner stays linked to the deal as an additional contact, so the
//! foreman is still notified about it. Creations and links come before the removals, so a run
//! that stops half-way never leaves a number nowhere.
//!
//! **Merges.** For each cluster, from the live cards: the survivor's empty name fields and
//! custom fields are filled from the duplicates (in `clusters.csv` order), their phones and
//! e-mails not already on it are added; each duplicate's deals are linked to the survivor (as
//! main contact where the duplicate was) and unlinked from the duplicate, which is then tagged
//! «дубль: объединён в ID …» for a person to delete.
//!
//! A change whose cards changed since the export in a way that conflicts with it (the number is
//! gone, a card was deleted or merged) is skipped and reported.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::amo::{enum_code, phone_of, text_of, value_to_send, Contact, TextAttr, EMAIL, PHONE};
use super::input::{Cluster, Move};
use super::step::{Item, Live, Patch, Who};
use crate::params::{ApplyParams, RuleSet};
use crate::profile::{normalize_header, FieldType, Kind};

/// A change left out, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skip {
    pub change: String,
    pub reason: String,
}

/// The items of a run in the order they are sent, and what was left out.
#[derive(Debug, Default)]
pub struct Changes {
    pub items: Vec<Item>,
    pub skipped: Vec<Skip>,
    pub counts: Counts,
}

/// What a run does, for its summary.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub numbers_moved: usize,
    pub new_contacts: usize,
    pub deal_links: usize,
    pub partner_cards: usize,
    pub clusters_merged: usize,
    pub survivors_filled: usize,
    pub deals_moved: usize,
    pub duplicates_tagged: usize,
}

/// The enum_code of amoCRM's PHONE field for a phone column of the contacts export (through
/// the contacts profile and `[apply] phone_enums`); `None` for a column of no one type.
pub fn phone_enum(rules: &RuleSet, column: &str) -> Option<String> {
    let profile = rules.profiles.get(Kind::AmocrmContacts)?;
    let column = normalize_header(column);
    let (field, _) = profile.fields.iter().find(|(_, spec)| {
        spec.ty == FieldType::Phone && spec.headers.iter().any(|h| normalize_header(h) == column)
    })?;
    rules.params.apply.phone_enums.get(field).cloned()
}

/// Everything a run changes. `run_tag` marks the contacts it creates.
pub fn plan(
    moves: &[Move],
    clusters: &[Cluster],
    live: &Live,
    rules: &RuleSet,
    run_tag: &str,
) -> Changes {
    let p = &rules.params.apply;
    let mut out = Changes::default();
    let mut creates: Vec<Item> = Vec::new();
    let mut new_keys: BTreeSet<String> = BTreeSet::new();
    let mut links: Vec<Item> = Vec::new();
    let mut remaining: BTreeMap<u64, (u64, Vec<Value>)> = BTreeMap::new();
    let mut busy: BTreeSet<u64> = BTreeSet::new();
    for m in moves {
        let change = m.key();
        let mut skip = |reason: String| {
            out.skipped.push(Skip {
                change: change.clone(),
                reason,
            })
        };
        let Some(card) = live.contacts.get(&m.partner) else {
            skip(format!("card {} is gone (deleted or merged)", m.partner));
            continue;
        };
        let Some(phones) = card.coded(PHONE) else {
            skip(format!("card {} has no phones any more", m.partner));
            continue;
        };
        let want = phone_enum(rules, &m.column);
        let (_, values) = remaining
            .entry(m.partner)
            .or_insert_with(|| (phones.field_id, phones.values.clone()));
        let Some(pos) = values.iter().position(|v| {
            phone_of(v).as_deref() == Some(m.phone.as_str())
                && want.as_deref().is_none_or(|e| enum_code(v) == Some(e))
        }) else {
            skip(format!(
                "the number is no longer in «{}» of card {}",
                m.column, m.partner
            ));
            continue;
        };
        let target = match m.link {
            Some(id) if !live.contacts.contains_key(&id) => {
                skip(format!("contact {id} to link the deals to is gone"));
                continue;
            }
            Some(id) => Who::Id(id),
            None => Who::New(format!("{} {}", m.phone, m.name)),
        };
        let (deals, gone): (Vec<u64>, Vec<u64>) =
            m.deals.iter().partition(|d| live.leads.contains_key(d));
        if deals.is_empty() && !gone.is_empty() {
            skip(format!("its deals {} are gone", join(&gone)));
            continue;
        }
        if !gone.is_empty() {
            out.skipped.push(Skip {
                change: format!("{change}: links"),
                reason: format!(
                    "deals {} are gone: not linked (the others are)",
                    join(&gone)
                ),
            });
        }
        values.remove(pos);
        out.counts.numbers_moved += 1;
        busy.insert(m.partner);
        match &target {
            Who::Id(id) => {
                busy.insert(*id);
            }
            Who::New(key) => {
                if new_keys.insert(key.clone()) {
                    creates.push(Item::Create {
                        key: key.clone(),
                        name: m.name.clone(),
                        phone: m.phone.clone(),
                        phone_enum: p.new_contact_phone_enum.clone(),
                        tag: run_tag.to_string(),
                    });
                }
            }
        }
        for deal in deals {
            let linked = match &target {
                Who::Id(id) => live.leads[&deal].link(*id).is_some_and(|l| l.is_main),
                Who::New(_) => false,
            };
            let item = Item::Link {
                deal,
                contact: target.clone(),
                main: true,
            };
            if !linked && !links.contains(&item) {
                links.push(item);
            }
        }
    }
    out.counts.new_contacts = creates.len();
    out.counts.deal_links = links.len();
    let partner_updates: Vec<Item> = remaining
        .into_iter()
        .filter(|(id, (_, v))| {
            v.len() != live.contacts[id].coded(PHONE).map_or(0, |f| f.values.len())
        })
        .map(|(id, (field, values))| {
            let values: Vec<Value> = values.iter().map(value_to_send).collect();
            let mut patch = Patch::default();
            patch
                .fields
                .insert(field, (!values.is_empty()).then_some(values));
            Item::Update { contact: id, patch }
        })
        .collect();
    out.counts.partner_cards = partner_updates.len();

    let merged = merges(clusters, live, &busy, p, &mut out);
    out.items = creates;
    out.items.extend(links);
    out.items.extend(merged.links);
    out.items.extend(partner_updates);
    out.items.extend(merged.fills);
    out.items.extend(merged.unlinks);
    out.items.extend(merged.tags);
    out
}

#[derive(Default)]
struct Merged {
    fills: Vec<Item>,
    links: Vec<Item>,
    unlinks: Vec<Item>,
    tags: Vec<Item>,
}

fn merges(
    clusters: &[Cluster],
    live: &Live,
    busy: &BTreeSet<u64>,
    p: &ApplyParams,
    out: &mut Changes,
) -> Merged {
    let mut m = Merged::default();
    for c in clusters {
        let members: Vec<u64> = std::iter::once(c.survivor)
            .chain(c.duplicates.iter().copied())
            .collect();
        let change = c.key();
        let reason = if let Some(id) = members.iter().find(|id| busy.contains(id)) {
            Some(format!(
                "card {id} also changes in this run's moves: merge it in a later run"
            ))
        } else {
            members
                .iter()
                .find(|id| !live.contacts.contains_key(id))
                .map(|id| format!("card {id} is gone (deleted or merged)"))
        };
        if let Some(reason) = reason {
            out.skipped.push(Skip { change, reason });
            continue;
        }
        let survivor = &live.contacts[&c.survivor];
        let dups: Vec<&Contact> = c.duplicates.iter().map(|id| &live.contacts[id]).collect();
        let patch = filled(survivor, &dups);
        if !patch.is_empty() {
            out.counts.survivors_filled += 1;
            m.fills.push(Item::Update {
                contact: survivor.id,
                patch,
            });
        }
        for d in &dups {
            for deal in d
                .embedded
                .leads
                .iter()
                .filter_map(|r| live.leads.get(&r.id))
            {
                let Some(dup_link) = deal.link(d.id) else {
                    continue;
                };
                let main = dup_link.is_main;
                let have = deal.link(survivor.id).is_some_and(|l| l.is_main || !main);
                let item = Item::Link {
                    deal: deal.id,
                    contact: Who::Id(survivor.id),
                    main,
                };
                if !have && !m.links.contains(&item) {
                    m.links.push(item);
                }
                m.unlinks.push(Item::Unlink {
                    deal: deal.id,
                    contact: d.id,
                });
                out.counts.deals_moved += 1;
            }
            let tag = p.duplicate_tag.replace("{id}", &survivor.id.to_string());
            if !d.has_tag(&tag) {
                m.tags.push(Item::Update {
                    contact: d.id,
                    patch: Patch {
                        tags_to_add: vec![tag],
                        ..Patch::default()
                    },
                });
                out.counts.duplicates_tagged += 1;
            }
        }
        out.counts.clusters_merged += 1;
    }
    m
}

/// The survivor's empty fields filled from the duplicates, their phones and e-mails added.
fn filled(survivor: &Contact, dups: &[&Contact]) -> Patch {
    let mut patch = Patch::default();
    for a in TextAttr::ALL {
        if survivor.text(a).trim().is_empty() {
            if let Some(v) = dups
                .iter()
                .map(|d| d.text(a))
                .find(|v| !v.trim().is_empty())
            {
                patch.text.insert(a, v.to_string());
            }
        }
    }
    let mut lists: BTreeMap<u64, Vec<Value>> = BTreeMap::new();
    for f in dups.iter().flat_map(|d| &d.custom_fields_values) {
        let own = survivor
            .field(f.field_id)
            .map_or(&[][..], |s| &s.values[..]);
        let multi = matches!(f.field_code.as_deref(), Some(PHONE | EMAIL));
        if multi {
            let list = lists
                .entry(f.field_id)
                .or_insert_with(|| own.iter().map(value_to_send).collect());
            for v in &f.values {
                if !list.iter().any(|have| same_contact_value(have, v)) {
                    list.push(value_to_send(v));
                }
            }
        } else if own.is_empty() && !f.values.is_empty() && !lists.contains_key(&f.field_id) {
            lists.insert(f.field_id, f.values.iter().map(value_to_send).collect());
        }
    }
    for (id, values) in lists {
        let own = survivor.field(id).map_or(0, |s| s.values.len());
        if values.len() > own {
            patch.fields.insert(id, Some(values));
        }
    }
    patch
}

/// The same phone (in E.164) or e-mail (ignoring case).
fn same_contact_value(a: &Value, b: &Value) -> bool {
    match (phone_of(a), phone_of(b)) {
        (Some(x), Some(y)) => x == y,
        _ => {
            let key = |v: &Value| text_of(v).map(|t| t.trim().to_lowercase());
            key(a).is_some() && key(a) == key(b)
        }
    }
}

fn join(ids: &[u64]) -> String {
    ids.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::amo::{ContactLinks, Field, Lead, LeadContact, LeadLinks, Ref, Tag};
    use serde_json::json;

    fn rules() -> RuleSet {
        RuleSet::embedded().unwrap()
    }

    fn contact(id: u64, name: &str, phones: &[(&str, &str)], leads: &[u64]) -> Contact {
        Contact {
            id,
            name: name.into(),
            first_name: String::new(),
            last_name: String::new(),
            custom_fields_values: vec![Field {
                field_id: 1,
                field_code: Some(PHONE.into()),
                field_name: None,
                values: phones
                    .iter()
                    .map(|(v, e)| json!({"value": v, "enum_id": 9, "enum_code": e}))
                    .collect(),
            }],
            embedded: ContactLinks {
                tags: vec![Tag {
                    name: "прораб".into(),
                }],
                leads: leads.iter().map(|&id| Ref { id }).collect(),
            },
        }
    }

    fn lead(id: u64, contacts: &[(u64, bool)]) -> Lead {
        Lead {
            id,
            name: String::new(),
            embedded: LeadLinks {
                contacts: contacts
                    .iter()
                    .map(|&(id, is_main)| LeadContact { id, is_main })
                    .collect(),
            },
        }
    }

    #[test]
    fn the_plan_columns_map_to_amocrm_phone_types() {
        let r = rules();
        assert_eq!(phone_enum(&r, "Другой телефон").as_deref(), Some("OTHER"));
        assert_eq!(phone_enum(&r, "мобильный телефон ").as_deref(), Some("MOB"));
        assert_eq!(
            phone_enum(&r, "Рабочий прямой телефон").as_deref(),
            Some("WORKDD")
        );
        assert_eq!(phone_enum(&r, "Телефон"), None);
    }

    #[test]
    fn a_move_removes_exactly_its_number_and_keeps_the_rest_as_written() {
        let mut live = Live::default();
        live.contacts.insert(
            1,
            contact(
                1,
                "Сидоров",
                &[
                    ("8 (812) 640-22-15", "WORK"),
                    ("8 921 345-67-01", "OTHER"),
                    ("+7 921 345 67 01", "MOB"),
                ],
                &[5],
            ),
        );
        live.leads.insert(5, lead(5, &[(1, true)]));
        let m = Move {
            partner: 1,
            phone: "+79213456701".into(),
            column: "Другой телефон".into(),
            name: "Купчинская 4-3-22".into(),
            deals: vec![5, 6],
            link: None,
        };
        let c = plan(&[m], &[], &live, &rules(), "crmclean t");
        let key = "+79213456701 Купчинская 4-3-22".to_string();
        assert_eq!(c.items.len(), 3, "{:#?}", c.items);
        assert!(matches!(&c.items[0], Item::Create { key: k, .. } if *k == key));
        assert_eq!(
            c.items[1],
            Item::Link {
                deal: 5,
                contact: Who::New(key),
                main: true
            }
        );
        let Item::Update { contact: 1, patch } = &c.items[2] else {
            panic!("{:?}", c.items[2]);
        };
        // The same number written as mobile stays: only the «Другой телефон» one moves.
        assert_eq!(
            patch.fields[&1],
            Some(vec![
                json!({"value": "8 (812) 640-22-15", "enum_id": 9, "enum_code": "WORK"}),
                json!({"value": "+7 921 345 67 01", "enum_id": 9, "enum_code": "MOB"}),
            ])
        );
        assert_eq!(c.skipped.len(), 1, "deal 6 is gone: {:?}", c.skipped);
    }

    #[test]
    fn a_number_no_longer_on_the_card_is_skipped() {
        let mut live = Live::default();
        live.contacts.insert(
            1,
            contact(1, "Сидоров", &[("8 812 640-22-15", "WORK")], &[5]),
        );
        live.leads.insert(5, lead(5, &[(1, true)]));
        let m = Move {
            partner: 1,
            phone: "+79213456701".into(),
            column: "Другой телефон".into(),
            name: "x".into(),
            deals: vec![5],
            link: None,
        };
        let c = plan(std::slice::from_ref(&m), &[], &live, &rules(), "t");
        assert!(c.items.is_empty());
        assert!(c.skipped[0].reason.contains("no longer"), "{:?}", c.skipped);
        let gone = plan(&[Move { partner: 2, ..m }], &[], &live, &rules(), "t");
        assert!(
            gone.skipped[0].reason.contains("gone"),
            "{:?}",
            gone.skipped
        );
    }

    #[test]
    fn a_merge_fills_the_survivor_and_moves_the_deals() {
        let mut live = Live::default();
        let mut survivor = contact(10, "Иванов Иван", &[("+79210000001", "MOB")], &[]);
        survivor.custom_fields_values.push(Field {
            field_id: 7,
            field_code: None,
            field_name: Some("День рождения".into()),
            values: vec![],
        });
        let mut dup = contact(
            11,
            "Иванов И.",
            &[("8 921 000-00-01", "WORK"), ("+79210000002", "HOME")],
            &[5],
        );
        dup.custom_fields_values.push(Field {
            field_id: 7,
            field_code: None,
            field_name: None,
            values: vec![json!({"value": 631152000})],
        });
        dup.first_name = "Иван".into();
        live.contacts.insert(10, survivor);
        live.contacts.insert(11, dup);
        live.leads.insert(5, lead(5, &[(11, true)]));
        let cluster = Cluster {
            id: "C1".into(),
            survivor: 10,
            duplicates: vec![11],
        };
        let c = plan(&[], &[cluster], &live, &rules(), "t");
        let Item::Update { contact: 10, patch } = &c.items[1] else {
            panic!("{:#?}", c.items);
        };
        assert_eq!(patch.text[&TextAttr::FirstName], "Иван");
        assert_eq!(patch.fields[&7], Some(vec![json!({"value": 631152000})]));
        assert_eq!(
            patch.fields[&1].as_ref().unwrap().len(),
            2,
            "the same number in another format is not added twice"
        );
        assert_eq!(
            c.items[0],
            Item::Link {
                deal: 5,
                contact: Who::Id(10),
                main: true
            }
        );
        assert_eq!(
            c.items[2],
            Item::Unlink {
                deal: 5,
                contact: 11
            }
        );
        assert!(
            matches!(&c.items[3], Item::Update { contact: 11, patch } if patch.tags_to_add == ["дубль: объединён в ID 10"])
        );
    }
}
