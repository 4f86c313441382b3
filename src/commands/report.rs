//! `crmclean report`: the weekly compliance report per manager — a workbook (Overview,
//! Managers, Trend, Top offenders), a history of weekly snapshots and a Markdown summary.

pub mod changes;
pub mod history;
pub mod managers;
pub mod markdown;
pub mod offenders;
pub mod overview;
pub mod snapshot;
pub mod terminal;
pub mod workbook;

use std::path::PathBuf;
use std::time::Instant;

use super::audit::pii::Masker;

use super::audit::{parse_subdomain, summary};
use super::{load_inputs, print_stdout, AsOfArgs, DecisionsArgs, Global, InputArgs, OutputArgs};
use crate::error::{Error, ExitCode, Result};
use crate::model::Dataset;
use crate::output::atomic::OutputPolicy;
use crate::rules::{self, Context, Entity, Finding, Rule};
use managers::ManagerRow;
use overview::Metric;
use snapshot::{Snapshot, Totals, Week};

/// Weekly compliance report: who (which manager) breaks which rule, how often, and whether it
/// gets better week over week.
///
/// Writes FILE.xlsx with the sheets:
///   Overview       % correct and % active deals, contacts breaking rule 4 (CON001–CON003),
///                  duplicate contacts, partner cards holding client numbers, deals over the
///                  response-time limit — each with the change since the previous week; a bar
///                  chart of findings per manager
///   Managers       one row per responsible manager, findings and rate per rule, worst first
///   Trend          one row per week of the history, with line charts
///   Top offenders  per rule the records with the most findings (links with --amocrm-subdomain)
///
/// With --history DIR every run stores its counts in DIR/<ISO week of --as-of>.json
/// (2026-W48.json; a re-run of the same week replaces it) and compares with the latest earlier
/// week stored there. --format md prints the summary as Markdown on stdout (a workbook only
/// when --out is given too).
///
/// Exit code: 0 once the report is written (findings do not fail it), 2 usage error,
/// 3 no input readable.
///
/// Examples:
///   crmclean report samples/ --out report.xlsx --as-of "2026-11-23 12:00"
///   crmclean report exports/ --out weekly.xlsx --history reports/history --force
///   crmclean report exports/ --format md --history reports/history > report.md
///   crmclean report exports/ --out weekly.xlsx --amocrm-subdomain okna-spb --mask-pii
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// The workbook to write (required with --format xlsx).
    #[arg(long, value_name = "FILE.xlsx")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub as_of: AsOfArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub decisions: DecisionsArgs,
    /// Folder of weekly snapshots (`2026-W48.json`): this run's is written there, the previous
    /// week's is compared with.
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,
    /// `xlsx`: the workbook; `md`: Markdown on stdout (and the workbook when --out is given).
    #[arg(long, value_enum, default_value = "xlsx", value_name = "FORMAT")]
    pub format: Format,
    /// Records listed per rule on «Top offenders».
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,
    /// Report only these rules: codes or families (`CON001,DEAL`).
    #[arg(long, value_delimiter = ',', value_name = "CODE,…")]
    pub select: Vec<String>,
    /// Leave out these rules: codes or families.
    #[arg(long, value_delimiter = ',', value_name = "CODE,…")]
    pub ignore: Vec<String>,
    /// amoCRM account subdomain (`okna-spb` for okna-spb.amocrm.ru): IDs on «Top offenders»
    /// become links to the cards.
    #[arg(long, value_name = "SUB", value_parser = parse_subdomain)]
    pub amocrm_subdomain: Option<String>,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The workbook (--out FILE.xlsx).
    Xlsx,
    /// Markdown on stdout.
    Md,
}

/// Everything the workbook, the Markdown and the terminal table show.
pub struct Report<'a> {
    pub snapshot: &'a Snapshot,
    pub previous: Option<&'a Snapshot>,
    pub metrics: Vec<Metric>,
    /// Worst first.
    pub managers: Vec<ManagerRow>,
    /// The rules with a column on «Managers».
    pub rules: &'a [&'static Rule],
    /// Oldest week first, this one last.
    pub trend: Vec<&'a Snapshot>,
}

pub fn run(args: Args, global: &Global) -> Result<ExitCode> {
    let selected = rules::selection(&args.select, &args.ignore)?;
    let rule_set = global.rule_set()?;
    let policy = args.output.policy(&args.input.paths);
    check_usage(&args, &policy)?;
    let as_of = args.as_of.resolve();
    let decisions = args.decisions.load()?;
    let stored = match &args.history {
        Some(dir) => history::load(dir)?,
        None => history::History::default(),
    };
    for s in &stored.skipped {
        global.say(format!("crmclean: warning: {s}"));
    }

    let started = Instant::now();
    let ds = load_inputs(global, &rule_set, &args.input, as_of.date())?;
    let read = started.elapsed();
    let decisions = DecisionsArgs::resolve(decisions, ds, global);
    let ctx = Context::new(ds, &rule_set.params, as_of).with_decisions(&decisions);
    let mut findings = rules::run(&ctx, &selected);
    for w in ctx.into_warnings() {
        global.say(format!("crmclean: warning: {w}"));
    }
    let accepted =
        DecisionsArgs::accept(&decisions, &mut findings, &selected, as_of.date(), global);
    let checked = started.elapsed();

    let counts = summary::counts(&findings, &selected);
    let deals = snapshot::deal_counts(ds, &findings);
    let mut totals = Totals::new(ds, &findings, &selected, &deals);
    totals.accepted = accepted.total;
    let mut current = Snapshot::new(as_of, totals, &counts);
    let hashes = changes::hashes(&findings);
    current.keys = Some(changes::encoded(&hashes));
    let previous = stored.previous(Week::of(as_of));
    let changes = previous.and_then(|p| changes::between(p, &hashes));
    if let Some(c) = &changes {
        current.totals.fixed_since_previous = Some(c.fixed);
        current.totals.new_since_previous = Some(c.new);
    }
    let mut managers = managers::table(ds, &findings, &counts, previous);
    if let Some(c) = &changes {
        for m in &mut managers {
            let (fixed, new) = c.by_manager.get(&m.name).copied().unwrap_or_default();
            (m.fixed, m.new) = (Some(fixed), Some(new));
        }
    }
    let columns = rule_columns(ds, &selected, &counts);
    let report = Report {
        snapshot: &current,
        previous,
        metrics: overview::metrics(&current.totals, previous.map(|p| &p.totals)),
        managers,
        rules: &columns,
        trend: stored.trend(&current),
    };
    let written = write_outputs(&args, &policy, ds, &findings, &report)?;
    if !global.quiet {
        eprint!("{}", terminal::table(&report, &written));
        eprintln!(
            "time: {:.1} s reading, {:.1} s rules, {:.1} s report",
            read.as_secs_f64(),
            (checked - read).as_secs_f64(),
            (started.elapsed() - checked).as_secs_f64()
        );
    }
    Ok(ExitCode::Clean)
}

/// Usage errors found before reading anything: the workbook path, `--out` for xlsx, the
/// history folder.
fn check_usage(args: &Args, policy: &OutputPolicy) -> Result<()> {
    match &args.out {
        Some(path) => policy.check(path)?,
        None if args.format == Format::Xlsx => {
            return Err(Error::Usage(
                "report needs --out FILE.xlsx (or --format md for Markdown on stdout)".into(),
            ))
        }
        None => {}
    }
    match &args.history {
        Some(dir) => history::check_dir(dir),
        None => Ok(()),
    }
}

/// Writes the workbook, the week's snapshot and the Markdown; returns the files written.
fn write_outputs(
    args: &Args,
    policy: &OutputPolicy,
    ds: &Dataset,
    findings: &[Finding],
    report: &Report,
) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    if let Some(path) = &args.out {
        let by_rule = offenders::top(ds, findings, args.top);
        let masker = args.output.mask_pii.then(|| Masker::new(ds));
        let shown = workbook::Offenders {
            by_rule: &by_rule,
            subdomain: args.amocrm_subdomain.as_deref(),
            masker: masker.as_ref(),
        };
        workbook::write(path, policy, report, &shown)?;
        written.push(path.clone());
    }
    if let Some(dir) = &args.history {
        written.push(history::save(dir, report.snapshot, &policy.inputs)?);
    }
    if args.format == Format::Md {
        print_stdout(&markdown::render(report))?;
    }
    Ok(written)
}

/// The selected rules that can apply to the data: the dataset has records of their entity, or
/// they have findings.
fn rule_columns(
    ds: &Dataset,
    selected: &[&'static Rule],
    counts: &summary::Counts,
) -> Vec<&'static Rule> {
    let has = |e: Entity| match e {
        Entity::Contact => !ds.contacts.is_empty(),
        Entity::Deal => !ds.deals.is_empty(),
        Entity::Application => !ds.applications.is_empty(),
    };
    selected
        .iter()
        .copied()
        .filter(|r| has(r.entity) || counts.by_rule.get(r.code).is_some_and(|&n| n > 0))
        .collect()
}
