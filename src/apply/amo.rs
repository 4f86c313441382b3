//! amoCRM's cards as the REST API v4 returns them (HAL JSON): the parts `apply` reads, changes
//! and keeps as snapshots. Unknown keys are ignored; values of custom fields stay JSON, so a
//! field of any type is copied back exactly as it was read.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Value};

use crate::normalize::phone::digits_key;

/// The code of the phone field in every account.
pub const PHONE: &str = "PHONE";
/// The code of the e-mail field.
pub const EMAIL: &str = "EMAIL";

/// A contact card (`GET /api/v4/contacts?with=leads`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub id: u64,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub first_name: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub last_name: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub custom_fields_values: Vec<Field>,
    #[serde(default, rename = "_embedded")]
    pub embedded: ContactLinks,
}

/// A contact's tags and deals.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactLinks {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub tags: Vec<Tag>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub leads: Vec<Ref>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ref {
    pub id: u64,
}

/// One custom field of a card with its values (`{value, enum_id, enum_code}` objects).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub field_id: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_name: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub values: Vec<Value>,
}

/// A deal (`GET /api/v4/leads?with=contacts`): its linked contacts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lead {
    pub id: u64,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub name: String,
    #[serde(default, rename = "_embedded")]
    pub embedded: LeadLinks,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LeadLinks {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub contacts: Vec<LeadContact>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadContact {
    pub id: u64,
    #[serde(default)]
    pub is_main: bool,
}

fn null_as_empty<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

impl Contact {
    /// The field with this code (`PHONE`, `EMAIL`).
    pub fn coded(&self, code: &str) -> Option<&Field> {
        self.custom_fields_values
            .iter()
            .find(|f| f.field_code.as_deref() == Some(code))
    }

    pub fn field(&self, id: u64) -> Option<&Field> {
        self.custom_fields_values.iter().find(|f| f.field_id == id)
    }

    pub fn has_tag(&self, name: &str) -> bool {
        self.embedded.tags.iter().any(|t| t.name == name)
    }

    /// Holds `e164` in its phone field.
    pub fn holds_phone(&self, e164: &str) -> bool {
        self.coded(PHONE).is_some_and(|f| {
            f.values
                .iter()
                .any(|v| phone_of(v).as_deref() == Some(e164))
        })
    }

    /// Its text attribute `name`, `first_name` or `last_name`.
    pub fn text(&self, attr: TextAttr) -> &str {
        match attr {
            TextAttr::Name => &self.name,
            TextAttr::FirstName => &self.first_name,
            TextAttr::LastName => &self.last_name,
        }
    }
}

/// The plain text attributes of a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextAttr {
    Name,
    FirstName,
    LastName,
}

impl TextAttr {
    pub const ALL: [TextAttr; 3] = [TextAttr::Name, TextAttr::FirstName, TextAttr::LastName];

    pub fn key(self) -> &'static str {
        match self {
            TextAttr::Name => "name",
            TextAttr::FirstName => "first_name",
            TextAttr::LastName => "last_name",
        }
    }
}

impl Lead {
    pub fn link(&self, contact: u64) -> Option<&LeadContact> {
        self.embedded.contacts.iter().find(|c| c.id == contact)
    }

    pub fn main_contact(&self) -> Option<u64> {
        self.embedded
            .contacts
            .iter()
            .find(|c| c.is_main)
            .map(|c| c.id)
    }
}

/// The text of a value (`"value"`), when it is a string.
pub fn text_of(v: &Value) -> Option<&str> {
    v.get("value").and_then(Value::as_str)
}

/// The E.164 form of a phone value.
pub fn phone_of(v: &Value) -> Option<String> {
    text_of(v).and_then(digits_key)
}

pub fn enum_code(v: &Value) -> Option<&str> {
    v.get("enum_code").and_then(Value::as_str)
}

/// Two lists of values hold the same values in the same order (compared by `value` and, where
/// the wanted value names one, by its enum).
pub fn same_values(live: &[Value], wanted: &[Value]) -> bool {
    live.len() == wanted.len()
        && live.iter().zip(wanted).all(|(l, w)| {
            l.get("value") == w.get("value")
                && ["enum_code", "enum_id"]
                    .iter()
                    .all(|k| w.get(k).is_none() || l.get(k) == w.get(k))
        })
}

/// A value of a multi-value field to send: the value and its enum, without the read-only rest.
pub fn value_to_send(v: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for k in ["value", "enum_id", "enum_code"] {
        if let Some(x) = v.get(k).filter(|x| !x.is_null()) {
            out.insert(k.to_string(), x.clone());
        }
    }
    Value::Object(out)
}

/// A phone value of the given type.
pub fn phone_value(e164: &str, enum_code: &str) -> Value {
    json!({"value": e164, "enum_code": enum_code})
}

/// Cards by ID.
pub type Contacts = BTreeMap<u64, Contact>;
pub type Leads = BTreeMap<u64, Lead>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_documented_contact() {
        // The shape of amoCRM's documentation example (GET /api/v4/contacts/{id}).
        let c: Contact = serde_json::from_value(json!({
            "id": 3, "name": "Иван Иванов", "first_name": "Иван", "last_name": null,
            "responsible_user_id": 504141, "custom_fields_values": [{
                "field_id": 3, "field_name": "Телефон", "field_code": "PHONE",
                "field_type": "multitext",
                "values": [{"value": "8 (921) 123-45-67", "enum_id": 1, "enum_code": "WORK"}]
            }],
            "_links": {"self": {"href": "https://example.amocrm.ru/api/v4/contacts/3"}},
            "_embedded": {"tags": [], "leads": [{"id": 1, "_links": {}}], "companies": []}
        }))
        .unwrap();
        assert_eq!(c.last_name, "");
        assert!(c.holds_phone("+79211234567"));
        assert_eq!(c.embedded.leads, vec![Ref { id: 1 }]);
        let empty: Contact =
            serde_json::from_value(json!({"id": 4, "custom_fields_values": null})).unwrap();
        assert!(empty.custom_fields_values.is_empty());
    }

    #[test]
    fn values_compare_by_value_and_the_wanted_enum() {
        let live = vec![json!({"value": "+79211234567", "enum_id": 5, "enum_code": "MOB"})];
        assert!(same_values(
            &live,
            &[json!({"value": "+79211234567", "enum_code": "MOB"})]
        ));
        assert!(!same_values(
            &live,
            &[json!({"value": "+79211234567", "enum_code": "WORK"})]
        ));
        assert!(!same_values(&live, &[]));
        assert_eq!(
            value_to_send(&json!({"value": "x", "enum_id": null, "enum_code": "WORK", "extra": 1})),
            json!({"value": "x", "enum_code": "WORK"})
        );
    }
}
