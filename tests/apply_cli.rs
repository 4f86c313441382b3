//! `crmclean apply` end to end: the plan folder comes from the real `migrate` and `dedupe` run
//! on fixture exports, the account from the same cards, held by an in-test amoCRM stand-in
//! (tests/amocrm_server) that `apply` talks to over loopback.

mod amocrm_server;
mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use amocrm_server::{Account, Config, Contact, Faults, Lead, Server, BIRTHDAY, EMAIL, FIO, PHONE};
use chrono::NaiveDate;
use crmclean::apply::changes::phone_enum;
use crmclean::model::{load, LoadOptions};
use crmclean::normalize::phone::digits_key;
use crmclean::params::RuleSet;
use serde_json::{json, Value};

const AS_OF: &str = "2026-11-23 12:00";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rules() -> RuleSet {
    RuleSet::load(&repo().join("rules")).unwrap()
}

/// A copy of the rules folder with `[apply]` paced for tests: no real second-long waits.
fn fast_rules(tmp: &Path) -> PathBuf {
    rules_with(
        tmp,
        "rules",
        &[
            ("requests_per_second = 7", "requests_per_second = 400"),
            ("max_attempts = 6", "max_attempts = 4"),
            ("backoff_ms = 1000", "backoff_ms = 5"),
            ("timeout_secs = 60", "timeout_secs = 10"),
        ],
    )
}

/// A copy of the rules folder in `tmp/name` with some lines of `default.toml` replaced.
fn rules_with(tmp: &Path, name: &str, changes: &[(&str, &str)]) -> PathBuf {
    let dir = tmp.join(name);
    copy_dir(&repo().join("rules"), &dir);
    let mut toml = std::fs::read_to_string(dir.join("default.toml")).unwrap();
    for (from, to) in changes {
        assert!(toml.contains(from), "{from}");
        toml = toml.replace(from, to);
    }
    std::fs::write(dir.join("default.toml"), toml).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// The account that holds the cards of the exports in `inputs`: each phone item as written,
/// typed by its column; e-mails, ФИО and birthday as custom fields; deals linked to their
/// contacts (the first one main); partners tagged «прораб».
fn account_of(inputs: &Path) -> Account {
    let rules = rules();
    let opts = LoadOptions {
        read: Default::default(),
        phone: Default::default(),
        today: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
    };
    let ds = load(&[inputs.to_path_buf()], &rules, &opts)
        .unwrap()
        .dataset;
    let mut acc = Account::default();
    for c in &ds.contacts {
        let mut fields: BTreeMap<u64, Vec<Value>> = BTreeMap::new();
        for p in &c.phones {
            let code = phone_enum(&rules, ds.header(c.at, p.column)).unwrap_or("WORK".into());
            let id = ["WORK", "WORKDD", "MOB", "FAX", "HOME", "OTHER"]
                .iter()
                .position(|e| *e == code)
                .unwrap() as u64
                + 1;
            fields
                .entry(PHONE)
                .or_default()
                .push(json!({"value": p.norm.raw.as_str(), "enum_id": id, "enum_code": code}));
        }
        for e in &c.emails {
            let header = ds.header(c.at, e.column);
            let (id, code) = if header.contains("Личн") {
                (8, "PRIV")
            } else if header.contains("Рабоч") {
                (7, "WORK")
            } else {
                (9, "OTHER")
            };
            fields
                .entry(EMAIL)
                .or_default()
                .push(json!({"value": e.raw.as_str(), "enum_id": id, "enum_code": code}));
        }
        if let Some(fio) = c.fio(&ds).filter(|f| !f.is_empty()) {
            fields.insert(FIO, vec![json!({"value": fio})]);
        }
        if let Ok(d) = NaiveDate::parse_from_str(c.birthday_raw(&ds), "%d.%m.%Y") {
            let ts = d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
            fields.insert(BIRTHDAY, vec![json!({"value": ts})]);
        }
        let id: u64 = c.id.parse().unwrap();
        acc.contacts.insert(
            id,
            Contact {
                id,
                name: c.title(&ds).into_owned(),
                first_name: c.first_name(&ds).to_string(),
                last_name: c.last_name(&ds).to_string(),
                fields,
                tags: if c.is_partner {
                    vec!["прораб".into()]
                } else {
                    vec![]
                },
            },
        );
    }
    for d in &ds.deals {
        let id: u64 = d.id.parse().unwrap();
        let contacts = d
            .contacts
            .iter()
            .enumerate()
            .map(|(k, &c)| (ds.contacts[c].id.parse().unwrap(), k == 0))
            .collect();
        acc.leads.insert(
            id,
            Lead {
                id,
                name: d.name(&ds).to_string(),
                contacts,
            },
        );
    }
    acc
}

/// A plan folder made by the real `migrate` (and `dedupe`) on `inputs`.
fn plan_dir(inputs: &Path, tmp: &Path) -> PathBuf {
    let dir = tmp.join("plan");
    let inputs = inputs.to_str().unwrap();
    let out = dir.to_str().unwrap();
    let o = common::crmclean(["migrate", inputs, "--out", out]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = common::crmclean(["dedupe", inputs, "--out", out, "--as-of", AS_OF]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    dir
}

fn apply_cmd(rules: &Path, server: &Server, token: &str, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_crmclean"));
    c.env_remove("CRMCLEAN_RULES")
        .env("AMOCRM_TOKEN", token)
        .arg("--rules")
        .arg(rules)
        .arg("apply")
        .args(args)
        .args(["--api-base", &server.base()]);
    c
}

fn apply(rules: &Path, server: &Server, args: &[&str]) -> Output {
    apply_cmd(rules, server, server.token(), args)
        .output()
        .expect("run crmclean")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// One `move` line of split_plan.jsonl.
struct PlanMove {
    partner: u64,
    phone: String,
    column: String,
    name: String,
    deals: Vec<u64>,
    link: Option<u64>,
}

fn moves(dir: &Path) -> Vec<PlanMove> {
    std::fs::read_to_string(dir.join("split_plan.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["action"] == "move")
        .map(|v| PlanMove {
            partner: v["partner_id"].as_str().unwrap().parse().unwrap(),
            phone: v["phone"].as_str().unwrap().into(),
            column: v["source_column"].as_str().unwrap().into(),
            name: v["new_contact_name"].as_str().unwrap().into(),
            deals: v["deal_ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_str().unwrap().parse().unwrap())
                .collect(),
            link: v["link_contact_id"].as_str().map(|s| s.parse().unwrap()),
        })
        .collect()
}

/// The contact clusters of clusters.csv: (survivor, duplicates).
fn clusters(dir: &Path) -> Vec<(u64, Vec<u64>)> {
    let mut out: BTreeMap<String, (u64, Vec<u64>)> = BTreeMap::new();
    for line in std::fs::read_to_string(dir.join("clusters.csv"))
        .unwrap()
        .lines()
        .skip(1)
    {
        let f: Vec<&str> = line.split(',').collect();
        if f[1] != "contact" {
            continue;
        }
        let e = out.entry(f[0].to_string()).or_default();
        let id = f[2].parse().unwrap();
        if f[5] == "true" {
            e.0 = id;
        } else {
            e.1.push(id);
        }
    }
    out.into_values().collect()
}

fn set_main(lead: &mut Lead, contact: u64) {
    for l in &mut lead.contacts {
        l.1 = false;
    }
    match lead.contacts.iter_mut().find(|l| l.0 == contact) {
        Some(l) => l.1 = true,
        None => lead.contacts.push((contact, true)),
    }
}

/// The account after the moves, as the issue describes it: each moved number removed from its
/// column of the partner card (the other values as they were), on exactly one new contact
/// (named as planned, «Мобильный телефон», tagged with the run's tag) or the existing one,
/// which is the main contact of each of its deals; the partner stays linked.
fn after_moves(start: &Account, plan: &[PlanMove]) -> Account {
    let rules = rules();
    let mut acc = start.clone();
    let mut new_ids: BTreeMap<(String, String), u64> = BTreeMap::new();
    for m in plan {
        let code = phone_enum(&rules, &m.column).unwrap();
        let values = acc
            .contacts
            .get_mut(&m.partner)
            .unwrap()
            .fields
            .get_mut(&PHONE)
            .unwrap();
        let pos = values
            .iter()
            .position(|v| {
                digits_key(v["value"].as_str().unwrap()).as_deref() == Some(&m.phone)
                    && v["enum_code"] == code.as_str()
            })
            .unwrap();
        values.remove(pos);
        if values.is_empty() {
            acc.contacts
                .get_mut(&m.partner)
                .unwrap()
                .fields
                .remove(&PHONE);
        }
        let target = m.link.unwrap_or_else(|| {
            let next = 1_000_000_000 + new_ids.len() as u64;
            *new_ids
                .entry((m.phone.clone(), m.name.clone()))
                .or_insert_with(|| {
                    acc.contacts.insert(
                        next,
                        Contact {
                            id: next,
                            name: m.name.clone(),
                            first_name: String::new(),
                            last_name: String::new(),
                            fields: BTreeMap::from([(
                                PHONE,
                                vec![json!({"value": m.phone, "enum_id": 3, "enum_code": "MOB"})],
                            )]),
                            tags: vec!["crmclean RUN".into()],
                        },
                    );
                    next
                })
        });
        for d in &m.deals {
            set_main(acc.leads.get_mut(d).unwrap(), target);
        }
    }
    acc
}

/// The account after the merges: the survivor's empty fields filled from the duplicates and
/// their distinct phones and e-mails added; the duplicates' deals linked to the survivor (main
/// where the duplicate was) and unlinked from them; the duplicates tagged.
fn after_merges(start: &Account, clusters: &[(u64, Vec<u64>)]) -> Account {
    let mut acc = start.clone();
    for (s, dups) in clusters {
        for d in dups {
            let dup = acc.contacts[d].clone();
            let surv = acc.contacts.get_mut(s).unwrap();
            for (slot, v) in [
                (&mut surv.first_name, &dup.first_name),
                (&mut surv.last_name, &dup.last_name),
                (&mut surv.name, &dup.name),
            ] {
                if slot.is_empty() {
                    slot.clone_from(v);
                }
            }
            for (field, values) in &dup.fields {
                let have = surv.fields.entry(*field).or_default();
                if *field == PHONE || *field == EMAIL {
                    let key = |v: &Value| {
                        let t = v["value"].as_str().unwrap();
                        digits_key(t).unwrap_or_else(|| t.trim().to_lowercase())
                    };
                    for v in values {
                        if !have.iter().any(|h| key(h) == key(v)) {
                            have.push(v.clone());
                        }
                    }
                } else if have.is_empty() {
                    have.clone_from(values);
                }
            }
            for lead in acc.leads.values_mut() {
                let Some(&(_, main)) = lead.contacts.iter().find(|l| l.0 == *d) else {
                    continue;
                };
                if main {
                    set_main(lead, *s);
                } else if !lead.contacts.iter().any(|l| l.0 == *s) {
                    lead.contacts.push((*s, false));
                }
                lead.contacts.retain(|l| l.0 != *d);
            }
            acc.contacts
                .get_mut(d)
                .unwrap()
                .tags
                .push(format!("дубль: объединён в ID {s}"));
        }
    }
    acc
}

/// An account in a form to compare: contacts created by a run are named by their name and
/// number instead of their ID, the run's tag is «crmclean RUN», links are sets.
fn canon(acc: &Account, start: &Account) -> Value {
    let key = |id: u64| -> String {
        if start.contacts.contains_key(&id) {
            return id.to_string();
        }
        let c = &acc.contacts[&id];
        format!("new: {} {}", c.name, c.fields[&PHONE][0]["value"])
    };
    let contacts: BTreeMap<String, Value> = acc
        .contacts
        .values()
        .map(|c| {
            let tags: Vec<String> = c
                .tags
                .iter()
                .map(|t| {
                    if t.starts_with("crmclean 2") {
                        "crmclean RUN".into()
                    } else {
                        t.clone()
                    }
                })
                .collect();
            (
                key(c.id),
                json!({"name": c.name, "first": c.first_name, "last": c.last_name,
                       "fields": c.fields.iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<BTreeMap<_, _>>(),
                       "tags": tags}),
            )
        })
        .collect();
    let leads: BTreeMap<String, Value> = acc
        .leads
        .values()
        .map(|l| {
            let links: BTreeMap<String, bool> = l
                .contacts
                .iter()
                .map(|&(id, main)| (key(id), main))
                .collect();
            (l.id.to_string(), json!(links))
        })
        .collect();
    json!({"contacts": contacts, "leads": leads})
}

/// `s` with a fresh copy of its plan folder, and a server holding its start that injects
/// `faults`.
fn disturbed(s: &Setup, name: &str, faults: Faults) -> (Setup, Server) {
    let copy = Setup {
        _tmp: tempfile::tempdir().unwrap(),
        rules: s.rules.clone(),
        dir: fresh_copy(&s.dir, name),
        start: s.start.clone(),
    };
    let config = Config {
        faults,
        ..Config::default().rate_for_tests()
    };
    (copy, Server::start(s.start.clone(), config))
}

/// Runs `apply PLAN_DIR ARGS…` and checks that it succeeded.
fn run_ok(s: &Setup, server: &Server, args: &[&str]) -> Output {
    let dir = s.dir.to_str().unwrap();
    let o = apply(&s.rules, server, &[&[dir], args].concat());
    assert!(o.status.success(), "{}", text(&o.stderr));
    o
}

/// Runs `--rollback --execute` and checks that every card is as it was at the start, except
/// the contacts the runs created: unlinked from every deal and tagged for deletion. Their number.
fn rolled_back(s: &Setup, server: &Server) -> usize {
    let back = apply(
        &s.rules,
        server,
        &["--rollback", s.dir.to_str().unwrap(), "--execute"],
    );
    assert!(back.status.success(), "{}", text(&back.stderr));
    let mut rolled = server.account();
    let created: Vec<u64> = rolled
        .contacts
        .keys()
        .filter(|id| !s.start.contacts.contains_key(id))
        .copied()
        .collect();
    for id in &created {
        let c = rolled.contacts.remove(id).unwrap();
        assert!(
            c.tags.contains(&"crmclean: отменено, удалить".to_string()),
            "{c:?}"
        );
        assert!(rolled
            .leads
            .values()
            .all(|l| l.contacts.iter().all(|x| x.0 != c.id)));
    }
    assert_eq!(
        canon(&rolled, &s.start),
        canon(&s.start, &s.start),
        "everything else is as it was"
    );
    assert_nothing_twice(server);
    created.len()
}

/// Entities of uncertain requests (lost answer, 5xx, a killed run) that the journal shows were
/// found already applied on checking the cards, and so not sent again.
fn found_applied(dir: &Path) -> u64 {
    std::fs::read_to_string(dir.join("journal.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["event"] == "verified")
        .map(|e| e["applied"].as_u64().unwrap())
        .sum()
}

/// No change was applied twice.
fn assert_nothing_twice(server: &Server) {
    server.with_stats(|s| {
        let mut seen = std::collections::BTreeSet::new();
        for a in &s.applied {
            assert!(seen.insert(a), "applied twice: {a}");
        }
    });
}

struct Setup {
    _tmp: tempfile::TempDir,
    rules: PathBuf,
    dir: PathBuf,
    start: Account,
}

fn setup(inputs: &Path) -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let rules = fast_rules(tmp.path());
    let dir = plan_dir(inputs, tmp.path());
    Setup {
        start: account_of(inputs),
        _tmp: tmp,
        rules,
        dir,
    }
}

fn samples() -> PathBuf {
    repo().join("samples")
}

#[test]
fn execute_moves_the_numbers_and_rollback_restores_the_cards() {
    let s = setup(&samples());
    let server = Server::start(s.start.clone(), Config::default().rate_for_tests());
    let plan = moves(&s.dir);
    assert_eq!(plan.len(), 4, "the samples move four numbers");

    let dry = apply(&s.rules, &server, &[s.dir.to_str().unwrap()]);
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    assert!(
        server.with_stats(|st| st.applied.is_empty()),
        "a dry run changes nothing"
    );
    let requests: Vec<Value> = std::fs::read_to_string(s.dir.join("apply_plan.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let shape: Vec<(&str, &str, u64)> = requests
        .iter()
        .map(|r| {
            (
                r["method"].as_str().unwrap(),
                r["path"].as_str().unwrap(),
                r["entities"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            ("POST", "/api/v4/contacts", 4),
            ("POST", "/api/v4/leads/link", 5),
            ("PATCH", "/api/v4/contacts", 2),
        ]
    );
    assert_eq!(
        requests[0]["body"][0]["custom_fields_values"],
        json!([{"field_code": "PHONE", "values": [{"value": "+79112345602", "enum_code": "MOB"}]}])
    );
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(
        readme.contains(&text(&dry.stdout)),
        "the README shows another dry run:\n{}",
        text(&dry.stdout)
    );
    let summary = text(&dry.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        summary.contains("numbers moved 4 (new contacts 4, deal links 5, partner cards 2)"),
        "{summary}"
    );

    run_ok(&s, &server, &["--execute"]);
    let after = server.account();
    assert_eq!(
        canon(&after, &s.start),
        canon(&after_moves(&s.start, &plan), &s.start)
    );
    // Every moved number is on exactly one contact that is not a partner's.
    for m in &plan {
        let holders: Vec<&Contact> =
            after
                .contacts
                .values()
                .filter(|c| {
                    c.fields.get(&PHONE).into_iter().flatten().any(|v| {
                        digits_key(v["value"].as_str().unwrap()).as_deref() == Some(&m.phone)
                    })
                })
                .collect();
        assert_eq!(holders.len(), 1, "{}: {holders:?}", m.phone);
        assert!(!holders[0].tags.contains(&"прораб".to_string()));
    }
    assert_nothing_twice(&server);

    let again = run_ok(&s, &server, &["--execute"]);
    assert!(text(&again.stderr).contains("nothing left to send"));
    assert_eq!(server.account(), after, "a finished run is not repeated");

    assert_eq!(rolled_back(&s, &server), 4, "four contacts were created");
    assert_nothing_twice(&server);
}

#[test]
fn merges_fill_the_survivor_move_the_deals_and_tag_the_duplicates() {
    let s = setup(&samples());
    let server = Server::start(s.start.clone(), Config::default().rate_for_tests());
    run_ok(&s, &server, &["--merges", "--execute"]);
    let expected = after_merges(&after_moves(&s.start, &moves(&s.dir)), &clusters(&s.dir));
    assert_eq!(
        canon(&server.account(), &s.start),
        canon(&expected, &s.start)
    );
    assert_nothing_twice(&server);

    assert_eq!(rolled_back(&s, &server), 4);
}

impl Config {
    /// A server as fast as the test rules.
    fn rate_for_tests(self) -> Config {
        Config { rate: 1000, ..self }
    }
}

/// A copy of the plan folder without a journal.
fn fresh_copy(dir: &Path, name: &str) -> PathBuf {
    let copy = dir.with_file_name(name);
    copy_dir(dir, &copy);
    for f in ["journal.jsonl", "rollback.jsonl"] {
        let _ = std::fs::remove_file(copy.join(f));
    }
    copy
}

/// The state of an undisturbed `--merges --execute` run on the samples.
fn reference(s: &Setup) -> Value {
    let server = Server::start(s.start.clone(), Config::default().rate_for_tests());
    let dir = fresh_copy(&s.dir, "plan-reference");
    let o = apply(
        &s.rules,
        &server,
        &[dir.to_str().unwrap(), "--merges", "--execute"],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    canon(&server.account(), &s.start)
}

/// Runs `apply --execute` until it reports success (at most `tries` times).
fn until_done(s: &Setup, server: &Server, tries: usize) -> usize {
    for k in 1..=tries {
        let o = apply(
            &s.rules,
            server,
            &[s.dir.to_str().unwrap(), "--merges", "--execute"],
        );
        eprintln!("run {k}: {:?}\n{}", o.status.code(), text(&o.stderr));
        match o.status.code() {
            Some(0) => return k,
            Some(1) => assert!(
                text(&o.stderr).contains("run the same command again to resume"),
                "{}",
                text(&o.stderr)
            ),
            other => panic!("exit {other:?}: {}", text(&o.stderr)),
        }
        server.heal();
    }
    panic!("not done after {tries} runs");
}

#[test]
fn random_faults_end_in_the_undisturbed_state_with_nothing_applied_twice() {
    let s = setup(&samples());
    let want = reference(&s);
    let (mut faults_seen, mut not_resent) = (0, 0);
    for seed in 1..=6 {
        // A fresh plan folder per seed: the journal belongs to one account.
        let faults = Faults {
            per_mille: 300,
            seed,
            ..Faults::default()
        };
        let (s, server) = disturbed(&s, &format!("plan-{seed}"), faults);
        until_done(&s, &server, 20);
        assert_eq!(canon(&server.account(), &s.start), want, "seed {seed}");
        assert_nothing_twice(&server);
        faults_seen += server.with_stats(|st| st.faults);
        not_resent += found_applied(&s.dir);
    }
    assert!(faults_seen >= 10, "only {faults_seen} faults injected");
    assert!(
        not_resent > 0,
        "no lost answer of an applied change was met"
    );
}

#[test]
fn a_run_stopped_by_the_network_resumes_where_it_stopped() {
    let s = setup(&samples());
    let want = reference(&s);
    for down_after in [0, 3, 8] {
        let faults = Faults {
            down_after: Some(down_after),
            ..Faults::default()
        };
        let (s, server) = disturbed(&s, &format!("plan-down-{down_after}"), faults);
        let runs = until_done(&s, &server, 3);
        assert_eq!(runs, 2, "stopped once, then resumed");
        assert_eq!(
            canon(&server.account(), &s.start),
            want,
            "down after {down_after}"
        );
        assert_nothing_twice(&server);
    }
}

#[test]
fn a_refused_change_stops_the_run_before_anything_that_depends_on_it() {
    let s = setup(&samples());
    let want = reference(&s);
    // amoCRM refuses the links: the numbers must stay on the partner cards.
    let faults = Faults {
        refuse_after: Some(4),
        ..Faults::default()
    };
    let (s, server) = disturbed(&s, "plan-refused", faults);
    let o = apply(
        &s.rules,
        &server,
        &[s.dir.to_str().unwrap(), "--merges", "--execute"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("amoCRM refused step 2 (POST /api/v4/leads/link): HTTP 400"),
        "{}",
        text(&o.stderr)
    );
    server.with_stats(|st| {
        assert_eq!(st.applied.len(), 4, "only the four contacts were created");
    });
    let partners = server.account();
    for m in moves(&s.dir) {
        assert_eq!(
            partners.contacts[&m.partner].fields[&PHONE],
            s.start.contacts[&m.partner].fields[&PHONE]
        );
    }
    server.heal();
    let o = run_ok(&s, &server, &["--merges", "--execute"]);
    assert!(text(&o.stderr).contains("resumed"), "{}", text(&o.stderr));
    assert_eq!(canon(&server.account(), &s.start), want);
    assert_nothing_twice(&server);
}

#[test]
fn created_contacts_are_found_when_the_answer_does_not_name_them() {
    let s = setup(&samples());
    let want = reference(&s);
    let faults = Faults {
        bare_creates: true,
        ..Faults::default()
    };
    let (s, server) = disturbed(&s, "plan-bare", faults);
    run_ok(&s, &server, &["--merges", "--execute"]);
    assert_eq!(canon(&server.account(), &s.start), want);
    assert_nothing_twice(&server);
}

#[test]
fn a_killed_run_resumes_without_doing_anything_twice() {
    let s = setup(&samples());
    let want = reference(&s);
    for hang_after in [0, 1, 4, 9] {
        let faults = Faults {
            hang_after: Some(hang_after),
            ..Faults::default()
        };
        let (s, server) = disturbed(&s, &format!("plan-kill-{hang_after}"), faults);
        let dir = &s.dir;
        // The server applies a change and never answers; the run is killed (as by Ctrl-C or a
        // crash) while it waits.
        let mut child = apply_cmd(
            &s.rules,
            &server,
            server.token(),
            &[dir.to_str().unwrap(), "--merges", "--execute"],
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
        let started = Instant::now();
        while !server.is_hanging() {
            assert!(started.elapsed() < Duration::from_secs(30), "never hung");
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        child.kill().ok();
        child.wait().unwrap();
        server.heal();
        let o = run_ok(&s, &server, &["--merges", "--execute"]);
        assert!(text(&o.stderr).contains("resumed"), "{}", text(&o.stderr));
        assert!(
            found_applied(dir) >= 1,
            "the change in flight was found applied"
        );
        assert_eq!(
            canon(&server.account(), &s.start),
            want,
            "hang after {hang_after}"
        );
        assert_nothing_twice(&server);
    }
}

#[test]
fn at_most_seven_requests_a_second_and_429_is_waited_out() {
    let s = setup(&samples());
    let want = reference(&s);
    let tmp = tempfile::tempdir().unwrap();
    // One entity per request, so that a run makes dozens of requests.
    let paced = rules_with(
        tmp.path(),
        "paced",
        &[("batch_size = 250", "batch_size = 1")],
    );
    let hasty = rules_with(
        tmp.path(),
        "hasty",
        &[
            ("batch_size = 250", "batch_size = 1"),
            ("requests_per_second = 7", "requests_per_second = 400"),
        ],
    );
    // The shipped pacing against amoCRM's limit: never a 429.
    let server = Server::start(s.start.clone(), Config::default());
    let dir = fresh_copy(&s.dir, "plan-paced");
    let o = apply(
        &paced,
        &server,
        &[dir.to_str().unwrap(), "--merges", "--execute"],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    server.with_stats(|st| {
        assert!(st.requests > 30, "{} requests", st.requests);
        assert_eq!(st.throttled, 0);
        assert_eq!(st.largest_batch, 1);
    });
    assert_eq!(canon(&server.account(), &s.start), want);

    // A client configured too fast gets 429s, waits as Retry-After says and still finishes.
    let server = Server::start(s.start.clone(), Config::default());
    let dir = fresh_copy(&s.dir, "plan-hasty");
    let o = apply(
        &hasty,
        &server,
        &[dir.to_str().unwrap(), "--merges", "--execute"],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    server.with_stats(|st| {
        assert!(st.throttled > 0);
        assert!(
            st.retry_gaps
                .iter()
                .all(|g| *g >= Duration::from_millis(990)),
            "{:?}",
            st.retry_gaps
        );
    });
    assert_eq!(canon(&server.account(), &s.start), want);
    assert_nothing_twice(&server);
}

#[test]
fn a_wrong_token_stops_with_a_clear_message_and_no_token_is_ever_written() {
    let s = setup(&samples());
    let server = Server::start(s.start.clone(), Config::default().rate_for_tests());
    let o = apply_cmd(
        &s.rules,
        &server,
        "wrong-token-4242",
        &[s.dir.to_str().unwrap(), "--execute"],
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("refused the token (HTTP 401"), "{err}");
    assert!(!err.contains("wrong-token-4242") && !text(&o.stdout).contains("wrong-token-4242"));
    assert!(server.with_stats(|st| st.applied.is_empty()));

    let o = run_ok(&s, &server, &["--merges", "--execute"]);
    let token = server.token();
    for out in [&o.stdout, &o.stderr] {
        assert!(!text(out).contains(token));
    }
    for f in std::fs::read_dir(&s.dir).unwrap() {
        let body = std::fs::read(f.unwrap().path()).unwrap();
        assert!(!String::from_utf8_lossy(&body).contains(token));
    }
    let o = Command::new(env!("CARGO_BIN_EXE_crmclean"))
        .env_remove("AMOCRM_TOKEN")
        .args(["apply", s.dir.to_str().unwrap(), "--account", "okna"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("AMOCRM_TOKEN"),
        "{}",
        text(&o.stderr)
    );
    let o = apply(&s.rules, &server, &[]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "PLAN_DIR or --rollback is required"
    );
    let o = common::crmclean([
        "apply",
        s.dir.to_str().unwrap(),
        "--api-base",
        "http://example.com",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("plain http"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn a_card_changed_since_the_export_is_skipped_and_the_rest_applied() {
    let s = setup(&samples());
    let plan = moves(&s.dir);
    let mut account = s.start.clone();
    // Someone removed the first moved number from the partner card by hand.
    let first = &plan[0];
    account
        .contacts
        .get_mut(&first.partner)
        .unwrap()
        .fields
        .get_mut(&PHONE)
        .unwrap()
        .retain(|v| digits_key(v["value"].as_str().unwrap()).as_deref() != Some(&first.phone));
    let server = Server::start(account.clone(), Config::default().rate_for_tests());
    let o = apply(&s.rules, &server, &[s.dir.to_str().unwrap(), "--execute"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains(&format!(
            "skipped: move {} off card {}",
            first.phone, first.partner
        )),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(
        canon(&server.account(), &account),
        canon(&after_moves(&account, &plan[1..]), &account)
    );
}

#[test]
fn limit_tries_one_change_and_the_next_run_does_the_rest() {
    let s = setup(&samples());
    let plan = moves(&s.dir);
    let server = Server::start(s.start.clone(), Config::default().rate_for_tests());
    run_ok(&s, &server, &["--limit", "1", "--execute"]);
    assert_eq!(
        canon(&server.account(), &s.start),
        canon(&after_moves(&s.start, &plan[..1]), &s.start)
    );
    run_ok(&s, &server, &["--execute"]);
    assert_eq!(
        canon(&server.account(), &s.start),
        canon(&after_moves(&s.start, &plan), &s.start)
    );
    assert_eq!(rolled_back(&s, &server), 4);
    assert_nothing_twice(&server);
}

#[test]
fn a_move_to_an_existing_contact_links_it_instead_of_creating_one() {
    // The samples plus a client card that already holds one of the numbers moved off
    // Сидоров's card: migrate plans a link to it, and apply creates no contact for it.
    let tmp = tempfile::tempdir().unwrap();
    let inputs = tmp.path().join("exports");
    copy_dir(&samples(), &inputs);
    let path = inputs.join("amocrm_contacts.csv");
    let mut bytes = std::fs::read(&path).unwrap();
    let (row, _, _) = encoding_rs::WINDOWS_1251.encode(
        "\"45102999\";\"контакт\";\"Купчинская клиент\";\"\";\"\";\"\";\"Петров Сергей\";\"01.10.2024 10:00:00\";\"Петров Сергей\";\"01.10.2024 10:00:00\";\"\";\"\";\"\";\"\";\"+7 911 234-56-02\";\"\";\"\";\"\";\"\";\"\";\"\";\"\";\"\";\"\";\"\"\r\n",
    );
    bytes.extend_from_slice(&row);
    std::fs::write(&path, bytes).unwrap();
    let s = setup(&inputs);
    let plan = moves(&s.dir);
    let linked: Vec<&PlanMove> = plan.iter().filter(|m| m.link.is_some()).collect();
    assert_eq!(linked.len(), 1, "migrate plans one link to 45102999");
    assert_eq!(linked[0].link, Some(45102999));
    let server = Server::start(s.start.clone(), Config::default().rate_for_tests());
    run_ok(&s, &server, &["--execute"]);
    let after = server.account();
    assert_eq!(
        canon(&after, &s.start),
        canon(&after_moves(&s.start, &plan), &s.start)
    );
    assert_eq!(
        after.contacts.len(),
        s.start.contacts.len() + plan.len() - 1
    );
}

#[test]
fn batches_hold_at_most_250_cards() {
    // A partner card with 260 client numbers, each the client number of one deal.
    let tmp = tempfile::tempdir().unwrap();
    let rules = fast_rules(tmp.path());
    let dir = tmp.path().join("plan");
    std::fs::create_dir_all(&dir).unwrap();
    let mut account = Account::default();
    let phones: Vec<String> = (0..260).map(|k| format!("+7921555{k:04}")).collect();
    account.contacts.insert(
        1,
        Contact {
            id: 1,
            name: "Прораб".into(),
            first_name: String::new(),
            last_name: String::new(),
            fields: BTreeMap::from([(
                PHONE,
                phones
                    .iter()
                    .map(|p| json!({"value": p, "enum_id": 6, "enum_code": "OTHER"}))
                    .collect(),
            )]),
            tags: vec!["прораб".into()],
        },
    );
    let mut plan = String::new();
    for (k, p) in phones.iter().enumerate() {
        let deal = 500 + k as u64;
        account.leads.insert(
            deal,
            Lead {
                id: deal,
                name: format!("Сделка {k}"),
                contacts: vec![(1, true)],
            },
        );
        plan += &json!({"partner_id": "1", "phone": p, "source_column": "Другой телефон",
            "action": "move", "new_contact_name": format!("Адрес {k}"), "deal_ids": [deal.to_string()],
            "reason": "", "link_contact_id": null})
        .to_string();
        plan.push('\n');
    }
    std::fs::write(dir.join("split_plan.jsonl"), plan).unwrap();
    let server = Server::start(account, Config::default().rate_for_tests());
    let o = apply(&rules, &server, &[dir.to_str().unwrap(), "--execute"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let after = server.account();
    assert_eq!(server.with_stats(|st| st.largest_batch), 250);
    assert_eq!(after.contacts.len(), 261);
    assert!(
        !after.contacts[&1].fields.contains_key(&PHONE),
        "every number moved"
    );
    assert!(after
        .leads
        .values()
        .all(|l| l.contacts.len() == 2 && l.contacts.contains(&(1, false))));
    assert_nothing_twice(&server);
}

/// Not a check but a measurement, run by hand on a large plan folder (say `migrate` on the
/// generator's 1M export):
/// `CRMCLEAN_SCALE_PLAN=DIR cargo test --release --test apply_cli -- --ignored --nocapture`.
/// The stand-in holds each partner card of DIR/split_plan.jsonl with every number of its plan
/// lines and each deal linked to its partner; the dry run and `--execute` (paced for tests)
/// run under `/usr/bin/time -v`, and what they cost is printed.
#[test]
#[ignore]
fn measure_a_large_plan() {
    let Ok(plan) = std::env::var("CRMCLEAN_SCALE_PLAN") else {
        return;
    };
    let rules = rules();
    let tmp = tempfile::tempdir().unwrap();
    let fast = fast_rules(tmp.path());
    let dir = tmp.path().join("plan");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        Path::new(&plan).join("split_plan.jsonl"),
        dir.join("split_plan.jsonl"),
    )
    .unwrap();
    let mut account = Account::default();
    let text_plan = std::fs::read_to_string(dir.join("split_plan.jsonl")).unwrap();
    for line in text_plan.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let partner: u64 = v["partner_id"].as_str().unwrap().parse().unwrap();
        let code =
            phone_enum(&rules, v["source_column"].as_str().unwrap()).unwrap_or("WORK".into());
        let card = account.contacts.entry(partner).or_insert_with(|| Contact {
            id: partner,
            name: format!("Прораб {partner}"),
            first_name: String::new(),
            last_name: String::new(),
            fields: BTreeMap::new(),
            tags: vec!["прораб".into()],
        });
        card.fields
            .entry(PHONE)
            .or_default()
            .push(json!({"value": v["phone"], "enum_code": code}));
        if let Some(link) = v["link_contact_id"].as_str() {
            let id: u64 = link.parse().unwrap();
            account.contacts.entry(id).or_insert_with(|| Contact {
                id,
                name: v["new_contact_name"].as_str().unwrap().into(),
                first_name: String::new(),
                last_name: String::new(),
                fields: BTreeMap::from([(
                    PHONE,
                    vec![json!({"value": v["phone"], "enum_code": "MOB"})],
                )]),
                tags: vec![],
            });
        }
        for d in v["deal_ids"].as_array().unwrap() {
            let id: u64 = d.as_str().unwrap().parse().unwrap();
            account.leads.entry(id).or_insert_with(|| Lead {
                id,
                name: String::new(),
                contacts: vec![(partner, true)],
            });
        }
    }
    let server = Server::start(account, Config::default().rate_for_tests());
    for args in [vec![], vec!["--execute"]] {
        let before = server.with_stats(|st| st.requests);
        let o = Command::new("/usr/bin/time")
            .arg("-v")
            .arg(env!("CARGO_BIN_EXE_crmclean"))
            .env("AMOCRM_TOKEN", server.token())
            .arg("--rules")
            .arg(&fast)
            .args(["apply", dir.to_str().unwrap(), "--api-base", &server.base()])
            .args(&args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o.stderr));
        let requests = server.with_stats(|st| st.requests) - before;
        println!("apply {args:?}: {requests} requests\n{}", text(&o.stdout));
        for l in text(&o.stderr).lines() {
            if ["Elapsed", "Maximum resident", "User time", "System time"]
                .iter()
                .any(|k| l.contains(k))
            {
                println!("  {}", l.trim());
            }
        }
    }
}
