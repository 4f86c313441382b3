//! Carrying out steps with the journal. Each request is journaled before it is sent and its
//! outcome after. When the outcome is unknown (a 5xx, a lost connection, or a run stopped while
//! the request was in flight) the step's cards are read again and only the items not yet
//! applied are sent: a contact created before the answer was lost is found by its number and
//! the run's tag, a link or a field by the card's state. So nothing is applied twice.

use std::collections::BTreeMap;

use serde_json::Value;

use super::client::{Api, ApiError, SendError};
use super::journal::{Entry, Journal};
use super::live;
use super::step::{Created, Item, Kind, Live, Step, Who};
use super::Error;

/// Runs steps of one run.
pub struct Exec<'a> {
    pub api: &'a mut Api,
    pub journal: &'a mut Journal,
    pub batch: usize,
    pub created: Created,
    /// The run's contacts to create, by key.
    pub creates: BTreeMap<String, Item>,
}

impl Exec<'_> {
    /// Sends `step`; `uncertain` when an earlier run may have sent it already.
    pub fn step(&mut self, step: &Step, uncertain: bool) -> Result<(), Error> {
        let mut items = step.items.clone();
        for item in &items {
            let Item::Link {
                contact: Who::New(key),
                ..
            } = item
            else {
                continue;
            };
            // The answer that created it may have been lost or not named it: look it up.
            // Never go on to the removals without the contact that receives the number.
            if !self.created.contains_key(key) && !self.look_up(step.n, key)? {
                return Err(ApiError::Stopped(format!(
                    "step {}: the contact «{key}» was not created; nothing after it was sent",
                    step.n
                ))
                .into());
            }
        }
        if uncertain {
            items = self.remaining(step.n, items)?;
        }
        let (method, path) = (step.kind.method(), step.kind.path());
        for attempt in 1.. {
            if items.is_empty() {
                return self.write(Entry::Done {
                    n: step.n,
                    status: None,
                    created: Created::new(),
                });
            }
            let body = Step::body(&items, &self.created);
            self.write(Entry::Send {
                n: step.n,
                attempt,
                method: method.to_string(),
                path: path.to_string(),
                body: body.clone(),
            })?;
            match self.api.send(method, path, &body) {
                Ok((status, answer)) => {
                    let created = if step.kind == Kind::Create {
                        created_ids(&answer, &items)
                    } else {
                        Created::new()
                    };
                    self.created.extend(created.clone());
                    return self.write(Entry::Done {
                        n: step.n,
                        status: Some(status),
                        created,
                    });
                }
                Err(SendError::Refused { status, detail }) => {
                    // A refused change stops the run: what follows may depend on it (a number
                    // is removed only after its new contact exists and is linked).
                    self.write(Entry::Refused {
                        n: step.n,
                        status,
                        detail: detail.clone(),
                    })?;
                    return Err(ApiError::Stopped(format!(
                        "amoCRM refused step {} ({method} {path}): HTTP {status}: {detail}; nothing after it was sent",
                        step.n
                    ))
                    .into());
                }
                Err(SendError::Fatal(e)) => return Err(e.into()),
                Err(SendError::Uncertain(why)) => {
                    if attempt >= self.api.max_attempts() {
                        return Err(ApiError::Stopped(format!(
                            "{method} {path} (step {}): {why}, {attempt} times",
                            step.n
                        ))
                        .into());
                    }
                    self.api.pause(attempt + 1, None);
                    items = self.remaining(step.n, items)?;
                }
            }
        }
        unreachable!("the attempts loop returns")
    }

    /// Finds the contact created for `key` (by its number and tag) and remembers its ID,
    /// journaled with step `n`, which needs it.
    fn look_up(&mut self, n: usize, key: &str) -> Result<bool, Error> {
        let Some(Item::Create {
            name, phone, tag, ..
        }) = self.creates.get(key)
        else {
            return Ok(false);
        };
        let Some(id) = live::find_created(self.api, phone, name, tag)? else {
            return Ok(false);
        };
        let found = Created::from([(key.to_string(), id)]);
        self.created.extend(found.clone());
        self.write(Entry::Verified {
            n,
            applied: 0,
            created: found,
        })?;
        Ok(true)
    }

    /// The items of step `n` the cards do not show applied yet (journaled as `verified`).
    fn remaining(&mut self, n: usize, items: Vec<Item>) -> Result<Vec<Item>, Error> {
        let mut found = Created::new();
        for item in &items {
            if let Item::Create {
                key,
                name,
                phone,
                tag,
                ..
            } = item
            {
                if !self.created.contains_key(key) {
                    if let Some(id) = live::find_created(self.api, phone, name, tag)? {
                        found.insert(key.clone(), id);
                    }
                }
            }
        }
        self.created.extend(found.clone());
        let (contacts, deals): (Vec<_>, Vec<_>) = items.iter().map(Item::touches).unzip();
        let contacts: Vec<u64> = contacts.into_iter().flatten().collect();
        let deals: Vec<u64> = deals.into_iter().flatten().collect();
        let live = Live {
            contacts: if contacts.is_empty() {
                Default::default()
            } else {
                live::contacts(self.api, &contacts, self.batch)?
            },
            leads: if deals.is_empty() {
                Default::default()
            } else {
                live::leads(self.api, &deals, self.batch)?
            },
        };
        let total = items.len();
        let rest: Vec<Item> = items
            .into_iter()
            .filter(|i| !i.is_applied(&live, &self.created))
            .collect();
        self.write(Entry::Verified {
            n,
            applied: total - rest.len(),
            created: found,
        })?;
        Ok(rest)
    }

    fn write(&mut self, e: Entry) -> Result<(), Error> {
        Ok(self.journal.write(&e)?)
    }
}

/// The IDs amoCRM gave the created contacts, by the `request_id` they were sent with
/// (`_embedded.contacts[].id`).
fn created_ids(answer: &Value, items: &[Item]) -> Created {
    let mut out = Created::new();
    let list = answer
        .pointer("/_embedded/contacts")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (k, c) in list.iter().enumerate() {
        let Some(id) = c.get("id").and_then(Value::as_u64) else {
            continue;
        };
        let key = c
            .get("request_id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| match items.get(k) {
                Some(Item::Create { key, .. }) => Some(key.clone()),
                _ => None,
            });
        if let Some(key) = key {
            out.insert(key, id);
        }
    }
    out
}
