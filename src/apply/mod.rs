//! `crmclean apply`: carries out a migration plan (`split_plan.jsonl`) and, with `--merges`,
//! the duplicate merges (`clusters.csv`) through the amoCRM REST API v4.
//!
//! [`input`] reads the plan folder, [`live`] the current cards, [`changes`] decides what to
//! change (and what to skip because the cards changed since the export), [`step`] turns that
//! into requests of at most `batch_size` entities, [`client`] sends them (pacing, retries, the
//! token), [`exec`] with the [`journal`] makes a run resumable without doing anything twice,
//! and [`rollback`] undoes a run from its journal.

pub mod amo;
pub mod changes;
pub mod client;
mod exec;
pub mod input;
pub mod journal;
pub mod live;
pub mod rate;
pub mod rollback;
pub mod step;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::json;

use changes::{Counts, Skip};
use client::{Api, ApiError};
use exec::Exec;
use journal::{Entry, Journal, Record};
use step::{batches, Created, Kind, Live, Step};

use crate::output::{write_jsonl, OutputPolicy};
use crate::params::RuleSet;

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Crm(#[from] crate::error::Error),
}

/// What to apply.
#[derive(Debug, Clone)]
pub struct Options {
    pub dir: PathBuf,
    pub merges: bool,
    pub execute: bool,
    pub limit: Option<usize>,
}

/// What a run did (or, dry, would do).
#[derive(Debug, Default)]
pub struct Report {
    /// What the changes amount to (not known to a resumed run).
    pub counts: Option<Counts>,
    /// Every request of the run: kind and number of entities.
    pub requests: Vec<(Kind, usize)>,
    pub skipped: Vec<Skip>,
    /// Steps an earlier, stopped run had finished.
    pub resumed_after: Option<usize>,
    /// The journal says every change of the plan was done already.
    pub already_done: bool,
    /// (Dry run) a stopped run is in the journal; `--execute` resumes it first.
    pub pending: bool,
}

pub const JOURNAL: &str = "journal.jsonl";
pub const PLAN: &str = "apply_plan.jsonl";
pub const ROLLBACK_JOURNAL: &str = "rollback.jsonl";
pub const ROLLBACK_PLAN: &str = "rollback_plan.jsonl";

/// Applies the plan in `opts.dir` (dry unless `opts.execute`): resumes a stopped run, else
/// plans the changes no earlier run of the journal carried out.
pub fn apply(opts: &Options, rules: &RuleSet, api: &mut Api) -> Result<Report, Error> {
    let p = &rules.params.apply;
    if opts.dir.join(ROLLBACK_JOURNAL).exists() {
        return Err(usage(format!(
            "{}: this plan folder was rolled back; make a new plan (migrate, dedupe) in another folder",
            opts.dir.display()
        )));
    }
    let plan_path = opts.dir.join("split_plan.jsonl");
    let mut moves = if opts.merges && !plan_path.exists() {
        Vec::new()
    } else {
        input::moves(&plan_path)?
    };
    let mut clusters = if opts.merges {
        input::clusters(&opts.dir.join("clusters.csv"))?
    } else {
        Vec::new()
    };
    let digest = digest(&format!(
        "{moves:?}{clusters:?}{}{:?}",
        opts.merges, opts.limit
    ));
    let journal_path = opts.dir.join(JOURNAL);
    let record = Record::read(&journal_path)?.unwrap_or_default();
    if record.unfinished() && opts.execute {
        if record.digest != digest {
            return Err(usage(format!(
                "{}: a stopped run with other options (split_plan.jsonl, clusters.csv, --merges or --limit) is in the journal: run it again as it was to finish it, or roll it back (--rollback)",
                journal_path.display()
            )));
        }
        return resume(record, &journal_path, rules, api);
    }
    moves.retain(|m| !record.covered.contains(&m.key()));
    clusters.retain(|c| !record.covered.contains(&c.key()));
    if let Some(n) = opts.limit {
        moves.truncate(n);
        clusters.truncate(n - moves.len());
    }
    let mut report = Report {
        pending: record.unfinished(),
        already_done: record.planned && moves.is_empty() && clusters.is_empty(),
        ..Report::default()
    };
    if report.already_done {
        return Ok(report);
    }

    let run = chrono::Local::now().format("%Y%m%d-%H%M%S").to_string();
    let run_tag = p.created_tag.replace("{run}", &run);
    let mut contact_ids: Vec<u64> = moves.iter().map(|m| m.partner).collect();
    contact_ids.extend(moves.iter().filter_map(|m| m.link));
    contact_ids.extend(
        clusters
            .iter()
            .flat_map(|c| std::iter::once(c.survivor).chain(c.duplicates.iter().copied())),
    );
    let contacts = live::contacts(api, &contact_ids, p.batch_size)?;
    let mut lead_ids: Vec<u64> = moves.iter().flat_map(|m| m.deals.clone()).collect();
    lead_ids.extend(
        clusters
            .iter()
            .flat_map(|c| &c.duplicates)
            .filter_map(|id| contacts.get(id))
            .flat_map(|c| c.embedded.leads.iter().map(|r| r.id)),
    );
    let leads = live::leads(api, &lead_ids, p.batch_size)?;
    let live = Live { contacts, leads };
    let planned = changes::plan(&moves, &clusters, &live, rules, &run_tag);
    let steps = batches(
        planned.items,
        p.batch_size.clamp(1, 250),
        record.next_step(),
    );
    write_plan(&opts.dir.join(PLAN), &steps)?;
    report.counts = Some(planned.counts);
    report.requests = shape(&steps);
    report.skipped = planned.skipped;
    if !opts.execute {
        return Ok(report);
    }
    let mut journal = Journal::open(&journal_path)?;
    journal.write(&Entry::Start {
        run,
        digest,
        at: now(),
    })?;
    for card in live.contacts.into_values() {
        if !record.contacts.contains_key(&card.id) {
            journal.write(&Entry::ContactBefore { card })?;
        }
    }
    for card in live.leads.into_values() {
        if !record.leads.contains_key(&card.id) {
            journal.write(&Entry::LeadBefore { card })?;
        }
    }
    for s in &report.skipped {
        journal.write(&Entry::Skip {
            change: s.change.clone(),
            reason: s.reason.clone(),
        })?;
    }
    for step in &steps {
        journal.write(&Entry::Step { step: step.clone() })?;
    }
    let skipped: BTreeSet<&str> = report.skipped.iter().map(|s| s.change.as_str()).collect();
    let covers = moves
        .iter()
        .map(input::Move::key)
        .chain(clusters.iter().map(input::Cluster::key))
        .filter(|k| !skipped.contains(k.as_str()))
        .collect();
    journal.write(&Entry::Planned { covers })?;
    carry_out(&mut journal, &steps, &record, api, p.batch_size)?;
    Ok(report)
}

fn usage(message: String) -> Error {
    crate::error::Error::Usage(message).into()
}

/// Goes on with the run a journal describes.
fn resume(record: Record, path: &Path, rules: &RuleSet, api: &mut Api) -> Result<Report, Error> {
    let report = Report {
        requests: shape(&record.steps),
        skipped: record.skipped.clone(),
        resumed_after: Some(record.done.len()),
        ..Report::default()
    };
    let mut journal = Journal::open(path)?;
    journal.write(&Entry::Start {
        run: record.run.clone(),
        digest: record.digest.clone(),
        at: now(),
    })?;
    carry_out(
        &mut journal,
        &record.steps,
        &record,
        api,
        rules.params.apply.batch_size,
    )?;
    Ok(report)
}

/// Sends the steps `done` does not show finished, then journals the end.
fn carry_out(
    journal: &mut Journal,
    steps: &[Step],
    done: &Record,
    api: &mut Api,
    batch: usize,
) -> Result<(), Error> {
    let uncertain = done.uncertain();
    let mut exec = Exec {
        api,
        journal,
        batch,
        created: done.created.clone(),
        creates: steps
            .iter()
            .flat_map(|s| &s.items)
            .filter_map(|i| match i {
                step::Item::Create { key, .. } => Some((key.clone(), i.clone())),
                _ => None,
            })
            .collect(),
    };
    for step in steps.iter().filter(|s| !done.done.contains(&s.n)) {
        exec.step(step, uncertain.contains(&step.n))?;
    }
    journal.write(&Entry::Finish { at: now() })?;
    Ok(())
}

/// Undoes what the run journaled in `dir` (dry unless `execute`); resumes a stopped rollback.
pub fn roll_back(
    dir: &Path,
    execute: bool,
    rules: &RuleSet,
    api: &mut Api,
) -> Result<Report, Error> {
    let p = &rules.params.apply;
    let journal_path = dir.join(JOURNAL);
    let Some(record) = Record::read(&journal_path)? else {
        return Err(usage(format!(
            "{}: no journal: nothing was applied from this folder",
            journal_path.display()
        )));
    };
    let back_path = dir.join(ROLLBACK_JOURNAL);
    if let Some(back) = Record::read(&back_path)? {
        if back.unfinished() && execute {
            return resume(back, &back_path, rules, api);
        }
        if back.finished {
            return Ok(Report {
                already_done: true,
                ..Report::default()
            });
        }
    }
    let mut created = record.created.clone();
    for step in record.steps.iter().filter(|s| s.kind == Kind::Create) {
        if !record.uncertain().contains(&step.n) {
            continue;
        }
        for item in &step.items {
            if let step::Item::Create {
                key,
                name,
                phone,
                tag,
                ..
            } = item
            {
                if let Some(id) = live::find_created(api, phone, name, tag)? {
                    created.insert(key.clone(), id);
                }
            }
        }
    }
    let (contact_ids, lead_ids) = rollback::touched(&record, &created);
    let live = Live {
        contacts: live::contacts(api, &contact_ids, p.batch_size)?,
        leads: live::leads(api, &lead_ids, p.batch_size)?,
    };
    let items = rollback::items(&record, &created, &live, &p.rollback_tag);
    let steps = batches(items, p.batch_size.clamp(1, 250), 1);
    write_plan(&dir.join(ROLLBACK_PLAN), &steps)?;
    let report = Report {
        requests: shape(&steps),
        ..Report::default()
    };
    if !execute {
        return Ok(report);
    }
    let mut journal = Journal::open(&back_path)?;
    journal.write(&Entry::Start {
        run: record.run.clone(),
        digest: record.digest.clone(),
        at: now(),
    })?;
    for card in live.contacts.into_values() {
        journal.write(&Entry::ContactBefore { card })?;
    }
    for card in live.leads.into_values() {
        journal.write(&Entry::LeadBefore { card })?;
    }
    for step in &steps {
        journal.write(&Entry::Step { step: step.clone() })?;
    }
    journal.write(&Entry::Planned { covers: Vec::new() })?;
    let done = Record {
        created,
        ..Record::default()
    };
    carry_out(&mut journal, &steps, &done, api, p.batch_size)?;
    Ok(report)
}

/// `apply_plan.jsonl`: one line per request, with the body as it would be sent (contacts to be
/// created appear as `"new: KEY"`). Replaced on every run.
fn write_plan(path: &Path, steps: &[Step]) -> Result<(), Error> {
    let lines = steps.iter().map(|s| {
        json!({
            "step": s.n,
            "method": s.kind.method(),
            "path": s.kind.path(),
            "entities": s.items.len(),
            "body": Step::body(&s.items, &Created::new()),
        })
    });
    let policy = OutputPolicy {
        force: true,
        inputs: Vec::new(),
    };
    Ok(write_jsonl(path, &policy, lines)?)
}

fn shape(steps: &[Step]) -> Vec<(Kind, usize)> {
    steps.iter().map(|s| (s.kind, s.items.len())).collect()
}

fn now() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

/// FNV-1a: a short, stable fingerprint of the plan a journal belongs to.
fn digest(text: &str) -> String {
    format!("{:016x}", crate::rules::key::fnv1a(text.as_bytes()))
}
