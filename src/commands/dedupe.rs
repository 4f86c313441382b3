//! `crmclean dedupe`: duplicate clusters of contacts and Flow applicants, with a suggested
//! survivor and a merge proposal for each.

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use rust_xlsxwriter::Workbook;

use super::{
    ensure_dir, load_inputs, progress, AsOfArgs, DecisionsArgs, Global, InputArgs, OutputArgs,
};
use crate::decisions::marker::{self, Form, CLUSTER, COMMENT, DECISION};
use crate::dedupe::{
    application_clusters, blank, contact_clusters, phone_key, Cluster, Clusters, ColumnKind,
    Columns, Fields, Member,
};
use crate::error::{Error, ExitCode, Result};
use crate::model::{At, Dataset, Phone};
use crate::normalize::email::split_email_cell;
use crate::normalize::phone::{normalize_phone, split_phone_cell, PhoneOptions};
use crate::output::mask::{mask_birthday, mask_email, mask_phone};
use crate::output::xlsx::{workbook, write_spilling_with, Choice, SHEET_ROWS};
use crate::output::{csv_safe, save_workbook_atomic, write_atomic, Cell, OutputPolicy};
use crate::profile::Kind;
use crate::rules::Entity;

/// Find duplicate contacts and Flow applicants: records where two or more of ФИО, phone and
/// birthday match (rule 5; applicants also by the same СНИЛС).
///
/// Writes DIR/clusters.csv (cluster_id, entity, id, matched_on, score, survivor: one row per
/// record of a cluster) and DIR/duplicates.xlsx (one block per cluster: its records with the
/// matching fields highlighted, the suggested survivor first, then the merged card and the
/// values the merge would lose). Thresholds: [dedupe] in rules/default.toml, diminutives in
/// rules/diminutives.toml.
///
/// Examples:
///   crmclean dedupe samples/ --out out/
///   crmclean dedupe contacts.csv applications.xlsx --out out/ --mask-pii --force
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output folder (created when missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub as_of: AsOfArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub decisions: DecisionsArgs,
}

/// Header of clusters.csv.
const CSV_HEADER: [&str; 6] = [
    "cluster_id",
    "entity",
    "id",
    "matched_on",
    "score",
    "survivor",
];
/// Columns of duplicates.xlsx before the records' own columns; a person picks «Решение» per
/// record ([`marker::DUPLICATE_CHOICES`]) and may comment it.
const SHEET_LEAD: [&str; 6] = [CLUSTER, "Запись", "Совпало", "Оценка", DECISION, COMMENT];
/// Clusters turned into rows at a time (bounds memory on large exports).
const CHUNK: usize = 4096;

pub fn run(args: Args, global: &Global) -> Result<ExitCode> {
    let rules = global.rule_set()?;
    let decisions = args.decisions.load()?;
    let ds = load_inputs(global, &rules, &args.input, args.as_of.resolve().date())?;
    if !ds.has_kind(Kind::AmocrmContacts) && !ds.has_kind(Kind::FlowApplications) {
        return Err(Error::Usage(
            "no amoCRM contacts or Flow applications among the inputs: nothing to deduplicate"
                .into(),
        ));
    }
    let decisions = DecisionsArgs::resolve(decisions, ds, global);
    let started = Instant::now();
    let spinner = progress(global, "looking for duplicates");
    let p = &rules.params.dedupe;
    let (contacts, applicants) = rayon::join(
        || contact_clusters(ds, p, &decisions.apart_contacts),
        || application_clusters(ds, p, &decisions.apart_applications),
    );
    spinner.finish_and_clear();
    let found = started.elapsed();

    ensure_dir(&args.out)?;
    let policy = args.output.policy(&args.input.paths);
    let numbered = number(&contacts, &applicants);
    let csv_path = args.out.join("clusters.csv");
    write_clusters_csv(&csv_path, &policy, ds, &numbered)?;
    let spinner = progress(global, "writing duplicates.xlsx");
    let xlsx_path = args.out.join("duplicates.xlsx");
    write_workbook(&xlsx_path, &policy, ds, &numbered, args.output.mask_pii)?;
    spinner.finish_and_clear();
    say_summary(
        global,
        ds,
        (&contacts, &applicants),
        p.max_block_size,
        found,
    );
    global.say(format!(
        "wrote {} and {}",
        csv_path.display(),
        xlsx_path.display()
    ));
    Ok(ExitCode::Clean)
}

/// Clusters with their IDs: `C000001`… contacts first, then applicants, each in the order of
/// their smallest member ID.
fn number<'a>(contacts: &'a Clusters, applicants: &'a Clusters) -> Vec<(String, &'a Cluster)> {
    contacts
        .clusters
        .iter()
        .chain(&applicants.clusters)
        .enumerate()
        .map(|(k, c)| (format!("C{:06}", k + 1), c))
        .collect()
}

fn entity_name(e: Entity) -> &'static str {
    match e {
        Entity::Contact => "contact",
        Entity::Deal => "deal",
        Entity::Application => "application",
    }
}

/// clusters.csv: plain UTF-8 (no BOM), comma-separated, one row per cluster member.
fn write_clusters_csv(
    path: &Path,
    policy: &OutputPolicy,
    ds: &Dataset,
    numbered: &[(String, &Cluster)],
) -> Result<()> {
    write_atomic(path, policy, |out| {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(out);
        w.write_record(CSV_HEADER)?;
        for (cid, c) in numbered {
            for (k, m) in c.members.iter().enumerate() {
                let score = format!("{:.3}", m.score);
                let survivor = if k == c.survivor { "true" } else { "false" };
                let row = [
                    cid.as_str(),
                    entity_name(c.entity),
                    c.id(ds, m),
                    &m.matched_on.to_string(),
                    &score,
                    survivor,
                ];
                w.write_record(row.iter().map(|v| csv_safe(v).into_owned()))?;
            }
        }
        w.flush()
    })
}

/// duplicates.xlsx: a sheet of contacts and one of applicants (when there are any).
fn write_workbook(
    path: &Path,
    policy: &OutputPolicy,
    ds: &Dataset,
    numbered: &[(String, &Cluster)],
    mask: bool,
) -> Result<()> {
    let mut wb = workbook();
    let mut records: Vec<Vec<String>> = Vec::new();
    // Saving is mostly deflate: a faster level for a ~10 % larger file.
    wb.set_zip_compression_level(2);
    let sheets = [
        (Entity::Contact, Kind::AmocrmContacts, "Контакты"),
        (Entity::Application, Kind::FlowApplications, "Заявители"),
    ];
    for (entity, kind, name) in sheets {
        let clusters: Vec<&(String, &Cluster)> = numbered
            .iter()
            .filter(|(_, c)| c.entity == entity)
            .collect();
        if !ds.has_kind(kind) {
            continue;
        }
        let cols = Columns::of(ds, kind);
        let written = write_sheet(&mut wb, name, ds, &cols, &clusters, mask)?;
        let id_field = match entity {
            Entity::Application => "app_no",
            _ => "id",
        };
        let id_header = ds
            .sources_of(kind)
            .next()
            .map(|s| s.mapping.label(id_field))
            .unwrap_or_default();
        let entity = entity_name(entity);
        for sheet in written {
            records.push(vec![
                "sheet".into(),
                sheet,
                entity.into(),
                id_header.clone(),
            ]);
        }
        for (cid, c) in clusters {
            for m in &c.members {
                let id = c.id(ds, m).to_string();
                records.push(vec!["member".into(), cid.clone(), entity.into(), id]);
            }
        }
    }
    marker::write(&mut wb, Form::Duplicates, records)?;
    save_workbook_atomic(path, policy, &mut wb)
}

fn write_sheet(
    wb: &mut Workbook,
    name: &str,
    ds: &Dataset,
    cols: &Columns,
    clusters: &[&(String, &Cluster)],
    mask: bool,
) -> Result<Vec<String>> {
    let header: Vec<&str> = SHEET_LEAD
        .iter()
        .copied()
        .chain(cols.headers.iter().map(String::as_str))
        .collect();
    let blocks = clusters.chunks(CHUNK).flat_map(|chunk| {
        chunk
            .par_iter()
            .map(|(cid, c)| block(ds, cols, cid, c, mask))
            .collect::<Vec<_>>()
    });
    let choice = Choice::on(&header, DECISION, marker::DUPLICATE_CHOICES);
    // A cluster stays on one sheet; past SHEET_ROWS rows the table goes on «Контакты (2)»…
    write_spilling_with(wb, (name, &header, &[choice]), SHEET_ROWS, blocks)
}

/// A cluster's rows: the survivor, the other records, the merged card, the lost values.
fn block<'a>(
    ds: &Dataset,
    cols: &Columns,
    cid: &'a str,
    c: &Cluster,
    mask: bool,
) -> Vec<Vec<Cell<'a>>> {
    let mut order: Vec<usize> = vec![c.survivor];
    order.extend((0..c.members.len()).filter(|&k| k != c.survivor));
    let mut rows = Vec::with_capacity(order.len() + 2);
    for k in order {
        let m = &c.members[k];
        let role = if k == c.survivor {
            "оставить"
        } else {
            "дубль → объединить"
        };
        let mut row = vec![
            Cell::from(cid),
            Cell::from(role),
            Cell::from(m.matched_on.ru()),
            Cell::Number((f64::from(m.score) * 1000.0).round() / 1000.0),
            Cell::Empty,
            Cell::Empty,
        ];
        row.extend(member_cells(ds, cols, c, m, mask));
        rows.push(row);
    }
    let merged = cols.merge(ds, c);
    let lead = |what: &'static str| {
        let mut lead = vec![Cell::from(cid), Cell::from(what)];
        lead.resize(SHEET_LEAD.len(), Cell::Empty);
        lead
    };
    let mut kept = lead("итог слияния");
    kept.extend(
        merged
            .iter()
            .zip(&cols.kinds)
            .map(|(f, &kind)| text_cell(shown(&f.kept, kind, mask))),
    );
    rows.push(kept);
    if merged.iter().any(|f| !f.lost.is_empty()) {
        let mut lost = lead("будет потеряно");
        lost.extend(merged.iter().zip(&cols.kinds).map(|(f, &kind)| {
            let values: Vec<String> = f.lost.iter().map(|v| shown(v, kind, mask)).collect();
            text_cell(values.join(" | "))
        }));
        rows.push(lost);
    }
    rows
}

fn text_cell(s: String) -> Cell<'static> {
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::from(s)
    }
}

/// A member's values, the ones it matched on highlighted.
fn member_cells(
    ds: &Dataset,
    cols: &Columns,
    c: &Cluster,
    m: &Member,
    mask: bool,
) -> Vec<Cell<'static>> {
    let at = c.at(ds, m);
    let shared = shared_phone_columns(ds, c, m);
    (0..cols.headers.len())
        .map(|h| {
            let value = cols.value(ds, at, h);
            if blank(value) {
                return text_cell(value.to_string());
            }
            let kind = cols.kinds[h];
            let hit = match kind {
                ColumnKind::Name => m.matched_on.contains(Fields::NAME),
                ColumnKind::Birthday => m.matched_on.contains(Fields::BIRTHDAY),
                ColumnKind::Snils => m.matched_on.contains(Fields::SNILS),
                ColumnKind::Phone => shared.contains(&cols.headers[h].as_str()),
                _ => false,
            };
            let text = shown(value, kind, mask);
            if hit {
                Cell::Highlight(text.into())
            } else {
                Cell::from(text)
            }
        })
        .collect()
}

/// Columns of `m` holding a phone that another member of the cluster also has.
fn shared_phone_columns<'a>(ds: &'a Dataset, c: &Cluster, m: &Member) -> Vec<&'a str> {
    if !m.matched_on.contains(Fields::PHONE) {
        return Vec::new();
    }
    let record = |x: &Member| -> (At, &'a [Phone]) {
        match c.entity {
            Entity::Application => {
                let a = &ds.applications[x.index];
                (a.at, &a.phones)
            }
            _ => {
                let c = &ds.contacts[x.index];
                (c.at, &c.phones)
            }
        }
    };
    let others: Vec<String> = c
        .members
        .iter()
        .filter(|o| o.index != m.index)
        .flat_map(|o| record(o).1.iter().filter_map(phone_key))
        .collect();
    let (at, phones) = record(m);
    phones
        .iter()
        .filter(|p| phone_key(p).is_some_and(|k| others.contains(&k)))
        .map(|p| ds.header(at, p.column))
        .collect()
}

/// A value as shown: masked with `--mask-pii` when it is a phone, e-mail, birthday or СНИЛС.
fn shown(value: &str, kind: ColumnKind, mask: bool) -> String {
    if !mask || value.is_empty() {
        return value.to_string();
    }
    match kind {
        ColumnKind::Phone => split_phone_cell(value)
            .into_iter()
            .map(|p| {
                let norm = normalize_phone(p, &PhoneOptions::default());
                mask_phone(norm.e164.as_deref().unwrap_or(p))
            })
            .collect::<Vec<_>>()
            .join(", "),
        ColumnKind::Email => split_email_cell(value)
            .into_iter()
            .map(mask_email)
            .collect::<Vec<_>>()
            .join(", "),
        ColumnKind::Birthday => mask_birthday(value),
        ColumnKind::Snils => {
            let digits: String = value.chars().filter(char::is_ascii_digit).collect();
            let tail = digits.get(digits.len().saturating_sub(2)..).unwrap_or("");
            format!("***-***-*** {tail}")
        }
        _ => value.to_string(),
    }
}

fn say_summary(
    global: &Global,
    ds: &Dataset,
    (contacts, applicants): (&Clusters, &Clusters),
    max_block: usize,
    took: std::time::Duration,
) {
    let members = |c: &Clusters| c.clusters.iter().map(|c| c.members.len()).sum::<usize>();
    if !ds.contacts.is_empty() {
        global.say(format!(
            "contacts: {} read, {} duplicate clusters holding {} contacts",
            ds.contacts.len(),
            contacts.clusters.len(),
            members(contacts)
        ));
    }
    if !ds.applications.is_empty() {
        global.say(format!(
            "applications: {} read, {} persons with several applications ({} applications)",
            ds.applications.len(),
            applicants.clusters.len(),
            members(applicants)
        ));
    }
    for (what, s) in [
        ("contacts", contacts.stats),
        ("applications", applicants.stats),
    ] {
        if s.capped_phone_blocks > 0 {
            global.say(format!(
                "note: {} phones are shared by more than {max_block} {what} (switchboards): \
                 those {what} were compared only when they also share a birthday or a name word",
                s.capped_phone_blocks
            ));
        }
        if s.skipped_blocks > 0 {
            global.say(format!(
                "warning: {} oversized blocks of {what} sharing a birthday and a name were \
                 skipped (max_subblock_size in rules/default.toml)",
                s.skipped_blocks
            ));
        }
    }
    global.say(format!(
        "compared {} candidate pairs in {:.1} s",
        contacts.stats.candidate_pairs + applicants.stats.candidate_pairs,
        took.as_secs_f64()
    ));
}
