//! `crmclean migrate`: the partner-card cleanup. Classifies every phone on every partner card
//! (keep / move / review, see `crmclean explain PRT001`), checks that no phone is lost, then
//! writes the plan, the amoCRM import files, the review workbook and the normalised contacts.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{ensure_dir, load_inputs, progress, DecisionsArgs, Global, InputArgs, OutputArgs};
use crate::error::{Error, ExitCode, Result};
use crate::migrate::{self, import, normalised, review, PlanLine, Summary};
use crate::model::Dataset;
use crate::output::{write_jsonl, OutputPolicy};
use crate::profile::Kind;

/// Split client phones off partner (foreman) cards into their own contacts.
///
/// Reads the contacts and deals exports (and the client base, when given), classifies each
/// phone on a partner card and writes into --out:
///   split_plan.jsonl                one line per phone on a partner card (keep/move/review)
///   import_new_contacts.csv/.xlsx   new client contacts, one row per deal (amoCRM deal import)
///   import_partner_cards.csv/.xlsx  partner cards with the moved numbers removed
///   review.xlsx                     what a human must decide, with the evidence side by side
///   contacts_normalised.csv         every contact with its phones in E.164
/// CSV files are Windows-1251 with `;`, as amoCRM's import expects. Nothing is written when a
/// phone of a partner card would be missing from the plan.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  crmclean migrate exports/ --out migration/
  crmclean migrate contacts.csv deals.xlsx client_base.xlsx --out migration/ --force
  crmclean migrate exports/ --dry-run")]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output folder (created when missing).
    #[arg(long, value_name = "DIR", required_unless_present = "dry_run")]
    pub out: Option<PathBuf>,
    /// Classify and print the summary only; write no files.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub decisions: DecisionsArgs,
}

pub fn run(args: Args, global: &Global) -> Result<ExitCode> {
    if args.output.mask_pii {
        return Err(Error::Usage(
            "--mask-pii cannot be used with migrate: its import files need the real numbers".into(),
        ));
    }
    let rules = global.rule_set()?;
    let decisions = args.decisions.load()?;
    let today = chrono::Local::now().date_naive();
    let started = Instant::now();
    let ds = load_inputs(global, &rules, &args.input, today)?;
    let read = started.elapsed();
    warn_about_inputs(global, ds);
    let spinner = progress(global, "classifying partner phones");
    let mut lines = migrate::plan(ds, &rules.params);
    spinner.finish_and_clear();
    let decisions = DecisionsArgs::resolve(decisions, ds, global);
    let decided = decisions.apply_to_plan(ds, &mut lines);
    if args.decisions.decisions.is_some() {
        global.say(format!(
            "crmclean: {decided} numbers of partner cards decided by people"
        ));
    }
    let classified = started.elapsed() - read;
    let plan_path = args.out.as_deref().map(|d| d.join("split_plan.jsonl"));
    migrate::verify_conservation(ds, &lines).map_err(|m| Error::Write {
        path: plan_path
            .clone()
            .unwrap_or_else(|| PathBuf::from("split_plan.jsonl")),
        message: format!("conservation check failed, nothing written: {m}"),
    })?;
    let summary = Summary::of(ds, &lines);
    super::print_stdout(&summary_table(&summary))?;
    let Some(dir) = args.out.as_deref().filter(|_| !args.dry_run) else {
        global.say(format!(
            "crmclean: dry run: no files written (read {:.1} s, classified {:.1} s)",
            read.as_secs_f64(),
            classified.as_secs_f64()
        ));
        return Ok(ExitCode::Clean);
    };
    ensure_dir(dir)?;
    let policy = args.output.policy(&args.input.paths);
    let writing = Instant::now();
    write_outputs(dir, &policy, ds, &lines, global)?;
    global.say(format!(
        "crmclean: read {:.1} s, classified {:.1} s, wrote {:.1} s",
        read.as_secs_f64(),
        classified.as_secs_f64(),
        writing.elapsed().as_secs_f64()
    ));
    Ok(ExitCode::Clean)
}

fn warn_about_inputs(global: &Global, ds: &Dataset) {
    if !ds.has_kind(Kind::AmocrmContacts) {
        global.say("crmclean: warning: no contacts export among the inputs: there are no partner cards to clean");
    } else if !ds.contacts.iter().any(|c| c.is_partner) {
        global
            .say("crmclean: warning: no partner cards (tags «прораб», «партнёр»…) in the contacts");
    }
    if !ds.has_kind(Kind::AmocrmDeals) {
        global.say("crmclean: warning: no deals export among the inputs: without deals no number can be moved");
    }
    if !ds.has_kind(Kind::ClientBase) {
        global.say("crmclean: warning: no client base among the inputs: new contacts are named by the object address");
    }
}

fn write_outputs(
    dir: &Path,
    policy: &OutputPolicy,
    ds: &Dataset,
    lines: &[PlanLine],
    global: &Global,
) -> Result<()> {
    let spinner = progress(global, "writing outputs");
    write_jsonl(&dir.join("split_plan.jsonl"), policy, lines)?;
    let contacts = import::new_contacts(ds, lines);
    import::new_contacts_table(ds, &contacts).write(
        dir,
        "import_new_contacts",
        "Новые контакты",
        policy,
    )?;
    import::partner_cards_table(ds, lines).write(
        dir,
        "import_partner_cards",
        "Карточки партнёров",
        policy,
    )?;
    let review_rows = review::write(&dir.join("review.xlsx"), policy, ds, lines)?;
    let contacts_rows = normalised::write(&dir.join("contacts_normalised.csv"), policy, ds)?;
    spinner.finish_and_clear();
    global.say(format!(
        "crmclean: wrote {} (split_plan.jsonl: {} lines; import_new_contacts: {} contacts; review.xlsx: {} rows; contacts_normalised.csv: {} contacts)",
        dir.display(),
        lines.len(),
        contacts.len(),
        review_rows,
        contacts_rows
    ));
    Ok(())
}

/// The summary printed on stdout.
fn summary_table(s: &Summary) -> String {
    format!(
        "partner cards      {:>8}\n\
         phones on them     {:>8}\n\
         \x20 keep             {:>8}\n\
         \x20 move             {:>8}  (new contacts {}, links to existing contacts {})\n\
         \x20 review           {:>8}\n",
        s.partner_cards, s.phones, s.keep, s.moves, s.new_contacts, s.links, s.review
    )
}
