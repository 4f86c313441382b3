//! The changes `apply` makes, one [`Item`] per entity, sent in [`Step`]s: batches of at most
//! `batch_size` items of one kind, one request each. An item knows its request body and whether
//! the live state already shows it applied, which is how a resumed run or a retry after a lost
//! response avoids doing anything twice.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::amo::{same_values, Contact, Contacts, Field, Leads, TextAttr};

/// A contact an item links: one that exists, or one this run creates (by its key).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Who {
    Id(u64),
    New(String),
}

impl Who {
    /// The contact's ID, once known.
    pub fn id(&self, created: &Created) -> Option<u64> {
        match self {
            Who::Id(id) => Some(*id),
            Who::New(key) => created.get(key).copied(),
        }
    }
}

/// Keys of the contacts a run created → their IDs.
pub type Created = BTreeMap<String, u64>;

/// New values for some fields of a contact; `None` values clear a field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Patch {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub text: BTreeMap<TextAttr, String>,
    /// Field ID → values (journaled as `[id, values]` pairs: JSON keys are strings).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty", with = "pairs")]
    pub fields: BTreeMap<u64, Option<Vec<Value>>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags_to_add: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags_to_delete: Vec<String>,
}

mod pairs {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, V: Serialize>(
        map: &BTreeMap<u64, V>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(map)
    }

    pub fn deserialize<'de, D: Deserializer<'de>, V: Deserialize<'de>>(
        d: D,
    ) -> Result<BTreeMap<u64, V>, D::Error> {
        Ok(Vec::<(u64, V)>::deserialize(d)?.into_iter().collect())
    }
}

impl Patch {
    pub fn is_empty(&self) -> bool {
        *self == Patch::default()
    }

    /// Does `c` already look like this?
    pub fn holds(&self, c: &Contact) -> bool {
        self.text.iter().all(|(&a, v)| c.text(a) == v)
            && self.fields.iter().all(|(&id, want)| {
                let live = c.field(id).map_or(&[][..], |f: &Field| &f.values[..]);
                same_values(live, want.as_deref().unwrap_or_default())
            })
            && self.tags_to_add.iter().all(|t| c.has_tag(t))
            && !self.tags_to_delete.iter().any(|t| c.has_tag(t))
    }
}

/// One change to one entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Item {
    /// A new client contact with one number, tagged with the run's tag.
    Create {
        key: String,
        name: String,
        phone: String,
        phone_enum: String,
        tag: String,
    },
    /// Links a contact to a deal (as its main contact when `main`).
    Link {
        deal: u64,
        contact: Who,
        main: bool,
    },
    Unlink {
        deal: u64,
        contact: u64,
    },
    Update {
        contact: u64,
        patch: Patch,
    },
}

/// What a step sends: one kind of item, one endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Create,
    Link,
    Unlink,
    Update,
}

impl Kind {
    pub fn method(self) -> &'static str {
        match self {
            Kind::Update => "PATCH",
            _ => "POST",
        }
    }

    pub fn path(self) -> &'static str {
        match self {
            Kind::Create | Kind::Update => "/api/v4/contacts",
            Kind::Link => "/api/v4/leads/link",
            Kind::Unlink => "/api/v4/leads/unlink",
        }
    }
}

impl Item {
    pub fn kind(&self) -> Kind {
        match self {
            Item::Create { .. } => Kind::Create,
            Item::Link { .. } => Kind::Link,
            Item::Unlink { .. } => Kind::Unlink,
            Item::Update { .. } => Kind::Update,
        }
    }

    /// The item's object in the request body. A contact this run has not created yet is
    /// written as `"new: KEY"` (only a dry run shows that).
    pub fn body(&self, created: &Created) -> Value {
        match self {
            Item::Create {
                key,
                name,
                phone,
                phone_enum,
                tag,
            } => json!({
                "name": name,
                "custom_fields_values": [{
                    "field_code": super::amo::PHONE,
                    "values": [super::amo::phone_value(phone, phone_enum)],
                }],
                "tags_to_add": [{"name": tag}],
                "request_id": key,
            }),
            Item::Link {
                deal,
                contact,
                main,
            } => json!({
                "entity_id": deal,
                "to_entity_id": contact.id(created).map_or_else(|| json!(placeholder(contact)), |id| json!(id)),
                "to_entity_type": "contacts",
                "metadata": {"is_main": main},
            }),
            Item::Unlink { deal, contact } => json!({
                "entity_id": deal,
                "to_entity_id": contact,
                "to_entity_type": "contacts",
            }),
            Item::Update { contact, patch } => {
                let mut o = serde_json::Map::new();
                o.insert("id".into(), json!(contact));
                for (a, v) in &patch.text {
                    o.insert(a.key().into(), json!(v));
                }
                if !patch.fields.is_empty() {
                    let fields: Vec<Value> = patch
                        .fields
                        .iter()
                        .map(|(id, values)| json!({"field_id": id, "values": values}))
                        .collect();
                    o.insert("custom_fields_values".into(), Value::Array(fields));
                }
                for (key, tags) in [
                    ("tags_to_add", &patch.tags_to_add),
                    ("tags_to_delete", &patch.tags_to_delete),
                ] {
                    if !tags.is_empty() {
                        let tags: Vec<Value> = tags.iter().map(|t| json!({"name": t})).collect();
                        o.insert(key.into(), Value::Array(tags));
                    }
                }
                Value::Object(o)
            }
        }
    }

    /// Does the live state already show this item done? `found` are the contacts a search
    /// found for created items.
    pub fn is_applied(&self, live: &Live, created: &Created) -> bool {
        match self {
            Item::Create { key, .. } => created.contains_key(key),
            Item::Link {
                deal,
                contact,
                main,
            } => contact.id(created).is_some_and(|id| {
                live.leads
                    .get(deal)
                    .and_then(|l| l.link(id))
                    .is_some_and(|l| l.is_main || !main)
            }),
            Item::Unlink { deal, contact } => live
                .leads
                .get(deal)
                .is_none_or(|l| l.link(*contact).is_none()),
            Item::Update { contact, patch } => {
                live.contacts.get(contact).is_some_and(|c| patch.holds(c))
            }
        }
    }

    /// The contact and the deal whose live state tells whether this item is applied.
    pub fn touches(&self) -> (Option<u64>, Option<u64>) {
        match self {
            Item::Create { .. } => (None, None),
            Item::Link { deal, .. } | Item::Unlink { deal, .. } => (None, Some(*deal)),
            Item::Update { contact, .. } => (Some(*contact), None),
        }
    }
}

fn placeholder(who: &Who) -> String {
    match who {
        Who::Id(id) => id.to_string(),
        Who::New(key) => format!("new: {key}"),
    }
}

/// The live cards an item is checked against.
#[derive(Debug, Default)]
pub struct Live {
    pub contacts: Contacts,
    pub leads: Leads,
}

/// One request: items of one kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub n: usize,
    pub kind: Kind,
    pub items: Vec<Item>,
}

impl Step {
    pub fn body(items: &[Item], created: &Created) -> Value {
        Value::Array(items.iter().map(|i| i.body(created)).collect())
    }
}

/// Cuts `items` (already in order) into steps numbered from `first`: consecutive items of one
/// kind, at most `batch` per step.
pub fn batches(items: Vec<Item>, batch: usize, first: usize) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    for item in items {
        match steps.last_mut() {
            Some(s) if s.kind == item.kind() && s.items.len() < batch => s.items.push(item),
            _ => steps.push(Step {
                n: first + steps.len(),
                kind: item.kind(),
                items: vec![item],
            }),
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::amo::{Lead, LeadContact, LeadLinks};

    fn link(deal: u64, contact: u64) -> Item {
        Item::Link {
            deal,
            contact: Who::Id(contact),
            main: true,
        }
    }

    #[test]
    fn batches_hold_one_kind_and_at_most_the_limit() {
        let mut items: Vec<Item> = (0..251).map(|d| link(d, 1)).collect();
        items.push(Item::Unlink {
            deal: 1,
            contact: 2,
        });
        let steps = batches(items, 250, 1);
        let shape: Vec<(usize, Kind, usize)> =
            steps.iter().map(|s| (s.n, s.kind, s.items.len())).collect();
        assert_eq!(
            shape,
            vec![
                (1, Kind::Link, 250),
                (2, Kind::Link, 1),
                (3, Kind::Unlink, 1)
            ]
        );
    }

    #[test]
    fn a_link_is_applied_once_the_deal_shows_it() {
        let mut live = Live::default();
        live.leads.insert(
            7,
            Lead {
                id: 7,
                name: String::new(),
                embedded: LeadLinks {
                    contacts: vec![LeadContact {
                        id: 1,
                        is_main: false,
                    }],
                },
            },
        );
        let created = Created::new();
        assert!(
            !link(7, 1).is_applied(&live, &created),
            "linked but not main"
        );
        live.leads.get_mut(&7).unwrap().embedded.contacts[0].is_main = true;
        assert!(link(7, 1).is_applied(&live, &created));
        let new = Item::Link {
            deal: 7,
            contact: Who::New("k".into()),
            main: true,
        };
        assert!(!new.is_applied(&live, &created), "not created yet");
        assert_eq!(
            new.body(&created)["to_entity_id"],
            json!("new: k"),
            "a dry run names the contact it would create"
        );
    }
}
