//! A stand-in for an amoCRM account for the `apply` tests: a small HTTP/1.1 server on
//! `std::net` that holds contacts and deals and implements the documented behaviour of the
//! REST API v4 endpoints `apply` uses: HAL JSON (`_embedded`, `_links`), 204 for «nothing
//! found», `filter[id][]`, `with=leads` / `with=contacts`, `query`, custom field shapes
//! (`field_id`/`field_code`, `enum_id`/`enum_code`, `values: null` clears), `tags_to_add` /
//! `tags_to_delete`, `leads/link` (`is_main`) and `leads/unlink`, at most 250 entities per
//! request (400 above), 429 above the request rate, 401 for a wrong token. It can inject
//! faults (429, 500, a dropped connection, before or after applying a change) at seeded random
//! points, go down, hang after applying a change, or refuse one, and it logs every change it applies so
//! a test can prove nothing was applied twice.
#![allow(dead_code)]

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// A field: (id, code, name, type, enums).
type FieldDef = (
    u64,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static [(u64, &'static str)],
);

/// The account's contact fields.
const FIELDS: [FieldDef; 4] = [
    (
        100,
        Some("PHONE"),
        "Телефон",
        "multitext",
        &[
            (1, "WORK"),
            (2, "WORKDD"),
            (3, "MOB"),
            (4, "FAX"),
            (5, "HOME"),
            (6, "OTHER"),
        ],
    ),
    (
        101,
        Some("EMAIL"),
        "Email",
        "multitext",
        &[(7, "WORK"), (8, "PRIV"), (9, "OTHER")],
    ),
    (102, None, "День рождения", "birthday", &[]),
    (103, None, "ФИО", "text", &[]),
];
pub const PHONE: u64 = 100;
pub const EMAIL: u64 = 101;
pub const BIRTHDAY: u64 = 102;
pub const FIO: u64 = 103;

/// A contact as the account keeps it; its deals are the deals' links.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub id: u64,
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    /// Field ID → values (`{value, enum_id, enum_code}`), in order; no empty lists.
    pub fields: BTreeMap<u64, Vec<Value>>,
    pub tags: Vec<String>,
}

/// A deal: its linked contacts, `(id, is_main)`, in link order.
#[derive(Debug, Clone, PartialEq)]
pub struct Lead {
    pub id: u64,
    pub name: String,
    pub contacts: Vec<(u64, bool)>,
}

/// The account.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Account {
    pub contacts: BTreeMap<u64, Contact>,
    pub leads: BTreeMap<u64, Lead>,
}

/// What goes wrong, and when.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Per mille of requests that fail (changes and reads alike).
    pub per_mille: u64,
    pub seed: u64,
    /// After this many applied changes the server goes down: every connection is dropped.
    pub down_after: Option<usize>,
    /// After this many applied changes the next change is applied and then never answered.
    pub hang_after: Option<usize>,
    /// After this many applied changes the next change is refused (400), once.
    pub refuse_after: Option<usize>,
    /// Answer the creation of contacts with an empty `200 {}` (their IDs unsaid).
    pub bare_creates: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    /// 429 with `Retry-After: 0`, nothing applied.
    Throttle,
    Error500,
    ApplyThen500,
    Drop,
    ApplyThenDrop,
}

/// The server's settings.
#[derive(Debug, Clone)]
pub struct Config {
    pub token: String,
    /// Requests allowed in any one second; above it, 429.
    pub rate: usize,
    pub retry_after: u64,
    pub faults: Faults,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            token: "test-token-6f1c".into(),
            rate: 7,
            retry_after: 1,
            faults: Faults::default(),
        }
    }
}

/// What the server saw.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: usize,
    pub throttled: usize,
    pub unauthorized: usize,
    pub faults: usize,
    /// Largest number of entities in one request.
    pub largest_batch: usize,
    /// Every applied change: «METHOD path item-json».
    pub applied: Vec<String>,
    /// Arrival times of requests answered 429 and of the request after each.
    pub retry_gaps: Vec<Duration>,
}

struct Shared {
    account: Account,
    next_id: u64,
    stats: Stats,
    arrivals: VecDeque<Instant>,
    last_429: Option<Instant>,
    rng: u64,
    down: bool,
    hanging: bool,
    /// A planned outage or hang happened (each happens once).
    fired: bool,
}

pub struct Server {
    pub addr: SocketAddr,
    config: Config,
    shared: Arc<Mutex<Shared>>,
    stop: Arc<AtomicBool>,
}

impl Server {
    pub fn start(account: Account, config: Config) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Mutex::new(Shared {
            next_id: 90_000_000,
            account,
            stats: Stats::default(),
            arrivals: VecDeque::new(),
            last_429: None,
            rng: config.faults.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            down: false,
            hanging: false,
            fired: false,
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let server = Server {
            addr,
            config: config.clone(),
            shared: shared.clone(),
            stop: stop.clone(),
        };
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (shared, config) = (shared.clone(), config.clone());
                std::thread::spawn(move || serve(stream, &shared, &config));
            }
        });
        server
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn token(&self) -> &str {
        &self.config.token
    }

    pub fn account(&self) -> Account {
        self.shared.lock().unwrap().account.clone()
    }

    pub fn with_stats<T>(&self, f: impl FnOnce(&Stats) -> T) -> T {
        f(&self.shared.lock().unwrap().stats)
    }

    /// Brings the server back up, ends a hang and stops injecting faults.
    pub fn heal(&self) {
        let mut s = self.shared.lock().unwrap();
        s.down = false;
        s.hanging = false;
    }

    pub fn is_hanging(&self) -> bool {
        self.shared.lock().unwrap().hanging
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

/// One HTTP request.
struct Request {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    auth: Option<String>,
    body: Vec<u8>,
}

fn serve(stream: TcpStream, shared: &Mutex<Shared>, config: &Config) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut stream = stream;
    loop {
        let Some(req) = read_request(&mut reader) else {
            return;
        };
        if shared.lock().unwrap().down {
            return;
        }
        match handle(&req, shared, config) {
            Reply::Answer {
                status,
                body,
                retry_after,
            } => {
                let text = body.map(|b| b.to_string()).unwrap_or_default();
                let kind = if status >= 400 {
                    "application/problem+json"
                } else {
                    "application/hal+json"
                };
                let mut head = format!(
                    "HTTP/1.1 {status} {}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n",
                    reason(status),
                    text.len()
                );
                if let Some(s) = retry_after {
                    head += &format!("Retry-After: {s}\r\n");
                }
                head += "\r\n";
                if stream.write_all(head.as_bytes()).is_err()
                    || stream.write_all(text.as_bytes()).is_err()
                {
                    return;
                }
            }
            Reply::Drop => return,
            Reply::Hang => {
                while shared.lock().unwrap().hanging {
                    std::thread::sleep(Duration::from_millis(20));
                }
                return;
            }
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        429 => "Too Many Requests",
        _ => "Internal Server Error",
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut length = 0;
    let mut auth = None;
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (name, value) = h.split_once(':')?;
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().ok()?,
            "authorization" => auth = Some(value.trim().to_string()),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect();
    Some(Request {
        method,
        path: path.to_string(),
        query,
        auth,
        body,
    })
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(x) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(x);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

enum Reply {
    Answer {
        status: u16,
        body: Option<Value>,
        retry_after: Option<u64>,
    },
    Drop,
    Hang,
}

fn answer(status: u16, body: Value) -> Reply {
    Reply::Answer {
        status,
        body: Some(body),
        retry_after: None,
    }
}

fn problem(status: u16, detail: &str) -> Reply {
    answer(
        status,
        json!({"title": reason(status), "type": format!("https://httpstatus.es/{status}"), "status": status, "detail": detail}),
    )
}

fn handle(req: &Request, shared: &Mutex<Shared>, config: &Config) -> Reply {
    let mut s = shared.lock().unwrap();
    s.stats.requests += 1;
    let now = Instant::now();
    if let Some(t) = s.last_429.take() {
        s.stats.retry_gaps.push(now - t);
    }
    while s
        .arrivals
        .front()
        .is_some_and(|&t| now - t >= Duration::from_secs(1))
    {
        s.arrivals.pop_front();
    }
    s.arrivals.push_back(now);
    if s.arrivals.len() > config.rate {
        s.stats.throttled += 1;
        s.last_429 = Some(now);
        return Reply::Answer {
            status: 429,
            body: Some(json!({"title": "Too Many Requests", "status": 429})),
            retry_after: Some(config.retry_after),
        };
    }
    if req.auth.as_deref() != Some(&format!("Bearer {}", config.token)) {
        s.stats.unauthorized += 1;
        return problem(401, "Unauthorized");
    }
    let change = req.method != "GET";
    let fault = s.roll(&config.faults);
    if matches!(fault, Some(Fault::Throttle)) {
        s.stats.faults += 1;
        return Reply::Answer {
            status: 429,
            body: Some(json!({"title": "Too Many Requests", "status": 429})),
            retry_after: Some(0),
        };
    }
    if matches!(fault, Some(Fault::Error500)) {
        s.stats.faults += 1;
        return problem(500, "Internal Server Error");
    }
    if matches!(fault, Some(Fault::Drop)) {
        s.stats.faults += 1;
        return Reply::Drop;
    }
    let applied_before = s.stats.applied.len();
    if change && config.faults.refuse_after == Some(applied_before) && !s.fired {
        s.fired = true;
        return problem(400, "Request validation failed");
    }
    let reply = if change {
        match serde_json::from_slice::<Value>(&req.body) {
            Ok(Value::Array(items)) if items.len() > 250 => {
                problem(400, "no more than 250 entities per request")
            }
            Ok(Value::Array(items)) => {
                s.stats.largest_batch = s.stats.largest_batch.max(items.len());
                s.change(req, &items)
            }
            _ => problem(400, "the body must be a JSON array"),
        }
    } else {
        s.read(req)
    };
    let applied = s.stats.applied.len() > applied_before;
    if applied {
        let done = s.stats.applied.len();
        if config.faults.hang_after.is_some_and(|k| done > k) && !s.fired {
            s.fired = true;
            s.hanging = true;
            return Reply::Hang;
        }
        if config.faults.down_after.is_some_and(|k| done > k) && !s.fired {
            s.fired = true;
            s.down = true;
            return Reply::Drop;
        }
    }
    if config.faults.bare_creates && req.method == "POST" && req.path == "/api/v4/contacts" {
        return answer(200, json!({}));
    }
    match fault {
        Some(Fault::ApplyThen500) => {
            s.stats.faults += 1;
            problem(500, "Internal Server Error")
        }
        Some(Fault::ApplyThenDrop) => {
            s.stats.faults += 1;
            Reply::Drop
        }
        _ => reply,
    }
}

impl Shared {
    fn roll(&mut self, f: &Faults) -> Option<Fault> {
        if f.per_mille == 0 {
            return None;
        }
        // xorshift64
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        if self.rng % 1000 >= f.per_mille {
            return None;
        }
        Some(
            [
                Fault::Throttle,
                Fault::Error500,
                Fault::ApplyThen500,
                Fault::Drop,
                Fault::ApplyThenDrop,
            ][(self.rng / 1000 % 5) as usize],
        )
    }

    fn read(&self, req: &Request) -> Reply {
        let q = |k: &'static str| {
            req.query
                .iter()
                .filter(move |(n, _)| n == k)
                .map(|(_, v)| v)
        };
        if q("limit").any(|l| l.parse::<usize>().map_or(true, |l| l > 250)) {
            return problem(400, "limit: at most 250");
        }
        let ids: Vec<u64> = q("filter[id][]").filter_map(|v| v.parse().ok()).collect();
        let with: Vec<&str> = q("with").flat_map(|w| w.split(',')).collect();
        let search = q("query").next().cloned();
        let keep = |id: u64, hay: &dyn Fn() -> String| {
            (ids.is_empty() || ids.contains(&id))
                && search.as_ref().is_none_or(|s| hay().contains(s.as_str()))
        };
        let (key, items): (&str, Vec<Value>) = match req.path.as_str() {
            "/api/v4/contacts" => (
                "contacts",
                self.account
                    .contacts
                    .values()
                    .filter(|c| keep(c.id, &|| self.haystack(c)))
                    .map(|c| self.contact_json(c, with.contains(&"leads")))
                    .collect(),
            ),
            "/api/v4/leads" => (
                "leads",
                self.account
                    .leads
                    .values()
                    .filter(|l| keep(l.id, &|| l.name.clone()))
                    .map(|l| lead_json(l, with.contains(&"contacts")))
                    .collect(),
            ),
            _ => return problem(404, "no such endpoint"),
        };
        if items.is_empty() {
            return Reply::Answer {
                status: 204,
                body: None,
                retry_after: None,
            };
        }
        answer(
            200,
            json!({"_page": 1, "_links": {"self": {"href": req.path}}, "_embedded": {key: items}}),
        )
    }

    /// What `query` searches: the name and the phone values' digits.
    fn haystack(&self, c: &Contact) -> String {
        let mut hay = c.name.clone();
        for v in c.fields.values().flatten() {
            let t = v["value"].as_str().unwrap_or_default();
            hay.push(' ');
            hay.extend(t.chars().filter(char::is_ascii_digit));
        }
        hay
    }

    fn contact_json(&self, c: &Contact, leads: bool) -> Value {
        let fields: Vec<Value> = c
            .fields
            .iter()
            .map(|(id, values)| {
                let (_, code, name, ty, _) = FIELDS.iter().find(|f| f.0 == *id).unwrap();
                json!({"field_id": id, "field_name": name, "field_code": code, "field_type": ty, "values": values})
            })
            .collect();
        let mut embedded = json!({
            "tags": c.tags.iter().enumerate().map(|(k, t)| json!({"id": k + 1, "name": t, "color": null})).collect::<Vec<_>>(),
            "companies": [],
        });
        if leads {
            embedded["leads"] = self
                .account
                .leads
                .values()
                .filter(|l| l.contacts.iter().any(|&(id, _)| id == c.id))
                .map(|l| json!({"id": l.id, "_links": {"self": {"href": format!("/api/v4/leads/{}", l.id)}}}))
                .collect();
        }
        json!({
            "id": c.id, "name": c.name, "first_name": c.first_name, "last_name": c.last_name,
            "responsible_user_id": 504141, "group_id": 0, "created_by": 504141,
            "custom_fields_values": if fields.is_empty() { Value::Null } else { Value::Array(fields) },
            "account_id": 28805383,
            "_links": {"self": {"href": format!("/api/v4/contacts/{}", c.id)}},
            "_embedded": embedded,
        })
    }

    fn change(&mut self, req: &Request, items: &[Value]) -> Reply {
        // Validate every item first: amoCRM refuses a request with a bad item as a whole.
        for (k, item) in items.iter().enumerate() {
            if let Err(e) = self.check(req, item) {
                return answer(
                    400,
                    json!({"validation-errors": [{"request_id": k.to_string(), "errors": [{"code": "InvalidValue", "detail": e}]}],
                           "title": "Bad Request", "type": "https://httpstatus.es/400", "status": 400, "detail": "Request validation failed"}),
                );
            }
        }
        let mut out = Vec::new();
        for (k, item) in items.iter().enumerate() {
            self.stats
                .applied
                .push(format!("{} {} {item}", req.method, req.path));
            out.push(self.apply(req, item, k));
        }
        match req.path.as_str() {
            "/api/v4/leads/unlink" => Reply::Answer {
                status: 204,
                body: None,
                retry_after: None,
            },
            "/api/v4/leads/link" => answer(
                200,
                json!({"_total_items": out.len(), "_links": {"self": {"href": req.path}}, "_embedded": {"links": out}}),
            ),
            _ => answer(
                200,
                json!({"_links": {"self": {"href": req.path}}, "_embedded": {"contacts": out}}),
            ),
        }
    }

    fn check(&self, req: &Request, item: &Value) -> Result<(), String> {
        match (req.method.as_str(), req.path.as_str()) {
            ("POST", "/api/v4/contacts") => fields_ok(item),
            ("PATCH", "/api/v4/contacts") => {
                let id = item["id"].as_u64().ok_or("id is required")?;
                if !self.account.contacts.contains_key(&id) {
                    return Err(format!("contact {id} not found"));
                }
                fields_ok(item)
            }
            ("POST", "/api/v4/leads/link" | "/api/v4/leads/unlink") => {
                let lead = item["entity_id"].as_u64().ok_or("entity_id")?;
                let contact = item["to_entity_id"]
                    .as_u64()
                    .ok_or("to_entity_id is not an ID")?;
                if item["to_entity_type"] != "contacts" {
                    return Err("to_entity_type".into());
                }
                if !self.account.leads.contains_key(&lead)
                    || !self.account.contacts.contains_key(&contact)
                {
                    return Err("entity not found".into());
                }
                Ok(())
            }
            _ => Err("no such endpoint".into()),
        }
    }

    fn apply(&mut self, req: &Request, item: &Value, k: usize) -> Value {
        match (req.method.as_str(), req.path.as_str()) {
            ("POST", "/api/v4/contacts") => {
                self.next_id += 1;
                let id = self.next_id;
                let mut c = Contact {
                    id,
                    name: String::new(),
                    first_name: String::new(),
                    last_name: String::new(),
                    fields: BTreeMap::new(),
                    tags: Vec::new(),
                };
                update(&mut c, item);
                self.account.contacts.insert(id, c);
                let request_id = item["request_id"]
                    .as_str()
                    .map_or_else(|| k.to_string(), str::to_string);
                json!({"id": id, "request_id": request_id, "_links": {"self": {"href": format!("/api/v4/contacts/{id}")}}})
            }
            ("PATCH", _) => {
                let id = item["id"].as_u64().unwrap();
                let c = self.account.contacts.get_mut(&id).unwrap();
                update(c, item);
                json!({"id": id, "name": c.name, "updated_at": 1700000000, "_links": {"self": {"href": format!("/api/v4/contacts/{id}")}}})
            }
            (_, path) => {
                let lead = self
                    .account
                    .leads
                    .get_mut(&item["entity_id"].as_u64().unwrap())
                    .unwrap();
                let contact = item["to_entity_id"].as_u64().unwrap();
                if path.ends_with("/unlink") {
                    lead.contacts.retain(|&(id, _)| id != contact);
                    return Value::Null;
                }
                let main = item["metadata"]["is_main"].as_bool().unwrap_or(false);
                if main {
                    for l in &mut lead.contacts {
                        l.1 = false;
                    }
                }
                match lead.contacts.iter_mut().find(|l| l.0 == contact) {
                    Some(l) => l.1 |= main,
                    None => lead.contacts.push((contact, main)),
                }
                json!({"entity_id": lead.id, "entity_type": "leads", "to_entity_id": contact, "to_entity_type": "contacts", "metadata": {"main_contact": main}})
            }
        }
    }
}

fn lead_json(l: &Lead, contacts: bool) -> Value {
    let mut v = json!({"id": l.id, "name": l.name, "price": 0, "status_id": 142, "pipeline_id": 1,
        "_links": {"self": {"href": format!("/api/v4/leads/{}", l.id)}}, "_embedded": {"tags": [], "companies": []}});
    if contacts {
        v["_embedded"]["contacts"] = l
            .contacts
            .iter()
            .map(|&(id, is_main)| json!({"id": id, "is_main": is_main, "_links": {"self": {"href": format!("/api/v4/contacts/{id}")}}}))
            .collect();
    }
    v
}

/// A field reference and its values must name a field of the account and valid enums.
fn fields_ok(item: &Value) -> Result<(), String> {
    for f in item["custom_fields_values"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let def = field_def(f).ok_or_else(|| format!("unknown field {f}"))?;
        let Some(values) = f["values"].as_array() else {
            if f["values"].is_null() {
                continue;
            }
            return Err("values must be an array or null".into());
        };
        for v in values {
            if v.get("value").is_none_or(Value::is_null) {
                return Err("value is required".into());
            }
            if def.3 == "multitext" {
                if !v["value"].is_string() {
                    return Err("a multitext value is a string".into());
                }
                enum_of(def, v).ok_or_else(|| format!("enum_id or enum_code is required: {v}"))?;
            }
        }
    }
    Ok(())
}

fn field_def(f: &Value) -> Option<&'static FieldDef> {
    FIELDS.iter().find(|d| {
        f["field_id"].as_u64() == Some(d.0) || (d.1.is_some() && f["field_code"].as_str() == d.1)
    })
}

fn enum_of(def: &FieldDef, v: &Value) -> Option<(u64, &'static str)> {
    def.4.iter().copied().find(|(id, code)| {
        v["enum_id"].as_u64() == Some(*id) || v["enum_code"].as_str() == Some(code)
    })
}

/// Applies a contact item (validated) to a card.
fn update(c: &mut Contact, item: &Value) {
    for (key, slot) in [
        ("name", &mut c.name),
        ("first_name", &mut c.first_name),
        ("last_name", &mut c.last_name),
    ] {
        if let Some(v) = item[key].as_str() {
            *slot = v.to_string();
        }
    }
    for f in item["custom_fields_values"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let def = field_def(f).unwrap();
        let values: Vec<Value> = f["values"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| match enum_of(def, v) {
                Some((id, code)) => json!({"value": v["value"], "enum_id": id, "enum_code": code}),
                None => json!({"value": v["value"]}),
            })
            .collect();
        if values.is_empty() {
            c.fields.remove(&def.0);
        } else {
            c.fields.insert(def.0, values);
        }
    }
    if let Some(tags) = item["_embedded"]["tags"].as_array() {
        c.tags = tags
            .iter()
            .filter_map(|t| t["name"].as_str().map(str::to_string))
            .collect();
    }
    for t in item["tags_to_add"].as_array().into_iter().flatten() {
        let name = t["name"].as_str().unwrap_or_default().to_string();
        if !c.tags.contains(&name) {
            c.tags.push(name);
        }
    }
    for t in item["tags_to_delete"].as_array().into_iter().flatten() {
        c.tags.retain(|x| Some(x.as_str()) != t["name"].as_str());
    }
}
